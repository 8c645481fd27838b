"""Fact-checks: list, editor (new/edit, citations, preview), view, workflow, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kiemchung.desk import factchecks
from kiemchung.desk.auth import REVIEW, WRITE
from kiemchung.desk.engine_link import index_progress
from kiemchung.jobs import tasks
from kiemchung.jobs.queue import enqueue
from kiemchung.store.models import FactCheck, FactCheckStatus, Verdict
from kiemchung.web.deps import CurrentUser, Editor, PageError, SessionDep, flash, or_404, page, redirect
from kiemchung.web.i18n import N_

router = APIRouter(prefix="/desk", include_in_schema=False)


def form_from_request(form: Any) -> factchecks.FactCheckForm:
    """The editor's fields, citations as parallel lists of inputs."""

    def s(name: str) -> str:
        v = form.get(name)
        return v if isinstance(v, str) else ""

    def ints(name: str) -> list[int | None]:
        return [int(v) if isinstance(v, str) and v.isdigit() else None for v in form.getlist(name)]

    docs, passages = ints("cit_document_id"), ints("cit_passage_id")
    urls, titles, quotes = form.getlist("cit_url"), form.getlist("cit_title"), form.getlist("cit_quote")
    n = max(len(docs), len(urls), len(titles), len(quotes), len(passages))

    def at(seq: list[Any], i: int) -> Any:
        return seq[i] if i < len(seq) else None

    citations = [
        factchecks.CitationForm(
            at(docs, i),
            at(passages, i),
            str(at(urls, i) or ""),
            str(at(titles, i) or ""),
            str(at(quotes, i) or ""),
        )
        for i in range(n)
    ]
    version = s("version")
    claim_id = s("claim_id")
    return factchecks.FactCheckForm(
        claim_reviewed=" ".join(s("claim_reviewed").split()),
        claim_text=s("claim_text"),
        verdict=s("verdict"),
        summary=s("summary"),
        body=s("body").replace("\r\n", "\n"),
        topics=factchecks.parse_topics(s("topics")),
        claim_appearance_url=s("claim_appearance_url"),
        claim_id=int(claim_id) if claim_id.isdigit() else None,
        citations=citations,
        version=int(version) if version.isdigit() else None,
        correction_note=s("correction_note"),
        minor=s("minor") == "1",
    )


