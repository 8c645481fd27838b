"""Read side of the public site: which fact-checks are public, lists, topics and search.

Only ``published`` fact-checks appear in lists, feeds, search and the API; a ``retracted`` one
keeps its page (with a retraction notice) so old links do not break, and drafts are invisible.

    >>> topic_slug("Sức khỏe & Y tế")
    'suc-khoe-y-te'
    >>> search_tokens("Uong NUOC chanh, chua ung thu?")
    ['uong', 'nuoc', 'chanh', 'chua', 'ung', 'thu']
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from kiemchung.settings import get_settings
from kiemchung.store.models import (
    VERDICT_LABELS_EN,
    VERDICT_LABELS_VI,
    VERDICT_RATING,
    FactCheck,
    FactCheckStatus,
    Verdict,
)
from kiemchung.text import fold
from kiemchung.web.i18n import _, translate_in

log = logging.getLogger("kiemchung.public")
_NON_WORD = re.compile(r"[^\w]+")
PUBLIC_STATUSES = (FactCheckStatus.published, FactCheckStatus.retracted)


@dataclass
class Page:
    items: list[FactCheck]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def topic_slug(topic: str) -> str:
    """URL form of a topic: folded, words joined by hyphens."""
    return _NON_WORD.sub("-", fold(topic)).strip("-_").replace("_", "-")


def search_tokens(text: str) -> list[str]:
    return [t for t in _NON_WORD.split(fold(text)) if t]


def fact_check_path(fc: FactCheck) -> str:
    return f"/kiem-chung/{fc.slug}"


def absolute_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def fact_check_url(fc: FactCheck) -> str:
    return absolute_url(fact_check_path(fc))


def verdict_label(verdict: Verdict | str, lang: str | None = None) -> str:
    """The verdict's name in ``lang`` (by default the current request's language)."""
    text = VERDICT_LABELS_VI[Verdict(verdict)]
    return _(text) if lang is None else translate_in(lang, text)


def as_utc(dt: datetime | None) -> datetime | None:
    """Stored timestamps are naive UTC; make that explicit for ISO 8601/RFC 822 output."""
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=UTC))


def fact_check_dict(fc: FactCheck) -> dict[str, Any]:
    """The public JSON form of a fact-check (API, tipline replies)."""
    verdict = Verdict(fc.verdict)
    return {
        "id": fc.id,
        "slug": fc.slug,
        "claim_reviewed": fc.claim_reviewed,
        "verdict": verdict.value,
        "verdict_label": VERDICT_LABELS_VI[verdict],
        "verdict_label_en": VERDICT_LABELS_EN[verdict],
        "rating_value": VERDICT_RATING[verdict],
        "summary": fc.summary,
        "topics": list(fc.topics or []),
        "published_at": as_utc(fc.published_at),
        "updated_at": as_utc(fc.updated_at),
        "url": fact_check_url(fc),
    }


def _published():  # type: ignore[no-untyped-def]
    return select(FactCheck).where(FactCheck.status == FactCheckStatus.published)


def _order(stmt):  # type: ignore[no-untyped-def]
    return stmt.order_by(FactCheck.published_at.desc().nulls_last(), FactCheck.id.desc())


def latest(session: Session, n: int = 6) -> list[FactCheck]:
    return list(session.scalars(_order(_published()).limit(n)))


def most_read(session: Session, n: int = 5) -> list[FactCheck]:
    stmt = _published().where(FactCheck.views > 0).order_by(FactCheck.views.desc(), FactCheck.id.desc())
    return list(session.scalars(stmt.limit(n)))


def get_public(session: Session, *, slug: str | None = None, fc_id: int | None = None) -> FactCheck | None:
    """A published or retracted fact-check with its citations and corrections, else None."""
    stmt = select(FactCheck).where(FactCheck.status.in_(PUBLIC_STATUSES))
    stmt = stmt.where(FactCheck.slug == slug) if slug is not None else stmt.where(FactCheck.id == fc_id)
    stmt = stmt.options(selectinload(FactCheck.citations), selectinload(FactCheck.corrections))
    return session.scalars(stmt).first()


def count_view(session: Session, fc_id: int) -> None:
    """views += 1 in SQL: no read-modify-write race, and no bump of the optimistic-lock version."""
    table = FactCheck.__table__
    session.execute(update(table).where(table.c.id == fc_id).values(views=table.c.views + 1))  # type: ignore[arg-type]


def _topic_filter(topic: str | None) -> str | None:
    return topic_slug(topic) if topic else None


def list_page(
    session: Session,
    *,
    verdict: Verdict | None = None,
    topic: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Published fact-checks, newest first, optionally of one verdict and/or topic."""
    page = max(1, page)
    stmt = _published()
    if verdict is not None:
        stmt = stmt.where(FactCheck.verdict == verdict)
    want = _topic_filter(topic)
    if want is None:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        items = list(session.scalars(_order(stmt).offset((page - 1) * per_page).limit(per_page)))
        return Page(items, page, per_page, total)
    # Topics are a JSON list: filter in Python, which is portable across SQLite and PostgreSQL.
    rows = session.execute(_order(stmt.with_only_columns(FactCheck.id, FactCheck.topics))).all()
    ids = [r.id for r in rows if any(topic_slug(t) == want for t in (r.topics or []))]
    chunk = ids[(page - 1) * per_page : page * per_page]
    by_id = {fc.id: fc for fc in session.scalars(select(FactCheck).where(FactCheck.id.in_(chunk)))}
    return Page([by_id[i] for i in chunk if i in by_id], page, per_page, len(ids))


