"""Image routes: the public copy of a checked picture, and the desk's image tools.

- ``GET /anh/{id}`` — a picture attached to a *published* fact-check (tip pictures are never public);
- ``GET /desk/images`` — the newest pictures (tips' and fact-checks');
- ``GET /desk/images/{id}`` — any stored picture, for desk users;
- ``GET /desk/images/{id}/view`` — the picture beside its OCR text (editable) and the engine's matches;
- ``POST /desk/images/{id}/ocr`` — save a corrected reading and re-run matching;
- ``POST /desk/fact-checks/{fc_id}/images`` — attach an uploaded picture (with alt text) to a fact-check;
- ``POST /desk/fact-checks/{fc_id}/images/{id}/detach``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette import datastructures
from starlette.formparsers import MultiPartParser

from kiemchung.media.intake import MAX_BYTES, ImageRejected
from kiemchung.media.service import attach_image, detach_image, image_file, recent_images, save_image
from kiemchung.store.models import FactCheck, FactCheckImage, FactCheckStatus, MediaImage, TipImage
from kiemchung.web.deps import CurrentUser, Editor, SessionDep, flash, page, redirect
from kiemchung.web.i18n import N_

# Uploads up to the image limit stay in memory: the original picture must never touch the disk
# (Starlette spools bigger parts to a temporary file).
MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, MAX_BYTES + 1)

router = APIRouter(include_in_schema=False)
MAX_OCR_TEXT = 5000


def _chosen(upload: Any) -> bool:
    # A browser sends an empty part without a file name when no file was chosen. (The form parser
    # makes Starlette's UploadFile; FastAPI's, in signatures, is a subclass of it.)
    return isinstance(upload, datastructures.UploadFile) and bool(upload.filename or upload.size)


async def upload_bytes(upload: Any) -> bytes | None:
    """The bytes of a form's file field, or None when no file was chosen."""
    if not _chosen(upload):
        return None
    data = await upload.read(MAX_BYTES + 1)
    return data or None


def read_upload(upload: Any) -> bytes | None:
    """``upload_bytes`` for a plain ``def`` handler, which already runs in a worker thread."""
    if not _chosen(upload):
        return None
    data = upload.file.read(MAX_BYTES + 1)
    return data or None


def _image_response(image: MediaImage) -> Response:
    try:
        data, media_type = image_file(image)
    except FileNotFoundError as exc:
        raise HTTPException(404) from exc
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/anh/{image_id}")
def public_image(image_id: int, session: SessionDep) -> Response:
    published = session.scalars(
        select(MediaImage)
        .join(FactCheckImage, FactCheckImage.image_id == MediaImage.id)
        .join(FactCheck, FactCheck.id == FactCheckImage.fact_check_id)
        .where(MediaImage.id == image_id, FactCheck.status == FactCheckStatus.published)
        .limit(1)
    ).first()
    if published is None:
        raise HTTPException(404)
    return _image_response(published)


@router.get("/desk/images", response_class=HTMLResponse)
def desk_images(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    return page(request, "media/images.html", {"rows": recent_images(session)})


@router.get("/desk/images/{image_id}")
def desk_image(image_id: int, user: CurrentUser, session: SessionDep) -> Response:
    image = session.get(MediaImage, image_id)
    if image is None:
        raise HTTPException(404)
    resp = _image_response(image)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _matches(session: Session, text: str) -> list[dict[str, Any]]:
    """The engine's ranked fact-checks for ``text`` (answer / suggestion marked)."""
    from kiemchung.engine.index import get_index

    if not text.strip():
        return []
    m = get_index().match_fact_checks([text], top=5)[0]
    ids = [int(c.id) for c in m.results]
    fcs = {fc.id: fc for fc in session.scalars(select(FactCheck).where(FactCheck.id.in_(ids or [0])))}
    return [
        {
            "fc": fcs[i],
            "answer": m.answer is not None and int(m.answer) == i,
            "suggest": m.suggest is not None and int(m.suggest) == i,
        }
        for i in ids
        if i in fcs
    ] + ([{"confidence": float(m.confidence), "reasons": list(m.reasons)}] if ids else [])


def _view(request: Request, session: Session, image: MediaImage, status: int = 200) -> HTMLResponse:
    found = _matches(session, image.ocr_text or "")
    meta = found.pop() if found and "confidence" in found[-1] else {}
    tips = list(session.scalars(select(TipImage.tip_id).where(TipImage.image_id == image.id)))
    ctx = {"image": image, "matches": found, "match_meta": meta, "tip_ids": tips, "max_ocr": MAX_OCR_TEXT}
    return page(request, "media/image.html", ctx, status=status)


@router.get("/desk/images/{image_id}/view", response_class=HTMLResponse)
def desk_image_view(request: Request, image_id: int, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    image = session.get(MediaImage, image_id)
    if image is None:
        raise HTTPException(404)
    return _view(request, session, image)


@router.post("/desk/images/{image_id}/ocr", response_class=HTMLResponse)
def desk_image_ocr(
    request: Request, image_id: int, user: Editor, session: SessionDep, ocr_text: str = Form("")
) -> HTMLResponse:
    """An editor's reading replaces the OCR text; matching runs again on it.

    A plain ``def``, like :func:`attach`: the write (which may wait for the database lock) and the
    matching run in a worker thread, never on the event loop that answers every other request.
    """
    image = session.get(MediaImage, image_id)
    if image is None:
        raise HTTPException(404)
    text = ocr_text.replace("\r\n", "\n").strip()[:MAX_OCR_TEXT]
    image.ocr_text, image.ocr_edited = text, True
    session.flush()
    flash(request, N_("Đã lưu nội dung ảnh và khớp lại"))
    return _view(request, session, image)


@router.post("/desk/fact-checks/{fc_id}/images")
def attach(
    request: Request,
    fc_id: int,
    user: Editor,
    session: SessionDep,
    image: UploadFile | None = File(None),
    alt_text: str = Form(""),
) -> Response:
    # A plain ``def``: decoding the picture, PDQ, OCR and the database work run in a worker
    # thread, never on the event loop that answers every other request.
    fc = session.get(FactCheck, fc_id)
    if fc is None:
        raise HTTPException(404)
    data = read_upload(image)
    if data is None:
        flash(request, N_("Chưa chọn ảnh"), "error")
        return redirect(f"/desk/fact-checks/{fc_id}")
    try:
        stored = save_image(session, data)
    except ImageRejected as exc:
        flash(request, str(exc), "error")
        return redirect(f"/desk/fact-checks/{fc_id}")
    attach_image(session, fc, stored, alt_text or (stored.ocr_text or "")[:200])
    flash(request, N_("Đã gắn ảnh vào bài kiểm chứng"))
    return redirect(f"/desk/fact-checks/{fc_id}")


@router.post("/desk/fact-checks/{fc_id}/images/{image_id}/detach")
def detach(request: Request, fc_id: int, image_id: int, user: Editor, session: SessionDep) -> Response:
    fc = session.get(FactCheck, fc_id)
    if fc is None:
        raise HTTPException(404)
    if detach_image(session, fc, image_id):
        flash(request, N_("Đã gỡ ảnh"))
    else:  # a second click, or another editor was quicker
        flash(request, N_("Ảnh này không còn gắn với bài"), "error")
    return redirect(f"/desk/fact-checks/{fc_id}")
