"""When to try again after a failed send: the one backoff every outbox channel uses.

Exponential from ``base`` seconds (doubling per failure, capped at ``cap``), spread by ±25 %
jitter so that rows which failed together (a provider's outage, a burst of 429s) do not all come
back in the same second, and never sooner than the provider's ``Retry-After``.

>>> import random
>>> r = random.Random(7)
>>> [45 <= jittered(1, 60, 3600, rng=r) <= 75, 90 <= jittered(2, 60, 3600, rng=r) <= 150]
[True, True]
>>> 2700 <= jittered(30, 60, 3600, rng=r) <= 4500, jittered(1, 2, 600, retry_after=30, rng=r) >= 30
(True, True)
"""

from __future__ import annotations

import random

JITTER = 0.25


def jittered(
    attempts: int,
    base: float,
    cap: float,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after ``attempts`` failures (``rng`` for reproducible tests)."""
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    delay *= (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return max(delay, retry_after or 0.0)
