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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kiemchung import cache
from kiemchung.engine.lexical import BM25Index, folded_syllables
from kiemchung.store.models import (
    VERDICT_LABELS_EN,
    VERDICT_LABELS_VI,
    VERDICT_RATING,
    FactCheck,
    FactCheckStatus,
    Verdict,
)
from kiemchung.text import fold
from kiemchung.web import baseurl
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
    return baseurl.absolute_url(path)


def fact_check_url(fc: FactCheck) -> str:
    return absolute_url(fact_check_path(fc))


def shown_topics(fc: FactCheck) -> list[str]:
    """The topics worth showing beside the verdict: one that only repeats it ("Lừa đảo") is left out.

    >>> fc = FactCheck(verdict=Verdict.scam, topics=["Lừa đảo", "Ngân hàng"])
    >>> shown_topics(fc)
    ['Ngân hàng']
    """
    labels = {fold(VERDICT_LABELS_VI[Verdict(fc.verdict)]), fold(VERDICT_LABELS_EN[Verdict(fc.verdict)])}
    return [t for t in fc.topics or [] if fold(t) not in labels]


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


# Words that say nothing about what a reader looks for (folded): a query made only of them, or of
# them and words no fact-check contains, finds nothing rather than everything.
STOP_WORDS = frozenset(
    [
        "a",
        "ai",
        "bi",
        "cac",
        "cai",
        "chi",
        "cho",
        "chua",
        "co",
        "con",
        "cua",
        "cung",
        "da",
        "dang",
        "de",
        "den",
        "di",
        "do",
        "duoc",
        "gi",
        "ha",
        "hay",
        "hoac",
        "khi",
        "khong",
        "la",
        "lai",
        "ma",
        "moi",
        "mot",
        "nao",
        "nay",
        "neu",
        "nhe",
        "nhu",
        "nhung",
        "o",
        "oi",
        "ra",
        "rat",
        "roi",
        "sao",
        "se",
        "tai",
        "the",
        "theo",
        "thi",
        "tren",
        "trong",
        "tu",
        "va",
        "vao",
        "vay",
        "ve",
        "vi",
        "voi",
    ]
)
_SEARCH_CACHE = cache.register(
    "public.search_bm25",
    ttl=0.0,  # every search compares the cheap signature; the index is rebuilt only when it changed
    doc="BM25 index of the published fact-checks for the public search (signature: count, last change)",
)


@dataclass
class _SearchIndex:
    ids: list[int]
    words: list[set[str]]  # folded syllables of each fact-check
    bm25: BM25Index


def _build_search_index(session: Session) -> _SearchIndex:
    cols = _published().with_only_columns(
        FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text, FactCheck.summary, FactCheck.body
    )
    ids: list[int] = []
    texts: list[str] = []
    for row in session.execute(cols):
        ids.append(row.id)
        # the claim counts twice: a hit in what was checked outranks a passing mention in the body
        texts.append(
            f"{row.claim_reviewed}. {row.claim_reviewed}. {row.claim_text}. {row.summary}. {row.body}"
        )
    bm25 = BM25Index()
    bm25.add(texts)
    return _SearchIndex(ids, [set(folded_syllables(t)) for t in texts], bm25)


def content_words(q: str) -> list[str]:
    """The folded words of a query that must all occur in a result (stop-words dropped).

    >>> content_words("Có phải uống nước chanh không?")
    ['phai', 'uong', 'nuoc', 'chanh']
    >>> content_words("khong")
    []
    """
    return [w for w in dict.fromkeys(folded_syllables(q)) if w not in STOP_WORDS]


def _lexical_scores(session: Session, q: str) -> dict[int, float]:
    """BM25 (the engine's lexical analysis) over published fact-checks that hold every content word."""
    words = content_words(q)
    if not words:
        return {}
    signature = session.execute(
        _published().with_only_columns(func.count(FactCheck.id), func.max(FactCheck.updated_at))
    ).one()
    index = _SEARCH_CACHE.revalidate("all", lambda: tuple(signature), lambda: _build_search_index(session))
    if not index.ids:
        return {}
    scores = index.bm25.scores([q])[0]
    return {
        fc_id: float(scores[slot]) + 1e-6
        for slot, fc_id in enumerate(index.ids)
        if all(w in index.words[slot] for w in words)
    }


def related(session: Session, fc: FactCheck, n: int = 3) -> list[FactCheck]:
    """Published fact-checks closest to ``fc``: those sharing a topic first, each group ordered by
    BM25 over ``fc``'s claim and summary (any shared word counts, unlike search); never ``fc``."""
    signature = session.execute(
        _published().with_only_columns(func.count(FactCheck.id), func.max(FactCheck.updated_at))
    ).one()
    index = _SEARCH_CACHE.revalidate("all", lambda: tuple(signature), lambda: _build_search_index(session))
    if not index.ids:
        return []
    scores = index.bm25.scores([f"{fc.claim_reviewed}. {fc.summary}"])[0]
    bm25 = {fc_id: float(scores[slot]) for slot, fc_id in enumerate(index.ids)}
    wanted = {topic_slug(t) for t in fc.topics or []}
    same_topic = {
        other_id
        for other_id, topics in session.execute(
            _published().with_only_columns(FactCheck.id, FactCheck.topics)
        )
        if wanted & {topic_slug(t) for t in topics or []}
    }
    candidates = [i for i in index.ids if i != fc.id and (bm25[i] > 0 or i in same_topic)]
    ranked = sorted(candidates, key=lambda i: (i not in same_topic, -bm25[i], -i))[:n]
    by_id = {x.id: x for x in session.scalars(_published().where(FactCheck.id.in_(ranked or [0])))}
    return [by_id[i] for i in ranked if i in by_id]


def _engine_ranking(q: str, top: int = 50) -> tuple[list[int], set[int]]:
    """Engine candidate order and the ids it would answer/suggest; empty when the index is unusable."""
    from kiemchung.engine.index import get_index

    try:
        match = get_index().match_fact_checks([q], top=top)[0]
    except Exception:  # a broken or unbuilt index must not take search down with it
        log.exception("engine ranking unavailable; using folded token search")
        return [], set()
    order = [int(c.id) for c in match.results]
    # Only the engine's answer joins the results without sharing the query's words: a mere
    # suggestion for a nonsense query is an unrelated fact-check, and "không tìm thấy" is honest.
    confident = {int(match.answer)} if match.answer is not None else set()
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
