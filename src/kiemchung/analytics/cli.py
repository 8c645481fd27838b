"""``kiemchung report``: the analytics report for the last 7, 30 or 90 days, as Markdown or CSV.

kiemchung report --days 30 --format md --output bao-cao.md
kiemchung report --days 7 --format csv            # to standard output
kiemchung report incident 3 -o su-kien-3.md       # an incident's after-action report (.md and .html)
kiemchung report feedback --month 2026-11 -o gop-y-2026-11.md   # citizens' feedback of a month (.md and .html)
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from kiemchung.web.i18n import N_, _, current_lang


class ReportFormat(StrEnum):
    md = "md"
    csv = "csv"


def report(
    kind: str = typer.Argument(None, help=N_("`incident` (báo cáo sau sự kiện) hoặc `feedback` (góp ý).")),
    ident: int = typer.Argument(None, help=N_("Số sự kiện")),
    days: int = typer.Option(30, "--days", help=N_("Khoảng thời gian: 7, 30 hoặc 90 ngày.")),
    fmt: ReportFormat = typer.Option(ReportFormat.md, "--format", help="md | csv"),
    output: Path = typer.Option(None, "--output", "-o", help=N_("Tệp kết quả")),
    lang: str = typer.Option(
        None, "--lang", help=N_("Ngôn ngữ của báo cáo Markdown: vi | en (mặc định: ngôn ngữ của lệnh).")
    ),
    month: str = typer.Option("", "--month", help=N_("`feedback`: tháng YYYY-MM (mặc định: tháng này).")),
) -> None:
    """Analytics report (aggregate counts only, no personal data)."""
    lang = lang or current_lang()
    if kind == "feedback":
        _feedback_report(month, output, lang)
        return
    if kind is not None:
        _incident_report(kind, ident, output)
        return
    from kiemchung.analytics.queries import PERIODS, collect
    from kiemchung.analytics.report import render_report
    from kiemchung.store import session_scope, upgrade

    if days not in PERIODS:
        typer.echo(_("--days phải là 7, 30 hoặc 90 (nhận được %(days)s)", days=days), err=True)
        raise typer.Exit(2)
    if lang not in ("vi", "en"):
        typer.echo(_("--lang phải là vi hoặc en"), err=True)
        raise typer.Exit(2)
    upgrade()
    with session_scope() as s:
        text = render_report(collect(s, days, top=100), fmt.value, lang)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(
            _("Không ghi được tệp %(output)s: %(strerror)s", output=output, strerror=exc.strerror), err=True
        )
        raise typer.Exit(1) from exc
    typer.echo(_("Đã ghi: %(output)s", output=output), err=True)


def _incident_report(kind: str, ident: int | None, output: Path | None) -> None:
    """Markdown to stdout, or ``output`` (.md) plus the HTML page next to it (.html)."""
    from kiemchung.desk.incidents import incident_report
    from kiemchung.store import session_scope, upgrade
    from kiemchung.store.db import NotFound

    if kind != "incident" or ident is None:
        typer.echo(_("Dùng: kiemchung report incident ID [-o FILE.md]"), err=True)
        raise typer.Exit(2)
    upgrade()
    try:
        with session_scope() as s:
            md, html = incident_report(s, ident)
    except NotFound as exc:
        typer.echo(_("Không có sự kiện %(ident)s", ident=ident), err=True)
        raise typer.Exit(1) from exc
    _write_report(md, html, output)


def _feedback_report(month: str, output: Path | None, lang: str) -> None:
    """The month's feedback figures: Markdown to stdout, or ``output`` (.md) plus its .html."""
    from kiemchung.feedback.stats import current_month, report
    from kiemchung.store import session_scope, upgrade

    month = month or current_month()
    upgrade()
    try:
        with session_scope() as s:
            md, html = report(s, month, "en" if lang == "en" else "vi")
    except ValueError as exc:
        typer.echo(_("--month phải có dạng YYYY-MM (nhận được %(month)s)", month=month), err=True)
        raise typer.Exit(2) from exc
    _write_report(md, html, output)


def _write_report(md: str, html: str, output: Path | None) -> None:
    """Markdown to stdout, or ``output`` (.md) plus the same report as .html beside it."""
    if output is None:
        typer.echo(md, nl=False)
        return
    html_path = output.with_suffix(".html")
    try:
        output.write_text(md, encoding="utf-8")
        html_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        typer.echo(
            _("Không ghi được tệp %(output)s: %(strerror)s", output=output, strerror=exc.strerror), err=True
        )
        raise typer.Exit(1) from exc
    typer.echo(_("Đã ghi: %(output)s, %(html_path)s", output=output, html_path=html_path), err=True)
