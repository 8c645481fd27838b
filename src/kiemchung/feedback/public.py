"""Public feedback pages and API.

- ``GET /gop-y`` — the form, and the published threads (filter ``?chu-de=`` topic, ``?tinh=`` province,
  ``?xa=`` a ward/commune of that province);
- ``POST /gop-y`` — send feedback (rate-limited, CSRF, honeypot, size limits); ``POST /api/v1/feedback``;
- ``GET /gop-y/y-kien/{slug}`` — a published thread: status history, official answer, support count;
- ``POST /gop-y/y-kien/{slug}/quan-tam`` — "tôi cũng quan tâm" (``feedback.support``);
- ``GET /gop-y/trang-thai/{token}`` — the sender's own follow-up page (secret link);
- ``GET /gop-y/atom.xml`` — Atom feed of published threads; ``GET /gop-y/thong-ke`` — monthly figures.

Everything public shows citizens' words only through ``feedback.mask`` and never an item held or
hidden by moderation. The optional contact is deleted through the tipline's link ``/gui-tin/xoa/{token}``.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kiemchung import areas
from kiemchung.feedback import departments, service, stats
from kiemchung.feedback.mask import mask
from kiemchung.feedback.replies import thread_path
from kiemchung.feedback.service import KIND_LABELS, STATUS_LABELS, TOPICS, FeedbackError
from kiemchung.feedback.support import support
from kiemchung.public.deps import rate_limit
from kiemchung.public.feeds import ATOM_NS, rfc3339
from kiemchung.public.queries import absolute_url
from kiemchung.settings import get_settings
from kiemchung.store.db import audit
from kiemchung.store.models import FeedbackItem, FeedbackThread, utcnow
from kiemchung.web.deps import PageError, SessionDep
from kiemchung.web.i18n import _, label, request_lang, translate_in
from kiemchung.web.security import client_key, require_csrf
from kiemchung.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["feedback"])

PUBLIC_ITEMS = 5
FIELDS = ("kind", "topic", "province", "ward", "text", "contact")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def labels(lang: str) -> dict[str, Any]:
    return {
        "kind_labels": {k.value: translate_in(lang, v) for k, v in KIND_LABELS.items()},
        "status_labels": {k.value: translate_in(lang, v) for k, v in STATUS_LABELS.items()},
        "topics": {k: translate_in(lang, v) for k, v in TOPICS.items()},
        "departments": {d.slug: d.name(lang) for d in departments.all_departments()},
    }


def people(session: Session, thread_ids: list[int]) -> dict[int, int]:
    """{thread id: how many of its items may be shown}: the public "N người góp ý" leaves out the
    items held or hidden by moderation (the desk still sees ``item_count``, every item)."""
    rows = session.execute(
        select(FeedbackItem.thread_id, func.count())
        .where(FeedbackItem.thread_id.in_(thread_ids or [0]), FeedbackItem.moderation == "ok")
        .group_by(FeedbackItem.thread_id)
    ).all()
    return {tid: n for tid, n in rows if tid is not None}


def thread_view(session: Session, t: FeedbackThread) -> dict[str, Any]:
    """What the public may see of a thread: masked texts of shown items, public events, the answer."""
    texts = [
        mask(i.text)
        for i in session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.thread_id == t.id, FeedbackItem.moderation == "ok")
            .order_by(FeedbackItem.id)
            .limit(PUBLIC_ITEMS)
        )
    ]
    answer = service.published_answer(t)
    return {
        "thread": t,
        "title": mask(t.title),
        "texts": texts,
        "people": people(session, [t.id]).get(t.id, 0),
        "history": [e for e in t.events if e.public],
        "answer": answer,
        "answer_department": departments.get(answer.department if answer else None),
    }


def published(
    session: Session, *, topic: str = "", province: int | None = None, ward: int | None = None
) -> list[FeedbackThread]:
    q = (
        select(FeedbackThread)
        .where(FeedbackThread.published_at.is_not(None))
        .order_by(FeedbackThread.last_item_at.desc())
        .limit(100)
    )
    if topic in TOPICS:
        q = q.where(FeedbackThread.topic == topic)
    if province:
        q = q.where(FeedbackThread.province_code == province)
    if ward:
        q = q.where(service.in_ward(ward, shown_only=True))
    return list(session.scalars(q))


def _form_ctx(request: Request, session: Session, **extra: Any) -> dict[str, Any]:
    lang = request_lang(request, get_settings().default_lang)
    topic = request.query_params.get("chu-de", "")
    province, ward = service.area_filter(
        _int(request.query_params.get("tinh")), _int(request.query_params.get("xa"))
    )
    form = extra.pop("form", {})
    threads = published(session, topic=topic, province=province, ward=ward)
    return (
        {
            "provinces": areas.provinces(),
            "wards": areas.wards(form["province"]) if form.get("province") else [],
            "area_source": areas.SOURCE,
            "threads": threads,
            "people": people(session, [t.id for t in threads]),
            "filter_topic": topic,
            "filter_province": province,
            "filter_ward": ward,
            "filter_wards": areas.wards(province) if province else [],
            "form": form,
            "error": None,
            "sent": None,
            "max_text": service.MAX_TEXT_CHARS,
            "min_text": service.MIN_TEXT_CHARS,
        }
        | labels(lang)
        | extra
    )


@router.get("/gop-y", response_class=HTMLResponse)
def feedback_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "feedback/index.html", _form_ctx(request, session))


# The ward filters of the lists: (id prefix, query parameter) for ``?cho=``.
WARD_FILTERS = {"loc": ("f", "xa"), "desk": ("q", "ward")}


@router.get("/gop-y/phuong-xa", response_class=HTMLResponse)
def ward_options(request: Request, province: str = "", tinh: str = "", cho: str = "") -> HTMLResponse:
    """The ward <select> of a province (htmx): the form's, or with ``?cho=loc`` the public list's
    filter (its province select sends ``tinh``) and with ``?cho=desk`` the desk queue's."""
    code = _int(province or tinh)
    wards = areas.wards(code) if code else []
    if cho in WARD_FILTERS:
        prefix, param = WARD_FILTERS[cho]
        ctx = {"wards": wards, "prefix": prefix, "param": param, "ward_sel": None}
        return render(request, "feedback/_ward_filter.html", ctx)
    return render(request, "feedback/_wards.html", {"wards": wards, "form": {}})


