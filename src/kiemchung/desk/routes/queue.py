"""The claims queue: ``/desk/`` and ``/desk/claims`` (page), ``/desk/claims/rows`` (htmx), bulk actions."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from kiemchung.desk import queue
from kiemchung.web.deps import CurrentUser, Editor, SessionDep, flash, page, redirect, safe_next
from kiemchung.web.i18n import N_, _

router = APIRouter(prefix="/desk", include_in_schema=False)


@dataclass
class QueueFilters:
    """The queue's query parameters (shared by the page and its htmx-refreshed rows)."""

    status: str = "open"
    topic: str = ""
    date_from: str = Query("", alias="from")
    date_to: str = Query("", alias="to")
    has_match: str = Query("", alias="match")
    assignee: str = ""
    page_no: int = Query(1, alias="page")

    def query(self) -> queue.QueueQuery:
        return queue.QueueQuery(
            self.status, self.topic, self.date_from, self.date_to, self.has_match, self.assignee, self.page_no
        )


@router.get("/", response_class=HTMLResponse)
@router.get("/claims", response_class=HTMLResponse)
def claims_queue(
    request: Request, user: CurrentUser, db: SessionDep, f: QueueFilters = Depends()
) -> HTMLResponse:
    return page(request, "desk/queue.html", queue.queue_view(db, user, f.query()))


@router.get("/claims/rows", response_class=HTMLResponse)
def claims_rows(
    request: Request, user: CurrentUser, db: SessionDep, f: QueueFilters = Depends()
) -> HTMLResponse:
    """The queue's table body alone, for the htmx refresh."""
    return page(request, "desk/_queue_rows.html", queue.queue_view(db, user, f.query()))


@router.post("/claims/bulk")
async def claims_bulk(request: Request, user: Editor, db: SessionDep) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    action = str(form.get("action") or "")
    back = safe_next(str(form.get("back") or "/desk/"))
    if not ids:
        flash(request, N_("Chưa chọn nhận định nào"), "warn")
        return redirect(back)
    if action not in ("dismiss", "assign"):
        raise HTTPException(400, _("Thao tác không hợp lệ"))
    n, error = await run_in_threadpool(
        queue.bulk_update, db, ids, action, str(form.get("assignee_id") or ""), user
    )
    if error:
        flash(request, error, "error")
    elif action == "dismiss":
        flash(request, N_("Đã bỏ qua %(n)s nhận định"), n=n)
    else:
        flash(request, N_("Đã giao %(n)s nhận định"), n=n)
    return redirect(back)
