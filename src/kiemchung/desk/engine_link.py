"""Thin adapters to the claim engine, so a failing index degrades a page instead of crashing it.

Each lookup returns ``None`` when the index cannot answer (not built, model missing, a broken
directory) and logs why; callers show "Chưa có kết quả khớp / No matches yet".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.orm import Session

from kiemchung.engine.index import get_index, index_state, mark_fact_checks_changed
from kiemchung.engine.match import MatchResult
from kiemchung.web.i18n import N_, _

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


# What an editor reads instead of a score: the engine's own calibrated decision, in plain words.
# One set of plain confidence words for the desk (matches, evidence, incident link suggestions).
CONFIDENCE_LABELS = {
    "high": N_("độ tin cậy: cao"),
    "medium": N_("độ tin cậy: trung bình"),
    "low": N_("độ tin cậy: thấp"),
}
LEVEL_CONFIDENCE = {"answer": "high", "suggest": "medium"}  # the engine's decisions; else "low"


def confidence_label(level: str | None) -> str:
    """The plain confidence of a match or a piece of evidence, in the current language.

    >>> from kiemchung.web.i18n import use_lang
    >>> confidence_label("answer"), confidence_label(None)
    ('độ tin cậy: cao', 'độ tin cậy: thấp')
    >>> with use_lang("en"):
    ...     confidence_label("suggest")
    'confidence: medium'
    """
    return _(CONFIDENCE_LABELS[LEVEL_CONFIDENCE.get(level or "", "low")])


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


class EvidenceView(NamedTuple):
    passage_id: int
    score: float
    level: str | None  # "answer" | "suggest" | None, as for fact-check matches


def evidence(text: str, k: int = 5) -> list[EvidenceView] | None:
    """Library passages for ``text``, best first; None when the index cannot answer."""
    try:
        result = get_index().evidence_match(text, k=k)
    except Exception as exc:
        log.warning("evidence retrieval unavailable: %s", exc)
        return None
    if result is None:
        return []
    return [EvidenceView(int(c.id), float(c.score), level_of(result, c.id)) for c in result.results[:k]]


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
