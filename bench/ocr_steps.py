"""Measure each OCR pre-processing step on an image query set, through the real matcher.

    python bench/ocr_steps.py [--library LIB.jsonl] [--queries IMAGES.jsonl] [--configs bare,upscale,...]
        [--limit N]

For each configuration, every image is read by :func:`kiemchung.media.ocr.read_text` with those steps
and the texts are matched (hybrid) against the library; the table shows Recall@1/5, correct- and
false-answer rates, mean OCR confidence and seconds per image. Nothing from the sets is written
except the figures. The library and the picture queries default to the development sets in
``../shared/eval`` next to the repository; without them, or without Tesseract's Vietnamese data,
it prints SKIP. ``--limit N`` reads only the first N pictures (a quick look, not the figures).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _common import DEFAULT_IMAGES, DEFAULT_LIBRARY, images_ready
from kiemchung.engine.evaluate import (
    CachedQueryEmbedder,
    build_matcher,
    load_library,
    metrics,
    read_jsonl,
)
from kiemchung.media.intake import load_image
from kiemchung.media.ocr import read_text

CONFIGS = {
    "bare": frozenset(),
    "upscale": frozenset({"upscale"}),
    "reflow": frozenset({"reflow"}),
    "reflow+chrome": frozenset({"reflow", "chrome"}),
    "reflow+chrome+upscale": frozenset({"reflow", "chrome", "upscale"}),
    "reflow+chrome+binarise": frozenset({"reflow", "chrome", "binarise"}),
    "reflow+chrome+deskew": frozenset({"reflow", "chrome", "deskew"}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, default=DEFAULT_LIBRARY, help="fact-checks (JSONL)")
    ap.add_argument("--queries", type=Path, default=DEFAULT_IMAGES, help="picture queries (JSONL)")
    ap.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated, of: {', '.join(CONFIGS)}")
    ap.add_argument("--limit", type=int, default=None, help="only the first N pictures")
    args = ap.parse_args()
    unknown = [c for c in args.configs.split(",") if c not in CONFIGS]
    if unknown:
        ap.error(f"unknown configs: {', '.join(unknown)}")
    if not images_ready(args.library, args.queries):
        return

    from kiemchung.engine.embed import get_embedder
    from kiemchung.settings import get_settings

    ids, texts = load_library(args.library)
    cache = get_settings().data_dir / "cache"
    emb = get_embedder()
    matcher = build_matcher(ids, texts, CachedQueryEmbedder(emb, cache) if emb else None, cache)
    lines = [obj for _, obj in read_jsonl(args.queries)][: args.limit]
    images = [load_image((args.queries.parent / q["image"]).read_bytes()).image for q in lines]
    golds = [list(q.get("gold") or []) for q in lines]
    print("| steps | Recall@1 | Recall@5 | correct answers | false answers | mean conf | s/image |")
    print("|---|---|---|---|---|---|---|")
    for name in args.configs.split(","):
        steps = CONFIGS[name]
        t0 = time.perf_counter()
        reads = [read_text(im, steps) for im in images]
        secs = (time.perf_counter() - t0) / len(images)
        res = matcher.match([r.text for r in reads], top=10)
        m = metrics(res, golds)
        conf = sum(r.confidence for r in reads) / len(reads)
        print(
            f"| {name} | {m.recall1:.3f} | {m.recall5:.3f} | {m.correct_answer:.3f} | "
            f"{m.false_answer:.3f} | {conf:.3f} | {secs:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
