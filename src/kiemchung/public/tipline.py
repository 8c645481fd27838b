"""The tipline: a citizen sends a message, and gets an answer at once when we can give one.

One function serves the web form, the JSON API and chatbot webhooks (Zalo OA, Messenger)::

    result = handle_tip(session, "Uống nước chanh nóng chữa khỏi ung thư?", "zalo")
    result.status      # "answered" | "warned" | "received"
    result.message     # Vietnamese reply a bot can relay as is
    result.status_url  # the tip's public status page (keyed by a random token)

1. the engine's *answer* decision on published fact-checks -> "answered" (verdict + link, and a
   "Không phải điều tôi hỏi" way back to the desk: ``mark_not_answered``);
2. otherwise scam indicators with verdict scam/suspicious -> "warned" (verdict, reasons, advice);
3. otherwise "received": the text is ingested as an Item of kind ``tip`` in the ``tipline`` source
   and, once committed, ``process_tip_queue`` has the engine turn it into a Claim for the desk
   queue (outside the request's transaction, so SQLite's single writer is held only briefly). A
   close fact-check the engine would not answer with is offered as "có thể liên quan" only.

Every tip ends answered, warned or linked to a claim (``kiemchung tips audit`` checks it); a tip
that arrives while the engine fails is stored and picked up by the next engine pass.

Contact details are kept only when the tipster asks for a reply, in ``TipContact`` apart from the
tip, with a random token that lets the tipster delete them.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiemchung.public import queries
from kiemchung.scam.lookup import WARN_VERDICTS
from kiemchung.store.models import (
    AuditEvent,
    ClaimItem,
    FactCheck,
    FactCheckStatus,
    Item,
    MatchFeedback,
    Source,
    SourceKind,
    Tip,
    TipContact,
    TipStatus,
)
from kiemchung.text import content_hash, normalise
from kiemchung.web.i18n import N_, _, in_languages, translate_in

log = logging.getLogger("kiemchung.tipline")

MAX_TIP_CHARS = 5000
MAX_CONTACT_CHARS = 300
MAX_REASONS = 4
TIPLINE_SOURCE = "tipline"
_CHANNEL = re.compile(r"[^a-z0-9_-]+")
_E164_VN = re.compile(r"\+84\d{8,10}\b")

PRIVACY_NOTICE_VI = N_(
    "Chúng tôi chỉ lưu nội dung tin bạn gửi để kiểm chứng. Chúng tôi không lưu tên, tài khoản mạng xã "
    "hội hay địa chỉ IP của bạn cùng với tin. Thông tin liên hệ (không bắt buộc) chỉ được lưu khi bạn "
    "muốn nhận phản hồi, được cất riêng, chỉ dùng để trả lời bạn và bạn có thể xóa bất cứ lúc nào bằng "
    "đường dẫn xóa chúng tôi cung cấp."
)
PRIVACY_NOTICE_EN = translate_in("en", PRIVACY_NOTICE_VI)
SCAM_ADVICE = in_languages(
    N_(
        "Đừng chuyển tiền. Đừng đọc mã OTP, mật khẩu hay số thẻ cho ai. Đừng bấm vào đường dẫn trong tin. "
        "Gọi thẳng tổng đài chính thức (in trên thẻ hoặc trang web của ngân hàng, cơ quan) để hỏi."
    )
)
SCAM_HEADLINE = {
    "scam": in_languages(N_("Có dấu hiệu lừa đảo")),
    "suspicious": in_languages(N_("Đáng ngờ — hãy cẩn thận")),
}
KIND_LABEL = {
    "url": N_("Liên kết"),
    "domain": N_("Tên miền"),
    "phone": N_("Số điện thoại"),
    "bank_account": N_("Số tài khoản"),
    "ewallet": N_("Ví điện tử"),
}


class TipRejected(ValueError):
    """A tip that cannot be accepted; ``str(err)`` is the bilingual reason."""


@dataclass
class TipResult:
    status: str  # "answered" | "warned" | "received"
    tip_id: int | None
    message: str
    fact_check: FactCheck | None = None
    suggestion: FactCheck | None = None  # close but not the same claim: "có thể liên quan" only
    scam: Any = None  # kiemchung.scam.lookup.CheckResult
    warning: dict[str, Any] | None = None  # ``scam_summary``: verdict, reasons per language
    delete_token: str | None = None
    status_token: str | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    queued: bool = False  # True: call ``process_tip_queue()`` once the transaction has committed

    @property
    def delete_url(self) -> str | None:
        return queries.absolute_url(f"/gui-tin/xoa/{self.delete_token}") if self.delete_token else None

    @property
    def status_url(self) -> str | None:
        return status_url(self.status_token) if self.status_token else None

    @property
    def not_my_question_url(self) -> str | None:
        """Where a bot or app POSTs "not what I asked" (only for automatic answers)."""
        if self.status != "answered" or not self.status_token:
            return None
        return not_answered_api_url(self.status_token)


def status_path(token: str) -> str:
    return f"/gui-tin/trang-thai/{token}"


def status_url(token: str) -> str:
    return queries.absolute_url(status_path(token))


def not_answered_api_url(token: str) -> str:
    return queries.absolute_url(f"/api/v1/tips/{token}/not-answered")


def clean_tip_text(text: str) -> str:
    """Normalised tip text, or ``TipRejected`` when empty or longer than ``MAX_TIP_CHARS``.

    >>> clean_tip_text("  Hoà  bình  ")
    'Hòa bình'
    """
    if len(text) > MAX_TIP_CHARS:
        raise TipRejected(
            _(
                "Nội dung quá dài (tối đa %(max_tip_chars)s ký tự)", max_tip_chars=f"{MAX_TIP_CHARS:,}"
            ).replace(",", ".")
        )
    clean = normalise(text.replace("\x00", ""))
    if not clean:
        raise TipRejected(_("Nội dung trống"))
    return clean


def clean_channel(channel: str | None) -> str:
    """A short machine label (web, api, zalo, messenger ...).

    >>> clean_channel(" Zalo OA! "), clean_channel(None)
    ('zalo-oa', 'web')
    """
    value = _CHANNEL.sub("-", (channel or "").strip().lower()).strip("-")[:40]
    return value or "web"


def vn_phone(value: str) -> str:
    """A phone number the way Vietnamese readers write it.

    >>> vn_phone("+84987654321"), vn_phone("+842838221234"), vn_phone("1900 1234")
    ('0987 654 321', '028 3822 1234', '1900 1234')
    """
    try:
        num = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(num):
        return value
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL))


def vn_phones_in(text: str) -> str:
    """Every +84 number in ``text`` in Vietnamese format.

    >>> vn_phones_in("Số +84987654321 đã bị báo cáo")
    'Số 0987 654 321 đã bị báo cáo'
    """
    return _E164_VN.sub(lambda m: vn_phone(m.group(0)), text)


def _halves(reason: str) -> tuple[str, str]:
    """A reason (a message id or a :class:`~kiemchung.web.i18n.Message`) in Vietnamese and English.

    >>> _halves("Liên kết")
    ('Liên kết', 'Link')
    """
    return translate_in("vi", reason), translate_in("en", reason)


def scam_summary(scam: Any, session: Session | None = None) -> dict[str, Any]:
    """What the reader needs from a scam check: the verdict and one short reason list per language.

    Only indicators that are themselves scam/suspicious give reasons ("not on any list" is no
    reason); phones are shown as 0987 654 321. The indicators are kept for the record.
    """
    from kiemchung.scam.lookup import check

    verdict = str(getattr(scam, "verdict", "unknown"))
    indicators = [dict(i) for i in (getattr(scam, "indicators", None) or [])]
    pairs: list[tuple[str, str]] = []
    sources: list[tuple[dict[str, Any] | None, Any]]
    bad = [i for i in indicators if i.get("verdict") in WARN_VERDICTS]
    if getattr(scam, "kind", "text") != "text" or not bad:
        sources = (
            [(None, r) for r in (getattr(scam, "reasons", None) or [])] if verdict in WARN_VERDICTS else []
        )
    else:
        sources = []
        for bad_ind in bad:
            one = check(str(bad_ind.get("value") or ""), session=session)
            for r in one.reasons if one.verdict in WARN_VERDICTS else []:
                sources.append((bad_ind, r))
    for ind, reason in sources:
        vi, en = (vn_phones_in(h) for h in _halves(reason))
        if ind is not None:
            value = str(ind.get("value") or "")
            shown = vn_phone(value) if ind.get("kind") == "phone" else value
            kind = str(ind.get("kind"))
            label_vi, label_en = _halves(KIND_LABEL.get(kind, kind))
            if shown and shown not in vi and value not in vi:
                vi = f"{label_vi} {shown}: {vi}"
            if shown and shown not in en and value not in en:
                en = f"{label_en} {shown}: {en}"
        if (vi, en) not in pairs:
            pairs.append((vi, en))
    return {
        "verdict": verdict,
        "headline": SCAM_HEADLINE.get(verdict, SCAM_HEADLINE["suspicious"]),
        "reasons": {"vi": [p[0] for p in pairs[:MAX_REASONS]], "en": [p[1] for p in pairs[:MAX_REASONS]]},
        "indicators": [
            {"kind": i.get("kind"), "value": i.get("value"), "verdict": i.get("verdict")} for i in indicators
        ],
    }


def answered_message(fc: FactCheck, token: str | None = None) -> str:
    label = queries.verdict_label(fc.verdict)
    summary = f" {fc.summary.strip()}" if fc.summary.strip() else ""
    back = (
        f" Nếu đây không phải điều bạn hỏi, hãy bấm «Không phải điều tôi hỏi» tại {status_url(token)} "
        "để biên tập viên xem tin của bạn."
        if token
        else ""
    )
    return (
        f"Thông tin này đã được kiểm chứng: «{fc.claim_reviewed}». Kết luận: {label.upper()}.{summary}"
        f" Xem chi tiết: {queries.fact_check_url(fc)}{back}"
    )


def warned_message(warning: dict[str, Any]) -> str:
    """Verdict first, then what to do, then why (Vietnamese, for chatbots to relay)."""
    head = warning["headline"]["vi"].upper()
    reasons = "; ".join(warning["reasons"]["vi"][:3])
    why = f" Lý do: {reasons}." if reasons else ""
    return f"Cảnh báo: {head}. {SCAM_ADVICE['vi']}{why} Kiểm tra thêm tại " + queries.absolute_url(
        "/kiem-tra"
    )


def received_message(
    tip_id: int | None, token: str | None = None, suggestion: FactCheck | None = None
) -> str:
    ref = f" (mã tin #{tip_id})" if tip_id else ""
    related = (
        f" Có thể liên quan (chưa phải câu trả lời cho tin của bạn): «{suggestion.claim_reviewed}» "
        f"{queries.fact_check_url(suggestion)}."
        if suggestion is not None
        else ""
    )
    follow = f" Theo dõi kết quả tại {status_url(token)}" if token else ""
    return (
        f"Cảm ơn bạn đã gửi tin{ref}. Chúng tôi chưa có bài kiểm chứng về đúng nội dung này; tin đã được "
        f"chuyển tới bàn biên tập để xem xét.{related}{follow}"
    )


@dataclass
class EngineDecision:
    answer: int | None = None
    suggest: int | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    failed: bool = False


def _engine_answer(text: str) -> EngineDecision:
    """The engine's answer/suggest decision; a failing engine answers nothing (the tip is kept)."""
    from kiemchung.engine.index import get_index

    try:
        match = get_index().match_fact_checks([text], top=5)[0]
    except Exception:  # the tip must survive an engine outage; the desk gets it later
        log.exception("engine failed on a tip; stored for the next engine pass")
        return EngineDecision(failed=True)
    return EngineDecision(
        int(match.answer) if match.answer is not None else None,
        int(match.suggest) if match.suggest is not None else None,
        float(match.confidence),
        [str(r) for r in match.reasons],
    )


