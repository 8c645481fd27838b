"""Shared helpers of the benchmark scripts: input paths, medians, streaming resampled posts."""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POSTS = REPO / ".." / "shared" / "eval" / "posts" / "reintel-posts.jsonl"
DEFAULT_LIBRARY = REPO / ".." / "shared" / "eval" / "matching" / "library.jsonl"
DEFAULT_IMAGES = REPO / ".." / "shared" / "eval" / "images" / "images-dev.jsonl"
# embeddings of the evaluation texts are cached outside the repository (never committed)
CACHE = Path(os.environ.get("KIEMCHUNG_BENCH_CACHE", Path(tempfile.gettempdir()) / "kiemchung-bench"))

_SENT = re.compile(r"(?<=[.!?])\s+")


def posts_path(argv: list[str] | None = None) -> Path | None:
    """First positional argument or the default evaluation file; None (after a message) if absent."""
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT_POSTS
    if not path.exists():
        print(f"SKIP: không thấy tệp bài đăng / posts file not found: {path}")
        return None
    return path


def images_ready(library: Path, queries: Path) -> bool:
    """The picture benchmarks' inputs are there and Tesseract reads Vietnamese; else a SKIP line."""
    for path in (library, queries):
        if not path.exists():
            print(f"SKIP: không thấy tệp / file not found: {path.resolve()}")
            return False
    from kiemchung.media.ocr import available

    if not available():
        print("SKIP: chưa cài Tesseract tiếng Việt / Tesseract with Vietnamese data is not installed")
        return False
    return True


def option(name: str, default: int) -> int:
    for a in sys.argv[1:]:
        if a.startswith(f"--{name}="):
            return int(a.split("=", 1)[1].replace("_", ""))
    return default


def load_texts(path: Path) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                text = json.loads(line).get("text") or ""
            except ValueError:
                continue
            out.append(str(text))
    return out


def median_time(fn: Callable[[], object], repeat: int = 5, *, cpu: bool = False) -> float:
    """Median seconds of ``repeat`` runs; ``cpu`` counts this process's CPU time (a per-core figure
    that other load on a shared machine does not distort), else wall-clock time."""
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def resampled_posts(texts: list[str], n: int, seed: int = 7) -> Iterator[str]:
    """``n`` posts generated on the fly (never materialised): half reposts of a real post with a
    small edit, half new posts stitched from 2–6 sentences of random posts."""
    rng = random.Random(seed)
    sents = [s for t in texts[:3000] for s in _SENT.split(t) if len(s) > 20]
    for i in range(n):
        if i % 2 == 0:
            t = rng.choice(texts)
            yield t + (f" #{rng.randrange(1000)}" if rng.random() < 0.5 else "")
        else:
            yield " ".join(rng.choice(sents) for _ in range(rng.randint(2, 6)))


def fmt(x: float, digits: int = 1) -> str:
    """Vietnamese number format: 1.234,5."""
    s = f"{x:,.{digits}f}"
    return s.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
