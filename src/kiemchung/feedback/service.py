"""Feedback services: receive an item, cluster it, and the desk's work on a thread.

    got = accept(session, kind="issue", topic="giao-thong", province_code=1, ward_code=70,
                 text="Ổ gà lớn trước số 12 phố ...", contact="an@example.vn")
    # stored at once; after the commit the ``cluster_feedback`` job runs cluster_item(...):
    result = cluster_item(session, got.item.id)
    result.decision        # "join" | "suggest" | "new"
    route(session, thread_id, user, "so-xay-dung")             # received -> forwarded
    answer = save_answer(session, thread_id, editor, body="...")
    review_answer(session, thread_id, answer.id, "submit", editor)
    review_answer(session, thread_id, answer.id, "approve", second_editor)   # -> answered
    publish(session, thread_id, user)

Every refusal is a :class:`FeedbackError` carrying a key of the string catalogue
(``feedback.strings``), so the page or the API says it in the reader's language.

>>> first_sentence("Ổ gà rất sâu trước chợ. Xe máy ngã nhiều lần!")
'Ổ gà rất sâu trước chợ'
>>> thread_slug(7, "Ổ gà rất sâu trước chợ Hôm")
'7-o-ga-rat-sau-truoc-cho-hom'
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from kiemchung import areas
from kiemchung.desk.auth import WRITE
from kiemchung.feedback import abuse, departments
from kiemchung.feedback.cluster import Group, Similarity, assign
from kiemchung.feedback.mask import mask
from kiemchung.store import models
from kiemchung.store.db import NotFound, audit
from kiemchung.store.models import (
    FactCheckStatus,
    FeedbackAnswer,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
    FeedbackThread,
    MediaImage,
    TipContact,
    utcnow,
)
from kiemchung.text import fold, normalise, sentences
from kiemchung.web.i18n import N_, translate_in

log = logging.getLogger("kiemchung.feedback")

MIN_TEXT_CHARS = 15
MAX_TEXT_CHARS = 3000
MAX_CONTACT_CHARS = 300
MAX_NOTE_CHARS = 3000
MAX_ANSWER_CHARS = 10_000
CANDIDATE_THREADS = 300
ITEMS_PER_THREAD = 10

KIND_LABELS = {
    FeedbackKind.issue: N_("Góp ý về một vấn đề"),
    FeedbackKind.idea: N_("Hiến kế một giải pháp"),
    FeedbackKind.report: N_("Phản ánh sự việc"),
}
STATUS_LABELS = {
    FeedbackStatus.received: N_("Đã tiếp nhận"),
    FeedbackStatus.forwarded: N_("Đã chuyển cơ quan phụ trách"),
    FeedbackStatus.handling: N_("Đang xử lý"),
    FeedbackStatus.answered: N_("Đã trả lời"),
    FeedbackStatus.declined: N_("Không xử lý"),
}
TOPICS: dict[str, str] = {
    "giao-thong": N_("Giao thông"),
    "do-thi": N_("Đô thị và xây dựng"),
    "moi-truong": N_("Môi trường"),
    "dien-nuoc": N_("Điện và nước"),
    "y-te": N_("Y tế"),
    "giao-duc": N_("Giáo dục"),
    "an-ninh": N_("An ninh trật tự"),
    "thu-tuc": N_("Thủ tục hành chính"),
    "khac": N_("Khác"),
}
# Manual status changes an editor may make (forwarding goes through ``route``; "answered" only
# through the approval of an official answer).
TRANSITIONS = {
    FeedbackStatus.received: {FeedbackStatus.handling, FeedbackStatus.declined},
    FeedbackStatus.forwarded: {FeedbackStatus.handling, FeedbackStatus.declined},
    FeedbackStatus.handling: {FeedbackStatus.declined},
    FeedbackStatus.answered: set(),
    FeedbackStatus.declined: {FeedbackStatus.received},
}


class FeedbackError(Exception):
    """A refused input or action; ``key`` names the message in the string catalogue."""

    def __init__(self, key: str, status: int = 400) -> None:
        super().__init__(key)
        self.key = key
        self.status = status


def topic_name(slug: str | None, lang: str = "vi") -> str:
    pair = TOPICS.get(slug or "")
    return "" if pair is None else translate_in(lang, pair)


def first_sentence(text: str, limit: int = 140) -> str:
    """The text's first sentence without its final mark, cut at a word near ``limit``."""
    parts = sentences(text)
    first = (parts[0] if parts else text).strip().rstrip(".!?…").strip()
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + "…"
    return first