def _scam_check(text: str, session: Session) -> Any:
    from kiemchung.scam.lookup import check

    try:
        return check(text, session=session)
    except Exception:  # no warning then: the tip goes to the desk instead of being lost
        log.exception("scam lookup failed on a tip; sent to the desk")
        return None


def tipline_source(session: Session) -> Source:
    """One tipline source for the desk, whatever an installation named it."""
    from kiemchung.intake.ingest import get_or_create_source

    return session.scalars(
        select(Source).where(Source.kind == SourceKind.tipline).order_by(Source.id).limit(1)
    ).first() or get_or_create_source(session, TIPLINE_SOURCE, kind=SourceKind.tipline)


def enqueue(session: Session, tip: Tip) -> None:
    """Store the tip's text as an Item of kind tip in the tipline source (the claim engine's input)."""
    from kiemchung.intake.ingest import ingest_records

    source = tipline_source(session)
    ingest_records(session, [{"text": tip.text}], source_name=source.name, kind="tip", platform=tip.channel)
    tip.item_id = session.scalar(
        select(Item.id).where(Item.source_id == source.id, Item.content_hash == content_hash(tip.text))
    )
    tip.status = TipStatus.received
    if tip.item_id is not None:  # a repeat of an earlier tip may already have its claim
        tip.claim_id = session.scalar(
            select(ClaimItem.claim_id).where(ClaimItem.item_id == tip.item_id).limit(1)
        )
        if tip.claim_id:
            tip.status = TipStatus.queued


