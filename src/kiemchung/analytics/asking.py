"""What people are asking: the claims most asked about in a week, as aggregate counts.

For each claim: how many tips asked about it and how many monitored posts carried it in the
period, and whether a published fact-check answers it. Only counts leave this module — never a
tip's text, a sender, an author or a time of a single ask — and a claim is listed only once at
least ``MIN_ASKS`` tips and posts mention it, so one person's question never shows on its own.
Text shown is the claim's canonical text with e-mail addresses and long digit runs (phone and
account numbers) masked.

    >>> mask("Gọi 0912 345 678 hoặc viết cho an@vi.du để nhận quà")
    'Gọi 09•••••••• hoặc viết cho •••@••• để nhận quà'
    >>> week_bounds("2026-W48", timedelta(hours=7))
    (datetime.datetime(2026, 11, 22, 17, 0), datetime.datetime(2026, 11, 29, 17, 0))
    >>> week_bounds("tuần sau", timedelta(hours=7)) is None
    True
    >>> week_label(datetime(2026, 11, 25, 3, 0), timedelta(hours=7))
    '2026-W48'

The area of a claim is the first province named in its text (``kiemchung.areas.find_province``),
the same rule the surge detector uses; the topic is the claim's topic tag.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung import areas
from kiemchung.store.models import (
    Claim,
    ClaimItem,
    ClaimStatus,
    FactCheck,
    FactCheckStatus,
    Item,
    ItemKind,
    Tip,
    utcnow,
)
from kiemchung.web.i18n import to_local

MIN_ASKS = 2  # tips + posts a claim needs before it is listed (no single person's question alone)
LIMIT = 20
DAYS = 7
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d(?:[\d .-]{6,}\d)")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def mask(text: str) -> str:
    """Mask e-mail addresses and runs of 8+ digits (keeping the first two digits)."""
    text = _EMAIL.sub("•••@•••", text)

    def digits(m: re.Match[str]) -> str:
        raw = m.group(0)
        n = sum(ch.isdigit() for ch in raw)
        return raw if n < 8 else raw[:2] + "•" * (n - 2)

    return _DIGITS.sub(digits, text)


def _offset(now: datetime) -> timedelta:
    return to_local(now).utcoffset() or timedelta(0)


def week_bounds(week: str, offset: timedelta) -> tuple[datetime, datetime] | None:
    """``(since, until)`` in naive UTC of an ISO week ``YYYY-Www`` in local time, or None."""
    m = _WEEK.match(week.strip())
    if not m:
        return None
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        return None
    since = datetime.combine(monday, time()) - offset
    return since, since + timedelta(days=7)


def week_label(at: datetime, offset: timedelta) -> str:
    """The ISO week (``YYYY-Www``) a naive UTC time falls in, in local time."""
    y, w, _ = (at + offset).isocalendar()
    return f"{y}-W{w:02d}"


def last_full_week(now: datetime | None = None) -> str:
    """The ISO week that ended most recently (the one the feed summarises)."""
    now = now or utcnow()
    return week_label(now - timedelta(days=7), _offset(now))


@dataclass
class AskedClaim:
    claim_id: int
    text: str
    topic: str
    province_code: int | None
    area: str
    tips: int
    posts: int
    answered: bool
    fact_check_slug: str | None = None
    fact_check_title: str | None = None
    verdict: str | None = None

    @property
    def total(self) -> int:
        return self.tips + self.posts


@dataclass
class Asking:
    since: datetime
    until: datetime
    week: str | None  # "2026-W48" when a calendar week was asked for, None for the last 7 days
    claims: list[AskedClaim] = field(default_factory=list)
    topics: list[tuple[str, int]] = field(default_factory=list)  # (topic slug, claims) in the period
    provinces: list[tuple[int, str, int]] = field(default_factory=list)  # (code, name, claims)

    @property
    def answered(self) -> int:
        return sum(1 for c in self.claims if c.answered)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "week": self.week,
            "claims": [asdict(c) | {"total": c.total} for c in self.claims],
        }


def _answers(session: Session, claims: dict[int, Claim]) -> dict[int, FactCheck]:
    """The published fact-check answering each claim: written for it, or attached by an editor."""
    if not claims:
        return {}
    out: dict[int, FactCheck] = {}
    for fc in session.scalars(
        select(FactCheck)
        .where(FactCheck.claim_id.in_(list(claims)), FactCheck.status == FactCheckStatus.published)
        .order_by(FactCheck.published_at)
    ):
        out[fc.claim_id or 0] = fc  # the newest wins
    attached = {
        c.best_match_id: cid
        for cid, c in claims.items()
        if cid not in out
        and c.best_match_id
        and c.best_match_level == "answer"
        and c.status == ClaimStatus.checked
    }
    if attached:
        for fc in session.scalars(
            select(FactCheck).where(
                FactCheck.id.in_(list(attached)), FactCheck.status == FactCheckStatus.published
            )
        ):
            out[attached[fc.id]] = fc
    return out


def asked(
    session: Session,
    *,
    now: datetime | None = None,
    week: str | None = None,
    topic: str | None = None,
    province: int | None = None,
    limit: int = LIMIT,
    min_asks: int = MIN_ASKS,
) -> Asking:
    """The claims most asked about in the last ``DAYS`` days (or the ISO ``week``), most asked first.

    ``topic`` (a slug) and ``province`` (a code) filter the list; the facets count every listed
    claim of the period whatever the filter, so a reader sees where else people are asking.
    """
    now = now or utcnow()
    bounds = week_bounds(week, _offset(now)) if week else None
    since, until = bounds if bounds else (now - timedelta(days=DAYS), now)
    tips: dict[int, int] = defaultdict(int)
    for claim_id, n in session.execute(
        select(Tip.claim_id, func.count())
        .where(Tip.claim_id.is_not(None), Tip.received_at >= since, Tip.received_at < until)
        .group_by(Tip.claim_id)
    ):
        tips[int(claim_id or 0)] += n
    posts: dict[int, int] = defaultdict(int)
    stamp = func.coalesce(Item.published_at, Item.ingested_at)
    for claim_id, n in session.execute(
        select(ClaimItem.claim_id, func.count())
        .join(Item, Item.id == ClaimItem.item_id)
        # Tips are counted from the tip table; their items would count them twice.
        .where(Item.kind != ItemKind.tip, stamp >= since, stamp < until)
        .group_by(ClaimItem.claim_id)
    ):
        posts[claim_id] += n
    ids = [cid for cid in set(tips) | set(posts) if tips[cid] + posts[cid] >= min_asks]
    claims = {
        c.id: c
        for c in session.scalars(
            select(Claim).where(Claim.id.in_(ids), Claim.status != ClaimStatus.dismissed)
        )
    }
    answers = _answers(session, claims)
    rows: list[AskedClaim] = []
    for cid, c in claims.items():
        code = areas.find_province(c.text)
        fc = answers.get(cid)
        rows.append(
            AskedClaim(
                claim_id=cid,
                text=mask(" ".join(c.text.split())[:280]),
                topic=c.topic or "",
                province_code=code,
                area=areas.province_name(code) or "",
                tips=tips[cid],
                posts=posts[cid],
                answered=fc is not None,
                fact_check_slug=fc.slug if fc else None,
                fact_check_title=fc.claim_reviewed if fc else None,
                verdict=fc.verdict.value if fc else None,
            )
        )
    topic_n: dict[str, int] = defaultdict(int)
    province_n: dict[int, int] = defaultdict(int)
    for r in rows:
        if r.topic:
            topic_n[r.topic] += 1
        if r.province_code:
            province_n[r.province_code] += 1
    rows = [
        r
        for r in rows
        if (not topic or r.topic == topic) and (province is None or r.province_code == province)
    ]
    rows.sort(key=lambda r: (-r.total, -r.tips, r.claim_id))
    return Asking(
        since=since,
        until=until,
        week=week if bounds else None,
        claims=rows[:limit],
        topics=sorted(topic_n.items(), key=lambda kv: (-kv[1], kv[0])),
        provinces=sorted(
            ((code, areas.province_name(code) or "", n) for code, n in province_n.items()),
            key=lambda t: (-t[2], t[1]),
        ),
    )
