"""Feedback mail through the shared reply outbox (``desk.replies``): stored first, retried, audited.

- ``enqueue_answer``: the approved official answer, owed once to each contact of the thread;
- ``enqueue_forward``: the thread forwarded to a department's published address.

Rows carry ``payload={"kind": "feedback_answer" | "feedback_forward", ...}`` and a ``dedupe_key``
(one row per item and answer, per routing event); ``desk.replies.deliver_due`` hands them to
:func:`deliver_row`. A citizen's address is never copied into the row: it is read from
``TipContact`` at sending time and deleted once the answer is sent.

A contact left by a chat channel (``zalo:<key>``, ``telegram:<key>``: the sender's pseudonymous
channel key, see ``channels.conversation.contact_label``) gives the row that platform as its
channel: ``desk.replies.deliver_due`` hands it to the chat outbox (``channels.service.deliver_row``),
which renders the answer for the chat, sends it with the platform's API and then deletes the contact.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiemchung.feedback.departments import Department
from kiemchung.public.queries import absolute_url
from kiemchung.settings import get_settings
from kiemchung.store.models import (
    AuditEvent,
    FactCheckStatus,
    FeedbackAnswer,
    FeedbackEvent,
    FeedbackItem,
    FeedbackThread,
    Outbox,
    OutboxStatus,
    TipContact,
    utcnow,
)

KINDS = ("feedback_answer", "feedback_forward")


def thread_path(t: FeedbackThread) -> str:
    return f"/gop-y/y-kien/{t.slug}"


def _add(session: Session, key: str, channel: str, payload: dict[str, Any]) -> bool:
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                Outbox(
                    channel=channel,
                    payload=payload,
                    dedupe_key=key,
                    status=OutboxStatus.pending,
                    next_attempt_at=utcnow(),
                )
            )
    except IntegrityError:  # raced by another request: still one row
        return False
    return True


def enqueue_answer(session: Session, t: FeedbackThread, ans: FeedbackAnswer) -> int:
    """One outbox row per item of the thread that left a contact; returns the new rows."""
    from kiemchung.desk.replies import reply_channel

    rows = session.execute(
        select(FeedbackItem.id, TipContact.contact)
        .join(TipContact, TipContact.feedback_id == FeedbackItem.id)
        .where(FeedbackItem.thread_id == t.id)
    ).all()
    added = 0
    for item_id, contact in rows:
        payload = {"kind": "feedback_answer", "item": item_id, "thread": t.id, "answer": ans.id}
        added += _add(session, f"feedback-answer:{item_id}:{ans.id}", reply_channel(contact), payload)
    return added


def enqueue_forward(session: Session, t: FeedbackThread, dept: Department, ev: FeedbackEvent) -> bool:
    """The thread sent to the department's published address (no citizen's contact in it)."""
    if not dept.email:
        return False
    payload = {"kind": "feedback_forward", "thread": t.id, "department": dept.slug, "to": dept.email}
    return _add(session, f"feedback-forward:{t.id}:{ev.id}", "email", payload)


def answer_message(t: FeedbackThread, ans: FeedbackAnswer, to: str) -> EmailMessage:
    s = get_settings()
    url = absolute_url(thread_path(t))
    msg = EmailMessage()
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = f"Trả lời góp ý của bạn: {t.title[:120]}"
    msg.set_content(
        f"Chào bạn,\n\nBạn đã gửi {s.org_name} ý kiến về: «{t.title}».\n"
        f"{t.item_count} người đã góp ý cùng vấn đề. Trả lời chính thức:\n\n{ans.body.strip()}\n\n"
        f"Theo dõi: {url}\n\nThông tin liên hệ của bạn đã được xóa sau khi gửi thư này.\n\n---\n\n"
        f"You sent {s.org_name} feedback about: «{t.title}». The official answer is above and at {url}.\n"
        "Your contact details have been deleted now that this reply is sent.\n"
    )
    return msg


def forward_message(t: FeedbackThread, dept: str, to: str) -> EmailMessage:
    from kiemchung.feedback.mask import mask

    s = get_settings()
    texts = [i.text for i in t.items if i.moderation == "ok"][:5]
    msg = EmailMessage()
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = f"[{s.org_name}] Ý kiến người dân chuyển {dept}: {t.title[:120]}"
    body = "\n\n".join(f"— {mask(x)}" for x in texts)
    msg.set_content(
        f"Kính gửi {dept},\n\n{s.org_name} chuyển tới Quý cơ quan ý kiến của {t.item_count} người dân "
        f"về: «{t.title}» ({t.area_name}).\n\n{body}\n\n"
        f"Thông tin liên hệ của người gửi không được chuyển kèm. Mã ý kiến: #{t.id}.\n"
    )
    return msg


def _done(session: Session, row: Outbox, status: OutboxStatus, result: str, error: str | None = None) -> str:
    row.status, row.last_error = status, error
    if status == OutboxStatus.sent:
        row.sent_at = utcnow()
    data = {"outbox_id": row.id, "kind": (row.payload or {}).get("kind"), "result": result}
    session.add(
        AuditEvent(
            action="feedback.reply",
            entity_type="feedback_thread",
            entity_id=(row.payload or {}).get("thread"),
            data=data,
        )
    )
    session.commit()
    return result


def deliver_row(session: Session, row: Outbox, now: datetime, smtp_ready: bool) -> str:
    """Send one feedback row: ``sent`` | ``no_channel`` | ``retried`` | ``failed`` | ``waiting_for_smtp``
    (or ``skipped`` when another process holds its lease)."""
    from kiemchung.desk.replies import LEASE, MAX_ATTEMPTS, backoff, is_email, send_email
    from kiemchung.feedback.departments import get as department

    p = row.payload or {}
    t = session.get(FeedbackThread, p.get("thread"))
    contact: TipContact | None = None
    if p.get("kind") == "feedback_answer":
        ans = session.get(FeedbackAnswer, p.get("answer"))
        contact = session.scalars(select(TipContact).where(TipContact.feedback_id == p.get("item"))).first()
        if t is None or ans is None or ans.status != FactCheckStatus.published or contact is None:
            return _done(session, row, OutboxStatus.no_channel, "no_channel", "no contact or answer")
        if not is_email(contact.contact):  # the citizen reads the answer on the public thread page
            return _done(
                session, row, OutboxStatus.no_channel, "no_channel", "contact is not an e-mail address"
            )
        msg = answer_message(t, ans, contact.contact.strip())
    else:
        dept = department(p.get("department"))
        if t is None or dept is None or not is_email(str(p.get("to", ""))):
            return _done(session, row, OutboxStatus.no_channel, "no_channel", "no department address")
        msg = forward_message(t, dept.name_vi, str(p["to"]))
    if not smtp_ready:
        return "waiting_for_smtp"
    # Lease the row first, so a worker and a background task never send the same mail twice.
    leased: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Outbox)
        .where(Outbox.id == row.id, Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    )
    session.commit()
    if leased.rowcount != 1:
        return "skipped"
    row.attempts += 1
    try:
        send_email(msg)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        err = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= MAX_ATTEMPTS:
            return _done(session, row, OutboxStatus.failed, "failed", err)
        row.next_attempt_at = now + backoff(row.attempts)
        return _done(session, row, OutboxStatus.pending, "retried", err)
    if contact is not None:
        session.execute(delete(TipContact).where(TipContact.id == contact.id))
    return _done(session, row, OutboxStatus.sent, "sent")
