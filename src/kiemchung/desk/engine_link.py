"""Thin adapters to the claim engine, so a failing index degrades a page instead of crashing it.

Each lookup returns ``None`` when the index cannot answer (not built, model missing, a broken
directory) and logs why; callers show "Chưa có kết quả khớp / No matches yet".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiemchung.engine.index import get_index, index_state, mark_fact_checks_changed
from kiemchung.engine.match import MatchResult

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


def schedule_reindex(session: Session, fact_check_id: int) -> None:
    """A fact-check was published, corrected or retracted: every process must serve its new state.

    Bumps ``index_state`` in the caller's transaction (each process syncs its in-memory index when
    it sees the new version, within ``STATE_CHECK_SECONDS``) and, once committed, enqueues the
    durable job that writes the persisted index. No engine work runs in the request.
    """
    from kiemchung.jobs import tasks
    from kiemchung.jobs.queue import enqueue_after_commit

    mark_fact_checks_changed(session)
    enqueue_after_commit(session, tasks.reindex_fact_checks, [fact_check_id])


def schedule_documents(session: Session) -> None:
    """New library documents: split and embed them in a job once this transaction commits."""
    from kiemchung.jobs import tasks
    from kiemchung.jobs.queue import enqueue_after_commit

    enqueue_after_commit(session, tasks.index_documents, None)


@dataclass(frozen=True)
class IndexProgress:
    version: int
    done: int

    @property
    def updating(self) -> bool:
        return self.done < self.version


def index_progress() -> IndexProgress | None:
    """Whether the durable index job has caught up with the last publication; None when unknown."""
    try:
        return IndexProgress(*index_state())
    except Exception as exc:
        log.warning("index state unavailable: %s", exc)
        return None
