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

from kiemchung.web.i18n import N_, _

SHOW_REJECTIONS = 10


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def ingest(
    path: str = typer.Argument(..., help=N_("Tệp hoặc URL")),
    fmt: str = typer.Option(None, "--format", help=N_("jsonl | csv | rss (mặc định: đoán theo tệp)")),
    source: str = typer.Option(None, "--source", help=N_("Tên nguồn")),
    no_engine: bool = typer.Option(False, "--no-engine", help=N_("Không chạy bộ máy")),
    errors: Path = typer.Option(None, "--errors", help=N_("Ghi mọi dòng lỗi")),
    progress: bool = typer.Option(None, "--progress/--no-progress", help=N_("Thanh tiến trình")),
) -> None:
    """Ingest posts from a file or URL; bad lines are reported, the rest stored."""
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
        typer.echo(_("Lỗi: %(exc)s", exc=exc), err=True)
        raise typer.Exit(1) from None

    typer.echo(_("Nguồn: %(source_name)s", source_name=report.source_name))
    typer.echo(
        _(
            "Đã lưu: %(stored)s · trùng lặp: %(duplicates)s · bị loại: %(rejected)s · cảnh báo: %(warnings)s",
            stored=_vn(report.stored),
            duplicates=_vn(report.duplicates),
            rejected=_vn(len(report.rejected)),
            warnings=_vn(len(report.warnings)),
        )
    )
    if report.images:
        typer.echo(_("Ảnh: %(n)s (chữ đọc từ ảnh)", n=_vn(report.images)))
    for line, reason in report.rejected[:SHOW_REJECTIONS]:
        typer.echo(_("dòng %(line)s: %(reason)s", line=line, reason=reason))
    if len(report.rejected) > SHOW_REJECTIONS:
        typer.echo(_("  … và %(n)s dòng khác", n=_vn(len(report.rejected) - SHOW_REJECTIONS)))
    if errors:
        with errors.open("wb") as fh:
            for line, reason in report.rejected:
                fh.write(orjson.dumps({"line": line, "kind": "rejected", "reason": reason}) + b"\n")
            for line, reason in report.warnings:
                fh.write(orjson.dumps({"line": line, "kind": "warning", "reason": reason}) + b"\n")
        typer.echo(_("Chi tiết lỗi: %(errors)s", errors=errors))
    if report.engine_ran:
        typer.echo(_("Đã xử lý bằng bộ máy"))
    if report.stored == 0 and report.duplicates == 0:
        typer.echo(_("Không có dòng hợp lệ"), err=True)
        raise typer.Exit(1)


def _passphrase(env: str) -> str | None:
    import os

    return os.environ.get(env) or None


def backup(
    file: Path = typer.Argument(..., help=N_("Tệp sao lưu")),
    include_contacts: bool = typer.Option(
        False,
        "--include-contacts",
        help=N_("Kèm liên hệ của người gửi tin, mã hóa bằng mật khẩu"),
    ),
    without_password_hashes: bool = typer.Option(
        False,
        "--without-password-hashes",
        help=N_("Bỏ mã băm mật khẩu"),
    ),
) -> None:
    """Back up every table to a portable gzip'd JSONL file (SQLite <-> PostgreSQL).

    Contacts are left out unless --include-contacts (then encrypted with a passphrase)."""
    from kiemchung.store import upgrade
    from kiemchung.store.backup import BackupError
    from kiemchung.store.backup import backup as do_backup

    passphrase = None
    if include_contacts:
        passphrase = _passphrase("KIEMCHUNG_BACKUP_PASSPHRASE") or typer.prompt(
            _("Mật khẩu mã hóa"), hide_input=True, confirmation_prompt=True
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
        typer.echo(_("Lỗi: %(exc)s", exc=exc), err=True)
        raise typer.Exit(1) from None
    if not include_contacts:
        typer.echo(_("Liên hệ không được sao lưu (--include-contacts để giữ, có mã hóa)"))
    typer.echo(_("Đã sao lưu %(n)s dòng → %(file)s", n=_vn(sum(counts.values())), file=file))
    for table, n in counts.items():
        if n:
            typer.echo(f"  {table}: {_vn(n)}")


def restore(
    file: Path = typer.Argument(..., help=N_("Tệp sao lưu")),
    force: bool = typer.Option(False, "--force", help=N_("Xóa dữ liệu hiện có")),
) -> None:
    """Restore a backup into an empty (or, with --force, wiped) database.

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
        typer.echo(_("Lỗi: %(exc)s", exc=exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(_("Đã khôi phục %(n)s dòng từ %(file)s", n=_vn(sum(counts.values())), file=file))
    if notes.get("skipped_encrypted"):
        typer.echo(
            _(
                "Bỏ qua %(vn)s liên hệ đã mã hóa (chưa đặt KIEMCHUNG_BACKUP_PASSPHRASE)",
                vn=_vn(notes["skipped_encrypted"]),
            )
        )
    if notes.get("tombstoned_contacts"):
        typer.echo(_("Liên hệ đã xóa không khôi phục: %(vn)s", vn=_vn(notes["tombstoned_contacts"])))
