"""A guard on the clustering figures: the word-only evaluation on our labelled set
(``python bench/eval_feedback_clusters.py --method lexical``) must keep every automatic join right
and most of the pairs found, so a drifting threshold or scoring change fails here first."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from kiemchung.feedback.cluster import Similarity

BENCH = Path(__file__).resolve().parents[2] / "bench" / "eval_feedback_clusters.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_feedback_clusters", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_word_only_clustering_makes_no_wrong_join_and_finds_most_pairs() -> None:
    bench = _bench()
    rows = bench.load()
    assert len(rows) >= 70 and len({r["cluster"] for r in rows}) >= 30
    sim = Similarity(method="lexical")
    texts = [r["text"] for r in rows]
    r = bench.evaluate(rows, sim, sim.vectors(texts, None))
    assert r["fp"] == 0, f"{r['fp']} pairs of different issues joined automatically"
    assert r["recall"] >= 0.70, f"recall {r['recall']:.3f}"