def topics(session: Session) -> list[tuple[str, str, int]]:
    """(topic, slug, count) over published fact-checks, most used first."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for tlist in session.scalars(_published().with_only_columns(FactCheck.topics)):
        for t in tlist or []:
            s = topic_slug(t)
            if s:
                counts[s] += 1
                names.setdefault(s, t)
    return [(names[s], s, n) for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _lexical_scores(session: Session, q: str) -> dict[int, float]:
    """Folded token search: every query token must occur; phrase and claim-title hits rank first."""
    tokens = search_tokens(q)
    if not tokens:
        return {}
    phrase = " ".join(tokens)
    cols = _published().with_only_columns(
        FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text, FactCheck.summary, FactCheck.body
    )
    scores: dict[int, float] = {}
    for row in session.execute(cols):
        title = " ".join(search_tokens(f"{row.claim_reviewed} {row.claim_text}"))
        rest = " ".join(search_tokens(f"{row.summary} {row.body}"))
        title_words, rest_words = set(title.split()), set(rest.split())
        if not all(t in title_words or t in rest_words for t in tokens):
            continue
        score = sum(2.0 if t in title_words else 1.0 for t in tokens) / len(tokens)
        if phrase in title:
            score += 3.0
        elif phrase in rest:
            score += 1.5
        scores[row.id] = score
    return scores


def _engine_ranking(q: str, top: int = 50) -> tuple[list[int], set[int]]:
    """Engine candidate order and the ids it would answer/suggest; empty when the index is unusable."""
    from kiemchung.engine.index import get_index

    try:
        match = get_index().match_fact_checks([q], top=top)[0]
    except Exception:  # a broken or unbuilt index must not take search down with it
        log.exception("engine ranking unavailable; using folded token search")
        return [], set()
    order = [int(c.id) for c in match.results]
    confident = {int(x) for x in (match.answer, match.suggest) if x is not None}
    return order, confident


def search(
    session: Session,
    q: str,
    *,
    verdict: Verdict | None = None,
    topic: str | None = None,
    use_engine: bool = True,
) -> list[FactCheck]:
    """Published fact-checks matching ``q`` (typed with or without diacritics), best first.

    The folded token search decides *what* matches; the engine's hybrid ranking (when present)
    decides the order and may add its answer/suggestion for paraphrases that share no words.
    """
    lexical = _lexical_scores(session, q)
    order, confident = _engine_ranking(q) if use_engine else ([], set())
    rank = {fc_id: i for i, fc_id in enumerate(order)}
    ids = set(lexical) | (confident & set(order))
    ranked = sorted(ids, key=lambda i: (rank.get(i, len(rank)), -lexical.get(i, 0.0), -i))
    if not ranked:
        return []
    stmt = _published().where(FactCheck.id.in_(ranked))
    if verdict is not None:
        stmt = stmt.where(FactCheck.verdict == verdict)
    by_id = {fc.id: fc for fc in session.scalars(stmt)}
    want = _topic_filter(topic)
    out = [by_id[i] for i in ranked if i in by_id]
    if want:
        out = [fc for fc in out if any(topic_slug(t) == want for t in fc.topics or [])]
    return out
