"""The chat conversation: a short menu, then the tipline's own answer, warning or receipt.

Button payloads (the same on every platform): ``#menu``, ``#check``, ``#link``, ``#feedback``,
``#recent`` and ``#notmine:<status token>`` ("Không phải điều tôi hỏi").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.channels.base import Button, IncomingMessage, OutgoingMessage
from kiemchung.media.tips import handle_read_image_tip
from kiemchung.public import queries
from kiemchung.public.tipline import (
    TipRejected,
    TipResult,
    find_tip,
    handle_tip,
    mark_not_answered,
    status_url,
)
from kiemchung.store.models import AuditEvent, FactCheck, FactCheckStatus, MediaImage, Tip, TipContact

MENU = [
    Button("Kiểm tra một tin", "#check"),
    Button("Link, số điện thoại", "#link"),
    Button("Góp ý", "#feedback"),
    Button("Tin đã kiểm chứng", "#recent"),
]
GREETING = (
    "Chào bạn! Đây là Bàn Kiểm Chứng. Gửi cho chúng tôi một tin bạn nghi ngờ, một đường link hay số "
    "điện thoại lạ, chúng tôi sẽ kiểm tra giúp bạn. Bạn muốn làm gì?"
)
PROMPTS = {
    "#check": "Hãy gửi nguyên văn tin bạn muốn kiểm tra (chép cả đoạn, kèm nguồn nếu có).",
    "#link": "Hãy gửi đường link hoặc số điện thoại bạn nghi ngờ, kèm lời nhắn bạn nhận được.",
    "#feedback": "Hãy viết góp ý của bạn, bắt đầu bằng «Góp ý:». Cảm ơn bạn!",
}
GREETING_WORDS = {"hi", "hello", "chào", "xin chào", "menu", "bắt đầu", "/start", "start", "help", "/help"}
FEEDBACK_PREFIX = "góp ý"
MAX_FEEDBACK = 2000


def menu(text: str = GREETING) -> OutgoingMessage:
    return OutgoingMessage(text, list(MENU))


def recent(session: Session, n: int = 5) -> OutgoingMessage:
    fcs = session.scalars(
        select(FactCheck)
        .where(FactCheck.status == FactCheckStatus.published)
        .order_by(FactCheck.published_at.desc(), FactCheck.id.desc())
        .limit(n)
    ).all()
    if not fcs:
        return menu("Chưa có bài kiểm chứng nào được đăng. Bạn có thể gửi tin để chúng tôi kiểm tra.")
    lines = [
        f"• {fc.claim_reviewed} — {queries.verdict_label(fc.verdict).upper()}\n  {queries.fact_check_url(fc)}"
        for fc in fcs
    ]
    return OutgoingMessage("Tin đã kiểm chứng gần đây:\n" + "\n".join(lines), [MENU[0]])


def contact_label(platform: str, key: str) -> str:
    """What a chat tip's ``TipContact.contact`` holds: the channel and the sender's pseudonym."""
    return f"{platform}:{key}"


def respond(
    session: Session, msg: IncomingMessage, sender: str, image: MediaImage | None = None
) -> tuple[list[OutgoingMessage], bool]:
    """The replies to one incoming message, and whether the tip queue should run after commit.

    ``image`` is the message's picture, already fetched and read (``channels.media``): it goes the
    image-tip way (its OCR text, or a known copy of a checked picture, decides the answer)."""
    if msg.kind == "follow":
        return [menu()], False
    if msg.kind == "postback":
        return _postback(session, msg, sender)
    text = msg.text.strip()
    if image is not None:
        try:
            result, _ = handle_read_image_tip(
                session, image, text, msg.platform, contact_label(msg.platform, sender)
            )
        except TipRejected as exc:
            return [menu(str(exc))], False
        return _tip_reply(session, result)
    if not text:
        if msg.kind == "image":
            return [
                menu(
                    "Chúng tôi đã nhận ảnh của bạn. Hãy gửi kèm vài dòng mô tả hoặc chép lại nội dung "
                    "trong ảnh để chúng tôi kiểm tra được."
                )
            ], False
        return [menu()], False
    if text.lower().strip(" !.") in GREETING_WORDS:
        return [menu()], False
    if text.lower().startswith(FEEDBACK_PREFIX):
        session.add(
            AuditEvent(
                action="channel.feedback",
                entity_type="channel",
                entity_id=None,
                data={"channel": msg.platform, "text": text[:MAX_FEEDBACK]},
            )
        )
        return [menu("Cảm ơn góp ý của bạn! Chúng tôi sẽ đọc kỹ.")], False
    try:
        result = handle_tip(session, text, msg.platform, contact_label(msg.platform, sender))
    except TipRejected as exc:
        return [menu(str(exc))], False
    return _tip_reply(session, result)


def _tip_reply(session: Session, result: TipResult) -> tuple[list[OutgoingMessage], bool]:
    buttons: list[Button] = []
    if result.status == "answered" and result.status_token:
        buttons.append(
            Button("Không phải điều tôi hỏi", f"#notmine:{result.status_token}", "Không phải ý tôi hỏi")
        )
    if result.status == "warned" and result.tip_id is not None:
        # a warning is the whole answer: no later reply is owed, so the contact goes now
        session.query(TipContact).filter(TipContact.tip_id == result.tip_id).delete()
    buttons.append(MENU[0])
    return [OutgoingMessage(_chat_text(result.message), buttons)], result.queued


def _chat_text(message: str) -> str:
    """The tipline's message without the web-only "bấm ... tại <url>" instruction (chat has a button)."""
    cut = message.find(" Nếu đây không phải điều bạn hỏi")
    return message[:cut] if cut > 0 else message


def _postback(session: Session, msg: IncomingMessage, sender: str) -> tuple[list[OutgoingMessage], bool]:
    payload = msg.payload
    if payload in PROMPTS:
        return [OutgoingMessage(PROMPTS[payload])], False
    if payload == "#recent":
        return [recent(session)], False
    if payload.startswith("#notmine:"):
        tip = find_tip(session, payload.split(":", 1)[1])
        label = contact_label(msg.platform, sender)
        owns = tip is not None and session.scalar(
            select(TipContact.id).where(TipContact.tip_id == tip.id, TipContact.contact == label)
        )
        if tip is None or not owns:
            return [menu("Không tìm thấy tin này. Bạn có thể gửi lại tin cần kiểm tra.")], False
        try:
            changed = mark_not_answered(session, tip)
        except ValueError:
            changed = False
        if not changed and tip.answer.get("not_my_question") is not True:
            return [menu("Tin này đã được chuyển tới biên tập viên.")], False
        return [
            OutgoingMessage(
                "Cảm ơn bạn. Tin đã được chuyển tới biên tập viên; khi có bài kiểm chứng, chúng tôi sẽ "
                f"nhắn lại bạn tại đây. Theo dõi: {status_url(tip.status_token or '')}",
                [MENU[0]],
            )
        ], True
    return [menu()], False


def published_reply(fc: FactCheck, tip: Tip) -> OutgoingMessage:
    """The later reply on the chat, once the tipster's claim is checked."""
    label = queries.verdict_label(fc.verdict).upper()
    excerpt = tip.text if len(tip.text) <= 200 else tip.text[:200] + "…"
    summary = f"\n{fc.summary.strip()}" if fc.summary.strip() else ""
    return OutgoingMessage(
        f"Tin bạn gửi đã được kiểm chứng.\nBạn hỏi: «{excerpt}»\nKết luận: {label} — «{fc.claim_reviewed}»"
        f"{summary}\nĐọc bài: {queries.fact_check_url(fc)}",
        [MENU[0]],
    )
