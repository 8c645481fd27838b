"""Thin adapters to the claim engine, so a failing index degrades a page instead of crashing it.

Each lookup returns ``None`` when the index cannot answer (not built, model missing, a broken
directory) and logs why; callers show "Chưa có kết quả khớp / No matches yet".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiemchung.engine.index import get_index
from kiemchung.engine.match import MatchResult
from kiemchung.engine.pipeline import process_pending

log = logging.getLogger("kiemchung.desk")


@dataclass(frozen=True)
class MatchView:
    fact_check_id: int
    score: float
    level: str | None  # "answer" | "suggest" | None


def level_of(result: MatchResult, candidate_id: str) -> str | None:
    """The engine's decision for one candidate: "answer", "suggest" or None."""
    if result.answer == candidate_id:
        return "answer"
    if result.suggest == candidate_id:
        return "suggest"
    return None


def match_fact_checks(text: str, top: int = 5) -> list[MatchView] | None:
    """Earlier fact-checks matching ``text``, best first; None when the index cannot answer."""
    try:
        results = get_index().match_fact_checks([text], top=top)
    except Exception as exc:  # an unbuilt or unreadable index must not take the claim page down
        log.warning("fact-check matching unavailable: %s", exc)
        return None
    if not results:
        return []
    result = results[0]
    return [MatchView(int(c.id), float(c.score), level_of(result, c.id)) for c in result.results]


def evidence(text: str, k: int = 5) -> list[tuple[int, float]] | None:
    """``[(passage_id, score)]`` from the reference library; None when the index cannot answer."""
    try:
        return get_index().evidence(text, k=k)
    except Exception as exc:
        log.warning("evidence retrieval unavailable: %s", exc)
        return None


def index_pending(session: Session) -> bool:
    """Run the engine's indexing of new documents and published fact-checks. False if it failed.

    Inside a request: the backlog of pending items is left to the worker or the next ingest, so a
    publication never runs a whole engine pass (and holds the write lock) in the request.
    """
    try:
        process_pending(session, backlog=False)
        return True
    except Exception as exc:
        log.warning("indexing unavailable, run `kiemchung reindex` later: %s", exc)
        return False


def unindex_fact_check(session: Session, fact_check_id: int) -> bool:
    """Remove a retracted fact-check from the index; falls back to a pipeline pass if that fails."""
    try:
        get_index().remove_fact_checks([fact_check_id])
        return True
    except Exception as exc:
        log.warning("could not remove fact-check %s from the index: %s", fact_check_id, exc)
    return index_pending(session)
