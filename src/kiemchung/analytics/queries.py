"""Aggregate queries over the store: claim trends, time to answer, reach of the desk's publications.

Claims, not people: every figure here is a count or a sum over claims, fact-checks, tips and the
desk's own channel posts; nothing is grouped by any person.

Each query runs portable SQL (filters, ``count``/``sum``/``min`` with ``GROUP BY``) and does the
date arithmetic in Python, so SQLite and PostgreSQL give identical results. Times are the store's
naive UTC; a day is a calendar day in the display time zone (``KIEMCHUNG_TIMEZONE``, Vietnam by
default), the same days the desk shows.

    >>> p = Period(7, datetime(2026, 11, 24, 15, 30), offset=timedelta(hours=7))
    >>> p.since, p.day_list()[0], len(p.day_list())
    (datetime.datetime(2026, 11, 17, 17, 0), datetime.date(2026, 11, 18), 7)
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), percentile([4.0], 0.5), percentile([], 0.5)
    (9.1, 4.0, None)
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung.analytics.asking import Asking, asked
from kiemchung.store.models import (
    ChannelPost,
    Claim,
    ClaimItem,
    ClaimStatus,
    FactCheck,
    FactCheckStatus,
    Item,
    Tip,
    TipStatus,
    Verdict,
    utcnow,
)
from kiemchung.web.i18n import to_local

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
NO_TOPIC = ""  # claims the engine gave no topic; shown as "—"
# Tip outcomes: the tipline answers from a published fact-check or warns of a scam on its own;
# everything else went to the desk.
TIP_OUTCOMES = ("answered", "warned", "received")
_TIP_OUTCOME = {TipStatus.answered: "answered", TipStatus.warned: "warned"}


@dataclass(frozen=True)
class Period:
    """The last ``days`` local calendar days up to ``now`` (naive UTC), today included.

    ``offset`` is the display time zone's UTC offset (Vietnam: +7 h all year)."""

    days: int
    now: datetime
    offset: timedelta | None = None

    @property
    def utc_offset(self) -> timedelta:
        if self.offset is not None:
            return self.offset
        return to_local(self.now).utcoffset() or timedelta(0)

    def local_date(self, t: datetime) -> date:
        return (t + self.utc_offset).date()

    @property
    def since(self) -> datetime:
        first = self.local_date(self.now) - timedelta(days=self.days - 1)
        return datetime.combine(first, time()) - self.utc_offset

    def day_list(self) -> list[date]:
        first = self.local_date(self.since)
        return [first + timedelta(days=i) for i in range(self.days)]

    def contains(self, t: datetime | None) -> bool:
        return t is not None and self.since <= t <= self.now


def make_period(days: int | None = None, now: datetime | None = None) -> Period:
    """A period of one of ``PERIODS`` days (anything else falls back to ``DEFAULT_DAYS``)."""
    return Period(days if days in PERIODS else DEFAULT_DAYS, now or utcnow())


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation between order statistics; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    value = ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
    return round(value, 6)


@dataclass
class Daily:
    """Counts per day, split into named series (same length as ``days``)."""

    days: list[date]
    series: dict[str, list[int]] = field(default_factory=dict)

    @property
    def totals(self) -> list[int]:
        return [sum(col) for col in zip(*self.series.values(), strict=True)] if self.series else []

    @property
    def total(self) -> int:
        return sum(self.totals)


def _daily(period: Period, rows: Iterable[tuple[datetime, str]], keys: Sequence[str] = ()) -> Daily:
    index = {d: i for i, d in enumerate(period.day_list())}
    series: dict[str, list[int]] = {k: [0] * period.days for k in keys}
    for t, key in rows:
        i = index.get(period.local_date(t))
        if i is not None and t <= period.now:
            series.setdefault(key, [0] * period.days)[i] += 1
    return Daily(period.day_list(), series)


# ---------------------------------------------------------------- claim trends


@dataclass
class ClaimTrends:
    per_day: Daily  # series by status
    by_topic: list[tuple[str, int]]  # most claims first; NO_TOPIC for none
    by_status: list[tuple[ClaimStatus, int]]  # every status, in workflow order

    @property
    def total(self) -> int:
        return self.per_day.total


def claim_trends(session: Session, period: Period) -> ClaimTrends:
    """New claims (by ``first_seen``) per day, split by their current status, and totals by topic."""
    rows = session.execute(
        select(Claim.first_seen, Claim.status, Claim.topic).where(
            Claim.first_seen >= period.since, Claim.first_seen <= period.now
        )
    ).all()
    per_day = _daily(period, ((r[0], ClaimStatus(r[1]).value) for r in rows), [s.value for s in ClaimStatus])
    topics = Counter((r[2] or NO_TOPIC) for r in rows)
    statuses = Counter(ClaimStatus(r[1]) for r in rows)
    return ClaimTrends(
        per_day=per_day,
        by_topic=sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])),
        by_status=[(s, statuses.get(s, 0)) for s in ClaimStatus],
    )


