"""Triage throughput: normalise + dedup + claim extraction + score (no embedding), one core.

    python bench/bench_triage.py [posts.jsonl]

Baseline in the same run: ``json.loads`` + ``str.lower`` over the same lines. Goal ≥ 1.000 posts/s.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from _common import fmt, median_time, posts_path
from kiemchung.engine.dedup import Deduper
from kiemchung.engine.pipeline import triage


def main() -> None:
    path = posts_path()
    if path is None:
        return
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    n = len(lines)

    def baseline() -> None:
        for line in lines:
            json.loads(line)["text"].lower()

    def pipeline() -> None:
        dd = Deduper()  # fresh state each repetition: every run does the same work
        triage(dd, ((i, json.loads(line)["text"]) for i, line in enumerate(lines)))

    pipeline()  # warm the word caches once, as a running process has them
    t_base = median_time(baseline, 5, cpu=True)
    t_pipe = median_time(pipeline, 5, cpu=True)
    print(
        f"triage: {n} bài/posts, trung vị 5 lần / median of 5 runs, thời gian CPU 1 lõi / CPU time of 1 core"
    )
    print(f"  baseline json.loads+lower : {fmt(n / t_base, 0)} posts/s")
    print(f"  triage                    : {fmt(n / t_pipe, 0)} posts/s   (goal ≥ 1.000)")
    print(f"  ratio triage/baseline     : {fmt(t_base / t_pipe, 4)}")
    print(f"  RESULT triage_posts_per_s={n / t_pipe:.0f} goal_met={n / t_pipe >= 1000}")


if __name__ == "__main__":
    main()
