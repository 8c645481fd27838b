"""Receiving (store once, acknowledge), processing (conversation -> outbox) and sending chat replies.

    accept(session, adapter, messages)   # in the webhook request: contact + seen-event rows
    process_pending()                    # after the response (background task) and in the worker
    deliver_row(session, row, now)       # called by the shared outbox (``desk.replies.deliver_due``)
    purge_expired(session, cutoff)       # retention, from the shared purge (``desk.replies.purge_contacts``)

A crash anywhere loses nothing: an event is stored before the platform is acknowledged, its
replies are stored in the same transaction that marks it done, and the outbox sends what is due
on the next round.

Zalo and Messenger accept a reply only for a while after the person's last message (each
adapter's ``reply_window``). A row due after that (a fact-check published days later) is never
sent: it is marked ``no_channel`` with ``OUTSIDE_WINDOW`` and audited, and the person follows
the tip on its status page, whose link their "received" reply carries.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import CursorResult, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiemchung.backoff import jittered
from kiemchung.channels import crypto, messenger, telegram, zalo
from kiemchung.channels.base import OUTSIDE_WINDOW, IncomingMessage, OutgoingMessage, SendError
from kiemchung.channels.conversation import (
    contact_label,
    feedback_answer_reply,
    published_reply,
    respond,
)
from kiemchung.channels.writer import acks_waiting, writing
from kiemchung.settings import get_settings
from kiemchung.store.models import (
    AuditEvent,
    ChannelContact,
    ChannelEvent,
    FactCheck,
    FactCheckStatus,
    FeedbackAnswer,
    FeedbackItem,
    FeedbackThread,
    MediaImage,
    Outbox,
    OutboxStatus,
    Tip,
    TipContact,
    utcnow,
)

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO; Telegram's URL holds the bot token, Messenger's the page token.
logging.getLogger("httpx").setLevel(logging.WARNING)

ADAPTERS: dict[str, ModuleType] = {"zalo": zalo, "messenger": messenger, "telegram": telegram}
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
LEASE = timedelta(minutes=5)


def backoff(attempts: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds before the next try: exponential with ±25 % jitter, never sooner than Retry-After
    (the outbox's shared ``kiemchung.backoff.jittered``, from 2 s up to 10 min).

    >>> r = random.Random(1)
    >>> 1.5 <= backoff(1, rng=r) <= 2.5, 6 <= backoff(3, rng=r) <= 10, backoff(1, 30.0, rng=r) >= 30
    (True, True, True)
    """
    return jittered(attempts, BACKOFF_SECONDS, BACKOFF_CAP_SECONDS, retry_after=retry_after, rng=rng)


def _contact(session: Session, platform: str, user_id: str) -> ChannelContact:
    key = crypto.sender_key(platform, user_id)
    found = session.scalars(
        select(ChannelContact).where(ChannelContact.platform == platform, ChannelContact.sender_key == key)
    ).first()
    if found is not None:
        found.last_seen_at = utcnow()
        return found
    try:
        with session.begin_nested():
            found = ChannelContact(platform=platform, sender_key=key, user_ref=crypto.encrypt(user_id))
            session.add(found)
    except IntegrityError:  # the same person's second message raced the first
        found = session.scalars(
            select(ChannelContact).where(
                ChannelContact.platform == platform, ChannelContact.sender_key == key
            )
        ).one()
    return found


def forget(session: Session, platform: str, user_id: str) -> None:
    """``unfollow``: the person's id goes at once, with every pending reply to it."""
    key = crypto.sender_key(platform, user_id)
    session.execute(delete(TipContact).where(TipContact.contact == contact_label(platform, key)))
    ids = list(
        session.scalars(
            select(ChannelContact.id).where(
                ChannelContact.platform == platform, ChannelContact.sender_key == key
            )
        )
    )
    if ids:
        session.execute(
            update(Outbox)
            .where(Outbox.contact_id.in_(ids), Outbox.status == OutboxStatus.pending)
            .values(status=OutboxStatus.no_channel, last_error="unfollowed")
        )
        session.execute(delete(ChannelContact).where(ChannelContact.id.in_(ids)))