def placeholder_title(kind: FeedbackKind, area_name: str) -> str:
    """A thread's title while none of its items may be shown: its kind and place, no citizen's words.

    >>> placeholder_title(FeedbackKind.report, "Thành phố Hà Nội")
    'Phản ánh sự việc — Thành phố Hà Nội'
    """
    kind_name = KIND_LABELS[kind]
    return f"{kind_name} — {area_name}" if area_name else kind_name


def _item_title(item: FeedbackItem) -> str:
    return mask(first_sentence(item.text))


def default_title(t: FeedbackThread, items: list[FeedbackItem]) -> str:
    """The first sentence of the first item that may be shown (never one held or hidden by
    moderation), masked; the kind and place when there is none yet."""
    for i in sorted(items, key=lambda i: i.id):
        if i.moderation == "ok":
            return _item_title(i)
    return placeholder_title(t.kind, t.area_name)


def refresh_title(session: Session, t: FeedbackThread) -> None:
    """Replace an automatic title that no longer fits the thread's shown items.

    The kind-and-place placeholder gives way once an item may be shown; the words of an item now
    held or hidden give way to the next shown item's. A title the editor wrote stays. The slug is
    not changed: links already sent (the answer's e-mail) keep working.
    """
    session.flush()
    items = list(session.scalars(select(FeedbackItem).where(FeedbackItem.thread_id == t.id)))
    shown = {_item_title(i) for i in items if i.moderation == "ok"}
    withheld = {_item_title(i) for i in items if i.moderation != "ok"}
    if t.title == placeholder_title(t.kind, t.area_name) or (t.title in withheld and t.title not in shown):
        t.title = default_title(t, items)


def thread_slug(thread_id: int, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60].strip("-")
    return f"{thread_id}-{base}" if base else str(thread_id)


# ---------------------------------------------------------------- receiving


@dataclass
class Received:
    """An item stored by :func:`receive`, not yet in a thread (``cluster_item`` puts it in one)."""

    item: FeedbackItem
    delete_token: str | None
    flagged: list[str]


@dataclass
class SubmitResult:
    item: FeedbackItem
    thread: FeedbackThread
    decision: str  # join | suggest | new
    score: float
    delete_token: str | None
    flagged: list[str]


def _validate(
    kind: str,
    topic: str,
    province_code: int | None,
    ward_code: int | None,
    text: str,
    contact: str,
    *,
    place_required: bool = True,
) -> str:
    """The cleaned text, or a :class:`FeedbackError`. Without ``place_required`` (a chat message)
    the topic and the province may be empty; when given they must still be valid."""
    if kind not in FeedbackKind.__members__:
        raise FeedbackError(N_("Hãy chọn loại ý kiến."))
    if topic not in TOPICS and (place_required or topic):
        raise FeedbackError(N_("Hãy chọn lĩnh vực."))
    if (province_code is None and place_required) or (
        province_code is not None and areas.province_name(province_code) is None
    ):
        raise FeedbackError(N_("Hãy chọn tỉnh/thành phố."))
    if ward_code is not None and areas.ward_name(province_code, ward_code) is None:
        raise FeedbackError(N_("Phường/xã không thuộc tỉnh/thành đã chọn."))
    if len(text) > MAX_TEXT_CHARS:
        raise FeedbackError(N_("Nội dung quá dài."))
    clean = normalise(text.replace("\x00", ""))
    if len(clean) < MIN_TEXT_CHARS:
        raise FeedbackError(N_("Nội dung quá ngắn, hãy mô tả rõ hơn."))
    if len(contact) > MAX_CONTACT_CHARS:
        raise FeedbackError(N_("Thông tin liên hệ quá dài."))
    return clean


