"""Desk accounts: ``/desk/login``, ``/desk/logout`` and the admin's ``/desk/users``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kiemchung.desk import accounts, auth
from kiemchung.settings import get_settings
from kiemchung.store.models import Role, utcnow
from kiemchung.web.deps import Admin, CurrentUser, SessionDep, flash, page, redirect, safe_next
from kiemchung.web.i18n import N_, _
from kiemchung.web.security import RateLimiter, app_limiter, client_key, require_csrf

router = APIRouter(prefix="/desk", include_in_schema=False)


def _login_limiter(request: Request) -> RateLimiter:
    s = get_settings()
    return app_limiter(
        request.app, "desk-login", max(10, s.login_max_failures * 4), float(s.login_lockout_seconds)
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, db: SessionDep, next: str = "/desk/") -> Response:
    if auth.load_user(request, db) is not None:
        return redirect(safe_next(next))
    return page(request, "desk/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def login(
    request: Request,
    db: SessionDep,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/desk/"),
) -> Response:
    ctx: dict[str, Any] = {"next": safe_next(next), "email": email}
    limiter = _login_limiter(request)
    # Only failures count towards the per-address limit: an office behind one address that
    # logs in all day is never throttled.
    if limiter.exceeded(client_key(request)):
        ctx["error"] = _("Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau.")
        resp = page(request, "desk/login.html", ctx, status=429)
        resp.headers["Retry-After"] = str(limiter.retry_after(client_key(request)))
        return resp
    # A failed attempt returns normally, so its writes are committed too: the account's failure
    # count (shown to admins, locks nothing) and, when the login guard locks this account from
    # this address, the audit event. The lock itself lives in the guard, per (account, address).
    result = accounts.log_in(db, request, email, password)
    if result.user is not None:
        return redirect(safe_next(next))
    limiter.hit(client_key(request))
    if result.error == "locked":
        minutes = max(1, round(((result.locked_until or utcnow()) - utcnow()).total_seconds() / 60))
        ctx["error"] = _(
            "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau khoảng %(minutes)s phút.",
            minutes=minutes,
        )
        return page(request, "desk/login.html", ctx, status=429)
    if result.error == "disabled":
        ctx["error"] = _("Tài khoản đã bị vô hiệu hóa")
        return page(request, "desk/login.html", ctx, status=403)
    ctx["error"] = _("Email hoặc mật khẩu không đúng")
    return page(request, "desk/login.html", ctx, status=400)


@router.post("/logout")
def logout(request: Request, user: CurrentUser, db: SessionDep) -> Response:
    accounts.log_out(db, request, user.id)
    flash(request, N_("Đã đăng xuất"))
    return redirect("/desk/login")


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin, db: SessionDep) -> HTMLResponse:
    return page(request, "desk/users.html", {"users": accounts.list_users(db), "roles": list(Role)})


@router.post("/users/{uid}")
def users_update(
    request: Request, uid: int, user: Admin, db: SessionDep, role: str = Form(""), active: str = Form("")
) -> Response:
    try:
        target = accounts.update_user(db, uid, role, active, user)
    except accounts.Refused as exc:
        raise HTTPException(400, str(exc)) from exc
    if target is None:
        raise HTTPException(404)
    flash(request, N_("Đã cập nhật tài khoản"))
    return redirect("/desk/users")
