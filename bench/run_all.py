"""Run every benchmark script (``make bench``): each in its own process, one after another.

    python bench/run_all.py [posts.jsonl]

Scripts print their figures as ratios against a baseline measured in the same run; a script whose
input data is absent prints SKIP. ``eval_matching.py`` runs too when present. Scripts other than
those of the posts file get no arguments, so each runs its defaults (``bench_incident.py``: 100
readers, 30 s per page). The exit code is non-zero if any script failed: it crashed, or it exits
non-zero on a hard goal (``bench_incident.py``: any error on a page); other missed goals are
reported, not errors.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "bench_triage.py",
    "bench_embedding.py",
    "bench_match_latency.py",
    "bench_memory.py",
    "calibrate_clustering.py",
    "eval_matching.py",
]
# the scripts that read the posts file (``_common.posts_path``); the others find their own data
TAKES_POSTS = {"bench_triage.py", "bench_embedding.py", "bench_match_latency.py", "bench_memory.py"}


def scripts() -> list[Path]:
    """The scripts to run, in order: ``ORDER`` first, then every other script of the folder."""
    first = [HERE / s for s in ORDER if (HERE / s).exists()]
    return first + sorted(
        p
        for p in HERE.glob("*.py")
        if p.name not in ORDER and p.name not in ("run_all.py", "_common.py", "matching_fit.py")
    )


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    for script in scripts():
        print(f"\n=== {script.name} ===", flush=True)
        t = time.perf_counter()
        args = extra if script.name in TAKES_POSTS else []
        rc = subprocess.call([sys.executable, str(script), *args], cwd=HERE.parent)
        print(f"--- {script.name}: exit {rc}, {time.perf_counter() - t:.1f} s", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"\nLỗi / failed: {', '.join(failed)}")
        return 1
    print("\nXong / all benchmarks ran.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
