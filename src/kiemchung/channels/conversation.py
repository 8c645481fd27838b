"""The chat conversation: a short menu, then the tipline's own answer, warning or receipt.

Button payloads (the same on every platform): ``#menu``, ``#check``, ``#link``, ``#feedback``,
``#recent`` and ``#notmine:<status token>`` ("Không phải điều tôi hỏi").

A message starting with "Góp ý", "Hiến kế" or "Phản ánh" (with or without a picture) is citizens'
feedback of that kind: it goes to the feedback desk through ``feedback.service.accept``, like the
``/gop-y`` form, with the province and ward/commune the text names and the sender's pseudonymous
channel key as its contact, so the official answer comes back on the same chat. The conversation
keeps no state between messages (a sender's channel contact is deleted as soon as nothing is owed
to it), so the "Góp ý" button asks for the prefix rather than taking the next message as feedback.

>>> feedback_text("Góp ý: đèn đường hỏng"), feedback_text("gop y - ổ gà"), feedback_text("Góp ý")
('đèn đường hỏng', 'ổ gà', '')
>>> feedback_of("Hiến kế: trồng cây ven kênh"), feedback_of("phan anh, rác ở chợ")
(('idea', 'trồng cây ven kênh'), ('report', 'rác ở chợ'))
>>> feedback_text("Kiểm tra giúp tin này") is None
True
"""

from __future__ import annotations

import re
import threading
import unicodedata

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
from kiemchung.store.models import (
    FactCheck,
    FactCheckStatus,
    FeedbackAnswer,
    FeedbackItem,
    FeedbackThread,
    MediaImage,
    Tip,
    TipContact,
)
from kiemchung.text import fold
from kiemchung.web.security import RateLimiter

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
    "#feedback": (
        "Hãy gửi MỘT tin nhắn bắt đầu bằng «Góp ý:» (một vấn đề), «Hiến kế:» (một giải pháp) hoặc "
        "«Phản ánh:» (một sự việc), nêu rõ nơi xảy ra (phố, phường/xã, tỉnh/thành), có thể kèm một "
        "ảnh. Ví dụ: «Góp ý: Đèn đường ngõ 7 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội hỏng cả tuần». "
        "Tin nhắn không bắt đầu bằng một trong ba chữ đó sẽ được hiểu là tin cần kiểm tra. Khi có trả "
        "lời chính thức, chúng tôi nhắn lại bạn tại đây."
    ),
}
GREETING_WORDS = {"hi", "hello", "chào", "xin chào", "menu", "bắt đầu", "/start", "start", "help", "/help"}
# "Góp ý", "Hiến kế", "Phản ánh" (the three kinds of the /gop-y form), also typed without (or with
# other) diacritics, then an optional ":" or dash; matched on the folded text, which keeps its length
_FEEDBACK = re.compile(
    r"^\s*(gop\s*y(?:\s*kien)?|hien\s*ke|phan\s*anh)(?!\w)\s*[:：\-–—,.]?\s*", re.IGNORECASE
)
_FEEDBACK_KINDS = {"gopy": "issue", "gopykien": "issue", "hienke": "idea", "phananh": "report"}


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
    said = feedback_of(text)
    if said is not None:  # before the picture: a photo captioned "Góp ý: ..." is feedback too
        return _feedback(session, msg, sender, said, image), False
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
    try:
        result = handle_tip(session, text, msg.platform, contact_label(msg.platform, sender))
    except TipRejected as exc:
        return [menu(str(exc))], False
    return _tip_reply(session, result)


def feedback_of(text: str) -> tuple[str, str] | None:
    """(kind, feedback) of a message starting with "Góp ý", "Hiến kế" or "Phản ánh", else None."""
    text = unicodedata.normalize("NFC", text)
    m = _FEEDBACK.match(fold(text))
    if m is None:
        return None
    return _FEEDBACK_KINDS[re.sub(r"\s+", "", m.group(1).lower())], text[m.end() :].strip()


