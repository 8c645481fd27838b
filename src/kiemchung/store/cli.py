"""``kiemchung db ...`` commands."""

from __future__ import annotations

import typer

from kiemchung.clilang import new_app
from kiemchung.web.i18n import N_, _

db_app = new_app(N_("Cơ sở dữ liệu"))


@db_app.command(
    "upgrade", help=N_("Áp dụng các bước chuyển đổi cơ sở dữ liệu (tạo tệp SQLite trong ./var/ khi cần).")
)
def db_upgrade(
    revision: str = typer.Argument("head", help=N_("Phiên bản Alembic cần nâng lên.")),
) -> None:
    """Apply database migrations (creates the SQLite file under ./var/ when needed)."""
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    upgrade(revision=revision)
    typer.echo(
        _(
            "Đã cập nhật cơ sở dữ liệu: %(resolved_database_url)s",
            resolved_database_url=get_settings().resolved_database_url,
        )
    )
