"""Replies to tipsters once their claim is checked: a durable outbox, delivered outside the request.

    enqueue_replies(session, fc)     # publish hook: one outbox row per (tip, fact-check), idempotent
    deliver_due(session)             # after publish (background task) and on every worker round
    purge_contacts(session)          # contact details (and idle chat ids) past ``contact_retention_days``
    dead_mail(session)               # e-mails given up after MAX_ATTEMPTS, for /desk/channels (masked)

A row is retried with exponential backoff (``BACKOFF_SECONDS`` doubling, capped, ±25 % jitter) until it is sent
or ``MAX_ATTEMPTS`` is reached; every attempt is an audit event (never with the address in it).
A reply goes by e-mail through ``KIEMCHUNG_SMTP_URL``; a contact that is not an e-mail address has
no channel we can send to, and its sender reads the answer on the tip's status page. Contact
details are deleted as soon as the reply is sent.
"""

from __future__ import annotations

import logging
import random
import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiemchung.backoff import jittered
from kiemchung.public import queries
from kiemchung.public.tipline import status_url
from kiemchung.settings import get_settings
from kiemchung.store.models import (
    AuditEvent,
    Claim,
    FactCheck,
    FactCheckStatus,
    Outbox,
    OutboxStatus,
    Tip,
    TipContact,
    TipStatus,
    utcnow,
)
from kiemchung.web.i18n import _

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 60
BACKOFF_CAP_SECONDS = 12 * 3600
SMTP_TIMEOUT = 20.0
LEASE = timedelta(minutes=5)  # a send in progress holds its row this long
CHAT_CHANNELS = ("zalo", "messenger", "telegram")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def is_email(contact: str) -> bool:
    """
    >>> is_email("an@example.vn"), is_email("0901 234 567")
    (True, False)
    """
    return bool(_EMAIL.match(contact.strip()))


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after ``attempts`` failures: ``BACKOFF_SECONDS`` doubling, capped
    at ``BACKOFF_CAP_SECONDS``, with the ±25 % jitter the chat channels use (``kiemchung.backoff``).

    >>> r = random.Random(3)
    >>> [45 <= backoff(1, r).total_seconds() <= 75, 180 <= backoff(3, r).total_seconds() <= 300]
    [True, True]
    >>> timedelta(hours=9) <= backoff(30, r) <= timedelta(hours=15)
    True
    """
    return timedelta(seconds=jittered(attempts, BACKOFF_SECONDS, BACKOFF_CAP_SECONDS, rng=rng))


def _audit(session: Session, action: str, tip_id: int | None, data: Mapping[str, object]) -> None:
    session.add(AuditEvent(action=action, entity_type="tip", entity_id=tip_id, data=dict(data)))


def enqueue_replies(session: Session, fc: FactCheck, claim_id: int | None = None) -> int:
    """Owe a reply to every tip on the fact-check's claim whose sender asked for one; returns new rows.

    ``claim_id`` defaults to ``fc.claim_id`` (an editor attaching a claim to an existing fact-check
    passes the claim). Rows already owed for the same (tip, fact-check) are left alone.
    """
    claim_id = claim_id if claim_id is not None else fc.claim_id
    if claim_id is None or fc.status != FactCheckStatus.published:
        return 0
    rows = session.execute(
        select(Tip.id, TipContact.contact)
        .join(TipContact, TipContact.tip_id == Tip.id)
        .where(Tip.claim_id == claim_id, Tip.status != TipStatus.answered)
    ).all()
    owed = set(
        session.scalars(
            select(Outbox.tip_id).where(
                Outbox.fact_check_id == fc.id, Outbox.tip_id.in_([r[0] for r in rows] or [0])
            )
        )
    )
    added = 0
    for tip_id, contact in rows:
        if tip_id in owed:
            continue
        try:
            with session.begin_nested():
                session.add(
                    Outbox(
                        tip_id=tip_id,
                        fact_check_id=fc.id,
                        channel=reply_channel(contact),
                        status=OutboxStatus.pending,
                        next_attempt_at=utcnow(),
                    )
                )
            added += 1
        except IntegrityError:  # another publish raced us to it: still one row per (tip, fact-check)
            continue
    return added


def enqueue_settled(session: Session) -> int:
    """Owe replies to tipsters whose tip joined a claim that was already answered when it arrived."""
    from kiemchung.public.tipstatus import claim_fact_check

    claim_ids: set[int] = set(
        session.scalars(  # type: ignore[arg-type]
            select(Tip.claim_id)
            .join(TipContact, TipContact.tip_id == Tip.id)
            .where(Tip.claim_id.is_not(None), Tip.status != TipStatus.answered)
        )
    )
    added = 0
    for claim_id in sorted(claim_ids):
        fc = claim_fact_check(session, session.get(Claim, claim_id))
        if fc is not None:
            added += enqueue_replies(session, fc, claim_id)
    return added


def enqueue_for_claim(session: Session, claim: Claim, fc: FactCheck) -> int:
    """An editor attached ``claim`` to the published ``fc``: its waiting tipsters are owed a reply."""
    return enqueue_replies(session, fc, claim.id)


def reply_channel(contact: str) -> str:
    """The outbox channel for a contact: email, a chat platform, or other (status page only).

    >>> reply_channel("an@example.vn"), reply_channel("telegram:3fa9"), reply_channel("0901 234 567")
    ('email', 'telegram', 'other')
    """
    from kiemchung.channels.service import is_chat_contact

    return "email" if is_email(contact) else (is_chat_contact(contact) or "other")


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    no_channel: int = 0
    waiting_for_smtp: int = 0


def reply_message(fc: FactCheck, tip: Tip, to: str) -> EmailMessage:
    """The e-mail a tipster receives: Vietnamese first, English after."""
    settings = get_settings()
    label_vi = queries.verdict_label(fc.verdict, "vi")
    label_en = queries.verdict_label(fc.verdict, "en")
    url = queries.fact_check_url(fc)
    follow = status_url(tip.status_token) if tip.status_token else queries.absolute_url("/kiem-chung")
    excerpt = tip.text if len(tip.text) <= 300 else tip.text[:300] + "…"
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = _("Kết quả kiểm chứng tin bạn gửi: %(label_vi)s", label_vi=label_vi)
    msg.set_content(
        f"Chào bạn,\n\nBạn đã gửi cho {settings.org_name} tin sau:\n«{excerpt}»\n\n"
        f"Bài kiểm chứng đã được đăng: «{fc.claim_reviewed}»\nKết luận: {label_vi.upper()}\n"
        f"{fc.summary.strip()}\n\nĐọc bài: {url}\nTrạng thái tin của bạn: {follow}\n\n"
        "Thông tin liên hệ của bạn đã được xóa sau khi gửi thư này.\n\n"
        "---\n\n"
        f"You sent {settings.org_name} a tip. The fact-check is published: «{fc.claim_reviewed}» — "
        f"verdict: {label_en}.\nRead it: {url}\n"
        "Your contact details have been deleted now that this reply is sent.\n"
    )
    return msg


def send_email(msg: EmailMessage) -> None:
    """Send through ``KIEMCHUNG_SMTP_URL`` (smtp://, smtp+starttls://, smtps://; user:pass@ optional)."""
    url = urlsplit(get_settings().smtp_url)
    scheme = url.scheme.lower()
    host = url.hostname or "localhost"
    if scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, url.port or 465, timeout=SMTP_TIMEOUT)
    elif scheme in ("smtp", "smtp+starttls"):
        client = smtplib.SMTP(
            host, url.port or (587 if scheme == "smtp+starttls" else 25), timeout=SMTP_TIMEOUT
        )
    else:
        raise ValueError(f"unsupported SMTP URL scheme: {scheme!r}")
    with client:
        if scheme == "smtp+starttls":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(msg)


