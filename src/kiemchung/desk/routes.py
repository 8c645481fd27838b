"""The editors' desk under ``/desk/``: triage claims, write, review, publish and correct fact-checks.

Every route declares the roles it allows through ``require_role``: viewers read; editors write,
edit and submit; reviewers also review, approve, publish and retract; admins also manage users
and read the audit log. Unauthenticated requests are sent to ``/desk/login?next=...`` (303);
state-changing requests must carry the session's CSRF token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kiemchung.desk import auth, engine_link, factchecks, library, replies
from kiemchung.desk.auth import ADMIN, READ, REVIEW, WRITE
from kiemchung.desk.queue import ClaimStats, priority, timeline_buckets, timeline_svg
from kiemchung.public import tipstatus
from kiemchung.settings import get_settings
from kiemchung.store import models
from kiemchung.store.db import audit, sessionmaker_for
from kiemchung.store.models import (
    CLAIM_STATUS_LABELS,
    VERDICT_LABELS_EN,
    VERDICT_LABELS_VI,
    ClaimStatus,
    FactCheckStatus,
    Role,
    Verdict,
    utcnow,
)
from kiemchung.text import fold
from kiemchung.web.i18n import request_lang
from kiemchung.web.security import RateLimiter, client_key, require_csrf
from kiemchung.web.templating import render

router = APIRouter(prefix="/desk", include_in_schema=False)

FC_STATUS_LABELS = {
    FactCheckStatus.draft: ("Bản nháp", "Draft"),
    FactCheckStatus.in_review: ("Chờ duyệt", "In review"),
    FactCheckStatus.approved: ("Đã duyệt", "Approved"),
    FactCheckStatus.published: ("Đã xuất bản", "Published"),
    FactCheckStatus.retracted: ("Đã rút", "Retracted"),
}
ROLE_LABELS = {
    Role.admin: ("Quản trị", "Admin"),
    Role.editor: ("Biên tập viên", "Editor"),
    Role.reviewer: ("Kiểm duyệt viên", "Reviewer"),
    Role.viewer: ("Người xem", "Viewer"),
}
LEVEL_LABELS = {"answer": ("Trả lời tự động", "Answer"), "suggest": ("Gợi ý", "Suggest")}
PAGE_SIZE = 50


# ---------------------------------------------------------------- plumbing


def get_db() -> Iterator[Session]:
    """A session per request; handlers commit explicitly, anything uncommitted is rolled back."""
    session = sessionmaker_for()()
    try:
        yield session
    finally:
        session.close()


def require_role(roles: frozenset[Role]) -> Callable[..., Awaitable[models.User]]:
    """Dependency: the logged-in user if their role is in ``roles``; CSRF checked on writes."""

    async def dependency(request: Request, db: Session = Depends(get_db)) -> models.User:
        user = auth.load_user(request, db)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise HTTPException(303, headers={"Location": f"/desk/login?next={quote(target, safe='')}"})
        request.state.user = user
        if user.role not in roles:
            raise HTTPException(403, "Vai trò của bạn không được phép / Your role may not do this")
        await require_csrf(request)
        return user

    return dependency


def page(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    lang = request_lang(request, get_settings().default_lang)

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    def label(pair: tuple[str, str]) -> str:
        return pair[1] if lang == "en" else pair[0]

    base: dict[str, Any] = {
        "t": t,
        "label": label,
        "claim_status_labels": CLAIM_STATUS_LABELS,
        "fc_status_labels": FC_STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "level_labels": LEVEL_LABELS,
        "verdict_labels": VERDICT_LABELS_EN if lang == "en" else VERDICT_LABELS_VI,
        "Role": Role,
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
        "path": request.url.path,
    }
    base.update(ctx or {})
    return render(request, name, base, status_code=status)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"kind": kind, "message": message}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def get_or_404(db: Session, model: type[Any], obj_id: int) -> Any:
    obj = db.get(model, obj_id)
    if obj is None:
        raise HTTPException(404)
    return obj


def safe_next(target: str | None) -> str:
    # Only paths inside the desk: never an absolute or protocol-relative URL (open redirect).
    if target and target.startswith("/desk") and not target.startswith("//") and "\\" not in target:
        return target
    return "/desk/"


def _login_limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "desk_login_limiter", None)
    if limiter is None:
        s = get_settings()
        limiter = RateLimiter(limit=max(10, s.login_max_failures * 4), window=float(s.login_lockout_seconds))
        request.app.state.desk_login_limiter = limiter
    return limiter


# ---------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/desk/", db: Session = Depends(get_db)) -> Response:
    user = auth.load_user(request, db)
    if user is not None:
        return redirect(safe_next(next))
    return page(request, "desk/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/desk/"),
    db: Session = Depends(get_db),
) -> Response:
    s = get_settings()
    ctx: dict[str, Any] = {"next": safe_next(next), "email": email}
    limiter = _login_limiter(request)
    if not limiter.hit(client_key(request)):
        ctx["error"] = (
            "Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau. / "
            "Too many login attempts from this address. Try again later."
        )
        resp = page(request, "desk/login.html", ctx, status=429)
        resp.headers["Retry-After"] = str(limiter.retry_after(client_key(request)))
        return resp
    result = auth.attempt_login(
        db, email, password, max_failures=s.login_max_failures, lockout_seconds=s.login_lockout_seconds
    )
    db.commit()
    if result.user is None:
        if result.error == "locked":
            minutes = max(1, round(((result.locked_until or utcnow()) - utcnow()).total_seconds() / 60))
            ctx["error"] = (
                f"Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau khoảng {minutes} phút. / "
                f"Account temporarily locked after too many failed logins. Try again in about {minutes} min."
            )
            return page(request, "desk/login.html", ctx, status=429)
        if result.error == "disabled":
            ctx["error"] = "Tài khoản đã bị vô hiệu hóa / This account is disabled"
            return page(request, "desk/login.html", ctx, status=403)
        ctx["error"] = "Email hoặc mật khẩu không đúng / Wrong e-mail or password"
        return page(request, "desk/login.html", ctx, status=400)
    auth.start_session(request, db, result.user)
    audit(db, "user.login", result.user, user_id=result.user.id)
    db.commit()
    return redirect(safe_next(next))


@router.post("/logout")
def logout(
    request: Request, user: models.User = Depends(require_role(READ)), db: Session = Depends(get_db)
) -> Response:
    db_user = db.get(models.User, user.id)
    if db_user is not None:
        auth.end_session(request, db, db_user)
        db.commit()
    flash(request, "Đã đăng xuất / Logged out")
    return redirect("/desk/login")


# ---------------------------------------------------------------- claims queue


def _claim_filters(
    status: str, topic: str, date_from: str, date_to: str, has_match: str, assignee: str
) -> tuple[list[Any], dict[str, str]]:
    conds: list[Any] = []
    active = {
        "status": status,
        "topic": topic,
        "from": date_from,
        "to": date_to,
        "match": has_match,
        "assignee": assignee,
    }
    if status == "open" or not status:
        conds.append(models.Claim.status.in_([ClaimStatus.new, ClaimStatus.triaged, ClaimStatus.in_progress]))
    elif status != "all" and status in ClaimStatus._value2member_map_:
        conds.append(models.Claim.status == ClaimStatus(status))
    if topic:
        conds.append(models.Claim.topic == topic)
    for raw, op in ((date_from, "ge"), (date_to, "le")):
        if raw:
            try:
                d = datetime.strptime(raw, "%Y-%m-%d")
            except ValueError:
                continue
            conds.append(
                models.Claim.last_seen >= d if op == "ge" else models.Claim.last_seen < d + timedelta(days=1)
            )
    if has_match == "yes":
        conds.append(models.Claim.best_match_id.is_not(None))
    elif has_match == "no":
        conds.append(models.Claim.best_match_id.is_(None))
    if assignee == "me":
        conds.append(models.Claim.assignee_id == -1)  # replaced by the caller with the user's id
    elif assignee == "none":
        conds.append(models.Claim.assignee_id.is_(None))
    return conds, {k: v for k, v in active.items() if v and not (k == "status" and v == "open")}


def queue_rows(db: Session, conds: list[Any], now: datetime) -> list[dict[str, Any]]:
    """Claims matching ``conds`` with their priority, highest first."""
    claims = list(
        db.scalars(select(models.Claim).where(*conds).order_by(models.Claim.last_seen.desc()).limit(2000))
    )
    if not claims:
        return []
    ids = [c.id for c in claims]
    since = now - timedelta(hours=24)
    item_time = func.coalesce(models.Item.published_at, models.Item.ingested_at)
    recent = dict(
        db.execute(  # type: ignore[arg-type]
            select(models.ClaimItem.claim_id, func.count())
            .join(models.Item, models.Item.id == models.ClaimItem.item_id)
            .where(models.ClaimItem.claim_id.in_(ids), item_time >= since)
            .group_by(models.ClaimItem.claim_id)
        ).all()
    )
    users = {u.id: u for u in db.scalars(select(models.User))}
    rows: list[dict[str, Any]] = []
    for c in claims:
        stats = ClaimStats(c.checkworthiness or 0.0, int(recent.get(c.id, 0)), c.engagement or 0, c.last_seen)
        rows.append(
            {
                "claim": c,
                "priority": priority(stats, now),
                "items_24h": stats.items_24h,
                "assignee": users.get(c.assignee_id) if c.assignee_id else None,
            }
        )
    rows.sort(key=lambda r: (-float(r["priority"]), -int(r["claim"].id)))
    return rows


@dataclass
class QueueFilters:
    """The queue's query parameters (shared by the page and its htmx-refreshed rows)."""

    status: str = "open"
    topic: str = ""
    date_from: str = Query("", alias="from")
    date_to: str = Query("", alias="to")
    has_match: str = Query("", alias="match")
    assignee: str = ""
    page_no: int = Query(1, alias="page")


