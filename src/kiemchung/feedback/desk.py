"""Desk routes of the feedback queue, ``/desk/gop-y``: separate from the claims queue.

Viewers read; editors route, change status, write notes and answers, merge and split threads,
moderate items and publish; the answer's approver must be a second editor (``service.review_answer``).
Every handler is a plain ``def`` taking its form fields as ``Form`` parameters, so FastAPI runs it,
database work included, in a worker thread; the role dependency has checked the CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung import areas
from kiemchung.desk.auth import WRITE
from kiemchung.feedback import service
from kiemchung.feedback.public import labels
from kiemchung.feedback.service import FeedbackError
from kiemchung.settings import get_settings
from kiemchung.store import models
from kiemchung.web.deps import CurrentUser, Editor, PageError, SessionDep, flash, or_404, page, redirect
from kiemchung.web.i18n import N_, _, request_lang

router = APIRouter(prefix="/desk", include_in_schema=False)


def _lang(request: Request) -> str:
    return request_lang(request, get_settings().default_lang)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


@router.get("/gop-y", response_class=HTMLResponse)
def feedback_queue(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    kind: str = "",
    topic: str = "",
    province: str = "",
    ward: str = "",
    status: str = "",
) -> HTMLResponse:
    """The queue; ``?province=1&ward=70`` narrows it to a ward, offered once a province is chosen."""
    prov, wd = service.area_filter(_int(province), _int(ward))
    rows = service.queue(db, kind=kind, topic=topic, province=prov, ward=wd, status=status)
    ctx = {
        "rows": rows,
        "f": {"kind": kind, "topic": topic, "province": prov, "ward": wd, "status": status},
        "provinces": areas.provinces(),
        "wards": areas.wards(prov) if prov else [],
        "to_review": service.answers_to_review(db, user) if user.role in WRITE else [],
        "can_write": user.role in WRITE,
    } | labels(_lang(request))
    return page(request, "feedback/desk_queue.html", ctx)


@router.get("/gop-y/{thread_id}", response_class=HTMLResponse)
def feedback_thread(request: Request, thread_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    with or_404():
        ctx = service.thread_context(db, thread_id)
    ctx |= labels(_lang(request)) | {"can_write": user.role in WRITE, "me": user}
    return page(request, "feedback/desk_thread.html", ctx)


ANSWER_DONE = {
    "submit": N_("Đã gửi duyệt."),
    "return": N_("Đã trả lại cho người viết."),
    "approve": N_("Đã duyệt và đăng câu trả lời; người gửi có liên hệ sẽ nhận được thư."),
}


def _act(request: Request, back: str, fn: Callable[[], object], done_key: str) -> Response:
    """Run one service call; a refusal goes back with its message (and the request rolls back)."""
    try:
        with or_404():
            fn()
    except FeedbackError as exc:
        flash(request, exc.key, "error")
        raise PageError(redirect(back)) from exc
    flash(request, done_key)
    return redirect(back)


def _back(thread_id: int) -> str:
    return f"/desk/gop-y/{thread_id}"


def _send_mail(background: BackgroundTasks) -> None:
    """Queue the outbox delivery after the commit: a job, not work in the web process."""
    from kiemchung.jobs import tasks
    from kiemchung.jobs.queue import enqueue

    background.add_task(enqueue, tasks.deliver_replies)


@router.post("/gop-y/{thread_id}/route")
def feedback_route(
    request: Request,
    thread_id: int,
    user: Editor,
    db: SessionDep,
    background: BackgroundTasks,
    department: str = Form(""),
) -> Response:
    resp = _act(
        request,
        _back(thread_id),
        lambda: service.route(db, thread_id, user, department),
        N_("Đã chuyển tới cơ quan phụ trách."),
    )
    _send_mail(background)
    return resp


@router.post("/gop-y/{thread_id}/status")
def feedback_status(
    request: Request,
    thread_id: int,
    user: Editor,
    db: SessionDep,
    status: str = Form(""),
    reason: str = Form(""),
) -> Response:
    return _act(
        request,
        _back(thread_id),
        lambda: service.set_status(db, thread_id, user, status, reason),
        N_("Đã đổi trạng thái."),
    )


@router.post("/gop-y/{thread_id}/notes")
def feedback_note(
    request: Request, thread_id: int, user: Editor, db: SessionDep, text: str = Form("")
) -> Response:
    return _act(
        request, _back(thread_id), lambda: service.add_note(db, thread_id, user, text), N_("Đã thêm ghi chú.")
    )


@router.post("/gop-y/{thread_id}/answers")
def feedback_answer(
    request: Request,
    thread_id: int,
    user: Editor,
    db: SessionDep,
    body: str = Form(""),
    answer_id: str = Form(""),
    then: str = Form(""),
) -> Response:
    def work() -> None:
        ans = service.save_answer(db, thread_id, user, body=body, answer_id=_int(answer_id))
        if then == "submit":
            service.review_answer(db, thread_id, ans.id, "submit", user)

    return _act(request, _back(thread_id), work, N_("Đã gửi duyệt.") if then == "submit" else N_("Đã lưu."))


@router.post("/gop-y/{thread_id}/answers/{answer_id}/{action}")
def feedback_review(
    request: Request,
    thread_id: int,
    answer_id: int,
    action: str,
    user: Editor,
    db: SessionDep,
    background: BackgroundTasks,
) -> Response:
    if action == "approve":
        _send_mail(background)  # the answer to every contact of the thread
    return _act(
        request,
        _back(thread_id),
        lambda: service.review_answer(db, thread_id, answer_id, action, user),
        ANSWER_DONE.get(action, N_("Đã lưu.")),
    )


@router.post("/gop-y/{thread_id}/publish")
def feedback_publish(
    request: Request,
    thread_id: int,
    user: Editor,
    db: SessionDep,
    title: str = Form(""),
    publish: str = Form("1"),
) -> Response:
    on = publish != "0"
    return _act(
        request,
        _back(thread_id),
        lambda: service.publish(db, thread_id, user, title=title, publish=on),
        N_("Đã đăng công khai.") if on else N_("Đã gỡ khỏi trang công khai."),
    )


@router.post("/gop-y/{thread_id}/merge")
def feedback_merge(
    request: Request, thread_id: int, user: Editor, db: SessionDep, into: str = Form("")
) -> Response:
    target = _int(into) or 0
    try:
        with or_404():
            service.merge(db, thread_id, target, user)
    except FeedbackError as exc:
        flash(request, exc.key, "error")
        raise PageError(redirect(_back(thread_id))) from exc
    flash(request, _("Đã gộp."))
    return redirect(_back(target))


@router.post("/gop-y/items/{item_id}/split")
def feedback_split(request: Request, item_id: int, user: Editor, db: SessionDep) -> Response:
    with or_404():
        t = service.split(db, item_id, user)
    flash(request, _("Đã tách thành vấn đề riêng."))
    return redirect(_back(t.id))


@router.post("/gop-y/items/{item_id}/moderate")
def feedback_moderate(
    request: Request,
    item_id: int,
    user: Editor,
    db: SessionDep,
    action: str = Form(""),
    reason: str = Form(""),
) -> Response:
    item = db.get(models.FeedbackItem, item_id)
    back = _back(item.thread_id) if item is not None and item.thread_id else "/desk/gop-y"
    return _act(
        request,
        back,
        lambda: service.moderate(db, item_id, user, action, reason),
        N_("Đã lưu quyết định kiểm duyệt."),
    )