def deliver_due(session: Session, *, now: datetime | None = None, limit: int = 100) -> DeliveryStats:
    """Try every outbox row that is due; each row is committed on its own (a crash loses no result)."""
    stats = DeliveryStats()
    now = now or utcnow()
    smtp_ready = bool(get_settings().smtp_url)
    rows = list(
        session.scalars(
            select(Outbox)
            .where(Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
            .order_by(Outbox.next_attempt_at, Outbox.id)
            .limit(limit)
        )
    )
    for row in rows:
        if row.channel in CHAT_CHANNELS:  # Zalo, Messenger, Telegram: same outbox, their send APIs
            from kiemchung.channels.service import deliver_row

            result = deliver_row(session, row, now)
            if result != "skipped":
                setattr(stats, result, getattr(stats, result) + 1)
            continue
        if row.payload and str(row.payload.get("kind", "")).startswith("feedback_"):
            from kiemchung.feedback.replies import deliver_row as deliver_feedback

            result = deliver_feedback(session, row, now, smtp_ready)  # citizens' feedback, departments
            if result != "skipped":
                setattr(stats, result, getattr(stats, result) + 1)
            continue
        tip = session.get(Tip, row.tip_id)
        fc = session.get(FactCheck, row.fact_check_id)
        contact = session.scalars(select(TipContact).where(TipContact.tip_id == row.tip_id)).first()
        base = {"outbox_id": row.id, "fact_check_id": row.fact_check_id, "channel": row.channel}
        if tip is None or fc is None or fc.status != FactCheckStatus.published or contact is None:
            # the sender deleted their contact, or the fact-check was retracted: nothing to send
            row.status, row.last_error = OutboxStatus.no_channel, "no contact or fact-check"
            _audit(session, "tip.reply", row.tip_id, base | {"result": "no_channel"})
            stats.no_channel += 1
            session.commit()
            continue
        if not is_email(contact.contact):
            row.status, row.last_error = OutboxStatus.no_channel, "contact is not an e-mail address"
            _audit(session, "tip.reply", row.tip_id, base | {"result": "no_channel"})
            stats.no_channel += 1
            session.commit()
            continue
        if not smtp_ready:
            stats.waiting_for_smtp += 1  # stays pending, without spending an attempt
            continue
        # Lease the row first, so a worker and a background task never send the same reply twice.
        leased: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Outbox)
            .where(Outbox.id == row.id, Outbox.status == OutboxStatus.pending, Outbox.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE)
        )
        session.commit()
        if leased.rowcount != 1:
            continue
        row.attempts += 1
        try:
            send_email(reply_message(fc, tip, contact.contact.strip()))
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.failed
                stats.failed += 1
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                stats.retried += 1
            _audit(
                session,
                "tip.reply",
                row.tip_id,
                base | {"result": row.status.value, "attempt": row.attempts, "error": row.last_error},
            )
            log.warning("reply to tip %s failed (attempt %s): %s", row.tip_id, row.attempts, row.last_error)
        else:
            row.status, row.sent_at, row.last_error = OutboxStatus.sent, utcnow(), None
            session.execute(delete(TipContact).where(TipContact.id == contact.id))
            _audit(session, "tip.reply", row.tip_id, base | {"result": "sent", "attempt": row.attempts})
            stats.sent += 1
        session.commit()
    return stats


