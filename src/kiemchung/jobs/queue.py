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
