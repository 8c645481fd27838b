"""Request dependencies shared by every router: one session policy, the current user, page helpers.

One transaction per request. ``SessionDep`` opens a session before the handler runs and, once the
handler has returned, commits; if the handler raises, it rolls back. Handlers never commit or roll
back themselves::

    @router.post("/desk/claims/{claim_id}/status")
    def claim_status(claim_id: int, status: str, user: Editor, db: SessionDep) -> Response:
        claims.set_status(db, claim_id, status, user)    # committed after the handler returns
        return redirect(f"/desk/claims/{claim_id}")

The dependency is function-scoped (``Depends(..., scope="function")``): its exit code, hence the
commit, runs after the handler and *before* the response is sent and before any ``BackgroundTasks``.
So a background task (the tipline's claim engine, an index refresh) always sees the committed rows,
and a client never receives a success whose transaction later failed.

A handler that must answer with an error page *and* undo its writes raises :class:`PageError` with
the finished response: the dependency rolls back, the app's exception handler sends the response.

Desk routes declare who may call them with ``RequireRole(roles)`` (or the aliases ``Viewer``,
``Editor``, ``Reviewer``, ``Admin``): anonymous browsers are sent to ``/desk/login?next=...`` (303),
other roles get 403, and state-changing requests must carry the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kiemchung.desk import auth
from kiemchung.desk.auth import ADMIN, READ, REVIEW, WRITE
from kiemchung.settings import get_settings
from kiemchung.store import models
from kiemchung.store.db import NotFound, sessionmaker_for
from kiemchung.store.models import (
    CLAIM_STATUS_LABELS,
    FC_STATUS_LABELS,
    VERDICT_LABELS_VI,
    Role,
)
from kiemchung.web.i18n import N_, _, request_lang, set_lang
from kiemchung.web.security import require_csrf
from kiemchung.web.templating import render

# ---------------------------------------------------------------- the session policy


def get_session() -> Iterator[Session]:
    """One session and one transaction per request: commit on return, roll back on an exception."""
    session = sessionmaker_for()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class PageError(Exception):
    """Send ``response`` (an error page, a redirect with a flash message) and roll the request back."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


# ---------------------------------------------------------------- who is asking


def login_redirect(request: Request) -> HTTPException:
    """The 303 to the login page that comes back to the current URL afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(303, headers={"Location": f"/desk/login?next={quote(target, safe='')}"})


class RequireRole:
    """Dependency: the logged-in user if their role is in ``roles``; CSRF checked on writes.

    >>> RequireRole(frozenset({Role.admin}))
    RequireRole(admin)
    """

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def __repr__(self) -> str:
        return f"RequireRole({','.join(sorted(r.value for r in self.roles))})"

    async def __call__(self, request: Request, db: SessionDep) -> models.User:
        # Async only to read a form for the CSRF check; the database query runs off the event loop.
        user = await run_in_threadpool(auth.load_user, request, db)
        if user is None:
            raise login_redirect(request)
        request.state.user = user
        # Plain values for an error page drawn after the session has rolled back and closed.
        request.state.user_view = SimpleNamespace(
            id=user.id, email=user.email, display_name=user.display_name, role=user.role
        )
        if user.role not in self.roles:
            raise HTTPException(403, N_("Vai trò của bạn không được phép"))
        await require_csrf(request)
        return user


CurrentUser = Annotated[models.User, Depends(RequireRole(READ))]
Viewer = CurrentUser
Editor = Annotated[models.User, Depends(RequireRole(WRITE))]
Reviewer = Annotated[models.User, Depends(RequireRole(REVIEW))]
Admin = Annotated[models.User, Depends(RequireRole(ADMIN))]


# ---------------------------------------------------------------- pages

# Message ids; templates show them with ``label(...)`` (or ``_()``) in the page's language.
# FC_STATUS_LABELS (fact-check and revision statuses) lives beside its enum in store.models.
ROLE_LABELS = {
    Role.admin: N_("Quản trị"),
    Role.editor: N_("Biên tập viên"),
    Role.reviewer: N_("Kiểm duyệt viên"),
    Role.viewer: N_("Người xem"),
}
LEVEL_LABELS = {"answer": N_("Trả lời tự động"), "suggest": N_("Gợi ý")}
# Stored field names (revision diffs, audit details) and indicator kinds, as people read them.
FIELD_LABELS = {
    "claim_reviewed": N_("Nhận định được kiểm chứng"),
    "claim_text": N_("Nguyên văn nhận định"),
    "verdict": N_("Kết luận"),
    "summary": N_("Tóm tắt"),
    "body": N_("Nội dung bài"),
    "topics": N_("Chủ đề"),
    "claim_appearance_url": N_("Nơi nhận định xuất hiện"),
    "citations": N_("Nguồn trích dẫn"),
    "status": N_("Trạng thái"),
    "title": N_("Tiêu đề"),
}
INDICATOR_KIND_LABELS = {
    "url": N_("Liên kết"),
    "domain": N_("Tên miền"),
    "phone": N_("Số điện thoại"),
    "bank_account": N_("Số tài khoản"),
    "ewallet": N_("Ví điện tử"),
    "social_page": N_("Trang mạng xã hội"),
}


def page(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """Render a desk template with the labels and the pending flash message (translated now)."""
    set_lang(request_lang(request, get_settings().default_lang))
    pending = request.session.pop("flash", None) if "session" in request.scope else None
    base: dict[str, Any] = {
        "claim_status_labels": CLAIM_STATUS_LABELS,
        "fc_status_labels": FC_STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "level_labels": LEVEL_LABELS,
        "field_labels": FIELD_LABELS,
        "indicator_kind_labels": INDICATOR_KIND_LABELS,
        "verdict_labels": {v: _(text) for v, text in VERDICT_LABELS_VI.items()},
        "Role": Role,
        "flash": flash_text(pending) if pending else None,
        "path": request.url.path,
    }
    base.update(ctx or {})
    return render(request, name, base, status_code=status)


def flash(request: Request, message: str, kind: str = "ok", **params: Any) -> None:
    """A one-time message shown on the next desk page, kept as a message id and its parameters.

    ``flash(request, N_("Đã nhập %(n)s đoạn"), n=3)``: translated when the next page is rendered,
    in that page's language.
    """
    request.session["flash"] = {"kind": kind, "message": message, "params": params}


def flash_text(pending: dict[str, Any]) -> dict[str, Any]:
    """The stored flash message in the current language.

    >>> from kiemchung.web.i18n import use_lang
    >>> with use_lang("en"):
    ...     flash_text({"kind": "ok", "message": "Đã lưu bản nháp", "params": {}})["message"]
    'Draft saved'
    """
    return {
        "kind": pending.get("kind", "ok"),
        "message": _(pending["message"], **(pending.get("params") or {})),
    }


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the answer to a form POST."""
    return RedirectResponse(url, status_code=303)


@contextmanager
def or_404() -> Iterator[None]:
    """Answer 404 when a service finds no such row (``store.db.NotFound``)."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(404) from exc


def safe_next(target: str | None) -> str:
    """Only paths inside the desk: never an absolute or protocol-relative URL (open redirect).

    >>> safe_next("/desk/claims?status=all"), safe_next("//evil.example/desk"), safe_next(None)
    ('/desk/claims?status=all', '/desk/', '/desk/')
    """
    if target and target.startswith("/desk") and not target.startswith("//") and "\\" not in target:
        return target
    return "/desk/"
