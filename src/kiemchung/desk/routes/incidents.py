"""Incidents: list with SLA timers, open, view (statement, updates, links), review, close, report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import engine_link, incidents
from kiemchung.desk.auth import WRITE
from kiemchung.web.deps import CurrentUser, Editor, PageError, SessionDep, flash, or_404, page, redirect
from kiemchung.web.i18n import N_, _

router = APIRouter(prefix="/desk", include_in_schema=False)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _labels() -> dict[str, Any]:
    return {
        "confidence_labels": engine_link.CONFIDENCE_LABELS,
        "severity_labels": incidents.SEVERITY_LABELS,
        "kind_labels": incidents.KIND_LABELS,
        "fmt_minutes": incidents.fmt_minutes,
    }


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(request: Request, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    ctx = incidents.list_incidents(db) | _labels() | {"can_write": user.role in WRITE}
    ctx["queue"] = incidents.review_queue(db, user) if user.role in WRITE else []
    return page(request, "desk/incidents.html", ctx)


@router.get("/incidents/new", response_class=HTMLResponse)
def incident_new(
    request: Request, user: Editor, title: str = "", topic: str = "", province: int | None = None
) -> HTMLResponse:
    ctx = incidents.open_form_context(province) | _labels() | {"title": title, "topic": topic, "errors": []}
    return page(request, "desk/incident_new.html", ctx)


@router.post("/incidents/new")
def incident_create(
    request: Request,
    user: Editor,
    db: SessionDep,
    title: str = Form(""),
    topic: str = Form(""),
    severity: str = Form(""),
    province: str = Form(""),
    ward: str = Form(""),
    started_at: str = Form(""),
) -> Response:
    fields = {"title": title, "topic": topic, "severity": severity, "started_at": started_at}
    province_code = _int(province)
    try:
        inc = incidents.open_incident(
            db,
            user,
            title=title,
            topic=topic,
            province_code=province_code,
            ward_code=_int(ward),
            severity=severity or "major",
            started_at=incidents.parse_local_time(started_at),
        )
    except incidents.IncidentError as exc:
        ctx = incidents.open_form_context(province_code) | _labels() | fields | {"errors": [exc.message]}
        raise PageError(page(request, "desk/incident_new.html", ctx, status=400)) from exc
    flash(
        request,
        N_("Đã mở sự kiện; hãy hoàn thiện thông cáo ban đầu"),
    )
    return redirect(f"/desk/incidents/{inc.id}")


@router.get("/incidents/wards", response_class=HTMLResponse)
def ward_options(request: Request, user: Editor, province: int | None = None) -> HTMLResponse:
    """The ward <select> for a province (htmx)."""
    return page(request, "desk/_incident_wards.html", incidents.open_form_context(province))


@router.get("/incidents/surges", response_class=HTMLResponse)
def surge_list(request: Request, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    """Surges of claim/tip volume per topic and province, each with a one-click “open an incident”."""
    return page(
        request, "desk/surges.html", {"surges": incidents.surges(db), "can_write": user.role in WRITE}
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_view(request: Request, incident_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    with or_404():
        ctx = incidents.view_context(db, incident_id)
    ctx |= _labels() | {"can_write": user.role in WRITE}
    return page(request, "desk/incident.html", ctx)


def _sources(titles: list[str], urls: list[str]) -> list[incidents.Source]:
    return [
        incidents.Source(titles[i] if i < len(titles) else "", urls[i] if i < len(urls) else "")
        for i in range(max(len(titles), len(urls)))
    ]


@router.post("/incidents/{incident_id}/updates")
def update_save(
    request: Request,
    incident_id: int,
    user: Editor,
    db: SessionDep,
    body: str = Form(""),
    src_title: list[str] = Form([]),
    src_url: list[str] = Form([]),
    update_id: str = Form(""),
    urgent: str = Form(""),
    then: str = Form(""),
) -> Response:
    back = f"/desk/incidents/{incident_id}"
    try:
        with or_404():
            upd = incidents.save_update(
                db,
                incident_id,
                user,
                body=body,
                sources=_sources(src_title, src_url),
                update_id=_int(update_id),
                urgent=urgent == "1",
            )
            if then == "submit":
                incidents.review(db, incident_id, upd.id, "submit", user)
    except incidents.IncidentError as exc:
        flash(request, exc.message, "error")
        raise PageError(redirect(back)) from exc
    flash(request, _("Đã gửi duyệt") if then == "submit" else _("Đã lưu"))
    return redirect(back)


@router.post("/incidents/{incident_id}/statement")
def statement_revise(request: Request, incident_id: int, user: Editor, db: SessionDep) -> Response:
    """A new version of the published holding statement: a draft for the same two-person review."""
    back = f"/desk/incidents/{incident_id}"
    try:
        with or_404():
            upd = incidents.revise_statement(db, incident_id, user)
    except incidents.IncidentError as exc:
        flash(request, exc.message, "error")
        raise PageError(redirect(back)) from exc
    flash(
        request,
        N_("Đã tạo bản nháp thông cáo mới; thông cáo đang đăng vẫn giữ nguyên đến khi bản mới được duyệt"),
    )
    return redirect(f"{back}#update-{upd.id}")


@router.post("/incidents/{incident_id}/updates/{update_id}/review")
def update_review(
    request: Request,
    incident_id: int,
    update_id: int,
    user: Editor,
    db: SessionDep,
    action: str = Form(...),
    back: str = Form(""),
) -> Response:
    target = back if back.startswith("/desk/incidents") else f"/desk/incidents/{incident_id}"
    try:
        with or_404():
            incidents.review(db, incident_id, update_id, action, user)
    except incidents.IncidentError as exc:
        flash(request, exc.message, "error")
        if exc.status == 403:
            raise HTTPException(403, exc.message) from exc
        raise PageError(redirect(target)) from exc
    done = {
        "submit": _("Đã gửi duyệt"),
        "return": _("Đã trả lại"),
        "approve": _("Đã duyệt"),
    }
    flash(request, done.get(action, _("Đã đăng công khai")))
    return redirect(target)


@router.get("/incidents/{incident_id}/updates/{update_id}/approve", response_class=HTMLResponse)
def urgent_screen(
    request: Request, incident_id: int, update_id: int, user: Editor, db: SessionDep
) -> HTMLResponse:
    """The phone screen of the urgent path: read, tap “Duyệt và đăng”, tap “Xác nhận”."""
    with or_404():
        ctx = incidents.view_context(db, incident_id)
    upd = next((u for u in ctx["updates"] if u.id == update_id), None)
    if upd is None:
        raise HTTPException(404)
    return page(request, "desk/incident_approve.html", ctx | _labels() | {"upd": upd})


@router.post("/incidents/{incident_id}/links")
def link_add(
    request: Request,
    incident_id: int,
    user: Editor,
    db: SessionDep,
    claim_id: str = Form(""),
    tip_id: str = Form(""),
    score: str = Form(""),
) -> Response:
    try:
        with or_404():
            incidents.link(
                db,
                incident_id,
                user,
                claim_id=_int(claim_id),
                tip_id=_int(tip_id),
                score=float(score) if score.replace(".", "", 1).isdigit() else None,
            )
    except incidents.IncidentError as exc:
        flash(request, exc.message, "error")
        raise PageError(redirect(f"/desk/incidents/{incident_id}")) from exc
    flash(request, N_("Đã liên kết"))
    return redirect(f"/desk/incidents/{incident_id}#links")


@router.post("/incidents/{incident_id}/links/{link_id}/delete")
def link_delete(request: Request, incident_id: int, link_id: int, user: Editor, db: SessionDep) -> Response:
    with or_404():
        incidents.unlink(db, incident_id, link_id, user)
    flash(request, N_("Đã bỏ liên kết"))
    return redirect(f"/desk/incidents/{incident_id}#links")


@router.post("/incidents/{incident_id}/close")
def incident_close(
    request: Request, incident_id: int, user: Editor, db: SessionDep, note: str = Form("")
) -> Response:
    try:
        with or_404():
            incidents.close(db, incident_id, user, note)
    except incidents.IncidentError as exc:
        flash(request, exc.message, "error")
        raise PageError(redirect(f"/desk/incidents/{incident_id}")) from exc
    flash(request, N_("Đã đóng sự kiện và viết báo cáo"))
    return redirect(f"/desk/incidents/{incident_id}/report")


@router.get("/incidents/{incident_id}/report", response_class=HTMLResponse)
def incident_report(request: Request, incident_id: int, user: CurrentUser, db: SessionDep) -> Response:
    with or_404():
        md, html = incidents.incident_report(db, incident_id)
    if request.query_params.get("format") == "md":
        return Response(md, media_type="text/markdown; charset=utf-8")
    return HTMLResponse(html)