def _queue_context(request: Request, db: Session, user: models.User, f: QueueFilters) -> dict[str, Any]:
    status, topic, date_from, date_to = f.status, f.topic, f.date_from, f.date_to
    has_match, assignee, page_no = f.has_match, f.assignee, f.page_no
    conds, active = _claim_filters(status, topic, date_from, date_to, has_match, assignee)
    if assignee == "me":
        conds[-1] = models.Claim.assignee_id == user.id
    rows = queue_rows(db, conds, utcnow())
    total = len(rows)
    page_no = max(1, page_no)
    rows = rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
    topics = [
        t
        for t in db.scalars(select(models.Claim.topic).where(models.Claim.topic.is_not(None)).distinct())
        if t
    ]
    editors = list(
        db.scalars(
            select(models.User)
            .where(
                models.User.active.is_(True), models.User.role.in_([Role.editor, Role.reviewer, Role.admin])
            )
            .order_by(models.User.display_name)
        )
    )
    query = urlencode(
        {
            k: v
            for k, v in {
                "status": status,
                "topic": topic,
                "from": date_from,
                "to": date_to,
                "match": has_match,
                "assignee": assignee,
            }.items()
            if v
        }
    )
    return {
        "rows": rows,
        "total": total,
        "page_no": page_no,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "topics": sorted(topics),
        "editors": editors,
        "filters": active,
        "query": query,
        "f": {
            "status": status or "open",
            "topic": topic,
            "from": date_from,
            "to": date_to,
            "match": has_match,
            "assignee": assignee,
        },
        "can_write": user.role in WRITE,
    }