def link_tips_to_claims(session: Session) -> int:
    """Point waiting tips at the claim the engine made of their item; returns how many changed."""
    rows = session.execute(
        select(Tip.id, ClaimItem.claim_id)
        .join(ClaimItem, ClaimItem.item_id == Tip.item_id)
        .where(
            Tip.claim_id.is_(None),
            Tip.item_id.is_not(None),
            Tip.status.in_((TipStatus.received, TipStatus.queued)),
        )
        .order_by(Tip.id, ClaimItem.linked_at)
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
    """Enqueue the claim engine's pass over pending items (new tips among them).

    Call after the tip's transaction has committed (the web routes do, as a background task). The
    pass runs in ``kiemchung worker`` or a web process's consumer thread, never in the request;
    passes are serialised there, so 50 simultaneous tips cost a few passes.
    """
    from kiemchung.jobs import tasks
    from kiemchung.jobs.queue import enqueue

    enqueue(tasks.process_pending)


def handle_tip(
    session: Session,
    text: str,
    channel: str | None,
    contact: str | None = None,
    *,
    image_answer: FactCheck | None = None,
) -> TipResult:
    """Store a tip and decide the reply. ``contact`` only when the tipster asked for a reply.

    ``image_answer``: a published fact-check whose own picture the tip's image is a copy of (PDQ,
    :func:`kiemchung.media.service.pdq_match`); it answers even when the text decides nothing.

    Raises ``TipRejected`` for empty or over-long text. Works in the caller's transaction; when
    ``result.queued``, call ``process_tip_queue()`` after commit so the tip becomes a Claim.
    """
    clean = clean_tip_text(text)
    channel = clean_channel(channel)
    # Read-only decisions first: the engine may load/rebuild its index in its own session, and on
    # SQLite a write lock held here would block it.
    decision = _engine_answer(clean)
    live = {
        fc.id: fc
        for fc in session.scalars(
            select(FactCheck).where(
                FactCheck.id.in_([i for i in (decision.answer, decision.suggest) if i is not None] or [0]),
                FactCheck.status == FactCheckStatus.published,
            )
        )
    }
    fc = live.get(decision.answer) if decision.answer is not None else None
    if image_answer is not None and image_answer.status == FactCheckStatus.published:
        fc = image_answer  # the very picture that was checked
    suggestion = None
    if fc is None:
        # A near miss (or an answer we may not give): shown as "có thể liên quan", never as the answer.
        suggestion = live.get(decision.suggest or 0) or live.get(decision.answer or 0)
    scam = _scam_check(clean, session)
    warn = scam is not None and getattr(scam, "verdict", None) in WARN_VERDICTS
    warning = scam_summary(scam, session) if warn else None

    token = secrets.token_urlsafe(24)
    tip = Tip(text=clean, channel=channel, status=TipStatus.received, answer={}, status_token=token)
    session.add(tip)
    session.flush()

    if fc is not None:
        result = TipResult("answered", tip.id, answered_message(fc, token), fact_check=fc)
        tip.status, tip.fact_check_id = TipStatus.answered, fc.id
    elif warn and warning is not None:
        result = TipResult("warned", tip.id, warned_message(warning), scam=scam, warning=warning)
        tip.status = TipStatus.warned
    else:
        enqueue(session, tip)
        result = TipResult(
            "received",
            tip.id,
            received_message(tip.id, token, suggestion),
            suggestion=suggestion,
            queued=tip.claim_id is None,
        )
    result.status_token = token
    result.confidence, result.reasons = decision.confidence, decision.reasons
    if result.status == "answered" and warn:
        result.scam, result.warning = scam, warning

    if contact and contact.strip():
        delete_token = secrets.token_urlsafe(32)
        session.add(
            TipContact(tip_id=tip.id, contact=contact.strip()[:MAX_CONTACT_CHARS], delete_token=delete_token)
        )
        result.delete_token = delete_token
    tip.answer = {
        "status": result.status,
        "message": result.message,
        "fact_check_id": fc.id if fc else None,
        "suggest_id": suggestion.id if suggestion else None,
        "scam_verdict": warning["verdict"] if warning else None,
        "scam": warning,
        "confidence": decision.confidence,
        "reasons": decision.reasons[:10],
        "engine_failed": decision.failed,
        "wants_reply": bool(result.delete_token),
    }
    session.flush()
    return result


def find_tip(session: Session, token: str) -> Tip | None:
    """The tip behind a status token (None for a malformed or unknown one)."""
    if not token or len(token) > 64:
        return None
    return session.scalars(select(Tip).where(Tip.status_token == token)).first()


class NotAnswerable(ValueError):
    """ "Not what I asked" on a tip that was not answered automatically."""


def mark_not_answered(session: Session, tip: Tip) -> bool:
    """ "Không phải điều tôi hỏi": the automatic answer was wrong for this tip.

    Records the miss (a ``MatchFeedback`` row and an audit event, for calibration), and sends the
    tip to the desk like any received tip (call ``process_tip_queue()`` after commit). Returns
    False when it was already done (a second click changes nothing); raises ``NotAnswerable`` for
    a tip that was never answered automatically.
    """
    answer = dict(tip.answer or {})
    if answer.get("not_my_question"):
        return False
    if tip.status != TipStatus.answered or tip.fact_check_id is None:
        raise NotAnswerable(_("Tin này chưa được trả lời tự động"))
    fc_id = tip.fact_check_id
    session.add(
        MatchFeedback(
            tip_id=tip.id,
            fact_check_id=fc_id,
            kind="not_my_question",
            text=tip.text,
            confidence=answer.get("confidence"),
            reasons=list(answer.get("reasons") or []),
        )
    )
    session.add(
        AuditEvent(
            action="tip.not_my_question",
            entity_type="tip",
            entity_id=tip.id,
            data={"fact_check_id": fc_id, "confidence": answer.get("confidence")},
        )
    )
    tip.fact_check_id = None
    enqueue(session, tip)
    answer.update(
        status="received",
        not_my_question=True,
        answered_fact_check_id=fc_id,
        fact_check_id=None,
        message=received_message(tip.id, tip.status_token),
    )
    tip.answer = answer
    session.flush()
    return True


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