@router.post("/gop-y", response_class=HTMLResponse, dependencies=[Depends(rate_limit), Depends(require_csrf)])
async def feedback_submit(request: Request, session: SessionDep) -> Response:
    """Post/redirect/get: a stored item redirects to its follow-up page."""
    from kiemchung.media.web import upload_bytes

    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "")[: service.MAX_TEXT_CHARS * 2] for k in FIELDS}
    values["province"], values["ward"] = _int(values["province"]), _int(values["ward"])
    image = await upload_bytes(form.get("photo"))
    # Async only to read the form and the photo: every database call below runs in a worker thread.
    if str(form.get("website") or "").strip():  # honeypot: a bot; recorded, nothing of it stored
        await run_in_threadpool(audit, session, "feedback.honeypot", entity_type="feedback_item")
        return render(request, "feedback/sent.html", {"bot": True, "result": None})

    def work() -> service.Received:
        return service.accept(  # stored now; put in a thread by a job after the commit
            session,
            kind=values["kind"],
            topic=values["topic"],
            province_code=values["province"],
            ward_code=values["ward"],
            text=values["text"],
            contact=values["contact"],
            image=image,
            channel="web",
        )

    try:
        result = await run_in_threadpool(work)
    except FeedbackError as exc:
        ctx = await run_in_threadpool(_form_ctx, request, session, form=values, error=exc.key)
        raise PageError(render(request, "feedback/index.html", ctx, status_code=422)) from exc
    url = f"/gop-y/trang-thai/{result.item.status_token}"
    if result.delete_token:
        request.session["fb_delete"] = result.delete_token  # shown once on the next page
    return RedirectResponse(url, status_code=303)


