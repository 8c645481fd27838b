"""Consumers of the queue: ``kiemchung worker``'s, and a web process's own threads.

consumer = make_consumer(4)        # kiemchung worker --threads 4
consumer.run()                     # until SIGINT (finish running jobs) or SIGTERM
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from huey.consumer import Consumer

from kiemchung.jobs import tasks  # noqa: F401 - registers the jobs and the dead-letter hook
from kiemchung.jobs.queue import configure, describe
from kiemchung.settings import Settings, get_settings

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that leaves the process's signal handlers alone (a web server owns them)."""

    def _set_signal_handlers(self) -> None:
        pass


def make_consumer(threads: int, *, embedded: bool = False, periodic: bool = True) -> Consumer:
    """A huey consumer with ``threads`` worker threads over the configured queue (tasks imported)."""
    h = configure()
    cls = EmbeddedConsumer if embedded else Consumer
    return cls(
        h,
        workers=threads,
        worker_type="thread",
        periodic=periodic,
        initial_delay=0.05,  # a new job starts within ~0.1 s when the queue was idle
        max_delay=1.0,
        backoff=1.15,
        check_worker_health=True,
    )


def start_background(settings: Settings | None = None) -> Any:
    """A web process's own consumer threads (``KIEMCHUNG_ENGINE_IN_PROCESS``); returns ``stop()``.

    Nothing starts with the ``immediate`` queue (jobs already ran where they were enqueued) or
    when separate ``kiemchung worker`` processes consume the queue. Either way the process brings
    its in-memory index in line with the store in the background, so a restart after a crash
    serves every published fact-check at once.
    """
    settings = settings or get_settings()
    if settings.env != "test":  # tests load the index when they use it
        threading.Thread(target=_warm_index, name="index-sync", daemon=True).start()
    if not settings.engine_in_process or describe(settings) == "immediate":
        return lambda: None
    consumer = make_consumer(settings.worker_threads, embedded=True)
    consumer.start()
    log.info("job consumer started in this process (%s threads)", settings.worker_threads)

    def stop() -> None:
        consumer.stop(graceful=False)

    return stop


def _warm_index() -> None:
    from kiemchung.engine.index import get_index

    try:
        get_index()
    except Exception:
        log.warning("index not loaded at start-up; it loads on first use", exc_info=True)
