"""Public site pages: home, fact-check list/detail, topics, search, methodology, corrections,
about and the tipline form. Feeds and the JSON API live in ``feeds.py`` and ``api.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kiemchung.media.tips import handle_image_tip
from kiemchung.media.web import upload_bytes
from kiemchung.public import queries, views
from kiemchung.public.claimreview import claim_review, script_tag
from kiemchung.public.deps import not_my_question, rate_limit
from kiemchung.public.feeds import router as feeds_router
from kiemchung.public.strings import VERDICT_DESCRIPTIONS
from kiemchung.public.tipline import (
    MAX_CONTACT_CHARS,
    MAX_TIP_CHARS,
    PRIVACY_NOTICE_VI,
    SCAM_ADVICE,
    TipRejected,
    delete_contact,
    find_contact,
    find_tip,
    handle_tip,
    process_tip_queue,
    status_path,
)
from kiemchung.public.tipstatus import asked_about, tip_view
from kiemchung.store.models import (
    VERDICT_RATING,
    Correction,
    FactCheck,
    FactCheckStatus,
    Source,
    Verdict,
)
from kiemchung.topics import topic_label
from kiemchung.web.deps import PageError, SessionDep
from kiemchung.web.i18n import N_, _, request_lang
from kiemchung.web.security import require_csrf
from kiemchung.web.templating import render, templates

router = APIRouter(include_in_schema=False)
# Helpers every public template may call (the environment is shared, hence the pub_ prefix).
templates.env.globals.update(
    pub_verdict_label=queries.verdict_label,
    pub_topic_slug=queries.topic_slug,
    pub_shown_topics=queries.shown_topics,
    pub_fc_path=queries.fact_check_path,
    pub_verdicts=list(Verdict),
    pub_rating=VERDICT_RATING,
    pub_verdict_descriptions=VERDICT_DESCRIPTIONS,
    pub_max_tip=MAX_TIP_CHARS,
)
router.include_router(feeds_router)
PER_PAGE = 20


def _page_exists(result: queries.Page) -> None:
    """``?page=99`` of a three-page list is a missing page, not "49 fact-checks" above an empty list."""
    if result.page > result.pages:
        raise HTTPException(404, N_("Không có trang này trong danh sách."))


def _verdict(value: str | None) -> Verdict | None:
    try:
        return Verdict(value) if value else None
    except ValueError:
        return None


def _common() -> dict[str, Any]:
    return {}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    ctx = _common() | {
        "latest": queries.latest(session, 6),
        "most_read": queries.most_read(session, 5),
        "topics": queries.topics(session)[:12],
        "max_tip": MAX_TIP_CHARS,
    }
    return render(request, "public/home.html", ctx)


@router.get("/kiem-chung", response_class=HTMLResponse)
def fact_check_list(
    request: Request,
    session: SessionDep,
    verdict: str | None = None,
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    v = _verdict(verdict)
    result = queries.list_page(session, verdict=v, page=page, per_page=PER_PAGE)
    _page_exists(result)
    ctx = _common() | {"result": result, "verdict": v, "base": "/kiem-chung", "heading": None}
    return render(request, "public/list.html", ctx)


@router.get("/chu-de/{topic}", response_class=HTMLResponse)
def topic_page(
    request: Request,
    session: SessionDep,
    topic: str,
    verdict: str | None = None,
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    slug = queries.topic_slug(topic)
    names = {s: name for name, s, _ in queries.topics(session)}
    if slug not in names:
        raise HTTPException(404, _("Không có chủ đề này"))
    v = _verdict(verdict)
    result = queries.list_page(session, verdict=v, topic=slug, page=page, per_page=PER_PAGE)
    _page_exists(result)
    ctx = _common() | {
        "result": result,
        "verdict": v,
        "base": f"/chu-de/{slug}",
        "heading": topic_label(names[slug], request_lang(request)),
    }
    return render(request, "public/list.html", ctx)


@router.get("/tim-kiem", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=500),
    verdict: str | None = None,
) -> HTMLResponse:
    results = queries.search(session, q, verdict=_verdict(verdict)) if q.strip() else []
    ctx = _common() | {"q": q, "results": results[:50], "total": len(results)}
    return render(request, "public/search.html", ctx)


@router.get("/kiem-chung/{slug}", response_class=HTMLResponse)
def fact_check_detail(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    fc = queries.get_public(session, slug=slug)
    if fc is None:
        raise HTTPException(404, _("Không tìm thấy bài kiểm chứng"))
    retracted = fc.status == FactCheckStatus.retracted
    source = session.get(Source, fc.claim_source_id) if fc.claim_source_id else None
    if not retracted:
        views.count_view(fc.id)  # in memory: a page view never waits for, or fails on, a write
    # A retracted verdict must not keep circulating as structured data, so no ClaimReview then.
    jsonld = None if retracted else script_tag(claim_review(fc, source))
    appearance = fc.claim_appearance_url if source is not None and source.registered else None
    ctx = _common() | {
        "fc": fc,
        "asked": asked_about(session, fc),
        "retracted": retracted,
        "jsonld": jsonld,
        "source": source,
        "appearance": appearance,
        "related": queries.related(session, fc),
    }
    return render(request, "public/detail.html", ctx)


@router.get("/phuong-phap", response_class=HTMLResponse)
def methodology(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "public/methodology.html", _common())


def corrections_log(session: Session) -> list[dict[str, Any]]:
    """Corrections on public fact-checks and retractions, newest first."""
    entries: list[dict[str, Any]] = []
    rows = session.execute(
        select(Correction, FactCheck)
        .join(FactCheck, Correction.fact_check_id == FactCheck.id)
        .where(FactCheck.status.in_(queries.PUBLIC_STATUSES))
    ).all()
    for corr, fc in rows:
        entries.append({"kind": "correction", "at": corr.created_at, "note": corr.note, "fc": fc})
    for fc in session.scalars(select(FactCheck).where(FactCheck.status == FactCheckStatus.retracted)):
        at = fc.retracted_at or fc.updated_at
        entries.append({"kind": "retraction", "at": at, "note": fc.retraction_note or "", "fc": fc})
    entries.sort(key=lambda e: e["at"] or datetime.min, reverse=True)
    return entries


@router.get("/dinh-chinh", response_class=HTMLResponse)
def corrections(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "public/corrections.html", _common() | {"entries": corrections_log(session)})


@router.get("/gioi-thieu", response_class=HTMLResponse)
def about(request: Request) -> HTMLResponse:
    return render(request, "public/about.html")


def _tip_ctx(**extra: Any) -> dict[str, Any]:
    return {
        "max_tip": MAX_TIP_CHARS,
        "max_contact": MAX_CONTACT_CHARS,
        "privacy": PRIVACY_NOTICE_VI,
        "form": {"text": "", "contact": "", "want_reply": False},
        "error": None,
        "result": None,
    } | extra


@router.get("/gui-tin", response_class=HTMLResponse)
def tip_form(request: Request) -> HTMLResponse:
    return render(request, "public/tip.html", _tip_ctx())


@router.post(
    "/gui-tin", response_class=HTMLResponse, dependencies=[Depends(rate_limit), Depends(require_csrf)]
)
async def tip_submit(request: Request, session: SessionDep, background: BackgroundTasks) -> Response:
    """Post/redirect/get: a stored tip redirects to its status page, so a reload never sends it twice."""
    form = await request.form()
    text = str(form.get("text") or "")
    image = await upload_bytes(form.get("image"))
    want_reply = form.get("want_reply") in ("1", "on", "true")
    contact = str(form.get("contact") or "")[: MAX_CONTACT_CHARS * 2]
    values = {"text": text[: MAX_TIP_CHARS * 2], "contact": contact, "want_reply": want_reply}
    if str(form.get("website") or "").strip():
        # Honeypot filled: a bot. Look like success, store nothing.
        return render(request, "public/tip.html", _tip_ctx(result={"status": "received", "bot": True}))
    if want_reply and len(contact.strip()) > MAX_CONTACT_CHARS:
        return render(
            request,
            "public/tip.html",
            _tip_ctx(
                form=values,
                error=_(
                    "Thông tin liên hệ quá dài (≤ %(max_contact_chars)s)", max_contact_chars=MAX_CONTACT_CHARS
                ),
            ),
            status_code=422,
        )
    if contact.strip() and not want_reply and form.get("no_reply") != "1":
        # A contact typed without ticking the box: ask, rather than silently dropping it.
        return render(request, "public/tip.html", _tip_ctx(form=values, confirm_contact=True))

    # Sync DB work in a worker thread: this handler is async only to read the form.
    def work() -> tuple[str | None, bool]:
        if image is not None:  # a screenshot: read, then the same path as typed text
            r, _ = handle_image_tip(session, image, text, "web", contact if want_reply else None)
        else:
            r = handle_tip(session, text, "web", contact if want_reply else None)
        return r.status_token, r.queued

    try:
        token, queued = await run_in_threadpool(work)
    except TipRejected as exc:
        page = render(request, "public/tip.html", _tip_ctx(form=values, error=str(exc)), status_code=422)
        raise PageError(page) from exc
    if queued:
        # SessionDep commits before the response is sent and before background tasks run,
        # so the claim engine sees the tip.
        background.add_task(process_tip_queue)
    return RedirectResponse(status_path(token or ""), status_code=303)


@router.get("/gui-tin/trang-thai/{token}", response_class=HTMLResponse)
def tip_status_page(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    tip = find_tip(session, token)
    if tip is None:
        return render(request, "public/tip_status.html", {"view": None}, 404)
    ctx = {
        "view": tip_view(session, tip),
        "advice": SCAM_ADVICE,
        "image_info": (tip.answer or {}).get("image"),
    }
    return render(request, "public/tip_status.html", ctx)


@router.post(
    "/gui-tin/trang-thai/{token}/khong-phai",
    dependencies=[Depends(rate_limit), Depends(require_csrf)],
)
def tip_not_my_question(
    request: Request, token: str, background: BackgroundTasks, session: SessionDep
) -> Response:
    """ "Không phải điều tôi hỏi": the tip goes to the desk, the miss is recorded."""
    not_my_question(session, token, background)
    return RedirectResponse(status_path(token), status_code=303)


@router.get("/gui-tin/xoa/{token}", response_class=HTMLResponse)
def tip_delete_confirm(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    found = find_contact(session, token) is not None
    return render(
        request,
        "public/tip_delete.html",
        {"token": token, "found": found, "done": False},
        200 if found else 404,
    )


@router.post("/gui-tin/xoa/{token}", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def tip_delete(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    done = delete_contact(session, token)
    return render(
        request, "public/tip_delete.html", {"token": token, "found": done, "done": done}, 200 if done else 404
    )
