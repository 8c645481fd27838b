"""The jobs: every piece of engine work, run by ``kiemchung worker`` (or a web process's consumer).

Each job opens its own session, commits in small transactions and is safe to run twice:

- ``process_pending``: the claim engine over new items and tips (``ENGINE_CHUNK`` per commit),
  then the replies owed; runs are serialised per process (a second request joins the running one);
- ``reindex_fact_checks(ids)``: write published/corrected/retracted fact-checks to the persisted
  index and record the ``index_state`` version reached (the desk's "đã cập nhật" badge);
- ``index_documents(ids)``: split new library documents into passages and embed them;
- ``deliver_replies``: the reply outbox (e-mail and chat) and the contact purge;
- ``channel_drain``: chat webhook events into tips, answers and outbox rows;
- ``cluster_feedback(ids)``: citizens' feedback items (form, API, chat) embedded and put in threads;
- ``load_bundled_feed``: the bundled scam blocklist snapshot loaded as its feed (thousands of rows);
- ``sweep`` (periodic, every minute): whatever a lost job or a crash left behind, the incidents'
  SLA targets (a miss is logged when it happens, not when someone next opens the desk), and the
  page views counted in the process it runs in.

Failures are retried with exponential backoff (``RETRY_DELAY`` doubling); a job that fails every
retry is stored as a ``DeadJob`` with its reason (``record_dead``) for ``/desk/jobs`` (``jobs.dead``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from huey import crontab
from huey.signals import SIGNAL_ERROR, SIGNAL_TIMEOUT

from kiemchung.jobs.queue import huey

log = logging.getLogger(__name__)

RETRIES = 5
RETRY_DELAY = 2  # seconds before the first retry; doubles each time (2, 4, 8, 16, 32)
BACKOFF = 2

_engine_lock = threading.Lock()
_engine_wanted = threading.Event()


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="process_pending")
def process_pending() -> int:
    """The claim engine over pending items, then replies; returns the items processed here.

    A pass already running in this process goes round once more instead (so 50 tips queued
    together cost a few passes); items are taken in committed chunks, so two processes running
    passes side by side only ever find fewer items.
    """
    from kiemchung.engine.pipeline import process_pending as engine_pass
    from kiemchung.intake.ingest import ENGINE_CHUNK
    from kiemchung.store import locks
    from kiemchung.store.db import session_scope

    _engine_wanted.set()
    done = 0
    while _engine_wanted.is_set():
        if not _engine_lock.acquire(blocking=False):
            return done  # the running pass sees the flag and goes round again
        try:
            with locks.hold(locks.ENGINE_PASS) as got:
                if not got:  # another process (a worker, a backfill) is on it: look again shortly
                    process_pending.schedule(delay=2)
                    return done
                while _engine_wanted.is_set():
                    _engine_wanted.clear()
                    with session_scope() as session:
                        done += engine_pass(session, commit_every=ENGINE_CHUNK).items
        finally:
            _engine_lock.release()
    deliver_replies()  # a tip that joined an answered claim is owed its reply now
    return done


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="reindex_fact_checks")
def reindex_fact_checks(ids: list[int] | None = None) -> int:
    """Persist these fact-checks' state (all when ``None``) in the index; returns rows written."""
    from kiemchung.engine.index import _read_state, get_index, mark_fact_checks_done
    from kiemchung.store import locks
    from kiemchung.store.db import session_scope

    # Two workers writing the persisted tables at once would race; the second waits its turn.
    with locks.hold(locks.INDEX_REBUILD, wait=True), session_scope() as session:
        version, _ = _read_state(session)
        n = get_index(session).persist_fact_checks(session, ids)
        mark_fact_checks_done(session, version)
        session.commit()
    return n


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="index_documents")
def index_documents(ids: list[int] | None = None) -> int:
    """Split library documents into passages and index them; returns passages indexed."""
    from kiemchung.engine.index import get_index
    from kiemchung.store.db import session_scope

    with session_scope() as session:
        n = get_index(session).index_documents(session, ids)
        session.commit()
    return n


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="deliver_replies")
def deliver_replies() -> int:
    """One round of the reply outbox (e-mail and chat) and the contact purge; returns replies sent."""
    from kiemchung.desk.replies import run_replies

    return run_replies().sent


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="channel_drain")
def channel_drain() -> None:
    """Chat webhook events into tips, answers and outbox rows, then what is due is sent."""
    from kiemchung.channels.service import drain

    drain()


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="cluster_feedback")
def cluster_feedback(ids: list[int] | None = None) -> int:
    """Embed feedback items and put them in threads (every item still outside one when ``None``);
    returns how many were placed. Items already in a thread are skipped, so it is safe to run twice;
    one clustering at a time (two near-identical items never start two threads side by side)."""
    from kiemchung.feedback.service import cluster_pending
    from kiemchung.store import locks
    from kiemchung.store.db import session_scope

    with locks.hold(locks.FEEDBACK_CLUSTER, wait=True), session_scope() as session:
        return cluster_pending(session, ids)


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, name="load_bundled_feed")
def load_bundled_feed() -> int:
    """Load the bundled scam blocklist as its feed (idempotent: entries already there stay); returns
    how many entries were added. The feed update is audited as ``scam.feed_update``."""
    from kiemchung.scam import blocklist
    from kiemchung.store.db import session_scope

    with session_scope() as session:
        return blocklist.seed_bundled(session).added