def _editor_page(
    request: Request,
    db: Session,
    form: factchecks.FactCheckForm,
    fc: Any,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    ctx = factchecks.editor_context(db, form) | {
        "form": form,
        "fc": fc,
        "errors": errors or [],
        "verdicts": list(Verdict),
        "max_len": factchecks.CLAIM_REVIEWED_MAX,
    }
    return page(request, "desk/fc_edit.html", ctx, status=status)


def _conflict_page(
    request: Request, db: Session, current: Any, submitted: factchecks.FactCheckForm
) -> HTMLResponse:
    ctx = factchecks.conflict_context(db, current, submitted) | {
        "verdicts": list(Verdict),
        "max_len": factchecks.CLAIM_REVIEWED_MAX,
    }
    return page(request, "desk/conflict.html", ctx, status=409)


@router.get("/fact-checks", response_class=HTMLResponse)
def fact_check_list(
    request: Request, user: CurrentUser, db: SessionDep, status: str = "", q: str = ""
) -> HTMLResponse:
    ctx = factchecks.list_fact_checks(db, status, q) | {
        "status": status,
        "q": q,
        "statuses": list(FactCheckStatus),
        "can_write": user.role in WRITE,
    }
    return page(request, "desk/fc_list.html", ctx)


@router.get("/fact-checks/new", response_class=HTMLResponse)
def fact_check_new(request: Request, user: Editor, db: SessionDep, claim: int | None = None) -> HTMLResponse:
    with or_404():
        form = factchecks.new_form(db, claim)
    return _editor_page(request, db, form, None)


@router.post("/fact-checks/new", response_class=HTMLResponse)
async def fact_check_create(request: Request, user: Editor, db: SessionDep) -> Response:
    # Async only to read the form: the save and the page run in a worker thread.
    return await run_in_threadpool(_create, request, user, db, await request.form())


def _create(request: Request, user: Any, db: Session, data: FormData) -> Response:
    form = form_from_request(data)
    try:
        fc = factchecks.create(db, form, user)
    except factchecks.WorkflowError as exc:
        raise PageError(_editor_page(request, db, form, None, exc.message.split("\n"), status=400)) from exc
    flash(request, N_("Đã lưu bản nháp"))
    return redirect(f"/desk/fact-checks/{fc.id}")


@router.get("/fact-checks/citation-row", response_class=HTMLResponse)
def citation_row(
    request: Request, user: Editor, db: SessionDep, passage: int | None = None, document: int | None = None
) -> HTMLResponse:
    """One citation fieldset (htmx), optionally prefilled from a library passage."""
    with or_404():
        cit, doc = factchecks.citation_prefill(db, passage, document)
    return page(request, "desk/_citation.html", {"c": cit, "doc": doc})


@router.post("/fact-checks/preview", response_class=HTMLResponse)
async def fact_check_preview(request: Request, user: Editor) -> HTMLResponse:
    form = await request.form()
    body = form.get("body")
    # Markdown rendering of a long body is CPU work: off the event loop.
    return await run_in_threadpool(
        page, request, "desk/_preview.html", {"body": body if isinstance(body, str) else ""}
    )


@router.get("/fact-checks/{fc_id}", response_class=HTMLResponse)
def fact_check_view(request: Request, fc_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    with or_404():
        ctx = factchecks.view_context(db, fc_id, user)
    ctx |= {"can_write": user.role in WRITE, "can_review": user.role in REVIEW}
    if request.query_params.get("chi-muc"):  # just published/corrected/retracted: show the index job
        ctx["progress"] = index_progress()
    return page(request, "desk/fc_view.html", ctx)


@router.get("/fact-checks/{fc_id}/edit", response_class=HTMLResponse)
def fact_check_edit(request: Request, fc_id: int, user: Editor, db: SessionDep) -> HTMLResponse:
    with or_404():
        try:
            fc, form = factchecks.edit_form(db, fc_id)
        except factchecks.WorkflowError as exc:
            raise HTTPException(exc.status, exc.message) from exc
    return _editor_page(request, db, form, fc)


@router.post("/fact-checks/{fc_id}/edit", response_class=HTMLResponse)
async def fact_check_save(request: Request, fc_id: int, user: Editor, db: SessionDep) -> Response:
    return await run_in_threadpool(_save, request, fc_id, user, db, await request.form())


def _save(request: Request, fc_id: int, user: Any, db: Session, data: FormData) -> Response:
    form = form_from_request(data)
    try:
        with or_404():
            factchecks.save(db, fc_id, form, user)
    except factchecks.Conflict as exc:
        raise PageError(_conflict_page(request, db, exc.current, form)) from exc
    except StaleDataError as exc:
        # Another save committed between our version check and our UPDATE.
        current = factchecks.reload_after_conflict(db, fc_id)
        raise PageError(_conflict_page(request, db, current, form)) from exc
    except factchecks.WorkflowError as exc:
        fc = db.get(FactCheck, fc_id)
        raise PageError(_editor_page(request, db, form, fc, exc.message.split("\n"), exc.status)) from exc
    fc = db.get(FactCheck, fc_id)
    if fc is not None and fc.pending_correction:
        flash(
            request,
            N_(
                "Đã gửi đính chính chờ duyệt — trang công khai vẫn giữ bản đã xuất bản cho đến khi được duyệt."
            ),
        )
    else:
        flash(request, N_("Đã lưu phiên bản mới"))
    return redirect(f"/desk/fact-checks/{fc_id}")


@router.post("/fact-checks/{fc_id}/workflow")
def fact_check_workflow(
    request: Request,
    fc_id: int,
    user: Editor,
    db: SessionDep,
    background: BackgroundTasks,
    action: str = Form(...),
    version: str = Form(""),
    note: str = Form(""),
) -> Response:
    back = f"/desk/fact-checks/{fc_id}"
    try:
        with or_404():
            message = factchecks.run_workflow(
                db, fc_id, action, user, version=int(version) if version.isdigit() else None, note=note
            )
    except factchecks.NotReviewer as exc:
        raise HTTPException(403, exc.message) from exc
    except factchecks.WorkflowError as exc:
        flash(request, exc.message, "error")
        if exc.status == 403:
            raise HTTPException(403, exc.message) from exc
        raise PageError(redirect(back)) from exc
    except StaleDataError as exc:
        flash(
            request,
            N_("Bài vừa được người khác thay đổi, hãy xem lại"),
            "error",
        )
        raise PageError(redirect(back)) from exc
    if action == "publish":
        background.add_task(enqueue, tasks.deliver_replies)  # tipsters waiting on the claim get their reply
    flash(request, message)
    # The index job runs after the response: the page polls its progress (desk/_index_status.html).
    return redirect(back + "?chi-muc=1" if action in ("publish", "retract") else back)


@router.get("/fact-checks/{fc_id}/history", response_class=HTMLResponse)
def fact_check_history(request: Request, fc_id: int, user: CurrentUser, db: SessionDep) -> HTMLResponse:
    with or_404():
        ctx = factchecks.history(db, fc_id)
    return page(request, "desk/fc_history.html", ctx)
