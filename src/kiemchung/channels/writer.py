"""One writer at a time on SQLite, webhooks' acknowledgements first (shared by the chat modules).

Its own module so the platform adapters (the Zalo token store) and the service can both use it
without importing each other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kiemchung.settings import get_settings

_sqlite_writer = threading.RLock()
_counter = threading.Lock()
_acks_waiting = 0


def acks_waiting() -> int:
    """Webhooks read but not yet committed in this process (background work waits for 0).

    >>> acks_waiting()
    0
    """
    return _acks_waiting


@contextmanager
def acknowledging() -> Iterator[None]:
    """Held from the moment a webhook's body is read until it is committed: background work yields."""
    global _acks_waiting
    with _counter:
        _acks_waiting += 1
    try:
        yield
    finally:
        with _counter:
            _acks_waiting -= 1


@contextmanager
def writing(ack: bool = False) -> Iterator[None]:
    """One writer at a time inside this process, on SQLite only; acknowledgements go first.

    SQLite's own busy handler makes a waiting writer poll with sleeps of up to 100 ms; under a
    webhook burst that turns into seconds before a platform gets its acknowledgement. Queuing on
    a process lock hands the database over as soon as the last writer commits, and background
    work (``ack=False``) steps aside while a webhook is waiting (a Python lock is not fair).
    """
    if not get_settings().is_sqlite:
        yield
        return
    if ack:
        with _sqlite_writer:
            yield
        return
    for _ in range(2000):  # at most ~2 s of deference, then take a turn anyway
        if not _acks_waiting:
            break
        time.sleep(0.001)
    with _sqlite_writer:
        yield
