"""The report: CSV and Markdown content, escaping of data, and the ``kiemchung report`` command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analyticsdata import NOW, seed_dataset
from typer.testing import CliRunner

from kiemchung.analytics.queries import collect
from kiemchung.analytics.report import render_report, to_csv, to_markdown
from kiemchung.store import models, session_scope
from kiemchung.store.models import utcnow


def test_formula_and_pipe_in_claims_are_neutralised(db_url: str) -> None:
    with session_scope(db_url) as s:
        src = models.Source(name="Nguồn")
        s.add(src)
        s.flush()
        c = models.Claim(text='=HYPERLINK("http://x")|giả mạo\nxuống dòng', topic="+topic", first_seen=NOW)
        it = models.Item(source_id=src.id, text="x", content_hash="h", published_at=NOW)
        s.add_all([c, it])
        s.flush()
        s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
    with session_scope(db_url) as s:
        a = collect(s, 7, NOW)
    rows = list(csv.reader(io.StringIO(to_csv(a))))
    text = next(r[4] for r in rows if r[0] == "fastest_spreading" and r[3] == "text")
    assert text.startswith("'=HYPERLINK(")
    assert ["new_claims_by_topic", "'+topic", "", "count", "1"] in rows
    md = to_markdown(a)
    line = next(x for x in md.splitlines() if "HYPERLINK" in x)
    assert '=HYPERLINK("http://x")\\|giả mạo xuống dòng' in line and line.count(" | ") == 3


def test_markdown_sections_and_formats(db_url: str) -> None:
    seed_dataset(db_url, NOW)
    with session_scope(db_url) as s:
        a = collect(s, 30, NOW)
    md = render_report(a, "md")
    for heading in (
        "# Báo cáo thống kê — 30 ngày qua",
        "## Nhận định mới theo ngày",
        "### Nhận định mới theo chủ đề",
        "## Lan truyền nhanh nhất (24 giờ qua)",
        "## Kết luận của các bài đã xuất bản",
        "## Tin gửi theo ngày và kết quả",
        "## Thời gian trả lời",
        "## Độ phủ các bài của tòa soạn",
    ):
        assert f"\n{heading}\n" in f"\n{md}", heading
    assert "Từ 26/10/2026 đến 12:00, 24/11/2026" in md
    assert "| Tổng | 4 | 13 | 40,8 |" in md  # 0, 2, 24 and 48 hours
    assert "| Chưa phân chủ đề | 1 | 48 | 48 |" in md
    assert "| Zalo OA | 2 | 1.300 | 18 | 1,4% |" in md
    assert "| Bài fc2 | Lừa đảo | 06/11/2026 | 4.000 | 800 | 8 | 4.800 |" in md
    assert "| 24/11/2026 | 1 | 0 | 0 | 1 |" in md  # tips that day: one answered
    assert "Tin gửi được trả lời tự động: **50%**" in md


def test_cli_report(configured: str, tmp_path: Path) -> None:
    from kiemchung.cli import app

    seed_dataset(configured, utcnow())
    runner = CliRunner()
    out = tmp_path / "bao-cao.csv"
    r = runner.invoke(app, ["report", "--days", "7", "--format", "csv", "--output", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "key", "date", "metric", "value"]
    assert ["reach_by_channel", "Facebook", "", "reach", "4100"] in rows
    assert ["period", "", "", "days", "7"] in rows

    md = tmp_path / "bao-cao.md"
    r = runner.invoke(app, ["report", "--days", "90", "--format", "md", "-o", str(md)])
    assert r.exit_code == 0 and md.read_text(encoding="utf-8").startswith("# Báo cáo thống kê — 90 ngày qua")

    r = runner.invoke(app, ["report", "--days", "30", "--format", "md", "--lang", "en"])
    assert r.exit_code == 0 and r.stdout.startswith("# Analytics report — Last 30 days")

    r = runner.invoke(app, ["report", "--days", "14"])
    assert r.exit_code == 2 and "7, 30 hoặc 90" in r.output
    assert runner.invoke(app, ["report", "--format", "pdf"]).exit_code == 2
    r = runner.invoke(app, ["report", "--output", str(tmp_path / "missing" / "x.md")])
    assert r.exit_code == 1 and "Không ghi được tệp" in r.output
