"""Background jobs, ``/desk/jobs`` (editors and admins): the queue, dead letters, index progress."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk.engine_link import index_progress
from kiemchung.jobs import dead
from kiemchung.jobs.queue import describe, pending_count, scheduled_count
from kiemchung.web.deps import CurrentUser, Editor, SessionDep, flash, or_404, page, redirect
from kiemchung.web.i18n import N_

router = APIRouter(prefix="/desk", include_in_schema=False)


def _lang(request: Request) -> str:
    from kiemchung.settings import get_settings
    from kiemchung.web.i18n import request_lang

    return request_lang(request, get_settings().default_lang)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, user: Editor, db: SessionDep) -> HTMLResponse:
    ctx = {
        "queue_kind": describe(),
        "waiting": pending_count(),
        "scheduled": scheduled_count(),
        "dead_jobs": dead.dead_jobs(db),
        "progress": index_progress(),
    }
    return page(request, "desk/jobs.html", ctx)


@router.post("/jobs/{dead_id}/{action}")
def jobs_action(request: Request, dead_id: int, action: str, user: Editor, db: SessionDep) -> Response:
    if action not in ("retry", "discard"):
        raise HTTPException(404)
    try:
        with or_404():
            if action == "retry":
                dead.retry(db, dead_id, user_id=user.id)
            else:
                dead.discard(db, dead_id, user_id=user.id)
    except dead.NotRetryable as exc:
        raise HTTPException(409, str(exc)) from exc
    key = N_("Đã đưa việc trở lại hàng đợi") if action == "retry" else N_("Đã bỏ việc")
    flash(request, key)
    return redirect("/desk/jobs")


@router.get("/jobs/index-status", response_class=HTMLResponse)
def index_status(request: Request, user: CurrentUser) -> HTMLResponse:
    """The htmx-polled badge after a publication: updating until the index job has run."""
    return page(request, "desk/_index_status.html", {"progress": index_progress()})
