"""The audit log, ``/desk/audit`` (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kiemchung.desk import auditlog
from kiemchung.web.deps import Admin, SessionDep, page

router = APIRouter(prefix="/desk", include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    user: Admin,
    db: SessionDep,
    action: str = "",
    entity: str = "",
    user_id: str = "",
    date_from: str = Query("", alias="from"),
) -> HTMLResponse:
    ctx = auditlog.audit_page(db, action, entity, user_id, date_from) | {
        "f": {"action": action, "entity": entity, "user_id": user_id, "from": date_from}
    }
    return page(request, "desk/audit.html", ctx)
