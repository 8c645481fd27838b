"""Thin adapters to the claim engine, so a missing or failing index degrades a page instead of crashing it.

Each function returns ``None`` when the engine is unavailable (not installed yet, index not built,
model missing) and logs why; callers show "Chưa có kết quả khớp / No matches yet".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

log = logging.getLogger("kiemchung.desk")


@dataclass(frozen=True)
class MatchView:
    fact_check_id: int
    score: float
    level: str | None  # "answer" | "suggest" | None


def _level_of(result: object, candidate_id: str, rank: int) -> str | None:
    # MatchResult.answer / .suggest hold the id of the candidate at that level (or a flag/candidate).
    for name in ("answer", "suggest"):
        flag = getattr(result, name, None)
        if flag is None or flag is False:
            continue
        if isinstance(flag, str | int) and not isinstance(flag, bool):
            if str(flag) == candidate_id:
                return name
            continue
        fid = getattr(flag, "id", None)
        if fid is not None:
            if str(fid) == candidate_id:
                return name
        elif rank == 0:
            return name
    return None


def match_fact_checks(text: str, top: int = 5) -> list[MatchView] | None:
    """Earlier fact-checks matching ``text``, best first; None when the engine is unavailable."""
    try:
        from kiemchung.engine.index import get_index

        results = get_index().match_fact_checks([text], top=top)
    except Exception as exc:  # ImportError while the engine lands, or an unbuilt index
        log.warning("fact-check matching unavailable: %s", exc)
        return None
    if not results:
        return []
    result = results[0]
    out: list[MatchView] = []
    for rank, cand in enumerate(getattr(result, "results", []) or []):
        try:
            fid = int(cand.id)
        except (TypeError, ValueError):
            continue
        out.append(MatchView(fid, float(cand.score), _level_of(result, str(cand.id), rank)))
    return out


def evidence(text: str, k: int = 5) -> list[tuple[int, float]] | None:
    """``[(passage_id, score)]`` from the reference library; None when the engine is unavailable."""
    try:
        from kiemchung.engine.index import get_index

        return [(int(pid), float(score)) for pid, score in get_index().evidence(text, k=k)]
    except Exception as exc:
        log.warning("evidence retrieval unavailable: %s", exc)
        return None


def index_pending(session: Session) -> bool:
    """Run the engine's indexing of new documents and published fact-checks. False if unavailable."""
    try:
        from kiemchung.engine.pipeline import process_pending

        process_pending(session)
        return True
    except Exception as exc:
        log.warning("indexing unavailable, run `kiemchung reindex` later: %s", exc)
        return False


def unindex_fact_check(session: Session, fact_check_id: int) -> bool:
    """Remove a retracted fact-check from the index (the pipeline drops non-published ones)."""
    try:
        from kiemchung.engine.index import get_index

        index = get_index()
        remove = getattr(index, "remove_fact_check", None) or getattr(index, "remove_fact_checks", None)
        if remove is not None:
            try:
                remove([str(fact_check_id)])
            except TypeError:
                remove(str(fact_check_id))
            return True
    except Exception as exc:
        log.warning("could not remove fact-check %s from the index: %s", fact_check_id, exc)
    return index_pending(session)