@router.get("/", response_class=HTMLResponse)
@router.get("/claims", response_class=HTMLResponse)
def claims_queue(
    request: Request,
    f: QueueFilters = Depends(),
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    ctx = _queue_context(request, db, user, f)
    return page(request, "desk/queue.html", ctx)


@router.get("/claims/rows", response_class=HTMLResponse)
def claims_rows(
    request: Request,
    f: QueueFilters = Depends(),
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    """The queue's table body alone, for the htmx refresh."""
    ctx = _queue_context(request, db, user, f)
    return page(request, "desk/_queue_rows.html", ctx)


@router.post("/claims/bulk")
async def claims_bulk(
    request: Request, user: models.User = Depends(require_role(WRITE)), db: Session = Depends(get_db)
) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    action = str(form.get("action") or "")
    back = safe_next(str(form.get("back") or "/desk/"))
    if not ids:
        flash(request, "Chưa chọn nhận định nào / No claims selected", "warn")
        return redirect(back)
    claims = list(db.scalars(select(models.Claim).where(models.Claim.id.in_(ids))))
    if action == "dismiss":
        for c in claims:
            if c.status != ClaimStatus.dismissed:
                audit(
                    db, "claim.status", c, user_id=user.id, data={"old": c.status.value, "new": "dismissed"}
                )
                c.status = ClaimStatus.dismissed
        flash(request, f"Đã bỏ qua {len(claims)} nhận định / Dismissed {len(claims)} claims")
    elif action == "assign":
        raw = str(form.get("assignee_id") or "")
        assignee = db.get(models.User, int(raw)) if raw.isdigit() else None
        if raw and (assignee is None or assignee.role not in WRITE or not assignee.active):
            flash(request, "Người được giao không hợp lệ / Invalid assignee", "error")
            return redirect(back)
        for c in claims:
            audit(
                db,
                "claim.assign",
                c,
                user_id=user.id,
                data={"old": c.assignee_id, "new": assignee.id if assignee else None},
            )
            c.assignee_id = assignee.id if assignee else None
        flash(request, f"Đã giao {len(claims)} nhận định / Assigned {len(claims)} claims")
    else:
        raise HTTPException(400, "Thao tác không hợp lệ / Unknown action")
    db.commit()
    return redirect(back)


# ---------------------------------------------------------------- claim page


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_detail(
    request: Request,
    claim_id: int,
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    claim: models.Claim = get_or_404(db, models.Claim, claim_id)
    links = list(
        db.scalars(
            select(models.ClaimItem)
            .where(models.ClaimItem.claim_id == claim.id)
            .options(selectinload(models.ClaimItem.item))
        )
    )
    items = sorted((ci.item for ci in links), key=lambda it: it.published_at or it.ingested_at)
    times = [it.published_at or it.ingested_at for it in items]
    unit, buckets = timeline_buckets(times)
    now = utcnow()
    recent = sum(1 for t in times if t >= now - timedelta(hours=24))
    prio = priority(
        ClaimStats(claim.checkworthiness or 0.0, recent, claim.engagement or 0, claim.last_seen), now
    )
    matches = engine_link.match_fact_checks(claim.text)
    match_rows = []
    if matches:
        fcs = {
            f.id: f
            for f in db.scalars(
                select(models.FactCheck).where(models.FactCheck.id.in_([m.fact_check_id for m in matches]))
            )
        }
        match_rows = [(m, fcs[m.fact_check_id]) for m in matches if m.fact_check_id in fcs]
    elif claim.best_match_id:
        fc = db.get(models.FactCheck, claim.best_match_id)
        if fc is not None:
            match_rows = [
                (engine_link.MatchView(fc.id, claim.best_match_score or 0.0, claim.best_match_level), fc)
            ]
    ev = engine_link.evidence(claim.text)
    evidence_rows = []
    if ev:
        passages = {
            p.id: p
            for p in db.scalars(
                select(models.Passage)
                .where(models.Passage.id.in_([pid for pid, _ in ev]))
                .options(selectinload(models.Passage.document))
            )
        }
        evidence_rows = [(passages[pid], score) for pid, score in ev if pid in passages]
    attachable = list(
        db.scalars(
            select(models.FactCheck)
            .where(models.FactCheck.status == FactCheckStatus.published)
            .order_by(models.FactCheck.published_at.desc())
            .limit(200)
        )
    )
    editors = list(
        db.scalars(
            select(models.User).where(
                models.User.active.is_(True), models.User.role.in_([Role.editor, Role.reviewer, Role.admin])
            )
        )
    )
    linked = list(db.scalars(select(models.FactCheck).where(models.FactCheck.claim_id == claim.id)))
    asked, waiting = tipstatus.demand(db, claim.id)
    return page(
        request,
        "desk/claim.html",
        {
            "claim": claim,
            "items": items,
            "links": {ci.item_id: ci for ci in links},
            "timeline": timeline_svg(unit, buckets),
            "timeline_unit": unit,
            "priority": prio,
            "items_24h": recent,
            "matches": match_rows,
            "engine_ok": matches is not None,
            "evidence": evidence_rows,
            "evidence_ok": ev is not None,
            "attachable": attachable,
            "editors": editors,
            "linked": linked,
            "asked": asked,
            "waiting": waiting,
            "can_write": user.role in WRITE,
            "statuses": [
                ClaimStatus.triaged,
                ClaimStatus.in_progress,
                ClaimStatus.dismissed,
                ClaimStatus.new,
            ],
        },
    )


@router.post("/claims/{claim_id}/status")
def claim_status(
    request: Request,
    claim_id: int,
    status: str = Form(...),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    claim: models.Claim = get_or_404(db, models.Claim, claim_id)
    if status not in {"new", "triaged", "in_progress", "dismissed"}:
        raise HTTPException(400, "Trạng thái không hợp lệ / Invalid status")
    if claim.status.value != status:
        audit(db, "claim.status", claim, user_id=user.id, data={"old": claim.status.value, "new": status})
        claim.status = ClaimStatus(status)
        db.commit()
        flash(request, "Đã cập nhật trạng thái / Status updated")
    return redirect(f"/desk/claims/{claim.id}")


@router.post("/claims/{claim_id}/assign")
def claim_assign(
    request: Request,
    claim_id: int,
    assignee_id: str = Form(""),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    claim: models.Claim = get_or_404(db, models.Claim, claim_id)
    new_id = int(assignee_id) if assignee_id.isdigit() else None
    if new_id is not None:
        target = db.get(models.User, new_id)
        if target is None or target.role not in WRITE or not target.active:
            raise HTTPException(400, "Người được giao không hợp lệ / Invalid assignee")
    audit(db, "claim.assign", claim, user_id=user.id, data={"old": claim.assignee_id, "new": new_id})
    claim.assignee_id = new_id
    db.commit()
    flash(request, "Đã giao việc / Assignment saved")
    return redirect(f"/desk/claims/{claim.id}")


@router.post("/claims/{claim_id}/attach")
def claim_attach(
    request: Request,
    claim_id: int,
    background: BackgroundTasks,
    fact_check_id: int = Form(...),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    """Attach the claim to an existing published fact-check: it is answered, status checked."""
    claim: models.Claim = get_or_404(db, models.Claim, claim_id)
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fact_check_id)
    if fc.status != FactCheckStatus.published:
        raise HTTPException(400, "Chỉ gắn vào bài đã xuất bản / Attach only to a published fact-check")
    audit(
        db,
        "claim.attach",
        claim,
        user_id=user.id,
        data={"fact_check_id": fc.id, "old": claim.status.value, "new": "checked"},
    )
    claim.best_match_id = fc.id
    claim.best_match_level = "answer"
    claim.best_match_score = max(claim.best_match_score or 0.0, 1.0) if claim.best_match_id == fc.id else 1.0
    claim.status = ClaimStatus.checked
    replies.enqueue_for_claim(db, claim, fc)
    db.commit()
    background.add_task(replies.run_replies)
    flash(request, "Đã gắn vào bài kiểm chứng / Attached to the fact-check")
    return redirect(f"/desk/claims/{claim.id}")


# ---------------------------------------------------------------- fact-checks


def _form_from_request(form: Any) -> factchecks.FactCheckForm:
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
    )


def _form_from_fc(fc: models.FactCheck) -> factchecks.FactCheckForm:
    return factchecks.FactCheckForm(
        claim_reviewed=fc.claim_reviewed,
        claim_text=fc.claim_text,
        verdict=fc.verdict.value,
        summary=fc.summary,
        body=fc.body,
        topics=list(fc.topics or []),
        claim_appearance_url=fc.claim_appearance_url or "",
        claim_id=fc.claim_id,
        version=fc.version,
        citations=[
            factchecks.CitationForm(c.document_id, c.passage_id, c.url or "", c.title, c.quote)
            for c in fc.citations
        ],
    )


def _editor_page(
    request: Request,
    db: Session,
    form: factchecks.FactCheckForm,
    fc: models.FactCheck | None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    doc_ids = {c.document_id for c in form.citations if c.document_id}
    docs = (
        {d.id: d for d in db.scalars(select(models.Document).where(models.Document.id.in_(doc_ids)))}
        if doc_ids
        else {}
    )
    claim = db.get(models.Claim, form.claim_id) if form.claim_id else None
    return page(
        request,
        "desk/fc_edit.html",
        {
            "form": form,
            "fc": fc,
            "errors": errors or [],
            "verdicts": list(Verdict),
            "docs": docs,
            "claim": claim,
            "max_len": factchecks.CLAIM_REVIEWED_MAX,
        },
        status=status,
    )


@router.get("/fact-checks", response_class=HTMLResponse)
def fact_check_list(
    request: Request,
    status: str = "",
    q: str = "",
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    stmt = select(models.FactCheck).order_by(models.FactCheck.updated_at.desc()).limit(300)
    if status in FactCheckStatus._value2member_map_:
        stmt = stmt.where(models.FactCheck.status == FactCheckStatus(status))
    fcs = list(db.scalars(stmt))
    if q.strip():
        needle = fold(q)
        fcs = [f for f in fcs if needle in fold(f.claim_reviewed + " " + f.summary)]
    users = {u.id: u for u in db.scalars(select(models.User))}
    return page(
        request,
        "desk/fc_list.html",
        {
            "fcs": fcs,
            "users": users,
            "status": status,
            "q": q,
            "statuses": list(FactCheckStatus),
            "can_write": user.role in WRITE,
        },
    )


@router.get("/fact-checks/new", response_class=HTMLResponse)
def fact_check_new(
    request: Request,
    claim: int | None = None,
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    form = factchecks.FactCheckForm(verdict="", citations=[factchecks.CitationForm()])
    if claim is not None:
        c: models.Claim = get_or_404(db, models.Claim, claim)
        form.claim_id = c.id
        form.claim_text = c.text
        form.claim_reviewed = c.text[: factchecks.CLAIM_REVIEWED_MAX]
        form.topics = [c.topic] if c.topic else []
    return _editor_page(request, db, form, None)


@router.post("/fact-checks/new", response_class=HTMLResponse)
async def fact_check_create(
    request: Request, user: models.User = Depends(require_role(WRITE)), db: Session = Depends(get_db)
) -> Response:
    form = _form_from_request(await request.form())
    try:
        fc = factchecks.create(db, form, user)
    except factchecks.WorkflowError as exc:
        db.rollback()
        return _editor_page(request, db, form, None, exc.message.split("\n"), status=400)
    db.commit()
    flash(request, "Đã lưu bản nháp / Draft saved")
    return redirect(f"/desk/fact-checks/{fc.id}")


@router.get("/fact-checks/citation-row", response_class=HTMLResponse)
def citation_row(
    request: Request,
    passage: int | None = None,
    document: int | None = None,
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    """One citation fieldset (htmx), optionally prefilled from a library passage."""
    cit = factchecks.CitationForm()
    doc = None
    if passage is not None:
        p: models.Passage = get_or_404(db, models.Passage, passage)
        doc = p.document
        cit = factchecks.CitationForm(doc.id, p.id, doc.url or "", doc.title, p.text)
    elif document is not None:
        doc = get_or_404(db, models.Document, document)
        cit = factchecks.CitationForm(doc.id, None, doc.url or "", doc.title, "")
    return page(request, "desk/_citation.html", {"c": cit, "doc": doc})


@router.post("/fact-checks/preview", response_class=HTMLResponse)
async def fact_check_preview(
    request: Request, user: models.User = Depends(require_role(WRITE))
) -> HTMLResponse:
    form = await request.form()
    body = form.get("body")
    return page(request, "desk/_preview.html", {"body": body if isinstance(body, str) else ""})


@router.get("/fact-checks/{fc_id}", response_class=HTMLResponse)
def fact_check_view(
    request: Request,
    fc_id: int,
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fc_id)
    users = {u.id: u for u in db.scalars(select(models.User))}
    writers = factchecks.writers(db, fc)
    may_review = user.role in REVIEW and user.id not in writers
    return page(
        request,
        "desk/fc_view.html",
        {
            "fc": fc,
            "users": users,
            "may_review": may_review,
            "is_writer": user.id in writers,
            "can_write": user.role in WRITE,
            "can_review": user.role in REVIEW,
            "claim": db.get(models.Claim, fc.claim_id) if fc.claim_id else None,
        },
    )


@router.get("/fact-checks/{fc_id}/edit", response_class=HTMLResponse)
def fact_check_edit(
    request: Request,
    fc_id: int,
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fc_id)
    if fc.status == FactCheckStatus.retracted:
        raise HTTPException(409, "Bài đã bị rút, không thể sửa / A retracted fact-check cannot be edited")
    form = _form_from_fc(fc)
    if not form.citations:
        form.citations = [factchecks.CitationForm()]
    return _editor_page(request, db, form, fc)


@router.post("/fact-checks/{fc_id}/edit", response_class=HTMLResponse)
async def fact_check_save(
    request: Request,
    fc_id: int,
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fc_id)
    form = _form_from_request(await request.form())
    try:
        factchecks.update(db, fc, form, user)
        db.commit()
    except factchecks.Conflict as exc:
        db.rollback()
        return _conflict_page(request, db, exc.current, form)
    except StaleDataError:
        # Another save committed between our version check and our UPDATE.
        db.rollback()
        current = get_or_404(db, models.FactCheck, fc_id)
        db.refresh(current)
        return _conflict_page(request, db, current, form)
    except factchecks.WorkflowError as exc:
        db.rollback()
        return _editor_page(
            request, db, form, db.get(models.FactCheck, fc_id), exc.message.split("\n"), status=exc.status
        )
    flash(request, "Đã lưu phiên bản mới / New version saved")
    return redirect(f"/desk/fact-checks/{fc.id}")


def _conflict_page(
    request: Request, db: Session, current: models.FactCheck, submitted: factchecks.FactCheckForm
) -> HTMLResponse:
    theirs = factchecks.snapshot(current)
    yours = submitted.snapshot()
    rows = []
    for key in ("claim_reviewed", "claim_text", "verdict", "summary", "body", "topics", "citations"):
        a, b = factchecks.as_text(theirs.get(key)), factchecks.as_text(yours.get(key))
        rows.append(
            {"field": key, "theirs": a, "yours": b, "same": a == b, "diff": factchecks.text_diff(a, b)}
        )
    last = db.scalar(
        select(models.FactCheckRevision)
        .where(models.FactCheckRevision.fact_check_id == current.id)
        .order_by(models.FactCheckRevision.version.desc())
    )
    by = db.get(models.User, last.user_id) if last and last.user_id else None
    merged = factchecks.FactCheckForm(**{**submitted.__dict__, "version": current.version})
    return page(
        request,
        "desk/conflict.html",
        {
            "fc": current,
            "rows": rows,
            "form": merged,
            "by": by,
            "verdicts": list(Verdict),
            "max_len": factchecks.CLAIM_REVIEWED_MAX,
        },
        status=409,
    )


@router.post("/fact-checks/{fc_id}/workflow")
def fact_check_workflow(
    request: Request,
    fc_id: int,
    background: BackgroundTasks,
    action: str = Form(...),
    version: str = Form(""),
    note: str = Form(""),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fc_id)
    if action in ("approve", "publish", "retract", "return") and user.role not in REVIEW:
        raise HTTPException(403, "Chỉ người kiểm duyệt được làm việc này / Only reviewers may do this")
    try:
        factchecks.transition(
            db, fc, action, user, version=int(version) if version.isdigit() else None, note=note
        )
        db.commit()
    except factchecks.WorkflowError as exc:
        db.rollback()
        flash(request, exc.message, "error")
        if exc.status == 403:
            raise HTTPException(403, exc.message) from exc
        return redirect(f"/desk/fact-checks/{fc_id}")
    except StaleDataError:
        db.rollback()
        flash(
            request,
            "Bài vừa được người khác thay đổi, hãy xem lại / Changed meanwhile, please review",
            "error",
        )
        return redirect(f"/desk/fact-checks/{fc_id}")
    messages = {
        "submit": "Đã gửi duyệt / Sent for review",
        "return": "Đã trả lại bản nháp / Returned to draft",
        "approve": "Đã duyệt / Approved",
        "publish": "Đã xuất bản / Published",
        "retract": "Đã rút bài / Retracted",
    }
    if action == "publish":
        if not engine_link.index_pending(db):
            messages["publish"] += " — chỉ mục sẽ được cập nhật sau / the index will be updated later"
        db.commit()
        background.add_task(replies.run_replies)  # tipsters waiting on the claim get their reply
    elif action == "retract":
        engine_link.unindex_fact_check(db, fc.id)
        db.commit()
    flash(request, messages[action])
    return redirect(f"/desk/fact-checks/{fc_id}")


@router.get("/fact-checks/{fc_id}/history", response_class=HTMLResponse)
def fact_check_history(
    request: Request,
    fc_id: int,
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    fc: models.FactCheck = get_or_404(db, models.FactCheck, fc_id)
    users = {u.id: u for u in db.scalars(select(models.User))}
    revs = list(fc.revisions)
    corrections = {c.version: c for c in fc.corrections}
    entries = []
    prev: dict[str, Any] = {}
    for rev in revs:
        entries.append(
            {
                "rev": rev,
                "user": users.get(rev.user_id) if rev.user_id else None,
                "diffs": factchecks.snapshot_diffs(prev, rev.data),
                "correction": corrections.get(rev.version),
            }
        )
        prev = rev.data
    entries.reverse()
    return page(request, "desk/fc_history.html", {"fc": fc, "entries": entries})


# ---------------------------------------------------------------- library


@router.get("/library", response_class=HTMLResponse)
def library_index(
    request: Request,
    q: str = "",
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    docs = list(db.scalars(select(models.Document).order_by(models.Document.created_at.desc()).limit(200)))
    hits = _search_passages(db, q) if q.strip() else []
    counts = dict(
        db.execute(  # type: ignore[arg-type]
            select(models.Passage.document_id, func.count()).group_by(models.Passage.document_id)
        ).all()
    )
    return page(
        request,
        "desk/library.html",
        {
            "docs": docs,
            "q": q,
            "hits": hits,
            "counts": counts,
            "can_write": user.role in WRITE,
            "report": request.session.pop("import_report", None),
            "max_mb": get_settings().max_upload_bytes / 1e6,
        },
    )


def _search_passages(db: Session, q: str, limit: int = 30) -> list[models.Passage]:
    """Passages containing every folded query word (so 'gia xang' finds 'giá xăng')."""
    words = fold(q).split()
    if not words:
        return []
    # A prefilter in SQL on the longest word keeps this cheap; the folded check runs in Python.
    out: list[models.Passage] = []
    stmt = select(models.Passage).options(selectinload(models.Passage.document)).order_by(models.Passage.id)
    for p in db.scalars(stmt.execution_options(yield_per=500)):
        hay = fold(p.text + " " + p.document.title)
        if all(w in hay for w in words):
            out.append(p)
            if len(out) >= limit:
                break
    return out


@router.get("/library/pick", response_class=HTMLResponse)
def library_pick(
    request: Request,
    q: str = "",
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    return page(
        request, "desk/_pick.html", {"hits": _search_passages(db, q, 10) if q.strip() else [], "q": q}
    )


@router.post("/library/upload")
async def library_upload(
    request: Request,
    files: list[UploadFile] = File(...),
    publisher: str = Form(""),
    kind: str = Form("article"),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    limit = get_settings().max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413)
    report: list[dict[str, str]] = []
    for f in files:
        name = f.filename or "tệp"
        data = await f.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"{name}: quá {limit // 1_000_000} MB / over {limit // 1_000_000} MB")
        try:
            title, text = library.extract_text(name, data, f.content_type or "")
        except library.UnsupportedFile:
            report.append(
                {
                    "name": name,
                    "status": "error",
                    "message": "Định dạng không hỗ trợ (txt, html, pdf) / Unsupported format (txt, html, pdf)",
                }
            )
            continue
        except Exception as exc:  # a corrupt PDF is reported, the other files still import
            report.append(
                {
                    "name": name,
                    "status": "error",
                    "message": f"Không đọc được tệp / Cannot read file ({type(exc).__name__})",
                }
            )
            continue
        outcome = library.store_document(db, title, text, publisher=publisher.strip() or None, kind=kind[:40])
        report.append(_outcome_row(name, outcome))
        if outcome.document is not None and not outcome.duplicate:
            audit(db, "document.import", outcome.document, user_id=user.id, data={"file": name})
    db.commit()
    engine_link.index_pending(db)
    db.commit()
    request.session["import_report"] = report
    return redirect("/desk/library")


def _outcome_row(name: str, outcome: library.ImportOutcome) -> dict[str, str]:
    if outcome.error:
        return {"name": name, "status": "error", "message": outcome.error}
    assert outcome.document is not None
    if outcome.duplicate:
        return {
            "name": name,
            "status": "warn",
            "message": "Đã có trong thư viện / Already in the library",
            "href": f"/desk/library/{outcome.document.id}",
        }
    return {
        "name": name,
        "status": "ok",
        "message": f"Đã nhập, {len(outcome.document.passages)} đoạn / Imported, {len(outcome.document.passages)} passages",
        "href": f"/desk/library/{outcome.document.id}",
    }


@router.post("/library/urls")
def library_urls(
    request: Request,
    urls: str = Form(""),
    publisher: str = Form(""),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    wanted = [u.strip() for u in urls.splitlines() if u.strip()][:50]
    report: list[dict[str, str]] = []
    for fetched in library.fetch_urls(wanted, max_bytes=get_settings().max_upload_bytes):
        if fetched.error:
            report.append({"name": fetched.url, "status": "error", "message": fetched.error})
            continue
        outcome = library.store_document(
            db,
            fetched.title or fetched.url,
            fetched.text,
            url=fetched.url,
            publisher=publisher.strip() or None,
        )
        report.append(_outcome_row(fetched.url, outcome))
        if outcome.document is not None and not outcome.duplicate:
            audit(db, "document.import", outcome.document, user_id=user.id, data={"url": fetched.url})
    db.commit()
    engine_link.index_pending(db)
    db.commit()
    request.session["import_report"] = report
    return redirect("/desk/library")


@router.get("/library/{doc_id}", response_class=HTMLResponse)
def library_document(
    request: Request,
    doc_id: int,
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    doc: models.Document = get_or_404(db, models.Document, doc_id)
    return page(request, "desk/document.html", {"doc": doc, "can_write": user.role in WRITE})


# ---------------------------------------------------------------- audit log, users


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    action: str = "",
    entity: str = "",
    user_id: str = "",
    date_from: str = Query("", alias="from"),
    user: models.User = Depends(require_role(ADMIN)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    stmt = (
        select(models.AuditEvent)
        .order_by(models.AuditEvent.at.desc(), models.AuditEvent.id.desc())
        .limit(300)
    )
    if action:
        stmt = stmt.where(models.AuditEvent.action.startswith(action))
    if entity:
        stmt = stmt.where(models.AuditEvent.entity_type == entity)
    if user_id.isdigit():
        stmt = stmt.where(models.AuditEvent.user_id == int(user_id))
    if date_from:
        with contextlib.suppress(ValueError):
            stmt = stmt.where(models.AuditEvent.at >= datetime.strptime(date_from, "%Y-%m-%d"))
    events = list(db.scalars(stmt))
    rows = []
    for ev in events:
        changes = ev.data.get("changes") if isinstance(ev.data, dict) else None
        diffs = (
            [
                (k, factchecks.text_diff(factchecks.as_text(v.get("old")), factchecks.as_text(v.get("new"))))
                for k, v in changes.items()
            ]
            if isinstance(changes, dict)
            else []
        )
        extra = {k: v for k, v in (ev.data or {}).items() if k != "changes"}
        rows.append({"ev": ev, "diffs": diffs, "extra": extra})
    users = {u.id: u for u in db.scalars(select(models.User))}
    actions = sorted({a.split(".")[0] for a in db.scalars(select(models.AuditEvent.action).distinct())})
    entities = sorted(e for e in db.scalars(select(models.AuditEvent.entity_type).distinct()) if e)
    return page(
        request,
        "desk/audit.html",
        {
            "rows": rows,
            "users": users,
            "actions": actions,
            "entities": entities,
            "f": {"action": action, "entity": entity, "user_id": user_id, "from": date_from},
        },
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request, user: models.User = Depends(require_role(ADMIN)), db: Session = Depends(get_db)
) -> HTMLResponse:
    users = list(db.scalars(select(models.User).order_by(models.User.email)))
    return page(request, "desk/users.html", {"users": users, "roles": list(Role)})


@router.post("/users/{uid}")
def users_update(
    request: Request,
    uid: int,
    role: str = Form(""),
    active: str = Form(""),
    user: models.User = Depends(require_role(ADMIN)),
    db: Session = Depends(get_db),
) -> Response:
    target: models.User = get_or_404(db, models.User, uid)
    if role and role in Role._value2member_map_ and target.role.value != role:
        if target.id == user.id:
            raise HTTPException(400, "Không thể tự đổi vai trò của mình / You cannot change your own role")
        audit(db, "user.set_role", target, user_id=user.id, data={"old": target.role.value, "new": role})
        target.role = Role(role)
    if active in ("0", "1") and target.active != (active == "1"):
        if target.id == user.id:
            raise HTTPException(400, "Không thể tự vô hiệu hóa / You cannot disable yourself")
        audit(db, "user.disable" if active == "0" else "user.enable", target, user_id=user.id)
        target.active = active == "1"
    db.commit()
    flash(request, "Đã cập nhật tài khoản / Account updated")
    return redirect("/desk/users")


# ---------------------------------------------------------------- scam indicators


def _blocklist() -> Any:
    try:
        from kiemchung.scam import blocklist
    except ImportError:
        return None
    return blocklist


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(
    request: Request,
    q: str = "",
    kind: str = "",
    list_kind: str = "",
    user: models.User = Depends(require_role(READ)),
    db: Session = Depends(get_db),
) -> HTMLResponse:
    stmt = select(models.Indicator).where(models.Indicator.active.is_(True))
    if kind in models.IndicatorKind._value2member_map_:
        stmt = stmt.where(models.Indicator.kind == models.IndicatorKind(kind))
    if list_kind in models.ListKind._value2member_map_:
        stmt = stmt.where(models.Indicator.list_kind == models.ListKind(list_kind))
    if q.strip():
        stmt = stmt.where(models.Indicator.value.contains(q.strip().lower()))
    # Manually added ones first: those are the desk's own decisions.
    stmt = stmt.order_by(models.Indicator.feed_id.is_not(None), models.Indicator.last_seen.desc()).limit(300)
    total = db.scalar(select(func.count(models.Indicator.id)).where(models.Indicator.active.is_(True))) or 0
    users = {u.id: u for u in db.scalars(select(models.User))}
    return page(
        request,
        "desk/indicators.html",
        {
            "indicators": list(db.scalars(stmt.options(selectinload(models.Indicator.feed)))),
            "total": total,
            "kinds": list(models.IndicatorKind),
            "list_kinds": list(models.ListKind),
            "users": users,
            "f": {"q": q, "kind": kind, "list_kind": list_kind},
            "can_write": user.role in WRITE,
            "available": _blocklist() is not None,
        },
    )


@router.post("/indicators/add")
def indicators_add(
    request: Request,
    kind: str = Form(...),
    value: str = Form(...),
    list_kind: str = Form("block"),
    reason: str = Form(""),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    bl = _blocklist()
    if bl is None:
        raise HTTPException(503, "Chưa có mô-đun danh sách chặn / The blocklist module is not available")
    if not reason.strip():
        flash(request, "Cần ghi lý do / A reason is required", "error")
        return redirect("/desk/indicators")
    try:
        bl.add_indicator(db, kind, value, list_kind, reason.strip(), user.id)
        db.commit()
    except (ValueError, KeyError) as exc:
        db.rollback()
        flash(request, f"Không thêm được / Could not add: {exc}", "error")
        return redirect("/desk/indicators")
    flash(request, "Đã thêm chỉ báo / Indicator added")
    return redirect("/desk/indicators")


@router.post("/indicators/{ind_id}/remove")
def indicators_remove(
    request: Request,
    ind_id: int,
    reason: str = Form(""),
    user: models.User = Depends(require_role(WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    ind: models.Indicator = get_or_404(db, models.Indicator, ind_id)
    bl = _blocklist()
    if bl is None:
        raise HTTPException(503, "Chưa có mô-đun danh sách chặn / The blocklist module is not available")
    if not reason.strip():
        flash(request, "Cần ghi lý do / A reason is required", "error")
        return redirect("/desk/indicators")
    try:
        bl.remove_indicator(db, ind.kind.value, ind.value, ind.list_kind.value, reason.strip(), user.id)
        db.commit()
    except (ValueError, KeyError) as exc:
        db.rollback()
        flash(request, f"Không gỡ được / Could not remove: {exc}", "error")
        return redirect("/desk/indicators")
    flash(request, "Đã gỡ chỉ báo / Indicator removed")
    return redirect("/desk/indicators")