def feedback_text(text: str) -> str | None:
    """The feedback in a message starting with one of the feedback words (removed), else None."""
    got = feedback_of(text)
    return got[1] if got else None


_limiters: dict[tuple[str, str, int], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _feedback_limiter() -> RateLimiter:
    """The form's per-client budget (``rate_limit_per_minute``), counted per chat sender."""
    from kiemchung.settings import get_settings

    s = get_settings()
    key = (s.queue_name, s.resolved_rate_limit_storage, s.rate_limit_per_minute)
    with _limiters_lock:
        if key not in _limiters:
            _limiters[key] = RateLimiter(
                s.rate_limit_per_minute,
                name=f"{s.queue_name}:feedback-chat",
                storage=s.resolved_rate_limit_storage,
            )
        return _limiters[key]


def _feedback(
    session: Session, msg: IncomingMessage, sender: str, said: tuple[str, str], image: MediaImage | None
) -> list[OutgoingMessage]:
    """A feedback message to the feedback desk (``feedback.service.accept``, as the form does)."""
    from kiemchung import areas
    from kiemchung.feedback.service import FeedbackError, accept
    from kiemchung.web.i18n import translate_in

    kind, body = said

    label = contact_label(msg.platform, sender)
    limiter = _feedback_limiter()
    if not limiter.hit(label):
        wait = limiter.retry_after(label)
        return [menu(f"Bạn gửi quá nhanh, vui lòng thử lại sau {wait} giây.")]
    if not body and image is None:
        return [OutgoingMessage(PROMPTS["#feedback"])]
    # the province the text names, and the ward/commune in it ("phường X", "xã Y"), if any
    province = areas.find_province(body)
    place = areas.find_ward(body, province)
    try:
        got = accept(
            session,
            kind=kind,
            topic="",  # the desk sets it; chat has no topic field
            province_code=place[0] if place else province,
            ward_code=place[1] if place else None,
            text=body,
            contact=label,
            image=image,
            channel=msg.platform,
            place_required=False,
        )
    except FeedbackError as exc:
        return [menu(f"{translate_in('vi', exc.key)} {PROMPTS['#feedback']}")]
    item = got.item
    delete = queries.absolute_url(f"/gui-tin/xoa/{got.delete_token}") if got.delete_token else ""
    return [
        OutgoingMessage(
            f"Cảm ơn bạn! Góp ý của bạn đã được tiếp nhận (mã #{item.id}) và sẽ được biên tập viên "
            "chuyển tới cơ quan phụ trách. Khi có trả lời chính thức, chúng tôi sẽ nhắn lại bạn tại "
            f"đây.\nTheo dõi: {queries.absolute_url(f'/gop-y/trang-thai/{item.status_token}')}"
            + (
                f"\nXóa thông tin liên lạc của bạn (khi đó bạn không nhận được trả lời): {delete}"
                if delete
                else ""
            ),
            [MENU[2], MENU[0]],
        )
    ]


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


ANSWER_EXCERPT = 1200  # with the title and the link, within Zalo and Messenger's 2000 characters


def feedback_answer_reply(t: FeedbackThread, ans: FeedbackAnswer, item: FeedbackItem) -> OutgoingMessage:
    """The later reply on the chat, once the desk's official answer to the sender's feedback is out."""
    from kiemchung.feedback.replies import thread_path

    body = ans.body.strip()
    if len(body) > ANSWER_EXCERPT:
        body = body[:ANSWER_EXCERPT].rsplit(" ", 1)[0] + "…"
    page = thread_path(t) if t.published_at is not None else f"/gop-y/trang-thai/{item.status_token}"
    others = f"\n{t.item_count} người đã góp ý cùng vấn đề." if t.item_count > 1 else ""
    return OutgoingMessage(
        f"Góp ý của bạn đã có trả lời chính thức.\nVấn đề: «{t.title}»{others}\nTrả lời: {body}\n"
        f"Xem đầy đủ: {queries.absolute_url(page)}\n"
        "Thông tin liên lạc của bạn đã được xóa sau tin nhắn này.",
        [MENU[0]],
    )