@dataclass(frozen=True)
class Spreading:
    claim_id: int
    text: str
    topic: str
    status: ClaimStatus
    items_24h: int
    item_count: int

    @property
    def per_hour(self) -> float:
        return self.items_24h / 24.0


def fastest_spreading(session: Session, now: datetime, limit: int = 10, hours: int = 24) -> list[Spreading]:
    """Claims with the most items seen in the last ``hours`` (items per hour = count / 24).

    An item counts at its ``published_at``, or when it was ingested if the post had no date.
    """
    seen_at = func.coalesce(Item.published_at, Item.ingested_at)
    n = func.count(ClaimItem.item_id).label("n")
    top = session.execute(
        select(ClaimItem.claim_id, n)
        .join(Item, Item.id == ClaimItem.item_id)
        .where(seen_at >= now - timedelta(hours=hours), seen_at <= now)
        .group_by(ClaimItem.claim_id)
        .order_by(n.desc(), ClaimItem.claim_id)
        .limit(limit)
    ).all()
    claims = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_([r[0] for r in top])))}
    return [
        Spreading(
            claim_id=cid,
            text=claims[cid].text,
            topic=claims[cid].topic or NO_TOPIC,
            status=ClaimStatus(claims[cid].status),
            items_24h=int(count),
            item_count=claims[cid].item_count,
        )
        for cid, count in top
        if cid in claims
    ]


def verdict_distribution(session: Session, period: Period) -> list[tuple[Verdict, int]]:
    """Published fact-checks per verdict (every verdict listed), by ``published_at`` in the period."""
    rows = session.execute(
        select(FactCheck.verdict, func.count(FactCheck.id))
        .where(
            FactCheck.status == FactCheckStatus.published,
            FactCheck.published_at >= period.since,
            FactCheck.published_at <= period.now,
        )
        .group_by(FactCheck.verdict)
    ).all()
    counts = {Verdict(v): int(n) for v, n in rows}
    return [(v, counts.get(v, 0)) for v in Verdict]


@dataclass
class TipStats:
    per_day: Daily  # series: answered, warned, received

    def count(self, outcome: str) -> int:
        return sum(self.per_day.series.get(outcome, []))

    @property
    def total(self) -> int:
        return self.per_day.total

    @property
    def auto_share(self) -> float | None:
        """Share of tips the tipline answered on its own (a fact-check or a scam warning)."""
        return (self.count("answered") + self.count("warned")) / self.total if self.total else None


def tip_stats(session: Session, period: Period) -> TipStats:
    """Tips per day by outcome: answered (from a fact-check), warned (scam), received (to the desk)."""
    rows = session.execute(
        select(Tip.received_at, Tip.status).where(
            Tip.received_at >= period.since, Tip.received_at <= period.now
        )
    ).all()
    return TipStats(
        _daily(period, ((t, _TIP_OUTCOME.get(TipStatus(s), "received")) for t, s in rows), TIP_OUTCOMES)
    )


# ---------------------------------------------------------------- time to answer


@dataclass(frozen=True)
class Durations:
    """Hours from a claim's first sighting to its first published fact-check."""

    key: str | date
    hours: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.hours)

    @property
    def median(self) -> float | None:
        return percentile(self.hours, 0.5)

    @property
    def p90(self) -> float | None:
        return percentile(self.hours, 0.9)


@dataclass
class TimeToAnswer:
    overall: Durations
    by_topic: list[Durations]  # most answered first
    weekly: list[Durations]  # key = Monday of the week, every week of the period


def time_to_answer(session: Session, period: Period) -> TimeToAnswer:
    """Time from ``Claim.first_seen`` to the claim's first published fact-check (``FactCheck.claim_id``).

    A claim counts in the period whose first answer was published in it. A fact-check published
    before the claim was first seen (an old answer to a claim that came back) counts as 0 hours:
    the answer was ready at once.
    """
    answered = func.min(FactCheck.published_at)
    rows = session.execute(
        select(Claim.first_seen, Claim.topic, answered)
        .join(FactCheck, FactCheck.claim_id == Claim.id)
        .where(FactCheck.published_at.is_not(None))
        .group_by(Claim.id, Claim.first_seen, Claim.topic)
        .having(answered >= period.since, answered <= period.now)
    ).all()
    by_topic: dict[str, list[float]] = defaultdict(list)
    by_week: dict[date, list[float]] = defaultdict(list)
    every: list[float] = []
    for first_seen, topic, at in rows:
        if at is None:  # excluded by the query; keeps the type checker informed
            continue
        hours = round(max(0.0, (at - first_seen).total_seconds() / 3600.0), 6)
        every.append(hours)
        by_topic[topic or NO_TOPIC].append(hours)
        by_week[_monday(period.local_date(at))].append(hours)
    weeks: list[date] = []
    week = _monday(period.local_date(period.since))
    while week <= period.local_date(period.now):
        weeks.append(week)
        week += timedelta(days=7)
    return TimeToAnswer(
        overall=Durations("all", tuple(every)),
        by_topic=sorted(
            (Durations(k, tuple(v)) for k, v in by_topic.items()), key=lambda d: (-d.n, str(d.key))
        ),
        weekly=[Durations(w, tuple(by_week.get(w, ()))) for w in weeks],
    )


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


