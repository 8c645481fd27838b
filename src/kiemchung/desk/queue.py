"""The claims queue: priority, filters, the spread timeline and the queue page's data.

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
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung.desk.auth import WRITE
from kiemchung.store import models
from kiemchung.store.db import audit
from kiemchung.store.models import ClaimStatus, Role, utcnow
from kiemchung.web.i18n import _

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
    label = _(
        "%(total)s mục theo %(value)s", total=total, value="giờ" if unit == "hour" else "ngày", unit=unit
    )
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 6}" y2="{pad_t + plot_h}" stroke="#c5ccd5"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 8}" text-anchor="end" font-size="11" fill="#5b636e">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end" font-size="11" fill="#5b636e">0</text>',
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
                f'fill="#5b636e">{t.strftime(fmt)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- the queue page's data

PAGE_SIZE = 50
OPEN_STATUSES = (ClaimStatus.new, ClaimStatus.triaged, ClaimStatus.in_progress)
DESK_ROLES = (Role.editor, Role.reviewer, Role.admin)


@dataclass
class QueueQuery:
    """The queue's filters as typed in the page's query string (all optional, ``status`` "open")."""

    status: str = "open"
    topic: str = ""
    date_from: str = ""
    date_to: str = ""
    has_match: str = ""
    assignee: str = ""
    page_no: int = 1

    def params(self) -> dict[str, str]:
        """The filters under their query-string names.

        >>> QueueQuery(topic="y-te", has_match="yes").params()
        {'status': 'open', 'topic': 'y-te', 'from': '', 'to': '', 'match': 'yes', 'assignee': ''}
        """
        return {
            "status": self.status,
            "topic": self.topic,
            "from": self.date_from,
            "to": self.date_to,
            "match": self.has_match,
            "assignee": self.assignee,
        }


def claim_filters(q: QueueQuery, user_id: int | None = None) -> tuple[list[Any], dict[str, str]]:
    """SQL conditions for ``q`` and the filters that differ from the default (shown as chips)."""
    conds: list[Any] = []
    if q.status == "open" or not q.status:
        conds.append(models.Claim.status.in_(OPEN_STATUSES))
    elif q.status != "all" and q.status in ClaimStatus._value2member_map_:
        conds.append(models.Claim.status == ClaimStatus(q.status))
    if q.topic:
        conds.append(models.Claim.topic == q.topic)
    for raw, op in ((q.date_from, "ge"), (q.date_to, "le")):
        if raw:
            try:
                d = datetime.strptime(raw, "%Y-%m-%d")
            except ValueError:
                continue
            conds.append(
                models.Claim.last_seen >= d if op == "ge" else models.Claim.last_seen < d + timedelta(days=1)
            )
    if q.has_match == "yes":
        conds.append(models.Claim.best_match_id.is_not(None))
    elif q.has_match == "no":
        conds.append(models.Claim.best_match_id.is_(None))
    if q.assignee == "me":
        conds.append(models.Claim.assignee_id == (user_id if user_id is not None else -1))
    elif q.assignee == "none":
        conds.append(models.Claim.assignee_id.is_(None))
    active = q.params()
    return conds, {k: v for k, v in active.items() if v and not (k == "status" and v == "open")}


def queue_rows(db: Session, conds: list[Any], now: datetime) -> list[dict[str, Any]]:
    """Claims matching ``conds`` with their priority, highest first."""
    claims = list(
        db.scalars(select(models.Claim).where(*conds).order_by(models.Claim.last_seen.desc()).limit(2000))
    )
    if not claims:
        return []
    ids = [c.id for c in claims]
    since = now - timedelta(hours=24)
    item_time = func.coalesce(models.Item.published_at, models.Item.ingested_at)
    recent = dict(
        db.execute(  # type: ignore[arg-type]
            select(models.ClaimItem.claim_id, func.count())
            .join(models.Item, models.Item.id == models.ClaimItem.item_id)
            .where(models.ClaimItem.claim_id.in_(ids), item_time >= since)
            .group_by(models.ClaimItem.claim_id)
        ).all()
    )
    users = {u.id: u for u in db.scalars(select(models.User))}
    rows: list[dict[str, Any]] = []
    for c in claims:
        stats = ClaimStats(c.checkworthiness or 0.0, int(recent.get(c.id, 0)), c.engagement or 0, c.last_seen)
        rows.append(
            {
                "claim": c,
                "priority": priority(stats, now),
                "items_24h": stats.items_24h,
                "assignee": users.get(c.assignee_id) if c.assignee_id else None,
            }
        )
    rows.sort(key=lambda r: (-float(r["priority"]), -int(r["claim"].id)))
    return rows


def assignable_users(db: Session) -> list[models.User]:
    """Active accounts that may be given a claim, by name."""
    return list(
        db.scalars(
            select(models.User)
            .where(models.User.active.is_(True), models.User.role.in_(DESK_ROLES))
            .order_by(models.User.display_name)
        )
    )


def queue_view(db: Session, user: models.User, q: QueueQuery, now: datetime | None = None) -> dict[str, Any]:
    """Everything the queue page shows: one page of prioritised rows, filter choices, paging."""
    conds, active = claim_filters(q, user.id)
    rows = queue_rows(db, conds, now or utcnow())
    total = len(rows)
    page_no = max(1, q.page_no)
    topics = [
        t
        for t in db.scalars(select(models.Claim.topic).where(models.Claim.topic.is_not(None)).distinct())
        if t
    ]
    return {
        "rows": rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE],
        "total": total,
        "page_no": page_no,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "topics": sorted(topics),
        "editors": assignable_users(db),
        "filters": active,
        "query": urlencode({k: v for k, v in q.params().items() if v}),
        "f": {**q.params(), "status": q.status or "open"},
        "can_write": user.role in WRITE,
    }


def bulk_update(
    db: Session, ids: list[int], action: str, assignee_id: str, user: models.User
) -> tuple[int, str | None]:
    """Dismiss or (un)assign several claims; ``(count, error)`` with a bilingual error, nothing changed."""
    claims = list(db.scalars(select(models.Claim).where(models.Claim.id.in_(ids))))
    if action == "dismiss":
        for c in claims:
            if c.status != ClaimStatus.dismissed:
                audit(
                    db, "claim.status", c, user_id=user.id, data={"old": c.status.value, "new": "dismissed"}
                )
                c.status = ClaimStatus.dismissed
        return len(claims), None
    if action == "assign":
        assignee = db.get(models.User, int(assignee_id)) if assignee_id.isdigit() else None
        if assignee_id and (assignee is None or assignee.role not in WRITE or not assignee.active):
            return 0, _("Người được giao không hợp lệ")
        for c in claims:
            audit(
                db,
                "claim.assign",
                c,
                user_id=user.id,
                data={"old": c.assignee_id, "new": assignee.id if assignee else None},
            )
            c.assignee_id = assignee.id if assignee else None
        return len(claims), None
    raise ValueError(action)
