"""Feedback clustering: pairwise precision/recall of the automatic joins on a hand-labelled set.

    python bench/eval_feedback_clusters.py                # each method at its shipped thresholds
    python bench/eval_feedback_clusters.py --sweep        # plus a threshold sweep per method

The set is ``tests/feedback/data/clusters.jsonl`` (our own sentences: the same issue in the same
place written several ways, with and without diacritics, and near misses: the same kind of issue on
another street or in another province). Items arrive in file order and go through
``feedback.cluster.assign``, exactly as ``feedback.service.cluster_item`` does. A pair of items counts as
predicted together when they end in the same automatic thread; precision and recall are over pairs.
"Suggested" is the share of the gold pairs missed by the automatic joins that the editor is offered.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path
from typing import Any

from kiemchung.feedback import cluster
from kiemchung.feedback.cluster import Group, Similarity, assign

DATA = Path(__file__).resolve().parents[1] / "tests" / "feedback" / "data" / "clusters.jsonl"


def load(path: Path = DATA) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(
    rows: list[dict[str, Any]], sim: Similarity, vectors: list[Any]
) -> tuple[list[int], set[tuple[int, int]]]:
    """Predicted thread of each item, and the (item, thread's first item) pairs offered as suggestions."""
    groups: list[Group] = []
    labels: list[int] = []
    suggested: set[tuple[int, int]] = set()
    for i, (row, vec) in enumerate(zip(rows, vectors, strict=True)):
        same_province = [g for g in groups if g.province == row["province"]]
        decision, group, _score = assign(sim, vec, row["province"], row["ward"], same_province)
        if decision == "join" and group is not None:
            group.vectors.append(vec)
            labels.append(group.key)
            continue
        if decision == "suggest" and group is not None:
            suggested.add((i, group.key))
        groups.append(Group(len(groups), row["province"], row["ward"], [vec]))
        labels.append(groups[-1].key)
    return labels, suggested


def pairwise(gold: list[str], pred: list[int]) -> dict[str, float]:
    tp = fp = fn = 0
    for a, b in combinations(range(len(gold)), 2):
        same_gold, same_pred = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def suggested_share(gold: list[str], pred: list[int], suggested: set[tuple[int, int]]) -> float:
    """Of the gold pairs not joined automatically, the share where one side was offered the other's thread."""
    first = {}
    for i, p in enumerate(pred):
        first.setdefault(p, i)
    missed = offered = 0
    for a, b in combinations(range(len(gold)), 2):
        if gold[a] == gold[b] and pred[a] != pred[b]:
            missed += 1
            offered += (b, pred[a]) in suggested or (a, pred[b]) in suggested
    return offered / missed if missed else 1.0


def evaluate(
    rows: list[dict[str, Any]], sim: Similarity, vectors: list[Any], join: float | None = None
) -> dict[str, float]:
    saved = cluster.JOIN[sim.method]
    if join is not None:
        cluster.JOIN[sim.method] = join
    try:
        pred, suggested = run(rows, sim, vectors)
    finally:
        cluster.JOIN[sim.method] = saved
    gold = [r["cluster"] for r in rows]
    out = pairwise(gold, pred)
    out["suggested"] = suggested_share(gold, pred, suggested)
    out["threads"] = len(set(pred))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sweep", action="store_true", help="also sweep the join threshold")
    ap.add_argument("--method", choices=["hybrid", "lexical", "dense", "all"], default="all")
    args = ap.parse_args()
    rows = load()
    gold_threads = len({r["cluster"] for r in rows})
    print(f"{len(rows)} items, {gold_threads} gold threads (tests/feedback/data/clusters.jsonl)")
    texts = [r["text"] for r in rows]
    embeddings: list[Any] | None = None
    for method in ["hybrid", "lexical", "dense"] if args.method == "all" else [args.method]:
        sim = Similarity(method=method)
        if method != "lexical" and embeddings is None:
            embeddings = sim.embed(texts)  # once, shared by hybrid and dense
        vectors = sim.vectors(texts, None if method == "lexical" else embeddings)
        r = evaluate(rows, sim, vectors)
        print(
            f"{method:8s} join≥{cluster.JOIN[method]:.3f} suggest≥{cluster.SUGGEST[method]:.3f}: "
            f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}  "
            f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']}; {r['threads']} threads; "
            f"missed pairs suggested {r['suggested']:.2f})"
        )
        if args.sweep:
            lo, hi = (0.80, 0.99) if method == "dense" else (0.20, 0.80)
            steps = round((hi - lo) / 0.025)
            for k in range(steps + 1):
                t = round(lo + k * 0.025, 3)
                s = evaluate(rows, sim, vectors, t)
                print(
                    f"   join≥{t:.3f}: precision {s['precision']:.3f} recall {s['recall']:.3f} F1 {s['f1']:.3f}"
                )


if __name__ == "__main__":
    main()
