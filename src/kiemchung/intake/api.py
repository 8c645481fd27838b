"""``POST /api/items``: batch intake over HTTP, with the same privacy filter and validation.

    curl -H "Authorization: Bearer $KIEMCHUNG_INTAKE_TOKEN" -H "Content-Type: application/json" \\
         -d '{"source": "Zalo group export", "items": [{"text": "..."}]}' http://127.0.0.1:8000/api/items

The body is ``{"source": NAME, "items": [...]}`` or a bare list of items (source ``"api"``).
Errors are reported per item by its 0-based index in the list. The endpoint is off until
``KIEMCHUNG_INTAKE_TOKEN`` is set, and then requires ``Authorization: Bearer <token>``.

An item may be a picture (a screenshot of a post): ``"image_base64": "…"`` in JSON, or a
``multipart/form-data`` request whose ``items`` field holds the same JSON and whose file parts are
named by the items' ``"image"`` (file name or field name)::

    curl -H "Authorization: Bearer $KIEMCHUNG_INTAKE_TOKEN" -F 'items=[{"image": "a.png"}]' \
         -F 'file1=@a.png' http://127.0.0.1:8000/api/items

Pictures go through ``kiemchung.media`` (metadata stripped, OCR, PDQ); the OCR text is the item's text.
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from kiemchung.intake.adapters import loads_json
from kiemchung.intake.ingest import ingest_numbered, ingest_records
from kiemchung.jobs import tasks
from kiemchung.jobs.queue import enqueue
from kiemchung.settings import get_settings
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


def _parse(body: bytes, source_field: str | None = None) -> tuple[str, list[Any]]:
    """``(source, items)`` of a JSON body; a multipart request's ``source`` field names the source.

    >>> _parse('[{"text": "Giá xăng giảm"}]'.encode(), "Nhóm Zalo")
    ('Nhóm Zalo', [{'text': 'Giá xăng giảm'}])
    """
    try:
        data = loads_json(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, _("JSON không hợp lệ: %(exc)s", exc=exc)) from None
    if source_field is not None:
        data = {"source": source_field, "items": data}
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


def _parse_and_store(
    session: Session, body: bytes, source_field: str | None, files: dict[str, bytes]
) -> dict[str, Any]:
    source, items = _parse(body, source_field)
    return _store(session, source, items, files)


def _store(
    session: Session, source: str, items: list[Any], files: dict[str, bytes] | None = None
) -> dict[str, Any]:
    if any(isinstance(it, dict) and ("image" in it or "image_base64" in it) for it in items):
        from kiemchung.media.items import parts_loader, preread

        # Pictures are read (OCR) before the session writes anything: no lock held meanwhile.
        numbered = list(preread(items, parts_loader(files or {})))
        report = ingest_numbered(session, numbered, source_name=source)
    else:
        report = ingest_records(session, items, source_name=source, first_line=0)
    return {
        "source": report.source_name,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "rejected": len(report.rejected),
        "images": report.images,
        "errors": [{"index": i, "reason": r} for i, r in report.rejected],
        "warnings": [{"index": i, "reason": r} for i, r in report.warnings],
    }


async def _multipart(request: Request, body: bytes) -> tuple[bytes, str | None, dict[str, bytes]]:
    """``(items JSON, source field, {file name or field name: bytes})`` of a multipart body already read."""

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form()
    except Exception as exc:  # python-multipart's own errors
        raise HTTPException(400, _("Multipart không hợp lệ: %(exc)s", exc=exc)) from None
    items: bytes | None = None
    source: str | None = None
    files: dict[str, bytes] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            if name == "items":
                items = data
                continue
            files[name] = data
            if value.filename:
                files[value.filename] = data
        elif name == "items":
            items = value.encode()
        elif name == "source":
            source = value
    await form.close()
    if items is None:
        raise HTTPException(422, _('Thiếu trường "items"'))
    return items, source, files


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
    raw = bytes(body)
    source: str | None = None
    files: dict[str, bytes] = {}
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raw, source, files = await _multipart(request, raw)
    # Parsing (a walk of every value for exact ids) and storing run in a worker thread.
    result = await run_in_threadpool(_parse_and_store, session, raw, source, files)
    if result["stored"]:
        background.add_task(enqueue, tasks.process_pending)  # after the commit; a job, not here
    return result