def accept(session: Session, platform: str, messages: list[IncomingMessage]) -> tuple[int, int]:
    """Store each new event once; returns (new, duplicates). Stale events are not stored at all."""
    max_age = get_settings().channel_event_max_age
    now = utcnow().timestamp()
    new = dup = 0
    for msg in messages:
        if msg.timestamp is not None and not (now - max_age <= msg.timestamp <= now + 60):
            dup += 1  # stale or from the future: refused like a replay
            continue
        if session.scalar(
            select(ChannelEvent.id).where(
                ChannelEvent.platform == platform, ChannelEvent.event_id == msg.event_id
            )
        ):
            dup += 1
            continue
        if msg.kind == "unfollow":
            forget(session, platform, msg.user_id)
            contact_id = None
        else:
            contact_id = _contact(session, platform, msg.user_id).id
        try:
            with session.begin_nested():
                session.add(
                    ChannelEvent(
                        platform=platform,
                        event_id=msg.event_id[:200],
                        kind=msg.kind,
                        contact_id=contact_id,
                        text=msg.text[:20000],
                        data={"images": msg.images[:10], "payload": msg.payload[:300]},
                        status="done" if msg.kind == "unfollow" else "pending",
                    )
                )
            new += 1
        except IntegrityError:  # the platform's retry arrived while the first was in flight
            dup += 1
    return new, dup


def _incoming(ev: ChannelEvent) -> IncomingMessage:
    data = ev.data or {}
    return IncomingMessage(
        ev.platform,
        ev.event_id,
        ev.kind,
        "",
        text=ev.text,
        images=list(data.get("images") or []),
        payload=str(data.get("payload") or ""),
    )


def read_image(ev: ChannelEvent) -> MediaImage | None:
    """The event's picture, fetched (``safe_fetch``) and read (OCR, PDQ) in memory; None if none."""
    refs = [str(r) for r in (ev.data or {}).get("images") or []]
    if ev.kind != "image" or not refs or ev.contact_id is None:
        return None
    from kiemchung.channels.media import read_chat_image

    return read_chat_image(get_settings(), ev.platform, refs)


def process_event(session: Session, ev: ChannelEvent, image: MediaImage | None = None) -> bool:
    """Turn one leased event into outbox rows (same transaction); True when the tip queue should run."""
    contact = session.get(ChannelContact, ev.contact_id) if ev.contact_id else None
    queued = False
    if contact is not None:
        replies, queued = respond(session, _incoming(ev), contact.sender_key, image)
        for n, out in enumerate(replies):
            session.add(
                Outbox(
                    channel=ev.platform,
                    contact_id=contact.id,
                    payload=out.to_json(),
                    dedupe_key=f"{ev.platform}:{ev.event_id}:{n}"[:200],
                    status=OutboxStatus.pending,
                    next_attempt_at=utcnow(),
                )
            )
    ev.status, ev.processed_at = "done", utcnow()
    return queued


def process_pending(limit: int = 500) -> int:
    """Process stored events (this process's and any a crash left behind); returns how many."""
    from kiemchung.store.db import session_scope

    done = 0
    queued = False
    now = utcnow()
    with session_scope() as session:
        ids = list(
            session.scalars(
                select(ChannelEvent.id)
                .where(
                    or_(
                        ChannelEvent.status == "pending",
                        (ChannelEvent.status == "processing") & (ChannelEvent.processed_at < now - LEASE),
                    )
                )
                .order_by(ChannelEvent.id)
                .limit(limit)
            )
        )
        session.commit()
        for ev_id in ids:
            queued = _process_one(session, ev_id, now) or queued
            done += 1
    if queued:
        _tips_owed.set()
    return done


def run_tip_queue_when_quiet(quiet: float = 0.5) -> None:
    """The claim engine's pass over new tips holds the database for a while: not during a burst.

    The tipster already has their "received" reply; the pass waits until no webhook has arrived
    for ``quiet`` seconds (or the worker's next round runs it).
    """
    if not _tips_owed.is_set():
        return
    deadline = time.monotonic() + 60
    calm_since = time.monotonic()
    while time.monotonic() < deadline:
        if acks_waiting():
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            break
        time.sleep(0.05)
    _tips_owed.clear()
    from kiemchung.public.tipline import process_tip_queue

    process_tip_queue()