@router.get("/gop-y/trang-thai/{token}", response_class=HTMLResponse)
def follow_page(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    item = (
        session.scalars(select(FeedbackItem).where(FeedbackItem.status_token == token)).first()
        if 0 < len(token) <= 64
        else None
    )
    if item is None:
        raise HTTPException(404)
    lang = request_lang(request, get_settings().default_lang)
    delete_token = request.session.pop("fb_delete", None) if "session" in request.scope else None
    # Until the clustering job has run the item has no thread yet: the page says it is being sorted.
    view = thread_view(session, item.thread) if item.thread is not None else None
    ctx = {"v": view, "item": item, "delete_token": delete_token} | labels(lang)
    return render(request, "feedback/follow.html", ctx)


def _published_thread(session: Session, slug: str) -> FeedbackThread:
    t = session.scalars(select(FeedbackThread).where(FeedbackThread.slug == slug)).first()
    if t is None or t.published_at is None:
        raise HTTPException(404, _("Không tìm thấy ý kiến này."))
    return t


@router.get("/gop-y/y-kien/{slug}", response_class=HTMLResponse)
def thread_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    t = _published_thread(session, slug)
    lang = request_lang(request, get_settings().default_lang)
    supported = request.query_params.get("quan-tam")
    ctx = {"v": thread_view(session, t), "supported": supported} | labels(lang)
    return render(request, "feedback/thread.html", ctx)


@router.post("/gop-y/y-kien/{slug}/quan-tam", dependencies=[Depends(rate_limit), Depends(require_csrf)])
def thread_support(request: Request, slug: str, session: SessionDep) -> Response:
    t = _published_thread(session, slug)
    counted = support(session, t, client_key(request), request.headers.get("user-agent", ""))
    return RedirectResponse(f"{thread_path(t)}?quan-tam={'1' if counted else '0'}#quan-tam", status_code=303)


def atom(session: Session) -> bytes:
    s = get_settings()
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, tag, attrs)
        if text is not None:
            el.text = text
        return el

    threads = published(session)
    feed_url = absolute_url("/gop-y/atom.xml")
    sub(root, "id", feed_url)
    sub(root, "title", f"{_('Góp ý, hiến kế cho thành phố')} — {s.org_name}")
    sub(root, "link", href=feed_url, rel="self", type="application/atom+xml")
    sub(root, "link", href=absolute_url("/gop-y"), rel="alternate", type="text/html")
    stamps = [_updated(t) for t in threads]
    sub(root, "updated", rfc3339(max(stamps) if stamps else utcnow()))
    sub(sub(root, "author"), "name", s.org_name)
    for t in threads:
        v = thread_view(session, t)
        url = absolute_url(thread_path(t))
        e = sub(root, "entry")
        sub(e, "id", url)
        sub(e, "title", v["title"])
        sub(e, "link", href=url, rel="alternate", type="text/html")
        sub(e, "published", rfc3339(t.published_at or t.created_at))
        sub(e, "updated", rfc3339(_updated(t)))
        status = STATUS_LABELS[t.status]  # the feed is Vietnamese
        body = f"{status} · {t.area_name} · {v['people']} người góp ý cùng vấn đề."
        if v["answer"] is not None:
            body += "\n\nTrả lời chính thức: " + v["answer"].body
        sub(e, "content", body, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _updated(t: FeedbackThread) -> Any:
    stamps = [t.published_at or t.created_at, t.answered_at or t.created_at]
    stamps += [e.at for e in t.events if e.public]
    return max(stamps)


@router.get("/gop-y/atom.xml")
def feedback_atom(session: SessionDep) -> Response:
    return Response(atom(session), media_type="application/atom+xml; charset=utf-8")


@router.get("/gop-y/thong-ke", response_class=HTMLResponse)
def stats_page(request: Request, session: SessionDep, thang: str = "") -> HTMLResponse:
    month = thang or stats.current_month()
    try:
        data = stats.monthly(session, month)
    except ValueError as exc:
        raise HTTPException(404) from exc
    lang = request_lang(request, get_settings().default_lang)
    ctx = {"d": data, "months": stats.recent_months(), "fmt_days": lambda x: stats.fmt_days(x, lang)}
    return render(request, "feedback/stats.html", ctx)


# ---------------------------------------------------------------- JSON


class FeedbackIn(BaseModel):
    kind: str = Field(description="`issue` (góp ý về một vấn đề), `idea` (hiến kế), `report` (phản ánh).")
    topic: str = Field(description="Topic slug: " + ", ".join(TOPICS))
    province_code: int = Field(description="Province code (one of the 34 units in force since 1 July 2025).")
    ward_code: int | None = Field(None, description="Ward code in that province (optional).")
    text: str = Field(max_length=service.MAX_TEXT_CHARS * 2)
    contact: str = Field("", max_length=service.MAX_CONTACT_CHARS * 2, description="Optional, kept apart.")
    photo_base64: str | None = Field(
        None, description="Optional JPEG/PNG/WebP, base64; metadata is stripped."
    )
    channel: str = Field("api", max_length=40)


class FeedbackOut(BaseModel):
    id: int
    thread_id: int | None = Field(
        description="Always null here: the item is sorted into a thread by a background job after "
        "the request (usually within seconds); `status_url` shows the thread then."
    )
    joined_existing: bool | None = Field(description="Always null here (see `thread_id`).")
    flagged_for_moderation: bool
    status_url: str
    delete_contact_url: str | None


@api_router.post("/feedback", response_model=FeedbackOut, dependencies=[Depends(rate_limit)], status_code=201)
def api_feedback(body: FeedbackIn, session: SessionDep) -> FeedbackOut:
    """Send feedback (góp ý), a proposed solution (hiến kế) or a report (phản ánh), as the `/gop-y` form does."""
    photo = None
    if body.photo_base64:
        try:
            photo = base64.b64decode(body.photo_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise HTTPException(422, _("Ảnh không hợp lệ hoặc quá lớn.")) from exc
    try:
        r = service.accept(  # stored now; put in a thread by a job after the commit
            session,
            kind=body.kind,
            topic=body.topic,
            province_code=body.province_code,
            ward_code=body.ward_code,
            text=body.text,
            contact=body.contact,
            image=photo,
            channel=body.channel or "api",
        )
    except FeedbackError as exc:
        raise HTTPException(exc.status if exc.status != 400 else 422, label(exc.key)) from exc
    return FeedbackOut(
        id=r.item.id,
        thread_id=None,  # sorted into a thread by the job once this request has committed
        joined_existing=None,
        flagged_for_moderation=bool(r.flagged),
        status_url=absolute_url(f"/gop-y/trang-thai/{r.item.status_token}"),
        delete_contact_url=absolute_url(f"/gui-tin/xoa/{r.delete_token}") if r.delete_token else None,
    )
