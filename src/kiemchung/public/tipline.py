"""The tipline: a citizen sends a message, and gets an answer at once when we can give one.

One function serves the web form, the JSON API and chatbot webhooks (Zalo OA, Messenger)::

    result = handle_tip(session, "Uống nước chanh nóng chữa khỏi ung thư?", "zalo")
    result.status    # "answered" | "warned" | "received"
    result.message   # Vietnamese reply a bot can relay as is

1. the engine's *answer* decision on published fact-checks -> "answered" (verdict + link);
2. otherwise scam indicators with verdict scam/suspicious -> "warned";
3. otherwise "received": the text is ingested as an Item of kind ``tip`` in the ``tipline`` source
   and, once committed, ``process_tip_queue`` has the engine turn it into a Claim for the desk
   queue (outside the request's transaction, so SQLite's single writer is held only briefly).

Contact details are kept only when the tipster asks for a reply, in ``TipContact`` apart from the
tip, with a random token that lets the tipster delete them.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiemchung.public import queries
from kiemchung.settings import get_settings
from kiemchung.store.models import (
    ClaimItem,
    FactCheck,
    FactCheckStatus,
    Item,
    Source,
    SourceKind,
    Tip,
    TipContact,
    TipStatus,
)
from kiemchung.text import content_hash, normalise

log = logging.getLogger("kiemchung.tipline")

MAX_TIP_CHARS = 5000
MAX_CONTACT_CHARS = 300
TIPLINE_SOURCE = "tipline"
WARN_VERDICTS = ("scam", "suspicious")
_CHANNEL = re.compile(r"[^a-z0-9_-]+")

PRIVACY_NOTICE_VI = (
    "Chúng tôi chỉ lưu nội dung tin bạn gửi để kiểm chứng. Chúng tôi không lưu tên, tài khoản mạng xã "
    "hội hay địa chỉ IP của bạn cùng với tin. Thông tin liên hệ (không bắt buộc) chỉ được lưu khi bạn "
    "muốn nhận phản hồi, được cất riêng, chỉ dùng để trả lời bạn và bạn có thể xóa bất cứ lúc nào bằng "
    "đường dẫn xóa chúng tôi cung cấp."
)
PRIVACY_NOTICE_EN = (
    "We keep only the text of your tip, to check it. Your name, social accounts and IP address are not "
    "stored with it. Contact details (optional) are kept only if you ask for a reply, stored separately, "
    "used only to answer you, and you can delete them at any time with the deletion link we give you."
)


class TipRejected(ValueError):
    """A tip that cannot be accepted; ``str(err)`` is the bilingual reason."""


@dataclass
class TipResult:
    status: str  # "answered" | "warned" | "received"
    tip_id: int | None
    message: str
    fact_check: FactCheck | None = None
    scam: Any = None  # kiemchung.scam.lookup.CheckResult
    delete_token: str | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    queued: bool = False  # True: call ``process_tip_queue()`` once the transaction has committed

    @property
    def delete_url(self) -> str | None:
        return queries.absolute_url(f"/gui-tin/xoa/{self.delete_token}") if self.delete_token else None


def clean_tip_text(text: str) -> str:
    """Normalised tip text, or ``TipRejected`` when empty or longer than ``MAX_TIP_CHARS``.

    >>> clean_tip_text("  Hoà  bình  ")
    'Hòa bình'
    """
    if len(text) > MAX_TIP_CHARS:
        raise TipRejected(
            f"Nội dung quá dài (tối đa {MAX_TIP_CHARS:,} ký tự) / Tip too long (at most {MAX_TIP_CHARS:,} characters)".replace(
                ",", "."
            )
        )
    clean = normalise(text.replace("\x00", ""))
    if not clean:
        raise TipRejected("Nội dung trống / The tip is empty")
    return clean


def clean_channel(channel: str | None) -> str:
    """A short machine label (web, api, zalo, messenger ...).

    >>> clean_channel(" Zalo OA! "), clean_channel(None)
    ('zalo-oa', 'web')
    """
    value = _CHANNEL.sub("-", (channel or "").strip().lower()).strip("-")[:40]
    return value or "web"


def answered_message(fc: FactCheck) -> str:
    label = queries.verdict_label(fc.verdict)
    summary = f" {fc.summary.strip()}" if fc.summary.strip() else ""
    return (
        f"Thông tin này đã được kiểm chứng: «{fc.claim_reviewed}». Kết luận: {label.upper()}.{summary}"
        f" Xem chi tiết: {queries.fact_check_url(fc)}"
    )


def warned_message(scam: Any) -> str:
    level = "CÓ DẤU HIỆU LỪA ĐẢO" if scam.verdict == "scam" else "ĐÁNG NGỜ"
    reasons = "; ".join(str(r) for r in (scam.reasons or [])[:3])
    why = f" Lý do: {reasons}." if reasons else ""
    return (
        f"Cảnh báo: nội dung bạn gửi {level}.{why} Đừng chuyển tiền, đừng cung cấp mã OTP, mật khẩu hay "
        "thông tin thẻ, và đừng bấm vào đường dẫn lạ. Hãy liên hệ trực tiếp tổng đài chính thức của ngân "
        "hàng hoặc cơ quan liên quan. Kiểm tra thêm tại " + queries.absolute_url("/kiem-tra")
    )


def received_message(tip_id: int | None) -> str:
    ref = f" (mã tin #{tip_id})" if tip_id else ""
    return (
        f"Cảm ơn bạn đã gửi tin{ref}. Chúng tôi chưa có bài kiểm chứng về nội dung này; tin đã được chuyển "
        "tới bàn biên tập để xem xét. Các bài mới được đăng tại " + queries.absolute_url("/kiem-chung")
    )


def _engine_answer(text: str) -> tuple[int | None, float, list[str]]:
    """The fact-check id the engine would answer with (or None), its confidence and reasons."""
    try:
        from kiemchung.engine.index import get_index
    except ImportError:
        log.warning("engine not installed; tips are queued without an instant answer")
        return None, 0.0, []
    match = get_index().match_fact_checks([text], top=5)[0]
    answer = int(match.answer) if match.answer is not None else None
    return answer, float(match.confidence), list(match.reasons)


def _scam_check(text: str, session: Session) -> Any:
    try:
        from kiemchung.scam.lookup import check
    except ImportError:
        log.warning("scam lookup not installed; tips are not screened for scam indicators")
        return None
    return check(text, session=session)


def _enqueue(session: Session, tip: Tip, text: str, channel: str) -> None:
    """Store the tip's text as an Item of kind tip in the tipline source (the claim engine's input)."""
    from kiemchung.intake.ingest import get_or_create_source, ingest_records

    # One tipline source for the desk, whatever an installation named it.
    source = session.scalars(
        select(Source).where(Source.kind == SourceKind.tipline).order_by(Source.id).limit(1)
    ).first() or get_or_create_source(session, TIPLINE_SOURCE, kind=SourceKind.tipline)
    ingest_records(session, [{"text": text}], source_name=source.name, kind="tip", platform=channel)
    tip.item_id = session.scalar(
        select(Item.id).where(Item.source_id == source.id, Item.content_hash == content_hash(text))
    )
    if tip.item_id is not None:  # a repeat of an earlier tip may already have its claim
        tip.claim_id = session.scalar(
            select(ClaimItem.claim_id).where(ClaimItem.item_id == tip.item_id).limit(1)
        )
        if tip.claim_id:
            tip.status = TipStatus.queued


_drain_lock = threading.Lock()
_drain_wanted = threading.Event()


def link_tips_to_claims(session: Session) -> int:
    """Point queued tips at the claim the engine made of their item; returns how many changed."""
    rows = session.execute(
        select(Tip.id, ClaimItem.claim_id)
        .join(ClaimItem, ClaimItem.item_id == Tip.item_id)
        .where(Tip.claim_id.is_(None), Tip.item_id.is_not(None))
    ).all()
    seen: set[int] = set()
    for tip_id, claim_id in rows:
        if tip_id not in seen:
            seen.add(tip_id)
            session.execute(
                update(Tip).where(Tip.id == tip_id).values(claim_id=claim_id, status=TipStatus.queued)
            )
    return len(seen)


def process_tip_queue() -> None:
    """Run the claim engine over pending items (new tips among them) and link tips to their claims.

    Call after the tip's transaction has committed (the web routes do, as a background task).
    Runs are serialised: a request that finds one in progress leaves a flag and returns at once,
    and the running one goes round again, so 50 simultaneous tips cost a few engine passes, not
    50 competing write transactions.
    """
    if not get_settings().engine_in_process:
        return  # the background worker processes pending items
    from kiemchung.intake.ingest import run_pending_engine
    from kiemchung.store.db import session_scope

    _drain_wanted.set()
    while _drain_wanted.is_set():
        if not _drain_lock.acquire(blocking=False):
            return
        try:
            while _drain_wanted.is_set():
                _drain_wanted.clear()
                try:
                    with session_scope() as session:
                        run_pending_engine(session)
                        link_tips_to_claims(session)
                except Exception:  # tips stay stored; the items stay pending for the next pass
                    log.exception("claim engine failed on queued tips; items left pending")
        finally:
            _drain_lock.release()


def handle_tip(session: Session, text: str, channel: str | None, contact: str | None = None) -> TipResult:
    """Store a tip and decide the reply. ``contact`` only when the tipster asked for a reply.

    Raises ``TipRejected`` for empty or over-long text. Works in the caller's transaction; when
    ``result.queued``, call ``process_tip_queue()`` after commit so the tip becomes a Claim.
    """
    clean = clean_tip_text(text)
    channel = clean_channel(channel)
    # Read-only decisions first: the engine may load/rebuild its index in its own session, and on
    # SQLite a write lock held here would block it.
    answer_id, confidence, reasons = _engine_answer(clean)
    fc = None
    if answer_id is not None:
        fc = session.scalars(
            select(FactCheck).where(FactCheck.id == answer_id, FactCheck.status == FactCheckStatus.published)
        ).first()
    scam = _scam_check(clean, session)
    warn = scam is not None and getattr(scam, "verdict", None) in WARN_VERDICTS

    tip = Tip(text=clean, channel=channel, status=TipStatus.received, answer={})
    session.add(tip)
    session.flush()

    if fc is not None:
        result = TipResult(
            "answered", tip.id, answered_message(fc), fact_check=fc, scam=scam if warn else None
        )
        tip.status, tip.fact_check_id = TipStatus.answered, fc.id
    elif warn:
        result = TipResult("warned", tip.id, warned_message(scam), scam=scam)
        tip.status = TipStatus.warned
    else:
        _enqueue(session, tip, clean, channel)
        result = TipResult("received", tip.id, received_message(tip.id), queued=tip.claim_id is None)
    result.confidence, result.reasons = confidence, reasons

    if contact and contact.strip():
        token = secrets.token_urlsafe(32)
        session.add(
            TipContact(tip_id=tip.id, contact=contact.strip()[:MAX_CONTACT_CHARS], delete_token=token)
        )
        result.delete_token = token
    tip.answer = {
        "status": result.status,
        "message": result.message,
        "fact_check_id": fc.id if fc else None,
        "scam_verdict": getattr(scam, "verdict", None) if scam is not None else None,
        "confidence": confidence,
        "wants_reply": bool(result.delete_token),
    }
    session.flush()
    return result


def find_contact(session: Session, token: str) -> TipContact | None:
    if not token or len(token) > 64:
        return None
    return session.scalars(select(TipContact).where(TipContact.delete_token == token)).first()


def delete_contact(session: Session, token: str) -> bool:
    """Erase the contact details behind ``token``; True if there were any."""
    found = find_contact(session, token)
    if found is None:
        return False
    session.execute(delete(TipContact).where(TipContact.id == found.id))
    return True
