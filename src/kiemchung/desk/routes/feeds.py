"""``/desk/feeds``: block/allow feeds with provenance and stale warnings; the bundled snapshot (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import sources
from kiemchung.desk.auth import ADMIN
from kiemchung.scam import blocklist
from kiemchung.store.models import utcnow
from kiemchung.web.deps import Admin, CurrentUser, SessionDep, flash, page, redirect
from kiemchung.web.i18n import fmt_number

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
    rep = blocklist.seed_bundled(db)  # audited as scam.feed_update by update_feed
    flash(
        request,
        f"Đã nạp danh sách kèm theo “{rep.feed}”: {fmt_number(rep.total)} mục, thêm {fmt_number(rep.added)} / "
        f"Bundled blocklist “{rep.feed}” loaded: {fmt_number(rep.total)} entries, {fmt_number(rep.added)} new",
    )
    return redirect("/desk/feeds")
