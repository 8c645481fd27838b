"""``kiemchung users ...``: desk accounts.

    kiemchung users add bientap@example.vn --role editor --name "Biên tập"
    kiemchung users list
    kiemchung users set-role bientap@example.vn reviewer
    kiemchung users disable bientap@example.vn

Every change is recorded in the audit log; role changes and disabling end the account's open sessions.
"""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from kiemchung.clilang import new_app
from kiemchung.store.models import Role
from kiemchung.web.i18n import N_, _

users_app = new_app(N_("Tài khoản"))


def _find(session, email: str):  # type: ignore[no-untyped-def]
    from kiemchung.store import models

    return session.scalar(select(models.User).where(func.lower(models.User.email) == email.strip().lower()))


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@users_app.command("add", help=N_("Tạo tài khoản."))
def add(
    email: str = typer.Argument(..., help=N_("Email dùng để đăng nhập.")),
    role: Role = typer.Option(Role.viewer, "--role", help="admin | editor | reviewer | viewer"),
    password: str = typer.Option(None, "--password", help=N_("Nếu bỏ trống, sẽ hỏi (kèm xác nhận).")),
    name: str = typer.Option("", "--name", help=N_("Tên hiển thị.")),
) -> None:
    """Create an account."""
    from kiemchung.desk.auth import check_password_policy, hash_password
    from kiemchung.store import models, session_scope, upgrade
    from kiemchung.store.db import audit

    if "@" not in email or len(email) > 254:
        _fail(_("Email không hợp lệ"))
    if password is None:
        password = typer.prompt(_("Mật khẩu"), hide_input=True, confirmation_prompt=True)
    problem = check_password_policy(password)
    if problem:
        _fail(problem)
    upgrade()
    with session_scope() as s:
        if _find(s, email) is not None:
            _fail(_("Tài khoản đã tồn tại: %(email)s", email=email))
        user = models.User(
            email=email.strip().lower(), display_name=name, role=role, password_hash=hash_password(password)
        )
        s.add(user)
        s.flush()
        audit(s, "user.create", user, data={"email": user.email, "role": role.value})
    typer.echo(_("Đã tạo %(email)s (%(value)s)", email=email, value=role.value))


@users_app.command("list", help=N_("Liệt kê tài khoản."))
def list_users() -> None:
    """List accounts."""
    from kiemchung.store import models, session_scope, upgrade

    upgrade()
    with session_scope() as s:
        users = list(s.scalars(select(models.User).order_by(models.User.email)))
        if not users:
            typer.echo(_("Chưa có tài khoản nào"))
        for u in users:
            state = _("đang dùng") if u.active else _("đã vô hiệu hóa")
            typer.echo(f"{u.id}\t{u.email}\t{u.role.value}\t{state}\t{u.display_name}")


@users_app.command("set-role", help=N_("Đổi vai trò của tài khoản (đóng các phiên đang mở)."))
def set_role(email: str, role: Role) -> None:
    """Change an account's role (ends its open sessions)."""
    from kiemchung.store import session_scope, upgrade
    from kiemchung.store.db import audit

    upgrade()
    with session_scope() as s:
        user = _find(s, email)
        if user is None:
            _fail(_("Không có tài khoản: %(email)s", email=email))
        old = user.role.value
        user.role = role
        audit(s, "user.set_role", user, data={"old": old, "new": role.value})
    typer.echo(f"{email}: {old} → {role.value}")


@users_app.command(
    "disable", help=N_("Vô hiệu hóa tài khoản (không đăng nhập được nữa; các phiên đang mở bị đóng).")
)
def disable(email: str) -> None:
    """Disable an account (it can no longer log in; open sessions end)."""
    from kiemchung.store import session_scope, upgrade
    from kiemchung.store.db import audit

    upgrade()
    with session_scope() as s:
        user = _find(s, email)
        if user is None:
            _fail(_("Không có tài khoản: %(email)s", email=email))
        user.active = False
        audit(s, "user.disable", user)
    typer.echo(_("Đã vô hiệu hóa %(email)s", email=email))
