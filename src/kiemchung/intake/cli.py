"""``kiemchung ingest``, ``kiemchung backup`` and ``kiemchung restore``.

kiemchung ingest posts.jsonl --source "Facebook export" --errors errors.jsonl
kiemchung ingest https://example.vn/rss --format rss --no-engine
kiemchung backup kiemchung-2026-11-24.jsonl.gz
kiemchung restore kiemchung-2026-11-24.jsonl.gz --force
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

SHOW_REJECTIONS = 10


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def ingest(
    path: str = typer.Argument(
        ..., help="Tệp hoặc URL / file or http(s) URL (JSONL, CSV, RSS/Atom; .gz ok)."
    ),
    fmt: str = typer.Option(None, "--format", help="jsonl | csv | rss (mặc định đoán / guessed by default)."),
    source: str = typer.Option(
        None, "--source", help='Tên nguồn / source name (default "import:<file name>").'
    ),
    no_engine: bool = typer.Option(
        False, "--no-engine", help="Không chạy bộ máy / do not run the claim engine."
    ),
    errors: Path = typer.Option(
        None, "--errors", help="Ghi mọi dòng lỗi / write every rejection to FILE.jsonl."
    ),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Thanh tiến trình / progress bar."),
) -> None:
    """Nhập bài đăng / ingest posts from a file or URL; bad lines are reported, the rest stored."""
    from kiemchung.intake import IntakeError, ingest_path
    from kiemchung.store import upgrade

    upgrade()
    try:
        report = ingest_path(
            path,
            fmt=fmt,
            source_name=source,
            progress=True if progress is None else ("always" if progress else False),
            run_engine=False if no_engine else None,
        )
    except IntakeError as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(1) from None

    typer.echo(f"Nguồn / source: {report.source_name}")
    typer.echo(
        f"Đã lưu / stored: {_vn(report.stored)} · trùng lặp / duplicates: {_vn(report.duplicates)} · "
        f"bị loại / rejected: {_vn(len(report.rejected))} · cảnh báo / warnings: {_vn(len(report.warnings))}"
    )
    if report.images:
        typer.echo(f"Ảnh / images: {_vn(report.images)} (chữ đọc từ ảnh / text read by OCR)")
    for line, reason in report.rejected[:SHOW_REJECTIONS]:
        typer.echo(f"  dòng / line {line}: {reason}")
    if len(report.rejected) > SHOW_REJECTIONS:
        typer.echo(f"  … và / and {_vn(len(report.rejected) - SHOW_REJECTIONS)} dòng khác / more")
    if errors:
        with errors.open("wb") as fh:
            for line, reason in report.rejected:
                fh.write(orjson.dumps({"line": line, "kind": "rejected", "reason": reason}) + b"\n")
            for line, reason in report.warnings:
                fh.write(orjson.dumps({"line": line, "kind": "warning", "reason": reason}) + b"\n")
        typer.echo(f"Chi tiết lỗi / all problems: {errors}")
    if report.engine_ran:
        typer.echo("Đã xử lý bằng bộ máy / claim engine ran.")
    if report.stored == 0 and report.duplicates == 0:
        typer.echo("Không có dòng hợp lệ / no valid records.", err=True)
        raise typer.Exit(1)


def _passphrase(env: str) -> str | None:
    import os

    return os.environ.get(env) or None


def backup(
    file: Path = typer.Argument(..., help="Tệp sao lưu / backup file (.jsonl.gz)."),
    include_contacts: bool = typer.Option(
        False,
        "--include-contacts",
        help="Kèm liên hệ của người gửi tin, mã hóa bằng mật khẩu / include tipster and chat contacts, "
        "encrypted with a passphrase (KIEMCHUNG_BACKUP_PASSPHRASE or asked).",
    ),
    without_password_hashes: bool = typer.Option(
        False,
        "--without-password-hashes",
        help="Bỏ mã băm mật khẩu / leave password hashes out (accounts need a new password after restore).",
    ),
) -> None:
    """Sao lưu / back up every table to a portable gzip'd JSONL file (SQLite <-> PostgreSQL).

    Contacts are left out unless --include-contacts (then encrypted with a passphrase)."""
    from kiemchung.store import upgrade
    from kiemchung.store.backup import BackupError
    from kiemchung.store.backup import backup as do_backup

    passphrase = None
    if include_contacts:
        passphrase = _passphrase("KIEMCHUNG_BACKUP_PASSPHRASE") or typer.prompt(
            "Mật khẩu mã hóa / passphrase", hide_input=True, confirmation_prompt=True
        )
    upgrade()
    try:
        counts = do_backup(
            file,
            include_contacts=include_contacts,
            passphrase=passphrase,
            without_password_hashes=without_password_hashes,
        )
    except BackupError as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(1) from None
    if not include_contacts:
        typer.echo(
            "Liên hệ không được sao lưu / contacts left out (--include-contacts to keep them, encrypted)"
        )
    typer.echo(f"Đã sao lưu / backed up {_vn(sum(counts.values()))} dòng / rows → {file}")
    for table, n in counts.items():
        if n:
            typer.echo(f"  {table}: {_vn(n)}")


def restore(
    file: Path = typer.Argument(..., help="Tệp sao lưu / backup file (.jsonl.gz)."),
    force: bool = typer.Option(
        False, "--force", help="Xóa dữ liệu hiện có / wipe a non-empty database first."
    ),
) -> None:
    """Khôi phục / restore a backup into an empty (or, with --force, wiped) database.

    Encrypted contacts are restored when KIEMCHUNG_BACKUP_PASSPHRASE is set; contacts deleted
    since the backup (tombstones) stay deleted."""
    from kiemchung.store import upgrade
    from kiemchung.store.backup import BackupError
    from kiemchung.store.backup import restore as do_restore

    upgrade()
    notes: dict[str, int] = {}
    try:
        counts = do_restore(
            file, force=force, passphrase=_passphrase("KIEMCHUNG_BACKUP_PASSPHRASE"), notes=notes
        )
    except BackupError as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã khôi phục / restored {_vn(sum(counts.values()))} dòng / rows từ / from {file}")
    if notes.get("skipped_encrypted"):
        typer.echo(
            f"Bỏ qua {_vn(notes['skipped_encrypted'])} liên hệ đã mã hóa (chưa đặt KIEMCHUNG_BACKUP_PASSPHRASE) / "
            "encrypted contacts skipped (no passphrase)"
        )
    if notes.get("tombstoned_contacts"):
        typer.echo(
            f"Liên hệ đã xóa không khôi phục / deleted contacts not restored: {_vn(notes['tombstoned_contacts'])}"
        )
