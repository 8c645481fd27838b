"""``kiemchung db ...`` commands."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="Cơ sở dữ liệu / database.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Apply database migrations (creates the SQLite file under ./var/ when needed)."""
    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    upgrade(revision=revision)
    typer.echo(f"Đã cập nhật cơ sở dữ liệu / database upgraded: {get_settings().resolved_database_url}")