# ---------------------------------------------------------------- reach


@dataclass(frozen=True)
class ChannelReach:
    channel: str
    posts: int
    reach: int
    clicks: int

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.reach if self.reach else None


@dataclass(frozen=True)
class FactCheckReach:
    fact_check_id: int
    slug: str
    claim_reviewed: str
    verdict: Verdict
    status: FactCheckStatus
    published_at: datetime | None
    views: int
    posts: int
    reach: int
    clicks: int

    @property
    def score(self) -> int:
        """Ranking of "top fact-checks": site views plus reach on the desk's channels."""
        return self.views + self.reach

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.reach if self.reach else None


def reach_by_channel(session: Session, period: Period) -> list[ChannelReach]:
    """Reach and clicks of the desk's channel posts made in the period, per channel (largest first)."""
    reach, clicks = (
        func.coalesce(func.sum(ChannelPost.reach), 0),
        func.coalesce(func.sum(ChannelPost.clicks), 0),
    )
    rows = session.execute(
        select(ChannelPost.channel, func.count(ChannelPost.id), reach, clicks)
        .where(ChannelPost.posted_at >= period.since, ChannelPost.posted_at <= period.now)
        .group_by(ChannelPost.channel)
    ).all()
    out = [ChannelReach(str(ch), int(n), int(r), int(c)) for ch, n, r, c in rows]
    return sorted(out, key=lambda x: (-x.reach, x.channel))


def reach_by_fact_check(session: Session, period: Period, limit: int | None = 20) -> list[FactCheckReach]:
    """Fact-checks published in the period or posted on a channel in it, by views + reach (top first).

    Reach and clicks add up the channel posts made in the period; ``views`` is the site counter.
    """
    reach, clicks = (
        func.coalesce(func.sum(ChannelPost.reach), 0),
        func.coalesce(func.sum(ChannelPost.clicks), 0),
    )
    posted = {
        int(fid): (int(n), int(r), int(c))
        for fid, n, r, c in session.execute(
            select(ChannelPost.fact_check_id, func.count(ChannelPost.id), reach, clicks)
            .where(ChannelPost.posted_at >= period.since, ChannelPost.posted_at <= period.now)
            .group_by(ChannelPost.fact_check_id)
        ).all()
    }
    published = set(
        session.scalars(
            select(FactCheck.id).where(
                FactCheck.status == FactCheckStatus.published,
                FactCheck.published_at >= period.since,
                FactCheck.published_at <= period.now,
            )
        )
    )
    ids = sorted(published | posted.keys())
    out: list[FactCheckReach] = []
    for fc in session.scalars(select(FactCheck).where(FactCheck.id.in_(ids))) if ids else []:
        n, r, c = posted.get(fc.id, (0, 0, 0))
        out.append(
            FactCheckReach(
                fact_check_id=fc.id,
                slug=fc.slug,
                claim_reviewed=fc.claim_reviewed,
                verdict=Verdict(fc.verdict),
                status=FactCheckStatus(fc.status),
                published_at=fc.published_at,
                views=fc.views or 0,
                posts=n,
                reach=r,
                clicks=c,
            )
        )
    out.sort(key=lambda x: (-x.score, x.fact_check_id))
    return out if limit is None else out[:limit]


# ---------------------------------------------------------------- everything at once


@dataclass
class Analytics:
    """Every figure of the analytics page and the report, for one period."""

    period: Period
    claims: ClaimTrends
    spreading: list[Spreading]
    verdicts: list[tuple[Verdict, int]]
    tips: TipStats
    tta: TimeToAnswer
    channels: list[ChannelReach]
    top_fact_checks: list[FactCheckReach]
    asking: Asking | None = None  # what people asked about in the 7 days up to ``period.now``

    @property
    def published(self) -> int:
        return sum(n for _, n in self.verdicts)

    @property
    def total_reach(self) -> int:
        return sum(c.reach for c in self.channels)

    @property
    def total_clicks(self) -> int:
        return sum(c.clicks for c in self.channels)

    @property
    def is_empty(self) -> bool:
        return not (
            self.claims.total
            or self.spreading
            or self.published
            or self.tips.total
            or self.tta.overall.n
            or self.channels
            or self.top_fact_checks
        )


def collect(
    session: Session, days: int | None = None, now: datetime | None = None, top: int = 20
) -> Analytics:
    """All analytics for the last ``days`` days (7, 30 or 90) up to ``now`` (default: the clock)."""
    period = make_period(days, now)
    return Analytics(
        period=period,
        claims=claim_trends(session, period),
        spreading=fastest_spreading(session, period.now),
        verdicts=verdict_distribution(session, period),
        tips=tip_stats(session, period),
        tta=time_to_answer(session, period),
        channels=reach_by_channel(session, period),
        top_fact_checks=reach_by_fact_check(session, period, limit=top),
        asking=asked(session, now=period.now, limit=top),
    )
