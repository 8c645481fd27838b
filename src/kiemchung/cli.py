"""The ``kiemchung`` command.

    kiemchung --help
    kiemchung demo --no-serve
    kiemchung ingest posts.jsonl --source "Facebook export"

Each package contributes its own sub-commands (``intake.cli``, ``engine.cli``, ``scam.cli``,
``desk.cli``); this module only wires them together.
"""

from __future__ import annotations

import typer

from kiemchung import __version__
from kiemchung.analytics.cli import report
from kiemchung.channels.cli import channels_app
from kiemchung.desk.cli import users_app
from kiemchung.engine.cli import backfill, eval_app, reindex, tips_app
from kiemchung.engine.worker import worker
from kiemchung.intake.cli import backup, ingest, restore
from kiemchung.scam.cli import scam_app
from kiemchung.store.cli import db_app
from kiemchung.web.i18n import N_, _

app = typer.Typer(
    name="kiemchung",
    help=N_("kiemchung — bàn kiểm chứng thông tin"),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
app.add_typer(scam_app, name="scam")
app.add_typer(users_app, name="users")
app.add_typer(tips_app, name="tips")
app.add_typer(channels_app, name="channels")
app.command()(ingest)
app.command()(backup)
app.command()(restore)
app.command()(reindex)
app.command()(backfill)
app.command()(worker)
app.command()(report)


@app.command()
def serve(
    host: str = typer.Option(None, help=N_("Địa chỉ")),
    port: int = typer.Option(None, help=N_("Cổng")),
    reload: bool = typer.Option(False, help=N_("Tự nạp lại khi sửa mã")),
    workers: int = typer.Option(1, min=1, max=64, help=N_("Số tiến trình")),
) -> None:
    """Chạy máy chủ web / serve the public site, the desk (/desk/) and the API (/api/v1/)."""
    import uvicorn

    from kiemchung.settings import get_settings
    from kiemchung.store import upgrade

    settings = get_settings()
    upgrade()
    uvicorn.run(
        "kiemchung.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=None if reload else workers,
        log_level=settings.log_level.lower(),
        # Our own access log (kiemchung.web.access_log) replaces uvicorn's, which records client
        # addresses and full URLs; proxy headers are believed only from KIEMCHUNG_TRUSTED_PROXIES,
        # in the app (uvicorn's default trusts 127.0.0.1).
        access_log=False,
        proxy_headers=False,
    )


@app.command()
def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help=N_("Chạy máy chủ sau khi nạp")),
    host: str = typer.Option(None, help=N_("Địa chỉ")),
    port: int = typer.Option(None, help=N_("Cổng")),
) -> None:
    """Dữ liệu mẫu / load the bundled demo data (idempotent), then serve on http://127.0.0.1:8000."""
    from kiemchung.demo.load import load_demo
    from kiemchung.media.ocr import INSTALL_HINT, available
    from kiemchung.store import upgrade

    upgrade()
    load_demo()
    if not available():  # the rest works; pictures are kept and hashed but not read
        typer.echo(_("Lưu ý: %(install_hint)s", install_hint=_(INSTALL_HINT)), err=True)
    if serve_after:
        serve(host=host, port=port, reload=False, workers=1)


@app.command()
def version() -> None:
    """Phiên bản / print the version."""
    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