def _groups(session: Session, sim: Similarity, province_code: int | None) -> list[Group]:
    """The open threads of the province, newest first, with their items' vectors (computed once)."""
    threads = session.scalars(
        select(FeedbackThread)
        .where(
            FeedbackThread.province_code == province_code,
            FeedbackThread.status != FeedbackStatus.declined,
        )
        .order_by(FeedbackThread.last_item_at.desc())
        .limit(CANDIDATE_THREADS)
    ).all()
    by_thread: dict[int, list[FeedbackItem]] = {t.id: [] for t in threads}
    for item in session.scalars(  # one query; the newest items of each thread are kept
        select(FeedbackItem)
        .where(FeedbackItem.thread_id.in_(list(by_thread) or [0]), FeedbackItem.moderation != "hidden")
        .order_by(FeedbackItem.id.desc())
    ):
        kept = by_thread[item.thread_id]  # type: ignore[index]
        if len(kept) < ITEMS_PER_THREAD:
            kept.append(item)
    if sim.method != "lexical":  # embed what has no stored vector yet, once, and keep it on the row
        dim = getattr(sim.embedder, "dim", 0)
        missing = [
            i for items in by_thread.values() for i in items if not i.embedding or len(i.embedding) != dim
        ]
        for i, e in zip(missing, sim.embed([i.text for i in missing]), strict=True):
            i.embedding = e
    groups = []
    for t in threads:
        items = by_thread[t.id]
        vectors = sim.vectors(
            [i.text for i in items], None if sim.method == "lexical" else [i.embedding for i in items]
        )
        groups.append(Group(t.id, t.province_code, t.ward_code, vectors))
    return groups


def receive(
    session: Session,
    *,
    kind: str,
    topic: str,
    province_code: int | None,
    ward_code: int | None,
    text: str,
    contact: str = "",
    image: bytes | MediaImage | None = None,
    channel: str = "web",
    place_required: bool = True,
) -> Received:
    """Store one feedback item as sent, outside any thread: checks, abuse flag, picture, contact.

    Cheap (no embedding): the web form, the API and the chat channels call it through
    :func:`accept`, which leaves the clustering to a job. ``image`` is the raw upload, or a picture
    a chat channel already fetched and read (``media.service.read_image``).
    """
    contact = contact.strip()
    clean = _validate(kind, topic, province_code, ward_code, text, contact, place_required=place_required)
    image_row = None
    if isinstance(image, MediaImage):
        from kiemchung.media.service import keep_image

        image_row = keep_image(session, image)  # already checked and stripped of its metadata
    elif image:
        from kiemchung.media.intake import ImageRejected
        from kiemchung.media.service import save_image

        try:  # checked, re-encoded without EXIF/metadata, stored once per content hash
            image_row = save_image(session, image, run_ocr=False)
        except ImageRejected as exc:
            raise FeedbackError(N_("Ảnh không hợp lệ hoặc quá lớn.")) from exc
    flagged = abuse.flag_terms(clean)
    item = FeedbackItem(
        kind=FeedbackKind(kind),
        topic=topic,
        province_code=province_code,
        ward_code=ward_code,
        text=clean,
        channel=channel[:40] or "web",
        image_id=image_row.id if image_row is not None else None,
        flag_terms=flagged,
        moderation="held" if flagged else "ok",
        received_at=utcnow(),
    )
    session.add(item)
    session.flush()
    token = None
    if contact:
        token = secrets.token_urlsafe(32)
        session.add(TipContact(feedback_id=item.id, contact=contact, delete_token=token))
        session.flush()
    audit(session, "feedback.receive", item, data={"channel": item.channel, "flagged": flagged})
    return Received(item, token, flagged)


