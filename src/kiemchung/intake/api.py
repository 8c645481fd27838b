"""``POST /api/items``: batch intake over HTTP, with the same privacy filter and validation.

    curl -H "Authorization: Bearer $KIEMCHUNG_INTAKE_TOKEN" -H "Content-Type: application/json" \\
         -d '{"source": "Zalo group export", "items": [{"text": "..."}]}' http://127.0.0.1:8000/api/items

The body is ``{"source": NAME, "items": [...]}`` or a bare list of items (source ``"api"``).
Errors are reported per item by its 0-based index in the list. The endpoint is off until
``KIEMCHUNG_INTAKE_TOKEN`` is set, and then requires ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kiemchung.intake.adapters import loads_json
from kiemchung.intake.ingest import ingest_records, run_pending_engine
from kiemchung.settings import get_settings
from kiemchung.store.db import session_scope
from kiemchung.web.deps import SessionDep
from kiemchung.web.i18n import _, gettext

router = APIRouter(tags=["intake"])
DEFAULT_SOURCE = "api"
MAX_ITEMS = 10_000


def _check_token(request: Request, expected: str) -> None:
    if not expected:
        raise HTTPException(403, gettext("API nhập liệu đang tắt"))
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise HTTPException(401, gettext("Sai mã truy cập"), {"WWW-Authenticate": "Bearer"})


def _parse(body: bytes) -> tuple[str, list[Any]]:
    try:
        data = loads_json(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, _("JSON không hợp lệ: %(exc)s", exc=exc)) from None
    source: Any = DEFAULT_SOURCE
    if isinstance(data, dict):
        source = data.get("source") or DEFAULT_SOURCE
        data = data.get("items")
    if not isinstance(data, list):
        raise HTTPException(422, _('Cần danh sách "items"'))
    if not isinstance(source, str) or len(source) > 200:
        raise HTTPException(422, _("Tên nguồn không hợp lệ"))
    if len(data) > MAX_ITEMS:
        raise HTTPException(413, _("Quá nhiều mục (> %(max_items)s)", max_items=MAX_ITEMS))
    return source.strip() or DEFAULT_SOURCE, data


def _store(session: Session, source: str, items: list[Any]) -> dict[str, Any]:
    report = ingest_records(session, items, source_name=source, first_line=0)
    return {
        "source": report.source_name,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "rejected": len(report.rejected),
        "errors": [{"index": i, "reason": r} for i, r in report.rejected],
        "warnings": [{"index": i, "reason": r} for i, r in report.warnings],
    }


def _engine() -> None:
    # A background task, after the response: the request's session is closed by then.
    with session_scope() as session:
        run_pending_engine(session)


@router.post("/api/items")
async def post_items(request: Request, session: SessionDep, background: BackgroundTasks) -> dict[str, Any]:
    """Store a batch of posts; returns counts and per-index errors."""
    settings = get_settings()
    _check_token(request, settings.intake_token)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_request_bytes:
        raise HTTPException(413, _("Yêu cầu quá lớn"))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_request_bytes:
            raise HTTPException(413, _("Yêu cầu quá lớn"))
    source, items = _parse(bytes(body))
    result = await run_in_threadpool(_store, session, source, items)
    if result["stored"] and settings.engine_in_process:
        background.add_task(_engine)
    return result
