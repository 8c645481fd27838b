"""Named locks across processes, for work two workers must not do at once.

On PostgreSQL they are advisory locks (``pg_try_advisory_lock`` on a connection of their own, so
the holder may commit as often as it likes); on SQLite, whose deployments are one machine, a
``flock`` on ``<data_dir>/locks/<name>.lock``. Either way a second holder is refused at once
(``wait=False``) instead of queueing behind a long pass:

    with hold("engine.pass") as got:
        if not got:
            return              # another worker is on it; the next tick will find nothing left
        process_pending(session, commit_every=200)

``try_xact_lock(session, name)`` is the short form inside one transaction
(``pg_try_advisory_xact_lock``: released by the commit or the rollback). SQLite has one writer at
a time already, so there it only says yes.

Names map to one signed 64-bit key, the same in every process:

>>> lock_key("engine.pass") == lock_key("engine.pass"), lock_key("engine.pass") == lock_key("index.rebuild")
(True, False)
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiemchung.settings import get_settings

# The names the code uses, in one place (a lock is only useful if every caller spells it the same).
ENGINE_PASS = "engine.pass"
INDEX_REBUILD = "index.rebuild"
OUTBOX_SWEEP = "outbox.sweep"
FEEDBACK_CLUSTER = "feedback.cluster"
INCIDENT_SLA = "incident.sla"
ZALO_TOKEN = "zalo.token"  # renewing Zalo's single-use refresh token


def backfill_block(run: str, block: int) -> str:
    """The lock of one block of a backfill run.

    >>> backfill_block("posts-2026", 3)
    'backfill.posts-2026.3'
    """
    return f"backfill.{run}.{block}"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


@contextmanager
def hold(name: str, *, url: str | None = None, wait: bool = False, poll: float = 0.2) -> Iterator[bool]:
    """Hold the lock ``name`` for the ``with`` block; yields whether it was obtained.

    ``wait=True`` polls until it is free (every ``poll`` seconds) instead of yielding False.
    """
    from kiemchung.store.db import get_engine

    url = url or get_settings().resolved_database_url
    if _is_sqlite(url):
        with _file_lock(name, wait=wait, poll=poll) as got:
            yield got
        return
    key = lock_key(name)
    with get_engine(url).connect() as conn:
        while True:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            if got or not wait:
                break
            time.sleep(poll)
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def try_xact_lock(session: Session, name: str) -> bool:
    """Take ``name`` for the rest of ``session``'s transaction, if free (PostgreSQL); True on SQLite."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return True
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock_key(name)}).scalar())


@contextmanager
def _file_lock(name: str, *, wait: bool, poll: float) -> Iterator[bool]:
    folder = get_settings().data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    fd = os.open(folder / f"{safe}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                got = True
            except BlockingIOError:
                got = False
            if got or not wait:
                break
            time.sleep(poll)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