def purge_contacts(session: Session, *, now: datetime | None = None) -> int:
    """Delete contact details kept longer than ``contact_retention_days``; returns how many.

    Tip and feedback contacts go by their age; then the chat contacts (encrypted platform ids)
    that nothing is owed to any more and that were last seen before the same cutoff, and the
    processed chat events (message text) received before it (``channels.service.purge_expired``).
    The number returned counts both kinds of contact.
    """
    from kiemchung.channels.service import purge_expired

    cutoff = (now or utcnow()) - timedelta(days=get_settings().contact_retention_days)
    rows = session.execute(
        select(TipContact.id, TipContact.tip_id, TipContact.feedback_id).where(TipContact.created_at < cutoff)
    ).all()
    if rows:  # tips' and feedback items' contacts alike
        session.execute(delete(TipContact).where(TipContact.id.in_([r[0] for r in rows])))
        data = {"tips": [r[1] for r in rows if r[1] is not None]}
        if any(r[2] is not None for r in rows):
            data["feedback"] = [r[2] for r in rows if r[2] is not None]
        session.add(AuditEvent(action="tip.contact_purged", entity_type="tip", entity_id=None, data=data))
    chat_contacts, _ = purge_expired(session, cutoff)
    return len(rows) + chat_contacts


def mask_address(address: str) -> str:
    """An e-mail address an editor may see: its first letters and the top-level domain only.

    >>> mask_address("ban.doc@example.org"), mask_address("x@y.vn"), mask_address("không phải thư")
    ('b•••@e•••.org', 'x•••@y•••.vn', '•••')
    """
    local, at, domain = address.strip().partition("@")
    if not at or not local or "." not in domain:
        return "•••"
    name, _, tld = domain.rpartition(".")
    return f"{local[0]}•••@{name[:1]}•••.{tld}"


