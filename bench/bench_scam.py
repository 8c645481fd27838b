"""Scam look-up micro-benchmark: exact blocklist hits vs a plain set, and classify throughput.

    python bench/bench_scam.py [--repeat 5]

Prints medians of repeated runs and ratios against a baseline measured in the same run, so the
figures compare across machines.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from kiemchung.scam.blocklist import get_snapshot
from kiemchung.scam.lookalike import assess_domain
from kiemchung.scam.lookup import check
from kiemchung.scam.registry import default_registry


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--n", type=int, default=20_000, help="exact-hit queries per run")
    args = ap.parse_args()

    t = time.perf_counter()
    snap = get_snapshot(use_database=False)
    print(f"snapshot build: {time.perf_counter() - t:.3f} s, {len(snap.block):,} block entries")

    rng = random.Random(7)
    reg = default_registry()
    # Official domains win over any list entry, so leave the few listed ones out of the hit set.
    listed = [v for (k, v) in snap.block if k == "domain" and reg.owner(v) is None]
    queries = [f"www.{d}" if i % 2 else d for i, d in enumerate(rng.choices(listed, k=args.n))]
    plain = {v for (_k, v) in snap.block}

    def baseline() -> None:
        for q in queries:
            _ = q in plain or q.removeprefix("www.") in plain

    def snapshot_hits() -> None:
        for q in queries:
            assert snap.host_hit(q) is not None

    def full_verdicts() -> None:
        for q in queries:
            assert assess_domain(q, snap).verdict == "scam"

    base = timed(baseline, args.repeat) / args.n
    hit = timed(snapshot_hits, args.repeat) / args.n
    full = timed(full_verdicts, args.repeat) / args.n
    print(f"plain set lookup (baseline):      {base * 1e6:8.2f} µs/query")
    print(f"snapshot exact hit (host+parents):{hit * 1e6:8.2f} µs/query  ratio {hit / base:6.1f}x")
    print(f"assess_domain on a listed domain: {full * 1e6:8.2f} µs/query  ratio {full / base:6.1f}x")

    unseen = [
        f"{w}{rng.randint(1, 9999)}-{x}.{tld}"
        for w, x, tld in zip(
            rng.choices(["shop", "vietcom", "nhanqua", "game", "abc", "tin"], k=2000),
            rng.choices(["vn", "hotro", "online", "pro", "a"], k=2000),
            rng.choices(["com", "xyz", "vn", "net", "top"], k=2000),
            strict=True,
        )
    ]
    batch = unseen[:500]
    per = timed(lambda: [check(q, snapshot=snap) for q in batch], max(1, args.repeat // 2))
    print(
        f"classify throughput (unlisted domains, full heuristics): {len(batch) / per:8.0f} domains/s"
        f"  ({per / len(batch) * 1e3:.2f} ms each; ratio {per / len(batch) / base:,.0f}x the set lookup)"
    )


if __name__ == "__main__":
    main()
