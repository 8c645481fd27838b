"""The /desk/analytics page and its downloads, through the desk's login, for every role."""

from __future__ import annotations

import csv
import io
import re

import pytest
from analyticsdata import ROLES, seed_dataset

from kiemchung.store.models import utcnow


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_page_and_the_nav_link(desk_client, role: str) -> None:  # type: ignore[no-untyped-def]
    seed_dataset(None, utcnow())
    c = desk_client(role)
    html = c.get("/desk/").text
    assert '<a href="/desk/analytics"' in html and "Thống kê" in html
    r = c.get("/desk/analytics?days=7")
    assert r.status_code == 200
    page = r.text
    assert '<a href="/desk/analytics" aria-current="page">Thống kê</a>' in page
    assert '<option value="7" selected>7 ngày qua</option>' in page
    # charts are inline SVG with an accessible name, each with a data table beside it
    assert page.count('role="img"') >= 5 and "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    assert '<title id="ch-claims-t">Nhận định mới theo ngày</title>' in page
    assert page.count("<summary>Bảng số liệu</summary>") >= 5
    # Vietnamese number formats: 3 + 1 Facebook posts reached 4.100 people; median 2 h; 40% answered by itself
    assert ">4.100<" in page and "2 giờ" in page and "40%" in page
    assert "Bài fc3" in page and "Uống nước chanh nóng chữa khỏi ung thư" in page
    assert 'id="analytics-empty"' not in page


def test_logged_out_is_sent_to_login(desk_client) -> None:  # type: ignore[no-untyped-def]
    c = desk_client(None)
    for path in ("/desk/analytics", "/desk/analytics/report.csv", "/desk/analytics/report.md"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/login?next="), path


def test_english_and_period_selector(desk_client) -> None:  # type: ignore[no-untyped-def]
    seed_dataset(None, utcnow())
    c = desk_client("viewer")
    page = c.get("/desk/analytics?lang=en").text
    assert "Analytics" in page and "New claims per day" in page and "Time to answer" in page
    assert '<option value="30" selected>Last 30 days</option>' in page  # the default period
    # Fact-check fc2 (18 days old, 4.000 views + 800 reach) is in 30 days, not in 7
    assert "Bài fc2" in page and "Bài fc2" not in c.get("/desk/analytics?days=7").text
    assert '<option value="90" selected>' in c.get("/desk/analytics?days=90").text
    assert '<option value="30" selected>' in c.get("/desk/analytics?days=abc").text


def test_empty_state(desk_client) -> None:  # type: ignore[no-untyped-def]
    c = desk_client("editor")
    page = c.get("/desk/analytics").text
    assert 'id="analytics-empty"' in page and "Chưa có số liệu trong khoảng thời gian này" in page
    assert 'role="img"' not in page
    md = c.get("/desk/analytics/report.md").text
    assert "Chưa có số liệu trong khoảng thời gian này" in md


def test_data_from_posts_is_escaped(desk_client) -> None:  # type: ignore[no-untyped-def]
    from kiemchung.store import models, session_scope

    with session_scope() as s:
        s.add(models.Claim(text="<img src=x onerror=alert(1)>", topic="<b>chủ đề</b>"))
    page = desk_client("viewer").get("/desk/analytics").text
    assert "<img src=x" not in page and "<b>chủ đề</b>" not in page
    assert "&lt;b&gt;chủ đề&lt;/b&gt;" in page


def test_csv_download(desk_client) -> None:  # type: ignore[no-untyped-def]
    ids = seed_dataset(None, utcnow())
    r = desk_client("viewer").get("/desk/analytics/report.csv?days=7")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="kiemchung-thong-ke-7-ngay-\d{4}-\d{2}-\d{2}\.csv"',
        r.headers["content-disposition"],
    )
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "key", "date", "metric", "value"]
    got = {(sec, key, metric): value for sec, key, _, metric, value in rows[1:] if not _}
    assert got[("reach_by_channel", "Facebook", "reach")] == "4100"
    assert got[("reach_by_channel", "Zalo OA", "clicks")] == "10"
    assert got[("time_to_answer", "all", "median_hours")] == "2.0"
    assert got[("time_to_answer", "all", "p90_hours")] == "19.6"
    assert got[("tips", "", "auto_share")] == "0.4"
    assert got[("new_claims_by_topic", "y tế", "count")] == "2"
    assert got[("verdicts_published", "false", "count")] == "2"
    assert got[("fastest_spreading", str(ids["c1"]), "items_24h")] == "6"
    per_day = [int(v) for sec, key, _, _, v in rows if sec == "tips_per_day" and key == "received"]
    assert len(per_day) == 7 and sum(per_day) == 3


def test_markdown_download(desk_client) -> None:  # type: ignore[no-untyped-def]
    seed_dataset(None, utcnow())
    c = desk_client("reviewer")
    r = c.get("/desk/analytics/report.md?days=7")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert r.headers["content-disposition"].endswith('.md"')
    md = r.text
    assert md.startswith("# Báo cáo thống kê — 7 ngày qua")
    assert "| Lượt tiếp cận trên các kênh | 4.600 |" in md
    assert "| Facebook | 3 | 4.100 | 141 | 3,4% |" in md
    assert "| Tổng | 3 | 2 | 19,6 |" in md  # time to answer: claims, median, p90
    assert "| Bài fc3 | Đúng |" in md
    en = c.get("/desk/analytics/report.md?days=7&lang=en").text
    assert en.startswith("# Analytics report — Last 7 days") and "| Facebook | 3 | 4.100 | 141 | 3,4% |" in en
