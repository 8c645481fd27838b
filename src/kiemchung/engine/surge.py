"""Surge detection over claim and tip volume per (topic, area): aggregate counts only, never people.

Method: a robust z-score of the last hour's count against the *same hour of the previous weeks*.
The baseline is the counts in the same one-hour window 1..``weeks`` weeks earlier, and the windows
one hour either side of it (daily and weekly cycles line up; a little timing jitter is absorbed),
so 12 samples for 4 weeks. With ``m`` their median and ``MAD`` their median absolute deviation::

    z = (x - m) / max(1.4826 · MAD, sqrt(max(m, 1)))

1.4826 · MAD estimates the standard deviation without being dragged by past surges (a mean and
SD would be); the Poisson floor ``sqrt(m)`` stops a quiet, steady series (MAD = 0) from alarming on
one extra post. At small counts the normal approximation behind a z-score is too lax (7 posts in an
hour where 1–3 are usual is not rare enough), so a surge must also be improbable as Poisson noise:
``P(X ≥ x | λ) < p_max`` with ``λ`` the trimmed mean of the baseline (scipy's ``poisson.sf``). A
surge needs ``z ≥ threshold``, that Poisson tail, *and* at least ``min_count`` events in the hour.
The window ends "now" and is re-evaluated as often as the caller likes, so a burst is seen within
its first hour rather than at the next clock hour.

>>> from datetime import datetime, timedelta
>>> now = datetime(2026, 11, 30, 15, 0)
>>> quiet = [(("y tế", "Hà Nội"), now - timedelta(weeks=k, minutes=20)) for k in range(1, 5)]
>>> burst = [(("y tế", "Hà Nội"), now - timedelta(minutes=m)) for m in range(1, 13)]
>>> [(s.key, s.count, s.baseline) for s in detect(quiet + burst, now)]
[(('y tế', 'Hà Nội'), 12, 0.0)]
>>> detect(quiet, now)
[]
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from scipy.stats import poisson

THRESHOLD = 5.0
P_MAX = 1e-6
MIN_COUNT = 5
WEEKS = 4
WINDOW = timedelta(hours=1)
SHIFTS = (timedelta(hours=-1), timedelta(0), timedelta(hours=1))


@dataclass(frozen=True)
class Surge:
    key: Hashable
    count: int
    baseline: float
    scale: float
    z: float
    p: float


def _count(stamps: list[datetime], start: datetime, end: datetime) -> int:
    return bisect_left(stamps, end) - bisect_left(stamps, start)


def baseline_counts(stamps: list[datetime], now: datetime, *, weeks: int = WEEKS) -> list[int]:
    """Counts in the same window of each previous week and one hour either side (``stamps`` sorted)."""
    out = []
    for k in range(1, weeks + 1):
        for shift in SHIFTS:
            end = now - timedelta(weeks=k) + shift
            out.append(_count(stamps, end - WINDOW, end))
    return out


def robust_z(x: int, baseline: list[int]) -> tuple[float, float, float]:
    """``(z, median, scale)``.

    >>> robust_z(30, [10, 12, 11, 9, 13, 10])
    (6.018, 10.5, 3.24)
    """
    m = statistics.median(baseline) if baseline else 0.0
    mad = statistics.median(abs(b - m) for b in baseline) if baseline else 0.0
    scale = max(1.4826 * mad, math.sqrt(max(m, 1.0)))
    return round((x - m) / scale, 3), float(m), round(scale, 3)


def poisson_tail(x: int, baseline: list[int]) -> float:
    """``P(X ≥ x)`` for X ~ Poisson(trimmed mean of the baseline, at least 0.5).

    >>> poisson_tail(7, [1, 2, 3, 2, 2, 1, 3, 2, 2, 1, 2, 3]) > 1e-3
    True
    """
    trimmed = sorted(baseline)[1:-1] if len(baseline) > 4 else baseline
    lam = max(statistics.fmean(trimmed) if trimmed else 0.0, 0.5)
    return float(poisson.sf(x - 1, lam))


def detect(
    events: Iterable[tuple[Hashable, datetime]],
    now: datetime,
    *,
    threshold: float = THRESHOLD,
    p_max: float = P_MAX,
    min_count: int = MIN_COUNT,
    weeks: int = WEEKS,
) -> list[Surge]:
    """Keys whose last-hour count is a surge against the same hours of the previous weeks."""
    by_key: dict[Hashable, list[datetime]] = defaultdict(list)
    for key, at in events:
        by_key[key].append(at)
    out = []
    for key, stamps in by_key.items():
        stamps.sort()
        x = _count(stamps, now - WINDOW, now)
        if x < min_count:
            continue
        base = baseline_counts(stamps, now, weeks=weeks)
        z, m, scale = robust_z(x, base)
        if z >= threshold and (p := poisson_tail(x, base)) < p_max:
            out.append(Surge(key, x, m, scale, z, p))
    out.sort(key=lambda s: -s.z)
    return out
