"""The claims queue: priority, filters and the spread timeline.

>>> from datetime import datetime
>>> now = datetime(2026, 11, 24, 12)
>>> hot = ClaimStats(checkworthiness=0.9, items_24h=30, engagement=5000, last_seen=now)
>>> cold = ClaimStats(checkworthiness=0.9, items_24h=1, engagement=10, last_seen=datetime(2026, 11, 10))
>>> priority(hot, now) > priority(cold, now)
True
>>> 0.0 <= priority(cold, now) <= priority(hot, now) <= 1.0
True
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

# Weights of the three signals; they sum to 1 so the priority stays in [0, 1].
W_WORTHINESS = 0.45
W_SPREAD = 0.35
W_RECENCY = 0.20
# Spread saturates: 12 items/hour or 100k interactions already means "everywhere".
VELOCITY_SATURATION = 12.0
ENGAGEMENT_SATURATION = 100_000
RECENCY_HALF_LIFE_HOURS = 24.0


@dataclass(frozen=True)
class ClaimStats:
    """What the priority needs to know about a claim (decoupled from the ORM for testing)."""

    checkworthiness: float
    items_24h: int
    engagement: int
    last_seen: datetime


def priority(claim: ClaimStats, now: datetime) -> float:
    """Priority in [0, 1]: check-worthiness, spread velocity and recency, weighted.

    - check-worthiness: the engine's 0..1 score, as is;
    - spread: item velocity (items per hour over the last 24 h, log-scaled, saturating at
      ``VELOCITY_SATURATION``) and engagement (log-scaled, saturating at ``ENGAGEMENT_SATURATION``)
      combined as a soft OR, ``1 - (1 - v)(1 - e)``: a claim can spread by many posts or by one viral
      post, and each signal still counts when the other is high;
    - recency: halves every ``RECENCY_HALF_LIFE_HOURS`` since the claim was last seen.
    """
    worth = min(1.0, max(0.0, claim.checkworthiness))
    velocity = max(0, claim.items_24h) / 24.0
    v = math.log1p(velocity) / math.log1p(VELOCITY_SATURATION)
    e = math.log1p(max(0, claim.engagement)) / math.log1p(ENGAGEMENT_SATURATION)
    spread = 1.0 - (1.0 - min(1.0, v)) * (1.0 - min(1.0, e))
    age_h = max(0.0, (now - claim.last_seen).total_seconds() / 3600.0)
    recency = 0.5 ** (age_h / RECENCY_HALF_LIFE_HOURS)
    return round(W_WORTHINESS * worth + W_SPREAD * spread + W_RECENCY * recency, 4)


def timeline_buckets(
    times: list[datetime], now: datetime | None = None
) -> tuple[str, list[tuple[datetime, int]]]:
    """Counts per hour when the items span at most two days, else per day (empty buckets kept).

    >>> t = [datetime(2026, 1, 1, 9, 10), datetime(2026, 1, 1, 9, 50), datetime(2026, 1, 1, 11)]
    >>> unit, rows = timeline_buckets(t)
    >>> unit, [c for _, c in rows]
    ('hour', [2, 0, 1])
    """
    if not times:
        return "day", []
    lo, hi = min(times), max(times)
    unit = "hour" if hi - lo <= timedelta(days=2) else "day"
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)

    def floor(t: datetime) -> datetime:
        return (
            t.replace(minute=0, second=0, microsecond=0)
            if unit == "hour"
            else t.replace(hour=0, minute=0, second=0, microsecond=0)
        )

    counts = Counter(floor(t) for t in times)
    out: list[tuple[datetime, int]] = []
    cur, end = floor(lo), floor(hi)
    while cur <= end and len(out) < 400:
        out.append((cur, counts.get(cur, 0)))
        cur += step
    return unit, out


def timeline_svg(unit: str, rows: list[tuple[datetime, int]], width: int = 640, height: int = 160) -> str:
    """An accessible inline SVG bar chart of ``rows``; all text is numbers/dates (no user input).

    >>> svg = timeline_svg("day", [(datetime(2026, 1, 1), 3), (datetime(2026, 1, 2), 1)])
    >>> svg.startswith("<svg") and svg.count("<rect") == 2
    True
    """
    if not rows:
        return ""
    pad_l, pad_b, pad_t = 34, 22, 10
    plot_w, plot_h = width - pad_l - 6, height - pad_b - pad_t
    top = max(c for _, c in rows) or 1
    bw = plot_w / len(rows)
    fmt = "%H:%M %d/%m" if unit == "hour" else "%d/%m"
    total = sum(c for _, c in rows)
    label = f"{total} mục theo {'giờ' if unit == 'hour' else 'ngày'} / {total} items per {unit}"
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 6}" y2="{pad_t + plot_h}" stroke="#c5ccd5"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 8}" text-anchor="end" font-size="11" fill="#6b7480">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end" font-size="11" fill="#6b7480">0</text>',
    ]
    every = max(1, math.ceil(len(rows) / 8))
    for i, (t, c) in enumerate(rows):
        h = plot_h * c / top
        x = pad_l + i * bw
        parts.append(
            f'<rect x="{x + bw * 0.12:.1f}" y="{pad_t + plot_h - h:.1f}" width="{max(1.0, bw * 0.76):.1f}" '
            f'height="{h:.1f}" fill="#0b5c8e" rx="2"><title>{t.strftime(fmt)}: {c}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bw / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
                f'fill="#6b7480">{t.strftime(fmt)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
