"""The analytics queries against a handcrafted dataset, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from analyticsdata import NOW, seed_dataset

from kiemchung.analytics import queries as q
from kiemchung.store import session_scope
from kiemchung.store.models import ClaimStatus, Verdict


@pytest.fixture()
def data(db_url: str) -> tuple[str, dict[str, int]]:
    return db_url, seed_dataset(db_url, NOW)


def test_period_bounds() -> None:
    p = q.Period(7, NOW)
    assert p.since == datetime(2026, 11, 18)
    assert p.day_list() == [date(2026, 11, 18) + timedelta(days=i) for i in range(7)]
    assert p.contains(datetime(2026, 11, 18)) and p.contains(NOW)
    assert not p.contains(datetime(2026, 11, 17, 23, 59)) and not p.contains(NOW + timedelta(seconds=1))
    assert q.make_period(14, NOW).days == q.DEFAULT_DAYS and q.make_period(90, NOW).days == 90


def test_percentile_interpolates() -> None:
    assert q.percentile([24.0, 0.0, 2.0], 0.5) == 2.0
    assert q.percentile([0.0, 2.0, 24.0], 0.9) == pytest.approx(19.6)
    assert q.percentile([0.0, 2.0, 24.0, 48.0], 0.5) == pytest.approx(13.0)
    assert q.percentile([0.0, 2.0, 24.0, 48.0], 0.9) == pytest.approx(40.8)


def test_claim_trends(data) -> None:  # type: ignore[no-untyped-def]
    url, _ = data
    with session_scope(url) as s:
        week = q.claim_trends(s, q.Period(7, NOW))
        month = q.claim_trends(s, q.Period(30, NOW))
    # c6 sits exactly on the first instant of the period; c4 (20 days) and c5 (100 days) are older.
    assert week.total == 4 and week.per_day.totals == [1, 0, 0, 1, 1, 0, 1]
    assert week.per_day.series["in_progress"] == [1, 0, 0, 0, 0, 0, 0]
    assert week.per_day.series["triaged"] == [0, 0, 0, 1, 0, 0, 0]
    assert week.per_day.series["checked"] == [0, 0, 0, 0, 1, 0, 0]
    assert week.per_day.series["new"] == [0, 0, 0, 0, 0, 0, 1]
    assert week.by_topic == [("y tế", 2), ("giáo dục", 1), ("kinh tế", 1)]
    assert dict(week.by_status) == {
        ClaimStatus.new: 1,
        ClaimStatus.triaged: 1,
        ClaimStatus.in_progress: 1,
        ClaimStatus.checked: 1,
        ClaimStatus.dismissed: 0,
    }
    assert month.total == 5 and ("", 1) in month.by_topic
    assert dict(month.by_status)[ClaimStatus.dismissed] == 1


def test_fastest_spreading_counts_items_of_the_last_24_hours(data) -> None:  # type: ignore[no-untyped-def]
    url, ids = data
    with session_scope(url) as s:
        rows = q.fastest_spreading(s, NOW)
        assert [(r.claim_id, r.items_24h) for r in rows] == [(ids["c1"], 6), (ids["c2"], 3), (ids["c3"], 1)]
        assert rows[0].per_hour == pytest.approx(0.25) and rows[1].item_count == 4
        assert rows[0].topic == "y tế" and rows[0].status == ClaimStatus.new
        # two days on, no item of the dataset is within the last 24 hours
        assert q.fastest_spreading(s, NOW + timedelta(days=2)) == []
        assert len(q.fastest_spreading(s, NOW, limit=2)) == 2


def test_verdict_distribution_counts_published_only(data) -> None:  # type: ignore[no-untyped-def]
    url, _ = data
    with session_scope(url) as s:
        week = dict(q.verdict_distribution(s, q.Period(7, NOW)))
        month = dict(q.verdict_distribution(s, q.Period(30, NOW)))
    # fc1, fc5 false; fc1b mostly true; fc3 true; the retracted and draft ones do not count.
    assert week == {
        Verdict.true: 1,
        Verdict.mostly_true: 1,
        Verdict.misleading: 0,
        Verdict.false: 2,
        Verdict.unproven: 0,
        Verdict.scam: 0,
    }
    assert month[Verdict.scam] == 1 and sum(month.values()) == 5


def test_tips_by_outcome(data) -> None:  # type: ignore[no-untyped-def]
    url, _ = data
    with session_scope(url) as s:
        week = q.tip_stats(s, q.Period(7, NOW))
        month = q.tip_stats(s, q.Period(30, NOW))
    assert set(week.per_day.series) == {"answered", "warned", "received"}
    assert (week.count("answered"), week.count("warned"), week.count("received")) == (1, 1, 3)
    assert week.per_day.series["received"] == [
        0,
        0,
        1,
        0,
        1,
        1,
        0,
    ]  # closed 20/11, queued 22/11, received 23/11
    assert week.auto_share == pytest.approx(2 / 5)
    assert month.total == 6 and month.auto_share == pytest.approx(3 / 6)


def test_time_to_answer(data) -> None:  # type: ignore[no-untyped-def]
    url, _ = data
    with session_scope(url) as s:
        week = q.time_to_answer(s, q.Period(7, NOW))
        month = q.time_to_answer(s, q.Period(30, NOW))
    # c2: first answer fc1 after 24 h (fc1b later is ignored); c3: 2 h; c1: answered before seen -> 0 h.
    assert sorted(week.overall.hours) == [0.0, 2.0, 24.0]
    assert week.overall.median == pytest.approx(2.0) and week.overall.p90 == pytest.approx(19.6)
    by_topic = {d.key: d for d in week.by_topic}
    assert [d.key for d in week.by_topic] == ["y tế", "giáo dục"]
    assert by_topic["y tế"].median == pytest.approx(12.0) and by_topic["giáo dục"].hours == (2.0,)
    assert [(w.key, sorted(w.hours)) for w in week.weekly] == [
        (date(2026, 11, 16), [2.0]),
        (date(2026, 11, 23), [0.0, 24.0]),
    ]
    # c4 answered after 48 h, 18 days ago; c5's answer is 150 days old.
    assert sorted(month.overall.hours) == [0.0, 2.0, 24.0, 48.0]
    assert month.overall.median == pytest.approx(13.0) and month.overall.p90 == pytest.approx(40.8)
    assert {d.key: d.n for d in month.by_topic}[""] == 1
    assert len(month.weekly) == 5 and sum(w.n for w in month.weekly) == 4


def test_reach_per_channel_and_per_fact_check(data) -> None:  # type: ignore[no-untyped-def]
    url, ids = data
    with session_scope(url) as s:
        p7, p30 = q.Period(7, NOW), q.Period(30, NOW)
        channels = q.reach_by_channel(s, p7)
        assert [(c.channel, c.posts, c.reach, c.clicks) for c in channels] == [
            ("Facebook", 3, 4100, 141),
            ("Zalo OA", 1, 500, 10),
        ]
        assert channels[1].ctr == pytest.approx(0.02)
        assert {c.channel: c.reach for c in q.reach_by_channel(s, p30)}["Zalo OA"] == 1300
        top = q.reach_by_fact_check(s, p7)
        # fc3 10 + 3000; fc1 200 + 1500; retracted fc_ret still had a channel post; fc1b 50; fc5 0.
        assert [(f.slug, f.score) for f in top] == [
            ("fc3", 3010),
            ("fc1", 1700),
            ("fc_ret", 105),
            ("fc1b", 50),
            ("fc5", 0),
        ]
        assert (top[1].posts, top[1].reach, top[1].clicks, top[1].views) == (2, 1500, 60, 200)
        assert top[0].fact_check_id == ids["fc3"] and top[0].verdict == Verdict.true
        month = q.reach_by_fact_check(s, p30, limit=2)
        assert [f.slug for f in month] == ["fc2", "fc3"]


def test_collect_bundles_everything(data) -> None:  # type: ignore[no-untyped-def]
    url, _ = data
    with session_scope(url) as s:
        a = q.collect(s, 7, NOW)
        assert a.period.days == 7 and not a.is_empty
        assert (a.claims.total, a.published, a.total_reach, a.total_clicks) == (4, 4, 4600, 151)
        assert q.collect(s, 5, NOW).period.days == 30  # unknown periods fall back to 30 days


def test_empty_database(db_url: str) -> None:
    with session_scope(db_url) as s:
        a = q.collect(s, 90, NOW)
    assert a.is_empty and a.claims.total == 0 and a.tips.auto_share is None
    assert a.tta.overall.median is None and a.tta.overall.p90 is None
    assert all(n == 0 for _, n in a.verdicts) and a.channels == [] and a.top_fact_checks == []
    assert len(a.claims.per_day.days) == 90 and a.claims.per_day.totals == [0] * 90


def test_days_follow_the_display_time_zone() -> None:
    from datetime import datetime, timedelta

    from kiemchung.analytics.queries import Period, _daily

    # 18:30 UTC on the 23rd is already 01:30 on the 24th in Vietnam
    p = Period(2, datetime(2026, 11, 24, 3, 0), offset=timedelta(hours=7))
    assert p.day_list() == [datetime(2026, 11, 23).date(), datetime(2026, 11, 24).date()]
    assert p.since == datetime(2026, 11, 22, 17, 0)
    daily = _daily(p, [(datetime(2026, 11, 23, 18, 30), "x"), (datetime(2026, 11, 23, 16, 0), "x")], ["x"])
    assert daily.series["x"] == [1, 1]
