"""Desk accounts: argon2id passwords, login with lockout, the session, and role checks.

    >>> h = hash_password("correct horse")
    >>> verify_password(h, "correct horse"), verify_password(h, "wrong")
    (True, False)
    >>> allowed(Role.editor, WRITE), allowed(Role.viewer, WRITE), allowed(Role.reviewer, REVIEW)
    (True, False, True)

The signed session cookie holds the user id and a *session version*: the number of
session-ending events (logout, disable, role change, password change) recorded for the account in
the audit log. Any such event bumps the version, so every cookie issued before it stops working,
including copies of the cookie kept by an attacker after logout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung.store import models
from kiemchung.store.db import audit
from kiemchung.store.models import Role, utcnow
from kiemchung.web.i18n import _
from kiemchung.web.security import LoginGuard

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("kiemchung-dummy-password")
MIN_PASSWORD_LENGTH = 10

READ = frozenset(Role)
WRITE = frozenset({Role.editor, Role.reviewer, Role.admin})
REVIEW = frozenset({Role.reviewer, Role.admin})
ADMIN = frozenset({Role.admin})

SESSION_ENDING = ("user.logout", "user.disable", "user.set_role", "user.set_password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def allowed(role: Role, roles: frozenset[Role]) -> bool:
    return role in roles


def check_password_policy(password: str) -> str | None:
    """An error message, or None when the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _(
            "Mật khẩu phải có ít nhất %(min_password_length)s ký tự", min_password_length=MIN_PASSWORD_LENGTH
        )
    return None


def session_version(session: Session, user_id: int) -> int:
    """How many session-ending events the account has had (see module docstring)."""
    q = select(func.count(models.AuditEvent.id)).where(
        models.AuditEvent.entity_type == "user_account",
        models.AuditEvent.entity_id == user_id,
        models.AuditEvent.action.in_(SESSION_ENDING),
    )
    return int(session.scalar(q) or 0)


@dataclass(frozen=True)
class LoginResult:
    user: models.User | None
    error: str | None = None  # "invalid" | "locked" | "disabled"
    locked_until: datetime | None = None


def attempt_login(
    session: Session,
    email: str,
    password: str,
    *,
    guard: LoginGuard,
    client: str,
    now: float | None = None,
) -> LoginResult:
    """Check credentials; ``guard`` locks the (account, client address) pair after repeated failures.

    A locked pair is refused even with the right password until its lock expires; the same account
    from another address is not affected, so a stranger cannot lock an editor out. A success resets
    the pair and does not count.
    """
    now = time.monotonic() if now is None else now
    until = guard.locked_until(email, client, now)
    if until is not None:
        return LoginResult(None, "locked", utcnow() + timedelta(seconds=until - now))
    user = session.scalar(select(models.User).where(func.lower(models.User.email) == email.strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    if not ok:
        if user is not None:
            user.failed_logins = (user.failed_logins or 0) + 1  # shown to admins, locks nothing
        until = guard.failure(email, client, now)
        if until is not None:
            if user is not None:
                audit(session, "user.locked", user, data={"seconds": round(until - now)})
            return LoginResult(None, "locked", utcnow() + timedelta(seconds=until - now))
        return LoginResult(None, "invalid")
    assert user is not None
    if not user.active:
        return LoginResult(None, "disabled")
    guard.success(email, client)
    user.failed_logins = 0
    user.locked_until = None
    return LoginResult(user)


def start_session(request: Request, session: Session, user: models.User) -> None:
    request.session["uid"] = user.id
    request.session["sv"] = session_version(session, user.id)


def end_session(request: Request, session: Session, user: models.User) -> None:
    audit(session, "user.logout", user, user_id=user.id)
    request.session.pop("uid", None)
    request.session.pop("sv", None)


def load_user(request: Request, session: Session) -> models.User | None:
    """The logged-in, active user whose session version still matches, else None."""
    if "session" not in request.scope:
        return None
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = session.get(models.User, uid)
    if user is None or not user.active or request.session.get("sv") != session_version(session, uid):
        request.session.pop("uid", None)
        return None
    return user