def mask_addresses(text: str) -> str:
    """``text`` (an SMTP error may quote the recipient) with every e-mail address masked.

    >>> mask_addresses("SMTPRecipientsRefused: {'an@example.vn': (550, b'no such user')}")
    "SMTPRecipientsRefused: {'a•••@e•••.vn': (550, b'no such user')}"
    """
    from kiemchung.feedback.mask import EMAIL

    return EMAIL.sub(lambda m: mask_address(m.group(0)), text)


@dataclass
class DeadMail:
    """An e-mail reply given up after ``MAX_ATTEMPTS``, as the desk shows it (address masked)."""

    id: int
    kind: str  # tip_reply | feedback_answer | feedback_forward
    tip_id: int | None
    thread_id: int | None
    to: str
    attempts: int
    reason: str
    since: datetime  # when the reply became owed


def dead_mail(session: Session, limit: int = 20) -> tuple[int, list[DeadMail]]:
    """(how many, the latest ``limit``) e-mail replies that failed for good: tip replies, answers to
    feedback and forwards to departments, with their last error; no address shown in full."""
    dead = select(Outbox).where(Outbox.status == OutboxStatus.failed, Outbox.channel.not_in(CHAT_CHANNELS))
    total = session.scalar(select(func.count()).select_from(dead.subquery())) or 0
    out: list[DeadMail] = []
    for row in session.scalars(dead.order_by(Outbox.id.desc()).limit(limit)):
        p = row.payload or {}
        kind = str(p.get("kind") or "tip_reply")
        if kind == "feedback_forward":
            to = str(p.get("to") or "")
        else:
            found = (
                TipContact.feedback_id == p.get("item")
                if kind == "feedback_answer"
                else (TipContact.tip_id == row.tip_id)
            )
            to = session.scalar(select(TipContact.contact).where(found)) or ""
        out.append(
            DeadMail(
                id=row.id,
                kind=kind,
                tip_id=row.tip_id,
                thread_id=p.get("thread"),
                to=mask_address(to) if to else "—",
                attempts=row.attempts,
                reason=mask_addresses(row.last_error or ""),
                since=row.created_at,
            )
        )
    return total, out


def run_replies() -> DeliveryStats:
    """One round of deliveries and the retention purge, in its own session (worker, background task)."""
    from kiemchung.channels.service import process_pending
    from kiemchung.feedback.support import purge_old_days as purge_support_days
    from kiemchung.store.db import session_scope

    while process_pending():  # chat messages a crash or a busy process left unanswered
        pass
    with session_scope() as session:
        enqueue_settled(session)
        session.commit()
        stats = deliver_due(session)
        purge_contacts(session)
        purge_support_days(session)  # yesterday's support salt and hashes, even after a quiet day
    return stats
