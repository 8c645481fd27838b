"""``kiemchung worker``: the huey consumer that runs every background job (``kiemchung.jobs``).

    KIEMCHUNG_ENGINE_IN_PROCESS=false kiemchung serve --workers 4 &   # web processes only enqueue
    kiemchung worker --threads 4                                       # this process runs the jobs
    kiemchung worker --once                                            # one catch-up round, then exit

The queue is the one the settings name (SQLite file by default, Redis with
``KIEMCHUNG_REDIS_URL``); several workers may consume it side by side. At start the worker
enqueues a catch-up (the persisted index brought in line with the store, pending items), so a
crash during a publication never leaves a fact-check out of the answers. Periodic jobs (the
minute's sweep) run in the consumer's scheduler. SIGINT finishes the running jobs first;
SIGTERM stops at once (jobs left are retried by the next consumer).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import typer

from kiemchung.web.i18n import N_, _

if TYPE_CHECKING:  # the engine loads numpy/LanceDB: keep `kiemchung --help` fast
    from kiemchung.engine.pipeline import PipelineStats

log = logging.getLogger(__name__)


def run_once(progress: bool = False) -> PipelineStats:
    """One catch-up round in this process: index state, pending items, then replies owed."""
    from kiemchung.engine.index import _read_state, get_index, mark_fact_checks_done
    from kiemchung.engine.pipeline import process_pending
    from kiemchung.store import session_scope

    with session_scope() as session:
        version, _ = _read_state(session)
        get_index(session).persist_fact_checks(session)
        mark_fact_checks_done(session, version)
        session.commit()
        # Small transactions: the live site keeps writing while a long backlog is processed.
        stats = process_pending(session, progress=progress, commit_every=100)
    from kiemchung.jobs.tasks import cluster_feedback

    cluster_feedback.call_local(None)  # feedback received while no worker ran
    try:
        from kiemchung.desk.replies import run_replies

        run_replies()
    except Exception:  # a mail outage must not stop the claim engine; the outbox retries
        log.exception("reply delivery round failed")
    return stats


def worker(
    threads: int = typer.Option(
        None,
        "--threads",
        min=1,
        max=64,
        help=N_("Số luồng (mặc định: KIEMCHUNG_WORKER_THREADS)."),
    ),
    once: bool = typer.Option(False, "--once", help=N_("Chạy một lượt rồi thoát")),
) -> None:
    """Run the background jobs (claim engine, index, replies) from the queue."""
    from kiemchung.engine.pipeline import save_dedup
    from kiemchung.jobs import tasks
    from kiemchung.jobs.consumer import make_consumer
    from kiemchung.jobs.queue import describe, enqueue
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    upgrade()
    if once:
        stats = run_once(progress=True)
        save_dedup(force=True)
        typer.echo(_summary(stats))
        return
    kind = describe(settings)
    if kind == "immediate":
        typer.echo(_("KIEMCHUNG_QUEUE_URL=immediate: không có hàng đợi để chạy"), err=True)
        raise typer.Exit(2)
    n = threads or settings.worker_threads
    consumer = make_consumer(n)
    # Start-up catch-up, as jobs: what a crash or a lost enqueue left behind.
    enqueue(tasks.reindex_fact_checks, None)
    enqueue(tasks.process_pending)
    enqueue(tasks.cluster_feedback, None)  # feedback received while no worker ran
    typer.echo(_("Đang chạy %(n)s luồng trên hàng đợi %(kind)s", n=n, kind=kind))
    consumer.run()
    save_dedup(force=True)
    typer.echo(_("Đã dừng"))


def _summary(s: PipelineStats) -> str:
    return _(
        "%(items)s tin, %(duplicates)s trùng, %(new)s nhận định mới, %(updated)s cập nhật, "
        "%(matched)s khớp (%(seconds)s s)",
        items=s.items,
        duplicates=s.duplicates,
        new=s.claims_new,
        updated=s.claims_updated,
        matched=s.matched_answer + s.matched_suggest,
        seconds=str(s.seconds).replace(".", ","),
    )