def _process_one(session: Session, ev_id: int, now: datetime) -> bool:
    """Lease one event, turn it into outbox rows and mark it done; True when the tip queue should run."""
    with writing():
        leased: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(ChannelEvent)
            .where(
                ChannelEvent.id == ev_id,
                or_(
                    ChannelEvent.status == "pending",
                    (ChannelEvent.status == "processing") & (ChannelEvent.processed_at < now - LEASE),
                ),
            )
            .values(status="processing", processed_at=utcnow())
        )
        session.commit()
    if leased.rowcount != 1:
        return False
    ev = session.get(ChannelEvent, ev_id)
    if ev is None:
        return False
    image = read_image(ev)  # network and OCR before the transaction, outside the writer queue
    try:
        # the whole transaction inside the writer queue: the tipline's writes start before its
        # commit, and holding the database while waiting for the queue would deadlock with a webhook
        with writing():
            queued = process_event(session, ev, image)
            session.commit()
    except Exception:  # the event stays leased and is retried after LEASE
        session.rollback()
        log.exception("chat event %s/%s failed; retried later", ev.platform, ev_id)
        return False
    return queued


_lock = threading.Lock()
_wanted = threading.Event()
_tips_owed = threading.Event()


def drain() -> None:
    """Background task after each webhook: process events, then send what is due.

    Serialised like the tip queue: a request finding a drain running leaves a flag and returns,
    so a burst of webhooks costs a few passes, not one competing writer each.
    """
    from kiemchung.desk.replies import deliver_due
    from kiemchung.store.db import session_scope

    _wanted.set()
    while _wanted.is_set():
        if not _lock.acquire(blocking=False):
            return
        try:
            while _wanted.is_set():
                _wanted.clear()
                try:
                    while process_pending():
                        pass
                    with session_scope() as session:
                        while deliver_due(session, limit=200).sent:
                            pass
                    if _tips_owed.is_set() and not _wanted.is_set():
                        run_tip_queue_when_quiet()
                except Exception:
                    log.exception("chat drain failed; the worker retries")
        finally:
            _lock.release()


def _gc_contact(session: Session, contact_id: int | None) -> None:
    """Delete the contact once nothing is owed to it: no pending row, no tip waiting for a reply."""
    if contact_id is None:
        return
    contact = session.get(ChannelContact, contact_id)
    if contact is None:
        return
    pending = session.scalar(
        select(func.count(Outbox.id)).where(
            Outbox.contact_id == contact_id, Outbox.status == OutboxStatus.pending
        )
    )
    waiting = session.scalar(
        select(func.count(TipContact.id)).where(
            TipContact.contact == contact_label(contact.platform, contact.sender_key)
        )
    )
    unprocessed = session.scalar(
        select(func.count(ChannelEvent.id)).where(
            ChannelEvent.contact_id == contact_id, ChannelEvent.status != "done"
        )
    )
    if not pending and not waiting and not unprocessed:
        session.execute(delete(ChannelContact).where(ChannelContact.id == contact_id))


def purge_expired(session: Session, cutoff: datetime) -> tuple[int, int]:
    """Retention: delete the chat contacts nothing is owed to any more that were last seen before
    ``cutoff``, and the processed events received before it (they hold the message text); returns
    (contacts, events) deleted.

    Owed means a pending outbox row, a tip or feedback contact (``TipContact``) still naming the
    sender, or an event of theirs not processed yet: those keep the contact until they are settled
    (the tip contacts themselves go by age in the same purge, just before this).
    """
    seen = func.coalesce(ChannelContact.last_seen_at, ChannelContact.created_at)
    label = ChannelContact.platform + ":" + ChannelContact.sender_key  # ``contact_label`` in SQL
    owed = or_(
        exists().where(Outbox.contact_id == ChannelContact.id, Outbox.status == OutboxStatus.pending),
        exists().where(TipContact.contact == label),
        exists().where(ChannelEvent.contact_id == ChannelContact.id, ChannelEvent.status != "done"),
    )
    ids = list(session.scalars(select(ChannelContact.id).where(seen < cutoff, ~owed)))
    if ids:  # a bulk delete: each contact leaves a tombstone (``store.tombstones``)
        session.execute(delete(ChannelContact).where(ChannelContact.id.in_(ids)))
    gone: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(ChannelEvent).where(ChannelEvent.status == "done", ChannelEvent.received_at < cutoff)
    )
    events = gone.rowcount or 0
    if ids or events:
        session.add(
            AuditEvent(
                action="channel.retention_purged",
                entity_type="channel",
                entity_id=None,
                data={"contacts": len(ids), "events": events},
            )
        )
    return len(ids), events


def contact_for_tip(session: Session, tip_contact: str) -> ChannelContact | None:
    platform, _, key = tip_contact.partition(":")
    return session.scalars(
        select(ChannelContact).where(ChannelContact.platform == platform, ChannelContact.sender_key == key)
    ).first()


