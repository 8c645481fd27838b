"""One claim: ``/desk/claims/{id}`` (page) and its status, assignment and attachment."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import claims
from kiemchung.desk.auth import WRITE
from kiemchung.jobs import tasks
from kiemchung.jobs.queue import enqueue
from kiemchung.web.deps import CurrentUser, Editor, SessionDep, flash, or_404, page, redirect
from kiemchung.web.i18n import N_

router = APIRouter(prefix="/desk", include_in_schema=False)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_detail(request: Request, claim_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    with or_404():
        ctx = claims.claim_page(db, claim_id)
    return page(request, "desk/claim.html", {**ctx, "can_write": user.role in WRITE})


@router.post("/claims/{claim_id}/status")
def claim_status(
    request: Request, claim_id: int, user: Editor, db: SessionDep, status: str = Form(...)
) -> Response:
    try:
        with or_404():
            changed = claims.set_status(db, claim_id, status, user)
    except claims.Refused as exc:
        raise HTTPException(400, str(exc)) from exc
    if changed:
        flash(request, N_("Đã cập nhật trạng thái"))
    return redirect(f"/desk/claims/{claim_id}")


@router.post("/claims/{claim_id}/topic")
def claim_topic(
    request: Request, claim_id: int, user: Editor, db: SessionDep, topic: str = Form("")
) -> Response:
    with or_404():
        changed = claims.set_topic(db, claim_id, topic, user)
    if changed:
        flash(request, N_("Đã lưu chủ đề."))
    return redirect(f"/desk/claims/{claim_id}")


@router.post("/claims/{claim_id}/assign")
def claim_assign(
    request: Request, claim_id: int, user: Editor, db: SessionDep, assignee_id: str = Form("")
) -> Response:
    try:
        with or_404():
            claims.assign(db, claim_id, int(assignee_id) if assignee_id.isdigit() else None, user)
    except claims.Refused as exc:
        raise HTTPException(400, str(exc)) from exc
    flash(request, N_("Đã giao việc"))
    return redirect(f"/desk/claims/{claim_id}")


@router.post("/claims/{claim_id}/attach")
def claim_attach(
    request: Request,
    claim_id: int,
    user: Editor,
    db: SessionDep,
    background: BackgroundTasks,
    fact_check_id: int = Form(...),
) -> Response:
    """Attach the claim to an existing published fact-check: it is answered, status checked."""
    try:
        with or_404():
            claims.attach(db, claim_id, fact_check_id, user)
    except claims.Refused as exc:
        raise HTTPException(400, str(exc)) from exc
    background.add_task(enqueue, tasks.deliver_replies)  # after the commit: the outbox rows are there
    flash(request, N_("Đã gắn vào bài kiểm chứng"))
    return redirect(f"/desk/claims/{claim_id}")
