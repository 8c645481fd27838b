""" "Tôi cũng quan tâm": one count per browser per thread per day, with no cookie and no address kept.

The browser is known only as ``sha256(salt of the day + IP + User-Agent)``. The salt is random,
made on the day's first support. Earlier days' salts and hashes are deleted by the next support and
by :func:`purge_old_days`, which the reply outbox's retention round runs every minute, so an old
hash cannot be tied to anyone again, not even by the server, even after a day without any support.
The count itself lives on the thread.

>>> visitor_hash("s3cret", "203.0.113.9", "Mozilla/5.0") == visitor_hash("s3cret", "203.0.113.9", "Mozilla/5.0")
True
>>> visitor_hash("s3cret", "203.0.113.9", "Mozilla/5.0") == visitor_hash("other", "203.0.113.9", "Mozilla/5.0")
False
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiemchung.store.models import FeedbackSalt, FeedbackSupport, FeedbackThread, utcnow
from kiemchung.web.i18n import to_local


def visitor_hash(salt: str, ip: str, user_agent: str) -> str:
    return hashlib.sha256(f"{salt}\n{ip}\n{user_agent[:300]}".encode()).hexdigest()


def today(now: datetime | None = None) -> str:
    """The day in the display time zone (a Vietnamese day, not a UTC one)."""
    return to_local(now or utcnow()).strftime("%Y-%m-%d")


def _delete_other_days(session: Session, day: str) -> int:
    """Delete every salt and hash not of ``day``; returns how many rows went."""
    gone = 0
    for model in (FeedbackSalt, FeedbackSupport):
        result: CursorResult[Any] = session.execute(delete(model).where(model.day != day))  # type: ignore[assignment]
        gone += result.rowcount or 0
    return gone


def purge_old_days(session: Session, now: datetime | None = None) -> int:
    """Delete the salts and visitor hashes of every day but today; returns how many rows went.

    Run periodically (the outbox round's retention purge), so a day with no support after it
    does not keep yesterday's salt and hashes. Today's rows stay: they stop double counting.
    """
    return _delete_other_days(session, today(now))


def day_salt(session: Session, day: str) -> str:
    """Today's salt, made once; every older salt and its hashes are deleted."""
    _delete_other_days(session, day)
    found = session.get(FeedbackSalt, day)
    if found is not None:
        return found.salt
    try:
        with session.begin_nested():
            session.add(FeedbackSalt(day=day, salt=secrets.token_hex(32)))
    except IntegrityError:  # another request made it first
        pass
    row = session.get(FeedbackSalt, day)
    assert row is not None
    return row.salt


def support(
    session: Session, thread: FeedbackThread, ip: str, user_agent: str, now: datetime | None = None
) -> bool:
    """Count the browser's interest once today; True when it was counted now."""
    day = today(now)
    visitor = visitor_hash(day_salt(session, day), ip, user_agent)
    seen = session.scalar(
        select(FeedbackSupport.id).where(
            FeedbackSupport.thread_id == thread.id,
            FeedbackSupport.day == day,
            FeedbackSupport.visitor == visitor,
        )
    )
    if seen is not None:
        return False
    try:
        with session.begin_nested():
            session.add(FeedbackSupport(thread_id=thread.id, day=day, visitor=visitor))
    except IntegrityError:
        return False
    session.execute(  # in SQL: two browsers at once both count
        update(FeedbackThread)
        .where(FeedbackThread.id == thread.id)
        .values(support_count=FeedbackThread.support_count + 1)
    )
    session.refresh(thread, ["support_count"])
    return True
