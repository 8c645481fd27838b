"""Page views of public fact-checks: counted in memory, written to ``fact_checks.views`` in batches.

A view used to be an ``UPDATE`` inside the page's own transaction: under 100 concurrent readers on
SQLite every request queued for the one write lock and some timed out (HTTP 500). Now a view is
one dictionary increment in this process; :func:`flush` writes what has piled up in one short
transaction (one ``UPDATE … SET views = views + n`` per fact-check seen). The page never touches
the database for its count, so a failing or slow flush can never fail or slow a page view; the
counts it could not write are kept for the next flush.

Flushes run every :data:`FLUSH_SECONDS` in each web process (:func:`start_flusher`, from the app's
start-up), at shutdown, and from the worker's minute ``sweep`` (which drains the process it runs
in). What readers of the column see (the home page's "most read", ``kiemchung report``'s top
fact-checks) is therefore up to ``FLUSH_SECONDS`` behind; a crash loses at most that much.

>>> c = ViewCounter()
>>> c.add(7); c.add(7); c.add(9)
>>> c.pending()
{7: 2, 9: 1}
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import cast

from sqlalchemy import Table, bindparam, update

from kiemchung.store.db import session_scope
from kiemchung.store.models import FactCheck

log = logging.getLogger(__name__)

FLUSH_SECONDS = 30.0


class ViewCounter:
    """Thread-safe per-process view counts with a batched, failure-tolerant write."""

    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self._lock = threading.Lock()  # guards _counts: held for an increment or a swap only
        self._flush_lock = threading.Lock()  # one flush at a time, so a count is written once

    def add(self, fc_id: int) -> None:
        """One view of fact-check ``fc_id``: memory only, never an error."""
        with self._lock:
            self._counts[fc_id] += 1

    def pending(self) -> dict[int, int]:
        """Views counted here and not written yet."""
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        """Forget the unwritten counts (between tests, each with its own database)."""
        with self._lock:
            self._counts.clear()

    def flush(self) -> int:
        """Write the pending counts in one transaction; returns the views written (0 on failure).

        On failure the counts go back into the counter (added to any views since), and the error
        is logged, not raised: the caller is a timer, a shutdown hook or the sweep.
        """
        with self._flush_lock:
            with self._lock:
                taken, self._counts = self._counts, Counter()
            if not taken:
                return 0
            table = cast(Table, FactCheck.__table__)
            # Core UPDATE, not the ORM: no read-modify-write and no bump of the optimistic-lock version.
            stmt = (
                update(table)
                .where(table.c.id == bindparam("fc_id"))
                .values(views=table.c.views + bindparam("n"))
            )
            rows = [{"fc_id": fc_id, "n": n} for fc_id, n in sorted(taken.items())]
            try:
                with session_scope() as session:
                    session.connection().execute(stmt, rows)
                    session.commit()
            except Exception:
                with self._lock:
                    self._counts.update(taken)
                log.warning(
                    "could not write %d page views; kept for the next flush",
                    sum(taken.values()),
                    exc_info=True,
                )
                return 0
            return sum(taken.values())


COUNTER = ViewCounter()


def count_view(fc_id: int) -> None:
    """Count one view of a public fact-check (written by the next :func:`flush`)."""
    COUNTER.add(fc_id)


def flush() -> int:
    """Write this process's pending view counts; returns how many were written."""
    return COUNTER.flush()


def start_flusher(interval: float = FLUSH_SECONDS, counter: ViewCounter | None = None) -> Callable[[], None]:
    """Flush ``counter`` every ``interval`` seconds in a daemon thread; returns ``stop()``.

    ``stop()`` ends the thread and flushes once more, so a clean shutdown loses no view.
    """
    target = counter or COUNTER
    done = threading.Event()

    def loop() -> None:
        while not done.wait(interval):
            target.flush()

    thread = threading.Thread(target=loop, name="view-counts", daemon=True)
    thread.start()

    def stop() -> None:
        done.set()
        thread.join(timeout=interval + 5)
        target.flush()

    return stop
