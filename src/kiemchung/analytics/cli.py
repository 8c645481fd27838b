"""``kiemchung report``: the analytics report for the last 7, 30 or 90 days, as Markdown or CSV.

kiemchung report --days 30 --format md --output bao-cao.md
kiemchung report --days 7 --format csv            # to standard output
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer


class ReportFormat(StrEnum):
    md = "md"
    csv = "csv"


def report(
    days: int = typer.Option(30, "--days", help="Khoảng thời gian / period: 7, 30 hoặc/or 90 ngày/days."),
    fmt: ReportFormat = typer.Option(ReportFormat.md, "--format", help="md | csv"),
    output: Path = typer.Option(None, "--output", "-o", help="Tệp kết quả / output file (default: stdout)."),
    lang: str = typer.Option("vi", "--lang", help="Ngôn ngữ / language of the Markdown report: vi | en."),
) -> None:
    """Báo cáo thống kê / analytics report (aggregate counts only, no personal data)."""
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