def is_chat_contact(contact: str) -> str | None:
    """The platform of a chat tip's contact label, else None.

    >>> is_chat_contact("zalo:ab12"), is_chat_contact("an@example.vn")
    ('zalo', None)
    """
    platform, sep, _ = contact.partition(":")
    return platform if sep and platform in ADAPTERS else None


def _audit(
    session: Session,
    row: Outbox,
    result: str,
    error: str | None = None,
    extra: dict[str, object] | None = None,
) -> None:
    data: dict[str, object] = {
        "outbox_id": row.id,
        "channel": row.channel,
        "result": result,
        "attempt": row.attempts,
        **(extra or {}),
    }
    if row.fact_check_id:
        data["fact_check_id"] = row.fact_check_id
    if (row.payload or {}).get("kind") == "feedback_answer":
        data["feedback_thread"] = (row.payload or {}).get("thread")
    if error:
        data["error"] = error
    session.add(
        AuditEvent(
            action="channel.reply",
            entity_type="tip" if row.tip_id else "channel",
            entity_id=row.tip_id,
            data=data,
        )
    )


def _feedback_answer(session: Session, row: Outbox) -> tuple[OutgoingMessage | None, TipContact | None]:
    """The official answer owed to a chat sender's feedback (``feedback.replies.enqueue_answer``),
    rendered now, and the contact row to delete once it is sent; no message when the answer was
    withdrawn or the sender deleted their contact."""
    p = row.payload or {}
    item = session.get(FeedbackItem, p.get("item"))
    t = session.get(FeedbackThread, p.get("thread"))
    ans = session.get(FeedbackAnswer, p.get("answer"))
    contact = session.scalars(select(TipContact).where(TipContact.feedback_id == p.get("item"))).first()
    if item is None or t is None or ans is None or ans.status != FactCheckStatus.published:
        return None, contact
    return (feedback_answer_reply(t, ans, item) if contact is not None else None), contact


def deliver_row(session: Session, row: Outbox, now: datetime) -> str:
    """Send one due chat row (leased first); returns sent | retried | failed | no_channel | skipped."""
    settings = get_settings()
    adapter = ADAPTERS[row.channel]
    tip_contact: TipContact | None = None
    if (row.payload or {}).get("kind") == "feedback_answer":  # the desk's answer to chat feedback
        message, tip_contact = _feedback_answer(session, row)
        if row.contact_id is None and tip_contact is not None:
            found = contact_for_tip(session, tip_contact.contact)
            row.contact_id = found.id if found else None
    elif row.payload is None:  # a published-later reply: rendered now from the tip and fact-check
        tip = session.get(Tip, row.tip_id) if row.tip_id else None
        fc = session.get(FactCheck, row.fact_check_id) if row.fact_check_id else None
        tip_contact = session.scalars(select(TipContact).where(TipContact.tip_id == row.tip_id)).first()
        message = published_reply(fc, tip) if tip is not None and fc is not None else None
        if row.contact_id is None and tip_contact is not None:
            found = contact_for_tip(session, tip_contact.contact)
            row.contact_id = found.id if found else None
    else:
        message = OutgoingMessage.from_json(row.payload)
    contact = session.get(ChannelContact, row.contact_id) if row.contact_id else None
    user_id = crypto.decrypt(contact.user_ref) if contact is not None else None
    if message is None or user_id is None or not adapter.enabled(settings):
        reason = (
            "channel off"
            if not adapter.enabled(settings)
            else "no contact (unfollowed, expired or key changed)"
        )
        if reason == "channel off":
            return "skipped"  # stays pending until the channel is configured again
        with writing():
            # conditional: another process may have sent this row (and dropped the contact) meanwhile
            marked: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Outbox)
                .where(Outbox.id == row.id, Outbox.status == OutboxStatus.pending)
                .values(status=OutboxStatus.no_channel, last_error=reason)
            )
            if marked.rowcount == 1:
                _audit(session, row, "no_channel", reason)
            session.commit()
        return "no_channel" if marked.rowcount == 1 else "skipped"
    window = adapter.reply_window(settings)
    if contact is not None and window is not None and contact.last_seen_at < now - window:
        # the platform would refuse it (Messenger 24 h, Zalo 7 days): do not even try
        idle = (now - contact.last_seen_at).total_seconds() / 3600
        return _outside_window(session, row, tip_contact, window, idle)
    with writing():
        leased: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE)
        )
        session.commit()
    if leased.rowcount != 1:
        return "skipped"
    session.refresh(row)  # another process may have tried it since this round read it
    row.attempts += 1
    try:
        adapter.send(settings, user_id, message)  # outside any transaction: the network is slow
    except SendError as exc:
        if exc.outside_window:  # refused for the window after all (clocks differ a little): same outcome
            return _outside_window(session, row, tip_contact, window, None, str(exc))
        with writing():
            return _failed(session, row, exc, now)
    with writing():
        row.status, row.sent_at, row.last_error = OutboxStatus.sent, utcnow(), None
        if tip_contact is not None:
            session.execute(delete(TipContact).where(TipContact.id == tip_contact.id))
        _audit(session, row, "sent")
        session.commit()
        _gc_contact(session, row.contact_id)
        session.commit()
    return "sent"


