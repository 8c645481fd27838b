"""The process's huey instance, built from the settings, and how web code enqueues.

``KIEMCHUNG_QUEUE_URL`` (or ``KIEMCHUNG_REDIS_URL``) picks the storage; one API for all of them:

- ``sqlite:///var/queue.db``: the default, an embedded queue file beside the database; no service;
- ``redis://127.0.0.1:6379/0``: Redis, for several web processes and workers on several machines;
- ``memory``: this process only (an embedded consumer thread runs it);
- ``immediate``: each job runs at once where it is enqueued (the default in tests).

>>> storage_for("memory", "t").__class__.__name__
'MemoryStorage'
>>> storage_for("ftp://x", "t")
Traceback (most recent call last):
...
ValueError: unsupported queue URL: ftp://x
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from huey import Huey
from huey.consumer import Consumer
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy.orm import Session

from kiemchung.settings import Settings, get_settings
from kiemchung.store.db import after_commit

log = logging.getLogger(__name__)

# Tasks register on this instance at import; ``configure`` swaps its storage for the settings'.
huey = Huey("kiemchung", storage_class=MemoryStorage, utc=True, results=False)
_configured: tuple[str, str] | None = None
_config_lock = threading.Lock()


def storage_for(url: str, name: str) -> BaseStorage:
    """The huey storage for a queue URL (``immediate`` and ``memory`` are in-memory)."""
    if url in ("memory", "immediate"):
        return MemoryStorage(name)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name, filename=str(path), timeout=30)
    raise ValueError(f"unsupported queue URL: {url}")


def configure(settings: Settings | None = None) -> Huey:
    """Point the shared huey instance at the configured queue (again only when the settings changed)."""
    global _configured
    settings = settings or get_settings()
    key = (settings.resolved_queue_url, settings.queue_name)
    with _config_lock:
        if key != _configured:
            url, name = key
            huey.name = name
            huey._immediate = url == "immediate"  # the setter would rebuild a default storage
            huey.storage = storage_for(url, name)
            _configured = key
    return huey


def describe(settings: Settings | None = None) -> str:
    """The queue's kind for people: ``sqlite``, ``redis``, ``memory`` or ``immediate``.

    >>> describe(Settings(queue_url="redis://127.0.0.1:6379/3"))
    'redis'
    """
    url = (settings or get_settings()).resolved_queue_url
    return url.split(":", 1)[0] if ":" in url else url


def enqueue(task: Any, *args: Any) -> bool:
    """Put ``task(*args)`` on the queue; False (logged) when the queue cannot take it.

    A job lost that way is caught up by the periodic sweep (pending items, the outbox, the index).
    """
    configure()
    try:
        task(*args)
    except Exception:
        log.exception("could not enqueue %s; the periodic sweep will catch up", getattr(task, "name", task))
        return False
    return True


def enqueue_after_commit(session: Session, task: Any, *args: Any) -> None:
    """Enqueue once ``session`` commits, so the job sees the rows (dropped on rollback)."""
    after_commit(session, lambda: enqueue(task, *args))


def pending_count() -> int:
    """Jobs waiting in the queue (scheduled retries not included)."""
    try:
        return int(configure().pending_count())
    except Exception:  # a broker outage must not take the desk page down
        log.warning("queue unavailable", exc_info=True)
        return -1


def scheduled_count() -> int:
    """Jobs waiting for their retry time."""
    try:
        return int(configure().scheduled_count())
    except Exception:
        return -1


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that leaves the process's signal handlers alone (a web server owns them)."""

    def _set_signal_handlers(self) -> None:
        pass


def make_consumer(threads: int, *, embedded: bool = False, periodic: bool = True) -> Consumer:
    """A huey consumer with ``threads`` worker threads over the configured queue (tasks imported)."""
    from kiemchung.jobs import tasks  # noqa: F401 - registers the tasks and the dead-letter hook

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
