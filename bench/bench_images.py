"""Images through OCR + matching on one core, and our OCR stage against bare ``tesseract``.

    OMP_NUM_THREADS=1 python bench/bench_images.py [--library LIB.jsonl] [--queries IMAGES.jsonl] [--n 40]

The library and the picture queries default to the development sets in ``../shared/eval`` next
to the repository; without them, or without Tesseract's Vietnamese data, it prints SKIP.
Prints images/s for the whole path (check + strip + PDQ + OCR + match), seconds per image for
each stage, and the ratio of our OCR stage (``media.ocr.read_text``) to ``tesseract IMG - -l vie``
run on the same files. Only figures are printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _common import DEFAULT_IMAGES, DEFAULT_LIBRARY, images_ready
from kiemchung.engine.evaluate import CachedQueryEmbedder, build_matcher, load_library, read_jsonl
from kiemchung.media.intake import load_image
from kiemchung.media.ocr import read_text
from kiemchung.media.pdq import pdq_hash


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, default=DEFAULT_LIBRARY, help="fact-checks (JSONL)")
    ap.add_argument("--queries", type=Path, default=DEFAULT_IMAGES, help="picture queries (JSONL)")
    ap.add_argument("--n", type=int, default=40, help="pictures to time (the first n queries)")
    args = ap.parse_args()
    if not images_ready(args.library, args.queries):
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, children included

    from kiemchung.engine.embed import get_embedder
    from kiemchung.settings import get_settings

    ids, texts = load_library(args.library)
    cache = get_settings().data_dir / "cache"
    emb = get_embedder()
    matcher = build_matcher(ids, texts, CachedQueryEmbedder(emb, cache) if emb else None, cache)
    matcher.match(["khởi động / warm-up"])
    files = [args.queries.parent / q["image"] for _, q in read_jsonl(args.queries)][: args.n]

    t_bare = time.perf_counter()
    for f in files:
        subprocess.run(["tesseract", str(f), "-", "-l", "vie"], capture_output=True, check=True)
    bare = time.perf_counter() - t_bare

    stage = {"check+strip": 0.0, "pdq": 0.0, "ocr": 0.0, "match": 0.0}
    t_all = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        img = load_image(f.read_bytes())
        stage["check+strip"] += time.perf_counter() - t
        t = time.perf_counter()
        pdq_hash(img.image)
        stage["pdq"] += time.perf_counter() - t
        t = time.perf_counter()
        text = read_text(img.image).text
        stage["ocr"] += time.perf_counter() - t
        t = time.perf_counter()
        matcher.match([text])
        stage["match"] += time.perf_counter() - t
    total = time.perf_counter() - t_all
    n = len(files)
    print(f"images: {n}, one core")
    print(f"through OCR + matching: {n / total:.2f} images/s ({total / n:.3f} s/image)")
    for k, v in stage.items():
        print(f"  {k}: {v / n:.3f} s/image")
    print(f"bare tesseract -l vie: {bare / n:.3f} s/image; our OCR stage / bare = {stage['ocr'] / bare:.2f}")


if __name__ == "__main__":
    main()