def _outside_window(
    session: Session,
    row: Outbox,
    tip_contact: TipContact | None,
    window: timedelta | None,
    idle_hours: float | None,
    error: str | None = None,
) -> str:
    """The platform's reply window closed: the row is not deliverable, audited with the reason;
    the tip or feedback contact goes (nothing can reach that person on this chat any more), and
    with it the encrypted id once nothing else is owed. The status page still has the answer."""
    with writing():
        marked: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.status == OutboxStatus.pending)
            .values(status=OutboxStatus.no_channel, last_error=OUTSIDE_WINDOW)
        )
        if marked.rowcount != 1:  # sent or settled by another process meanwhile
            session.commit()
            return "skipped"
        if tip_contact is not None:
            session.execute(delete(TipContact).where(TipContact.id == tip_contact.id))
        data: dict[str, object] = {}
        if window is not None:
            data["window_hours"] = round(window.total_seconds() / 3600, 1)
        if idle_hours is not None:
            data["idle_hours"] = round(idle_hours, 1)
        _audit(session, row, "outside_window", error or OUTSIDE_WINDOW, data)
        log.info("%s reply %s not sent: %s", row.channel, row.id, OUTSIDE_WINDOW)
        session.commit()
        _gc_contact(session, row.contact_id)
        session.commit()
    return "no_channel"


def _failed(session: Session, row: Outbox, exc: SendError, now: datetime) -> str:
    row.last_error = str(exc)[:500]
    if exc.retryable and row.attempts < MAX_ATTEMPTS:
        row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, exc.retry_after))
        result = "retried"
    else:
        row.status, result = OutboxStatus.failed, "failed"
    _audit(session, row, result, row.last_error)
    log.warning("%s reply %s failed (attempt %s): %s", row.channel, row.id, row.attempts, row.last_error)
    session.commit()
    if result == "failed":
        _gc_contact(session, row.contact_id)
        session.commit()
    return result


def health(session: Session) -> list[dict[str, Any]]:
    """Per channel: on/off, last event, events waiting, outbox depth, failures, and the replies not
    sent because the platform's reply window had closed (never a secret)."""
    settings = get_settings()
    out = []
    for name, adapter in ADAPTERS.items():
        last = session.scalar(select(func.max(ChannelEvent.received_at)).where(ChannelEvent.platform == name))
        waiting = session.scalar(
            select(func.count(ChannelEvent.id)).where(
                ChannelEvent.platform == name, ChannelEvent.status != "done"
            )
        )
        depth = session.scalar(
            select(func.count(Outbox.id)).where(Outbox.channel == name, Outbox.status == OutboxStatus.pending)
        )
        failed = session.scalar(
            select(func.count(Outbox.id)).where(Outbox.channel == name, Outbox.status == OutboxStatus.failed)
        )
        dead = session.scalars(
            select(Outbox)
            .where(Outbox.channel == name, Outbox.status == OutboxStatus.failed)
            .order_by(Outbox.id.desc())
            .limit(10)
        ).all()
        late = select(Outbox).where(
            Outbox.channel == name,
            Outbox.status == OutboxStatus.no_channel,
            Outbox.last_error == OUTSIDE_WINDOW,
        )
        window = adapter.reply_window(settings)
        out.append(
            {
                "name": name,
                "enabled": adapter.enabled(settings),
                "window_hours": round(window.total_seconds() / 3600) if window is not None else None,
                "late": session.scalar(select(func.count()).select_from(late.subquery())) or 0,
                "late_rows": session.scalars(late.order_by(Outbox.id.desc()).limit(10)).all(),
                "last_event": last,
                "waiting": waiting or 0,
                "depth": depth or 0,
                "failed": failed or 0,
                "dead": dead,
            }
        )
    return out
