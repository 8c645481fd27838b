"""Peak memory while streaming posts through triage (normalise + dedup + claim extraction).

    python bench/bench_memory.py [posts.jsonl] [--posts=1000000]

Posts are generated on the fly by resampling the given file (half edited reposts, half new posts
stitched from random sentences), never held in memory. The dedup state is the part that grows; it
is bounded by ``Deduper.max_items``. Goal: peak RSS < 1 GiB. Prints the peak RSS against the RSS
before the stream (baseline, same process).
"""

from __future__ import annotations

import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from _common import fmt, load_texts, option, posts_path, resampled_posts
from kiemchung.engine.dedup import Deduper
from kiemchung.engine.pipeline import triage


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    path = posts_path()
    if path is None:
        return
    n = option("posts", 1_000_000)
    texts = load_texts(path)
    dd = Deduper()
    triage(dd, enumerate(texts[:200]))  # imports and caches warm before the baseline
    dd = Deduper()
    base = rss_mib()
    t0 = time.perf_counter()
    batch: list[tuple[int, str]] = []
    dups = claims = 0
    for i, text in enumerate(resampled_posts(texts, n)):
        batch.append((i, text))
        if len(batch) == 1000:
            for t in triage(dd, batch):
                dups += t.dup.duplicate_of is not None
                claims += len(t.claims)
            batch.clear()
        if (i + 1) % 100_000 == 0:
            print(
                f"  {fmt(i + 1, 0):>9} posts  peak RSS {fmt(rss_mib())} MiB  dedup originals {fmt(len(dd), 0)}",
                flush=True,
            )
    for t in triage(dd, batch):
        dups += t.dup.duplicate_of is not None
    peak = rss_mib()
    dt = time.perf_counter() - t0
    print(f"memory: {fmt(n, 0)} bài/posts streamed in {fmt(dt)} s ({fmt(n / dt, 0)} posts/s wall)")
    print(
        f"  duplicates {fmt(dups, 0)}, claim sentences {fmt(claims, 0)}, dedup originals kept {fmt(len(dd), 0)}"
    )
    print(f"  baseline RSS before stream : {fmt(base)} MiB")
    print(f"  peak RSS                   : {fmt(peak)} MiB   (goal < 1.024 MiB)")
    print(f"  ratio peak/baseline        : {fmt(peak / base, 2)}")
    print(f"  RESULT peak_rss_mib={peak:.0f} goal_met={peak < 1024}")


if __name__ == "__main__":
    main()