@huey.periodic_task(crontab(minute="*"), name="sweep")
def sweep() -> None:
    """Every minute: the engine over what is pending, the index in line with the store, the outbox,
    feedback received while no worker ran (or whose job was lost) put in threads, missed incident
    targets flagged and logged, this process's page views written."""
    from kiemchung.engine.index import _read_state, get_index, mark_fact_checks_done
    from kiemchung.engine.pipeline import save_dedup
    from kiemchung.store import locks
    from kiemchung.store.db import session_scope

    with locks.hold(locks.INDEX_REBUILD) as got, session_scope() as session:
        version, done = _read_state(session)
        if got and (done < version or not get_index(session).fc_disk):
            get_index(session).persist_fact_checks(session)
            mark_fact_checks_done(session, version)
            session.commit()
    process_pending.call_local()
    save_dedup()
    with locks.hold(locks.FEEDBACK_CLUSTER) as got:
        if got:  # a running cluster_feedback job is on it otherwise
            from kiemchung.feedback.service import cluster_pending

            with session_scope() as session:
                cluster_pending(session)
    from kiemchung.desk.incidents import sweep_sla
    from kiemchung.public.views import flush as flush_views

    sweep_sla()
    flush_views()


TASKS: dict[str, Any] = {
    t.name: t
    for t in (
        process_pending,
        reindex_fact_checks,
        index_documents,
        deliver_replies,
        channel_drain,
        cluster_feedback,
        load_bundled_feed,
    )
}


def record_dead(task: str, args: list[Any], reason: str, *, retries: int = 0) -> int:
    """Store a job that failed every retry, in its own transaction; returns its id."""
    from kiemchung.store.db import audit, session_scope
    from kiemchung.store.models import DeadJob

    with session_scope() as session:
        row = DeadJob(task=task[:100], args=args, reason=reason[:2000], retries=retries)
        session.add(row)
        session.flush()
        audit(session, "job.dead", row, data={"task": row.task, "reason": row.reason[:200]})
        session.commit()
        return row.id


@huey.signal(SIGNAL_ERROR, SIGNAL_TIMEOUT)
def _dead_letter(signal: str, task: Any, exc: BaseException | None = None) -> None:
    """A job that failed its last retry goes to the dead-letter table with the reason."""
    if task.retries:
        return  # it will be retried
    reason = f"{type(exc).__name__}: {exc}" if exc is not None else signal
    try:
        record_dead(task.name, list(task.args or ()), reason, retries=RETRIES)
    except Exception:
        log.exception("could not record dead job %s (%s)", task.name, reason)
