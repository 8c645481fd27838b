"""Dead letters: jobs that failed every retry, kept with their reason until an editor acts.

record("reindex_fact_checks", [[12]], "OSError: disk full")   # the queue's error hook
dead_jobs(session)                                            # the desk page /desk/jobs
retry(session, dead_id, user_id=1)                            # back on the queue, audited
discard(session, dead_id, user_id=1)                          # dropped, audited
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.jobs.queue import enqueue_after_commit
from kiemchung.jobs.tasks import TASKS
from kiemchung.store.db import NotFound, audit
from kiemchung.store.models import DeadJob, DeadJobStatus, utcnow


class NotRetryable(ValueError):
    """The dead job is already resolved, or names a task this version does not have."""


@dataclass(frozen=True)
class DeadView:
    id: int
    task: str
    args: list[Any]
    reason: str
    retries: int
    created_at: datetime


def dead_jobs(session: Session, limit: int = 200) -> list[DeadView]:
    """Unresolved dead jobs, newest first."""
    rows = session.scalars(
        select(DeadJob)
        .where(DeadJob.status == DeadJobStatus.dead)
        .order_by(DeadJob.created_at.desc(), DeadJob.id.desc())
        .limit(limit)
    )
    return [DeadView(r.id, r.task, list(r.args or []), r.reason, r.retries, r.created_at) for r in rows]


def _open(session: Session, dead_id: int) -> DeadJob:
    row = session.get(DeadJob, dead_id)
    if row is None:
        raise NotFound(f"dead job {dead_id}")
    if row.status != DeadJobStatus.dead:
        raise NotRetryable("Việc này đã được xử lý")
    return row


def retry(session: Session, dead_id: int, *, user_id: int | None) -> None:
    """Put the job back on the queue once this transaction commits (with fresh retries)."""
    row = _open(session, dead_id)
    task = TASKS.get(row.task)
    if task is None:
        raise NotRetryable(f"Không còn loại việc «{row.task}»")
    row.status, row.resolved_at = DeadJobStatus.retried, utcnow()
    audit(session, "job.retry", row, user_id=user_id, data={"task": row.task})
    enqueue_after_commit(session, task, *row.args)


def discard(session: Session, dead_id: int, *, user_id: int | None) -> None:
    """Drop the job for good (the record stays, marked discarded)."""
    row = _open(session, dead_id)
    row.status, row.resolved_at = DeadJobStatus.discarded, utcnow()
    audit(session, "job.discard", row, user_id=user_id, data={"task": row.task})
