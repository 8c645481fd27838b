"""What people are asking: counts of tips and posts per claim in a week, answered or not, by topic
and province; only aggregate counts, a floor of two asks, masked numbers; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from askingdata import NOW, seed
from kiemchung.analytics.asking import asked, last_full_week, week_bounds
from kiemchung.analytics.queries import collect
from kiemchung.analytics.report import to_csv, to_markdown
from kiemchung.store import session_scope


def test_counts_answers_and_privacy_floor(db_url: str) -> None:
    ids = seed(db_url)
    with session_scope(db_url) as s:
        data = asked(s, now=NOW)
    rows = {c.claim_id: c for c in data.claims}
    assert [c.claim_id for c in data.claims] == [ids["flood"], ids["water"], ids["price"]]
    flood, water, price = rows[ids["flood"]], rows[ids["water"]], rows[ids["price"]]
    assert (flood.tips, flood.posts, flood.answered) == (4, 3, False)
    assert (flood.topic, flood.province_code, flood.area) == ("thien-tai", 48, "Thành phố Đà Nẵng")
    assert (water.tips, water.posts, water.answered, water.fact_check_slug) == (2, 0, True, "nuoc-may-ha-noi")
    assert "0912" not in water.text and "09••" in water.text  # numbers in a claim are masked
    assert (price.tips, price.posts, price.answered, price.fact_check_slug) == (0, 2, True, "gia-dien")
    assert ids["lone"] not in rows  # one ask alone is never shown
    assert data.answered == 2
    assert dict(data.topics) == {"thien-tai": 1, "y-te": 1, "dien": 1}
    assert {code for code, _, _ in data.provinces} == {48, 1}


def test_filters_by_topic_and_province(db_url: str) -> None:
    ids = seed(db_url)
    with session_scope(db_url) as s:
        by_topic = asked(s, now=NOW, topic="y-te")
        by_area = asked(s, now=NOW, province=48)
        nothing = asked(s, now=NOW, topic="giao-duc")
    assert [c.claim_id for c in by_topic.claims] == [ids["water"]]
    assert [c.claim_id for c in by_area.claims] == [ids["flood"]]
    assert nothing.claims == [] and len(nothing.topics) == 3  # the facets still show the whole week


def test_calendar_week(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_TIMEZONE", "Asia/Ho_Chi_Minh")  # weeks run Monday to Sunday in Vietnam
    get_settings.cache_clear()
    ids = seed(db_url, now=NOW - timedelta(days=7))  # everything one week earlier
    week = last_full_week(NOW)
    since, until = week_bounds(week, timedelta(hours=7)) or (None, None)
    assert week == "2026-W47" and since == datetime(2026, 11, 15, 17, 0)
    with session_scope(db_url) as s:
        data = asked(s, now=NOW, week=week)
        this_week = asked(s, now=NOW)
    assert data.week == week and (data.since, data.until) == (since, until)
    # the price claim's posts fell on Sunday 15/11 (Vietnam time), the week before
    assert [(c.claim_id, c.tips, c.posts) for c in data.claims] == [
        (ids["flood"], 4, 3),
        (ids["water"], 2, 0),
    ]
    assert this_week.claims == []  # the rolling 7 days up to NOW start after every ask


def test_report_has_the_same_figures(db_url: str) -> None:
    ids = seed(db_url)
    with session_scope(db_url) as s:
        a = collect(s, 7, now=NOW)
    csv = to_csv(a)
    assert f"most_asked,{ids['flood']},,tips,4" in csv
    assert f"most_asked,{ids['flood']},,posts,3" in csv
    assert f"most_asked,{ids['water']},,answered,1" in csv
    assert f"most_asked,{ids['lone']}," not in csv
    md = to_markdown(a, "vi")
    assert "## Người dân đang hỏi gì (7 ngày qua)" in md
    assert (
        "| Đà Nẵng sắp ngập sâu 3 mét, người dân phải sơ tán ngay | Thiên tai | Thành phố Đà Nẵng | 4 | 3 | Chưa |"
        in md
    )
    assert "## What people are asking" in to_markdown(a, "en")