def cluster_item(session: Session, item_id: int, sim: Similarity | None = None) -> SubmitResult | None:
    """Put a received item in a thread (see ``feedback.cluster``): embed it, join or start one.

    Safe to run twice: an item already in a thread (or gone) is left alone and None returned.
    An item joining a thread whose official answer is out is owed that answer at once.
    """
    item = session.get(FeedbackItem, item_id)
    if item is None or item.thread_id is not None:
        return None
    sim = sim or Similarity()
    province_code, ward_code, clean = item.province_code, item.ward_code, item.text
    embedding = sim.embed([clean])[0] if sim.method != "lexical" else None
    vector = sim.vectors([clean], None if embedding is None else [embedding])[0]
    decision, group, score = assign(
        sim, vector, province_code, ward_code, _groups(session, sim, province_code)
    )
    now = utcnow()
    item.embedding = embedding
    item.score = round(score, 4) if group is not None else None
    if decision == "join" and group is not None:
        thread = session.get(FeedbackThread, group.key)
        assert thread is not None
    else:
        area_name = areas.area_label(province_code, ward_code)
        thread = FeedbackThread(
            slug=secrets.token_hex(8),  # replaced below once the id is known
            # never the words of an item held for moderation: they wait for a moderator
            title=_item_title(item) if item.moderation == "ok" else placeholder_title(item.kind, area_name),
            kind=item.kind,
            topic=item.topic,
            province_code=province_code,
            ward_code=ward_code,
            area_name=area_name,
            created_at=item.received_at or now,
            last_item_at=now,
        )
        session.add(thread)
        session.flush()
        thread.slug = thread_slug(thread.id, thread.title)
        thread.events.append(
            FeedbackEvent(
                kind="status", status=FeedbackStatus.received.value, public=True, at=item.received_at or now
            )
        )
        if decision == "suggest" and group is not None:
            item.suggested_thread_id = group.key
    item.thread_id = thread.id
    thread.item_count = (thread.item_count or 0) + 1
    thread.last_item_at = now
    refresh_title(session, thread)  # a first shown item replaces a placeholder title
    answer = published_answer(thread)
    if answer is not None and session.scalar(select(TipContact.id).where(TipContact.feedback_id == item.id)):
        from kiemchung.feedback.replies import enqueue_answer  # joined a thread already answered

        enqueue_answer(session, thread, answer)
    audit(
        session,
        "feedback.cluster",
        item,
        data={"thread": thread.id, "decision": decision, "score": round(score, 4)},
    )
    return SubmitResult(item, thread, decision, score, None, list(item.flag_terms or []))


def accept(
    session: Session,
    *,
    kind: str,
    topic: str,
    province_code: int | None,
    ward_code: int | None,
    text: str,
    contact: str = "",
    image: bytes | MediaImage | None = None,
    channel: str = "web",
    place_required: bool = True,
) -> Received:
    """:func:`receive` now, :func:`cluster_item` in the ``cluster_feedback`` job after the commit.

    What the form, the API and the chat channels call: no engine work inside their request.
    """
    from kiemchung.jobs import tasks
    from kiemchung.jobs.queue import enqueue_after_commit

    got = receive(
        session,
        kind=kind,
        topic=topic,
        province_code=province_code,
        ward_code=ward_code,
        text=text,
        contact=contact,
        image=image,
        channel=channel,
        place_required=place_required,
    )
    enqueue_after_commit(session, tasks.cluster_feedback, [got.item.id])
    return got


