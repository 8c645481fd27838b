"""Scam indicators on the desk: ``/desk/indicators`` (list), add and remove with a reason."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import indicators
from kiemchung.desk.auth import WRITE
from kiemchung.store import models
from kiemchung.web.deps import CurrentUser, Editor, PageError, SessionDep, flash, page, redirect
from kiemchung.web.i18n import N_, _

router = APIRouter(prefix="/desk", include_in_schema=False)
BACK = "/desk/indicators"


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(
    request: Request, user: CurrentUser, db: SessionDep, q: str = "", kind: str = "", list_kind: str = ""
) -> HTMLResponse:
    ctx = indicators.indicator_page(db, q, kind, list_kind) | {
        "kinds": list(models.IndicatorKind),
        "list_kinds": list(models.ListKind),
        "f": {"q": q, "kind": kind, "list_kind": list_kind},
        "can_write": user.role in WRITE,
    }
    return page(request, "desk/indicators.html", ctx)


@router.post("/indicators/add")
def indicators_add(
    request: Request,
    user: Editor,
    db: SessionDep,
    kind: str = Form(...),
    value: str = Form(...),
    list_kind: str = Form("block"),
    reason: str = Form(""),
) -> Response:
    try:
        indicators.add(db, kind, value, list_kind, reason, user)
    except ValueError as exc:
        flash(request, _refusal(_("Không thêm được"), exc, reason), "error")
        raise PageError(redirect(BACK)) from exc
    flash(request, N_("Đã thêm chỉ báo"))
    return redirect(BACK)


@router.post("/indicators/{ind_id}/remove")
def indicators_remove(
    request: Request, ind_id: int, user: Editor, db: SessionDep, reason: str = Form("")
) -> Response:
    try:
        found = indicators.remove(db, ind_id, reason, user)
    except ValueError as exc:
        flash(request, _refusal(_("Không gỡ được"), exc, reason), "error")
        raise PageError(redirect(BACK)) from exc
    if not found:
        raise HTTPException(404)
    flash(request, N_("Đã gỡ chỉ báo"))
    return redirect(BACK)


def _refusal(prefix: str, exc: ValueError, reason: str) -> str:
    # A missing reason is its own message; other refusals explain what was wrong with the value.
    return str(exc) if not reason.strip() else f"{prefix}: {exc}"
