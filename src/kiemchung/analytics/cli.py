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


class ReportFormat(StrEnum):
    md = "md"
    csv = "csv"


def report(
    kind: str = typer.Argument(
        None, help="`incident` (báo cáo sau sự kiện / incident report) hoặc/or `feedback` (góp ý / feedback)."
    ),
    ident: int = typer.Argument(None, help="Số sự kiện / incident id."),
    days: int = typer.Option(30, "--days", help="Khoảng thời gian / period: 7, 30 hoặc/or 90 ngày/days."),
    fmt: ReportFormat = typer.Option(ReportFormat.md, "--format", help="md | csv"),
    output: Path = typer.Option(None, "--output", "-o", help="Tệp kết quả / output file (default: stdout)."),
    lang: str = typer.Option("vi", "--lang", help="Ngôn ngữ / language of the Markdown report: vi | en."),
    month: str = typer.Option("", "--month", help="`feedback`: tháng / month YYYY-MM (default: this month)."),
) -> None:
    """Báo cáo thống kê / analytics report (aggregate counts only, no personal data)."""
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
        typer.echo(f"--days phải là 7, 30 hoặc 90 / --days must be 7, 30 or 90 (got {days})", err=True)
        raise typer.Exit(2)
    if lang not in ("vi", "en"):
        typer.echo("--lang phải là vi hoặc en / --lang must be vi or en", err=True)
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
        typer.echo(f"Không ghi được tệp / Cannot write file {output}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Đã ghi / Written: {output}", err=True)


def _incident_report(kind: str, ident: int | None, output: Path | None) -> None:
    """Markdown to stdout, or ``output`` (.md) plus the HTML page next to it (.html)."""
    from kiemchung.desk.incidents import incident_report
    from kiemchung.store import session_scope, upgrade
    from kiemchung.store.db import NotFound

    if kind != "incident" or ident is None:
        typer.echo("Dùng / Usage: kiemchung report incident ID [-o FILE.md]", err=True)
        raise typer.Exit(2)
    upgrade()
    try:
        with session_scope() as s:
            md, html = incident_report(s, ident)
    except NotFound as exc:
        typer.echo(f"Không có sự kiện / No incident {ident}", err=True)
        raise typer.Exit(1) from exc
    if output is None:
        typer.echo(md, nl=False)
        return
    html_path = output.with_suffix(".html")
    try:
        output.write_text(md, encoding="utf-8")
        html_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"Không ghi được tệp / Cannot write file {output}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Đã ghi / Written: {output}, {html_path}", err=True)


def _feedback_report(month: str, output: Path | None, lang: str) -> None:
    """The month's feedback figures: Markdown to stdout, or ``output`` (.md) plus its .html."""
    from kiemchung.feedback import strings as _strings  # noqa: F401 - the report's labels
    from kiemchung.feedback.stats import current_month, report
    from kiemchung.store import session_scope, upgrade

    month = month or current_month()
    upgrade()
    try:
        with session_scope() as s:
            md, html = report(s, month, "en" if lang == "en" else "vi")
    except ValueError as exc:
        typer.echo(f"--month phải có dạng YYYY-MM / --month must be YYYY-MM (got {month})", err=True)
        raise typer.Exit(2) from exc
    if output is None:
        typer.echo(md, nl=False)
        return
    html_path = output.with_suffix(".html")
    try:
        output.write_text(md, encoding="utf-8")
        html_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"Không ghi được tệp / Cannot write file {output}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Đã ghi / Written: {output}, {html_path}", err=True)
