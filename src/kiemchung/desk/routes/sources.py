"""``/desk/sources``: the registry of official channels.

GET  /desk/sources                      registered official channels and publishers (every role)
GET  /desk/sources/new, POST            register a channel (editor, reviewer, admin)
GET  /desk/sources/{id}/edit, POST      edit one; each save is audited with a field diff
POST /desk/sources/{id}/unregister      take it out of the registry (the row stays, for history)
POST /desk/sources/load-bundled         create the bundled seed's missing channels (admin)
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import sources
from kiemchung.desk.auth import ADMIN, WRITE
from kiemchung.desk.sources import SourceForm
from kiemchung.store import models
from kiemchung.web.deps import (
    Admin,
    CurrentUser,
    Editor,
    PageError,
    SessionDep,
    flash,
    or_404,
    page,
    redirect,
)
from kiemchung.web.i18n import N_

router = APIRouter(prefix="/desk", include_in_schema=False)


def source_form(
    name: str = Form(""),
    kind: str = Form("official"),
    category: str = Form("other"),
    verified: str = Form(""),
    registered: str = Form(""),
    domains: str = Form(""),
    page_urls: str = Form(""),
    page_names: str = Form(""),
) -> SourceForm:
    """The add/edit form's fields (one dependency for both routes)."""
    return SourceForm(
        name=name,
        kind=kind,
        category=category,
        verified=verified == "1",
        registered=registered == "1",
        domains=domains,
        page_urls=page_urls,
        page_names=page_names,
    )


def _edit_page(
    request: Request, form: SourceForm, src: models.Source | None, status: int = 200
) -> HTMLResponse:
    ctx = {"form": form, "source": src, **sources.form_labels()}
    return page(request, "desk/source_edit.html", ctx, status=status)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    q: str = "",
    category: str = "",
    kind: str = "",
    status: str = "registered",
    p: int = 1,
) -> HTMLResponse:
    ctx = sources.sources_page(db, q, category, kind, status, p) | {
        "can_write": user.role in WRITE,
        "is_admin": user.role in ADMIN,
    }
    return page(request, "desk/sources.html", ctx)


@router.post("/sources/load-bundled")
def sources_load_bundled(request: Request, user: Admin, db: SessionDep) -> Response:
    created, present = sources.load_bundled(db, user)
    flash(
        request,
        N_("Đã nạp danh bạ kèm theo: thêm %(created)s, đã có sẵn %(present)s"),
        created=created,
        present=present,
    )
    return redirect("/desk/sources")


@router.get("/sources/new", response_class=HTMLResponse)
def source_new_form(request: Request, user: Editor) -> HTMLResponse:
    return _edit_page(request, SourceForm(), None)


@router.post("/sources/new", response_class=HTMLResponse)
def source_create(
    request: Request, user: Editor, db: SessionDep, form: SourceForm = Depends(source_form)
) -> Response:
    src = sources.create(db, form, user)
    if src is None:
        return _edit_page(request, form, None, status=400)
    flash(request, N_("Đã thêm “%(name)s” vào danh bạ"), name=src.name)
    return redirect("/desk/sources?" + urlencode({"q": src.name}))


@router.get("/sources/{source_id}/edit", response_class=HTMLResponse)
def source_edit_form(request: Request, source_id: int, user: Editor, db: SessionDep) -> HTMLResponse:
    with or_404():
        src = sources.get_source(db, source_id)
    return _edit_page(request, SourceForm.of(src), src)


@router.post("/sources/{source_id}/edit", response_class=HTMLResponse)
def source_update(
    request: Request, source_id: int, user: Editor, db: SessionDep, form: SourceForm = Depends(source_form)
) -> Response:
    with or_404():
        src, changed = sources.update(db, source_id, form, user)
    if form.errors:
        raise PageError(_edit_page(request, form, src, status=400))
    if changed:
        flash(request, N_("Đã lưu “%(name)s”"), name=src.name)
    else:
        flash(request, N_("Không có gì thay đổi"))
    return redirect("/desk/sources?" + urlencode({"q": src.name, "status": "all"}))


@router.post("/sources/{source_id}/unregister")
def source_unregister(request: Request, source_id: int, user: Editor, db: SessionDep) -> Response:
    with or_404():
        src = sources.unregister(db, source_id, user)
    flash(request, N_("Đã gỡ “%(name)s” khỏi danh bạ"), name=src.name)
    return redirect("/desk/sources")