def submit(
    session: Session,
    *,
    kind: str,
    topic: str,
    province_code: int | None,
    ward_code: int | None,
    text: str,
    contact: str = "",
    image: bytes | MediaImage | None = None,
    channel: str = "web",
    sim: Similarity | None = None,
) -> SubmitResult:
    """Store one feedback item and put it in a thread at once (CLI, imports, tests; a web request
    calls :func:`accept` instead)."""
    got = receive(
        session,
        kind=kind,
        topic=topic,
        province_code=province_code,
        ward_code=ward_code,
        text=text,
        contact=contact,
        image=image,
        channel=channel,
    )
    result = cluster_item(session, got.item.id, sim)
    assert result is not None
    result.delete_token = got.delete_token
    return result


def cluster_pending(session: Session, ids: list[int] | None = None, sim: Similarity | None = None) -> int:
    """Cluster these items (every item still outside a thread when ``None``), one commit each;
    returns how many were placed. The ``cluster_feedback`` job and the minute's sweep call it."""
    q = select(FeedbackItem.id).where(FeedbackItem.thread_id.is_(None)).order_by(FeedbackItem.id)
    if ids is not None:
        q = q.where(FeedbackItem.id.in_(ids or [0]))
    todo = list(session.scalars(q))
    done = 0
    for item_id in todo:
        sim = sim or Similarity()  # the embedder is loaded only when there is work
        done += cluster_item(session, item_id, sim) is not None
        session.commit()
    return done


# ---------------------------------------------------------------- the desk


def get_thread(session: Session, thread_id: int) -> FeedbackThread:
    t = session.get(FeedbackThread, thread_id)
    if t is None:
        raise NotFound(thread_id)
    return t


def area_filter(province: int | None, ward: int | None) -> tuple[int | None, int | None]:
    """A list's (province, ward) filter: the ward only counts as one of the chosen province's.

    A ward left over from another province (a form sent without JavaScript after the province was
    changed) is dropped rather than matching nothing.

    >>> area_filter(1, 70), area_filter(79, 70), area_filter(None, 70)
    ((1, 70), (79, None), (None, None))
    """
    return province, ward if province and ward and areas.ward_name(province, ward) else None


def in_ward(ward: int, *, shown_only: bool = False) -> ColumnElement[bool]:
    """Threads of a ward: placed there, or holding an item sent from there.

    A thread started by an item naming no ward gathers that province's items whatever their ward
    (``cluster.same_place``), so the thread's own ward alone would miss them. ``shown_only`` counts
    only items the public may see.
    """
    items = select(FeedbackItem.id).where(
        FeedbackItem.thread_id == FeedbackThread.id, FeedbackItem.ward_code == ward
    )
    if shown_only:
        items = items.where(FeedbackItem.moderation == "ok")
    return or_(FeedbackThread.ward_code == ward, items.exists())


