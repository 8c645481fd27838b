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
from kiemchung.clilang import new_app
from kiemchung.desk.cli import users_app
from kiemchung.engine.cli import backfill, eval_app, reindex, tips_app
from kiemchung.engine.worker import worker
from kiemchung.intake.cli import backup, ingest, restore
from kiemchung.scam.cli import scam_app
from kiemchung.store.cli import db_app
from kiemchung.web.i18n import N_, _

app = new_app(N_("kiemchung — bàn kiểm chứng thông tin"), name="kiemchung", add_completion=False)
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
app.add_typer(scam_app, name="scam")
app.add_typer(users_app, name="users")
app.add_typer(tips_app, name="tips")
app.add_typer(channels_app, name="channels")
app.command(help=N_("Nhập bài đăng từ tệp hoặc URL; dòng lỗi được báo lại, phần còn lại được lưu."))(ingest)
app.command(
    help=N_(
        "Sao lưu mọi bảng ra một tệp JSONL nén gzip, dùng được cho cả SQLite và PostgreSQL.\n\n"
        "Liên hệ không được sao lưu, trừ khi có --include-contacts (khi đó được mã hóa bằng mật khẩu)."
    )
)(backup)
app.command(
    help=N_(
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (hoặc đã xóa, với --force).\n\n"
        "Liên hệ đã mã hóa được khôi phục khi đặt KIEMCHUNG_BACKUP_PASSPHRASE; liên hệ đã xóa sau "
        "lần sao lưu vẫn bị xóa."
    )
)(restore)
app.command(help=N_("Dựng lại chỉ mục tìm kiếm từ kho dữ liệu."))(reindex)
app.command(
    help=N_(
        "Xử lý hàng loạt bài cũ: lọc trùng, nhận định, vector ngữ nghĩa (làm tiếp được).\n\n"
        "Sau sự cố, chạy lại đúng lệnh đó: các khối đã xong được giữ, phần còn lại được làm tiếp."
    )
)(backfill)
app.command(help=N_("Chạy việc nền từ hàng đợi: bộ máy nhận định, chỉ mục, trả lời."))(worker)
app.command(help=N_("Báo cáo thống kê (chỉ số liệu tổng hợp, không có dữ liệu cá nhân)."))(report)


@app.command(help=N_("Chạy máy chủ web: trang công khai, bàn biên tập (/desk/) và API (/api/v1/)."))
def serve(
    host: str = typer.Option(None, help=N_("Địa chỉ")),
    port: int = typer.Option(None, help=N_("Cổng")),
    reload: bool = typer.Option(False, help=N_("Tự nạp lại khi sửa mã")),
    workers: int = typer.Option(1, min=1, max=64, help=N_("Số tiến trình")),
) -> None:
    """Serve the public site, the desk and the API."""
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


@app.command(
    help=N_(
        "Nạp dữ liệu mẫu kèm theo (chạy lại không nhân đôi), rồi chạy máy chủ ở cổng đã cấu hình "
        "(--port hoặc KIEMCHUNG_PORT, mặc định 8000)."
    )
)
def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help=N_("Chạy máy chủ sau khi nạp")),
    host: str = typer.Option(None, help=N_("Địa chỉ")),
    port: int = typer.Option(None, help=N_("Cổng")),
) -> None:
    """Load the bundled demo data, then serve."""
    from kiemchung.demo.load import load_demo
    from kiemchung.media.ocr import INSTALL_HINT, available
    from kiemchung.store import upgrade

    upgrade()
    load_demo()
    if not available():  # the rest works; pictures are kept and hashed but not read
        typer.echo(_("Lưu ý: %(install_hint)s", install_hint=_(INSTALL_HINT)), err=True)
    if serve_after:
        serve(host=host, port=port, reload=False, workers=1)


@app.command(help=N_("In số phiên bản."))
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
