"""The reference library: ``/desk/library`` (list, search, picker), uploads and URL imports."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import documents
from kiemchung.desk.auth import WRITE
from kiemchung.settings import get_settings
from kiemchung.web.deps import CurrentUser, Editor, SessionDep, page, redirect
from kiemchung.web.i18n import _

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_URLS = 50


@router.get("/library", response_class=HTMLResponse)
def library_index(request: Request, user: CurrentUser, db: SessionDep, q: str = "") -> HTMLResponse:
    ctx = documents.library_index(db, q) | {
        "q": q,
        "can_write": user.role in WRITE,
        "report": request.session.pop("import_report", None),
        "max_mb": get_settings().max_upload_bytes / 1e6,
    }
    return page(request, "desk/library.html", ctx)


@router.get("/library/pick", response_class=HTMLResponse)
def library_pick(request: Request, user: Editor, db: SessionDep, q: str = "") -> HTMLResponse:
    hits = documents.search_passages(db, q, 10) if q.strip() else []
    return page(request, "desk/_pick.html", {"hits": hits, "q": q})


@router.post("/library/upload")
def library_upload(
    request: Request,
    user: Editor,
    db: SessionDep,
    files: list[UploadFile] = File(...),
    publisher: str = Form(""),
    kind: str = Form("article"),
) -> Response:
    limit = get_settings().max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413)
    uploads: list[documents.Upload] = []
    for f in files:
        name = f.filename or "tệp"
        # A sync handler runs in a worker thread: extracting text and embedding passages never
        # blocks the event loop, so other requests (``/healthz`` too) keep being answered.
        data = f.file.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, _("%(name)s: quá %(value)s MB", name=name, value=limit // 1_000_000))
        uploads.append(documents.Upload(name, data, f.content_type or ""))
    request.session["import_report"] = documents.import_files(
        db, uploads, user, publisher=publisher, kind=kind
    )
    return redirect("/desk/library")


@router.post("/library/urls")
def library_urls(
    request: Request, user: Editor, db: SessionDep, urls: str = Form(""), publisher: str = Form("")
) -> Response:
    wanted = [u.strip() for u in urls.splitlines() if u.strip()][:MAX_URLS]
    request.session["import_report"] = documents.import_urls(
        db, wanted, user, publisher=publisher, max_bytes=get_settings().max_upload_bytes
    )
    return redirect("/desk/library")


@router.get("/library/{doc_id}", response_class=HTMLResponse)
def library_document(request: Request, doc_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    doc = documents.get_document(db, doc_id)
    if doc is None:
        raise HTTPException(404)
    return page(request, "desk/document.html", {"doc": doc, "can_write": user.role in WRITE})
