"""``kiemchung db ...`` commands."""

from __future__ import annotations

import typer

from kiemchung.web.i18n import N_, _

db_app = typer.Typer(help=N_("Cơ sở dữ liệu"), no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
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
