"""``/desk/feeds``: block/allow feeds with provenance and stale warnings; the bundled snapshot (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import sources
from kiemchung.desk.auth import ADMIN
from kiemchung.jobs import tasks
from kiemchung.jobs.queue import enqueue_after_commit
from kiemchung.scam import blocklist
from kiemchung.store.models import utcnow
from kiemchung.web.deps import Admin, CurrentUser, SessionDep, flash, page, redirect
from kiemchung.web.i18n import N_

router = APIRouter(prefix="/desk", include_in_schema=False)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    ctx = sources.feeds_page(db, utcnow()) | {
        "interval_text": sources.interval_text,
        "is_admin": user.role in ADMIN,
    }
    return page(request, "desk/feeds.html", ctx)


@router.post("/feeds/load-bundled")
def feeds_load_bundled(request: Request, user: Admin, db: SessionDep) -> Response:
    # thousands of rows: a job (audited as scam.feed_update), not work inside the request
    enqueue_after_commit(db, tasks.load_bundled_feed)
    flash(
        request,
        N_("Đang nạp danh sách kèm theo “%(feed)s”; tải lại trang sau ít phút để xem số mục."),
        feed=blocklist.SEED_FEED,
    )
    return redirect("/desk/feeds")
