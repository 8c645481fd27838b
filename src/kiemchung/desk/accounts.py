"""Desk accounts: logging in and out, and the admin's user list (roles, enable/disable).

Password checks, lockout and session versions are in :mod:`kiemchung.desk.auth`.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.desk import auth
from kiemchung.settings import get_settings
from kiemchung.store import models
from kiemchung.store.db import audit
from kiemchung.store.models import Role
from kiemchung.web.i18n import _
from kiemchung.web.security import SharedLoginGuard, client_key


class Refused(ValueError):
    """A change an admin may not make (to their own account); ``str(exc)`` is bilingual."""


def login_guard(request: Request) -> auth.LoginGuard:
    """The app's (account, address) lockout state, made on first use."""
    guard = getattr(request.app.state, "desk_login_guard", None)
    if guard is None:
        s = get_settings()
        storage = s.resolved_rate_limit_storage
        if storage.startswith("memory://"):
            guard = auth.LoginGuard(s.login_max_failures, s.login_lockout_seconds)
        else:  # shared by every process, like the rate limits
            guard = SharedLoginGuard(
                s.login_max_failures, s.login_lockout_seconds, storage=storage, namespace=s.queue_name
            )
        request.app.state.desk_login_guard = guard
    return guard


def log_in(db: Session, request: Request, email: str, password: str) -> auth.LoginResult:
    """Check the credentials (failures count towards locking this account from this address); on
    success start the session."""
    result = auth.attempt_login(db, email, password, guard=login_guard(request), client=client_key(request))
    if result.user is not None:
        auth.start_session(request, db, result.user)
        audit(db, "user.login", result.user, user_id=result.user.id)
    return result


def log_out(db: Session, request: Request, user_id: int) -> None:
    """End the session: the cookie is cleared and every other cookie of the account stops working."""
    user = db.get(models.User, user_id)
    if user is not None:
        auth.end_session(request, db, user)


def list_users(db: Session) -> list[models.User]:
    return list(db.scalars(select(models.User).order_by(models.User.email)))


def update_user(db: Session, uid: int, role: str, active: str, admin: models.User) -> models.User | None:
    """Change a role and/or enable ("1") or disable ("0") an account; None when there is no such user."""
    target = db.get(models.User, uid)
    if target is None:
        return None
    if role and role in Role._value2member_map_ and target.role.value != role:
        if target.id == admin.id:
            raise Refused(_("Không thể tự đổi vai trò của mình"))
        audit(db, "user.set_role", target, user_id=admin.id, data={"old": target.role.value, "new": role})
        target.role = Role(role)
    if active in ("0", "1") and target.active != (active == "1"):
        if target.id == admin.id:
            raise Refused(_("Không thể tự vô hiệu hóa"))
        audit(db, "user.disable" if active == "0" else "user.enable", target, user_id=admin.id)
        target.active = active == "1"
    return target