def queue(
    session: Session,
    *,
    kind: str = "",
    topic: str = "",
    province: int | None = None,
    ward: int | None = None,
    status: str = "",
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Threads for the desk, the most recently active first, with the filters applied."""
    q = select(FeedbackThread).order_by(FeedbackThread.last_item_at.desc()).limit(limit)
    if kind in FeedbackKind.__members__:
        q = q.where(FeedbackThread.kind == FeedbackKind(kind))
    if topic:
        q = q.where(FeedbackThread.topic == topic)
    if province:
        q = q.where(FeedbackThread.province_code == province)
    if ward:
        q = q.where(in_ward(ward))
    if status in FeedbackStatus.__members__:
        q = q.where(FeedbackThread.status == FeedbackStatus(status))
    threads = session.scalars(q).all()
    ids = [t.id for t in threads]
    held = dict(
        session.execute(  # type: ignore[arg-type]
            select(FeedbackItem.thread_id, func.count())
            .where(FeedbackItem.thread_id.in_(ids or [0]), FeedbackItem.moderation == "held")
            .group_by(FeedbackItem.thread_id)
        ).all()
    )
    suggested = dict(
        session.execute(  # type: ignore[arg-type]
            select(FeedbackItem.thread_id, func.count())
            .where(FeedbackItem.thread_id.in_(ids or [0]), FeedbackItem.suggested_thread_id.is_not(None))
            .group_by(FeedbackItem.thread_id)
        ).all()
    )
    return [{"thread": t, "held": held.get(t.id, 0), "suggested": suggested.get(t.id, 0)} for t in threads]


def thread_context(session: Session, thread_id: int) -> dict[str, Any]:
    t = get_thread(session, thread_id)
    items = list(t.items)
    suggestions = []
    for i in items:
        if i.suggested_thread_id and i.suggested_thread_id != t.id:
            other = session.get(FeedbackThread, i.suggested_thread_id)
            if other is not None:
                suggestions.append({"item": i, "thread": other})
    users = {u.id: u for u in session.scalars(select(models.User))}
    contacts = set(
        session.scalars(
            select(TipContact.feedback_id).where(TipContact.feedback_id.in_([i.id for i in items] or [0]))
        )
    )
    return {
        "thread": t,
        "items": items,
        "events": list(reversed(t.events)),
        "answers": list(t.answers),
        "suggestions": suggestions,
        "users": users,
        "contacts": contacts,
        "departments_list": departments.all_departments(),
        "department": departments.get(t.department),
        "next_statuses": sorted(TRANSITIONS[t.status], key=lambda s: list(FeedbackStatus).index(s)),
    }


def _event(
    t: FeedbackThread,
    user: models.User,
    kind: str,
    *,
    status: str | None = None,
    text: str = "",
    public: bool,
) -> FeedbackEvent:
    ev = FeedbackEvent(kind=kind, status=status, text=text, public=public, user_id=user.id, at=utcnow())
    t.events.append(ev)
    return ev


def route(session: Session, thread_id: int, user: models.User, department: str) -> FeedbackThread:
    """Forward the thread to a department: status "forwarded", and an e-mail to its address."""
    t = get_thread(session, thread_id)
    dept = departments.get(department)
    if dept is None:
        raise FeedbackError(N_("Hãy chọn một cơ quan trong danh sách."))
    if t.status in (FeedbackStatus.answered, FeedbackStatus.declined):
        raise FeedbackError(N_("Vấn đề này đã khép lại."), 409)
    old = t.status
    t.department = dept.slug
    t.status = FeedbackStatus.forwarded
    ev = _event(t, user, "route", status=FeedbackStatus.forwarded.value, text=dept.slug, public=True)
    session.flush()
    from kiemchung.feedback.replies import enqueue_forward

    enqueue_forward(session, t, dept, ev)
    audit(session, "feedback.route", t, user_id=user.id, data={"old": old.value, "department": dept.slug})
    return t


def set_status(
    session: Session, thread_id: int, user: models.User, status: str, reason: str = ""
) -> FeedbackThread:
    t = get_thread(session, thread_id)
    if status not in FeedbackStatus.__members__ or FeedbackStatus(status) not in TRANSITIONS[t.status]:
        raise FeedbackError(N_("Không thể chuyển sang trạng thái đó."), 409)
    new = FeedbackStatus(status)
    reason = normalise(reason)[:MAX_NOTE_CHARS]
    if new == FeedbackStatus.declined and not reason:
        raise FeedbackError(N_("Cần ghi lý do."))
    old = t.status
    t.status = new
    t.decline_reason = reason if new == FeedbackStatus.declined else None
    _event(t, user, "status", status=new.value, text=reason, public=True)
    audit(session, "feedback.status", t, user_id=user.id, data={"old": old.value, "new": new.value})
    return t


def add_note(session: Session, thread_id: int, user: models.User, text: str) -> FeedbackEvent:
    """An internal note: seen on the desk only, never on the public page."""
    t = get_thread(session, thread_id)
    text = text.replace("\r\n", "\n").strip()[:MAX_NOTE_CHARS]
    if not text:
        raise FeedbackError(N_("Ghi chú trống."))
    ev = _event(t, user, "note", text=text, public=False)
    session.flush()
    audit(session, "feedback.note", t, user_id=user.id, data={"event": ev.id})
    return ev


def published_answer(t: FeedbackThread) -> FeedbackAnswer | None:
    done = [a for a in t.answers if a.status == FactCheckStatus.published]
    return done[-1] if done else None


def save_answer(
    session: Session, thread_id: int, user: models.User, *, body: str, answer_id: int | None = None
) -> FeedbackAnswer:
    """Write a new official answer draft or edit a draft (the saver becomes its author)."""
    t = get_thread(session, thread_id)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise FeedbackError(N_("Câu trả lời trống."))
    if len(body) > MAX_ANSWER_CHARS:
        raise FeedbackError(N_("Câu trả lời quá dài."))
    if answer_id is None:
        ans = FeedbackAnswer(thread_id=t.id, department=t.department)
        t.answers.append(ans)
    else:
        ans = _answer(t, answer_id)
        if ans.status != FactCheckStatus.draft:
            raise FeedbackError(N_("Chỉ sửa hoặc gửi duyệt được bản nháp."), 409)
    ans.body = body
    ans.author_id = user.id
    ans.department = t.department
    session.flush()
    audit(session, "feedback_answer.save", ans, user_id=user.id, data={"thread": t.id})
    return ans


def _answer(t: FeedbackThread, answer_id: int) -> FeedbackAnswer:
    for a in t.answers:
        if a.id == answer_id:
            return a
    raise NotFound(answer_id)


def review_answer(
    session: Session, thread_id: int, answer_id: int, action: str, user: models.User
) -> FeedbackAnswer:
    """submit | return | approve. Approval by an editor other than the author publishes the answer,
    marks the thread answered and owes it to every contact of the thread (reply outbox)."""
    t = get_thread(session, thread_id)
    ans = _answer(t, answer_id)
    old = ans.status
    now = utcnow()
    if action == "submit":
        if old != FactCheckStatus.draft:
            raise FeedbackError(N_("Chỉ sửa hoặc gửi duyệt được bản nháp."), 409)
        ans.status, ans.submitted_at = FactCheckStatus.in_review, now
    elif action == "return":
        if old != FactCheckStatus.in_review:
            raise FeedbackError(N_("Câu trả lời không ở trạng thái chờ duyệt."), 409)
        ans.status = FactCheckStatus.draft
    elif action == "approve":
        if old != FactCheckStatus.in_review:
            raise FeedbackError(N_("Câu trả lời không ở trạng thái chờ duyệt."), 409)
        if user.role not in WRITE:
            raise FeedbackError(N_("Chỉ biên tập viên được duyệt."), 403)
        if user.id == ans.author_id:
            raise FeedbackError(N_("Người duyệt phải là biên tập viên thứ hai, không phải người viết."), 403)
        if t.status == FeedbackStatus.declined:
            raise FeedbackError(N_("Vấn đề này đã khép lại."), 409)
        for other in t.answers:  # one official answer in force: an earlier one is superseded
            if other is not ans and other.status == FactCheckStatus.published:
                other.status = FactCheckStatus.retracted
        ans.status, ans.approver_id, ans.published_at = FactCheckStatus.published, user.id, now
        t.status, t.answered_at = FeedbackStatus.answered, now
        _event(t, user, "status", status=FeedbackStatus.answered.value, public=True)
        session.flush()
        from kiemchung.feedback.replies import enqueue_answer

        enqueue_answer(session, t, ans)
    else:
        raise FeedbackError(N_("Thao tác không hợp lệ."))
    audit(
        session,
        f"feedback_answer.{action}",
        ans,
        user_id=user.id,
        data={"thread": t.id, "old": old.value, "new": ans.status.value},
    )
    return ans


def answers_to_review(session: Session, user: models.User) -> list[tuple[FeedbackAnswer, FeedbackThread]]:
    """Answers waiting for a second editor (not ``user``'s own), oldest first."""
    rows = session.execute(
        select(FeedbackAnswer, FeedbackThread)
        .join(FeedbackThread, FeedbackThread.id == FeedbackAnswer.thread_id)
        .where(FeedbackAnswer.status == FactCheckStatus.in_review)
        .order_by(FeedbackAnswer.submitted_at)
    ).all()
    return [(a, t) for a, t in rows if a.author_id != user.id]


def publish(
    session: Session, thread_id: int, user: models.User, *, title: str = "", publish: bool = True
) -> FeedbackThread:
    """Show the thread on the public site (or take it down); the editor may give it a neutral title."""
    t = get_thread(session, thread_id)
    title = " ".join(title.split())[:300]
    if title:
        t.title = mask(title)
    if publish and t.published_at is None:
        t.published_at = utcnow()
    elif not publish:
        t.published_at = None
    audit(session, "feedback.publish" if publish else "feedback.unpublish", t, user_id=user.id)
    return t


def merge(session: Session, thread_id: int, into_id: int, user: models.User) -> FeedbackThread:
    """Move every item of ``thread_id`` into ``into_id`` (an editor accepting a suggestion)."""
    src, dst = get_thread(session, thread_id), get_thread(session, into_id)
    if src.id == dst.id:
        raise FeedbackError(N_("Không thể gộp một vấn đề vào chính nó."))
    moved = [i.id for i in src.items]
    for i in list(src.items):
        i.thread_id = dst.id
        i.suggested_thread_id = None
    dst.item_count = (dst.item_count or 0) + len(moved)
    dst.last_item_at = max(dst.last_item_at, src.last_item_at)
    dst.support_count += src.support_count
    _event(dst, user, "note", text=f"#{src.id} → #{dst.id}", public=False)
    audit(session, "feedback.merge", dst, user_id=user.id, data={"from": src.id, "items": moved})
    session.flush()  # the items are in ``dst`` before ``src`` (now empty) goes
    session.expire(src)
    session.delete(src)
    session.flush()
    refresh_title(session, dst)
    return dst


def split(session: Session, item_id: int, user: models.User) -> FeedbackThread:
    """Take an item out of its thread into a new thread of its own (a wrong automatic join)."""
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(item_id)
    old = item.thread
    if old is not None and old.item_count <= 1:
        return old
    now = utcnow()
    area_name = areas.area_label(item.province_code, item.ward_code)
    t = FeedbackThread(
        slug=secrets.token_hex(8),
        title=_item_title(item) if item.moderation == "ok" else placeholder_title(item.kind, area_name),
        kind=item.kind,
        topic=item.topic,
        province_code=item.province_code,
        ward_code=item.ward_code,
        area_name=area_name,
        created_at=item.received_at,
        last_item_at=now,
        item_count=1,
    )
    session.add(t)
    session.flush()
    t.slug = thread_slug(t.id, t.title)
    t.events.append(FeedbackEvent(kind="status", status="received", public=True, at=item.received_at))
    if old is not None:
        old.item_count -= 1
    item.thread_id, item.suggested_thread_id = t.id, None
    if old is not None:
        refresh_title(session, old)  # its title may have been this item's words
    audit(
        session, "feedback.split", item, user_id=user.id, data={"from": old.id if old else None, "to": t.id}
    )
    return t


def moderate(
    session: Session, item_id: int, user: models.User, action: str, reason: str = ""
) -> FeedbackItem:
    """release (shown again) | hide (kept, never shown publicly). Nothing is ever deleted."""
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(item_id)
    if action not in ("release", "hide"):
        raise FeedbackError(N_("Thao tác không hợp lệ."))
    reason = normalise(reason)[:500]
    if action == "hide" and not reason:
        raise FeedbackError(N_("Cần ghi lý do."))
    old = item.moderation
    item.moderation = "ok" if action == "release" else "hidden"
    if item.thread is not None:
        refresh_title(session, item.thread)
    audit(
        session,
        f"feedback.{action}",
        item,
        user_id=user.id,
        data={"old": old, "new": item.moderation, "reason": reason, "terms": list(item.flag_terms or [])},
    )
    return item
