from datetime import datetime, timedelta

from sqlalchemy import select

from kiemchung.scam.blocklist import (
    add_indicator,
    build_snapshot,
    detect_format,
    feed_status,
    parse_feed,
    remove_indicator,
    update_feed,
)
from kiemchung.scam.lookup import check
from kiemchung.scam.registry import load_registry, registry_from_db
from kiemchung.store import models, session_scope

ADBLOCK = """[Adblock Plus 2.0]
! Title: test list
||scam-one.xyz^
||scam-two.top^$third-party,important
@@||good.example^
example.org##.ad-banner
||phish.example/login/*
||bad.example/path^
"""
HOSTS = """# hosts
127.0.0.1 localhost
0.0.0.0 tracker.example  # comment
0.0.0.0\tads.example other.example
"""
URLS = """https://evil.example/login?x=1
http://WWW.Phish.EXAMPLE/a/b
not a url at all
"""


def test_formats_are_detected_and_parsed() -> None:
    assert detect_format(ADBLOCK.splitlines()) == "adblock"
    assert detect_format(HOSTS.splitlines()) == "hosts"
    assert detect_format(URLS.splitlines()) == "urls"
    assert detect_format(["a.com", "# x", "*.b.net"]) == "domains"
    ad = parse_feed(ADBLOCK)
    assert ad.entries == [
        ("domain", "scam-one.xyz"),
        ("domain", "scam-two.top"),
        ("url", "http://bad.example/path"),
    ]
    assert [no for no, _l, _r in ad.rejected] == [7]  # the wildcard path rule
    assert parse_feed(HOSTS).entries == [
        ("domain", "tracker.example"),
        ("domain", "ads.example"),
        ("domain", "other.example"),
    ]
    urls = parse_feed(URLS)
    assert urls.entries == [
        ("url", "https://evil.example/login?x=1"),
        ("url", "http://www.phish.example/a/b"),
    ]
    assert [no for no, _l, _r in urls.rejected] == [3]
    doms = parse_feed("a.com\n*.B.net # wildcard\n\nnot_valid\n", "domains")
    assert doms.entries == [("domain", "a.com"), ("domain", "b.net")]


def test_update_is_idempotent_deactivates_vanished_and_keeps_provenance(db_url: str) -> None:
    t0 = datetime(2026, 11, 1, 8, 0)
    with session_scope(db_url) as s:
        rep = update_feed(
            s,
            "test-feed",
            parse_feed("a.xyz\nb.xyz\nc.xyz"),
            url="https://lists.example/x.txt",
            licence="CC0-1.0",
            interval_hours=24,
            now=t0,
        )
        assert (rep.added, rep.deactivated) == (3, 0)
    with session_scope(db_url) as s:
        rep = update_feed(
            s,
            "test-feed",
            parse_feed("a.xyz\nb.xyz\nc.xyz"),
            url="https://lists.example/x.txt",
            now=t0 + timedelta(hours=1),
        )
        assert (rep.added, rep.refreshed, rep.deactivated) == (0, 3, 0)
    with session_scope(db_url) as s:
        rep = update_feed(
            s,
            "test-feed",
            parse_feed("a.xyz\nd.xyz"),
            url="https://lists.example/x.txt",
            now=t0 + timedelta(hours=2),
        )
        assert (rep.added, rep.refreshed, rep.deactivated) == (1, 1, 2)
        rows = {i.value: i.active for i in s.scalars(select(models.Indicator))}
        assert rows == {"a.xyz": True, "b.xyz": False, "c.xyz": False, "d.xyz": True}
        feed = s.scalar(select(models.Feed).where(models.Feed.name == "test-feed"))
        assert feed is not None
        assert (feed.licence, feed.entry_count, feed.fetched_at) == ("CC0-1.0", 2, t0 + timedelta(hours=2))
        events = s.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "scam.feed_update")
        ).all()
        assert len(events) == 3
    with session_scope(db_url) as s:
        rep = update_feed(s, "test-feed", parse_feed("a.xyz\nb.xyz\nd.xyz"), now=t0 + timedelta(hours=3))
        assert rep.reactivated == 1
        snap = build_snapshot(s)
        hit = snap.host_hit("www.b.xyz")
        assert hit is not None and hit[0] == "block"
        assert hit[2]["feed"] == "test-feed" and hit[2]["url"] == "https://lists.example/x.txt"
        assert snap.host_hit("c.xyz") is None
        r = check("https://login.d.xyz/x", s)
        assert r.verdict == "scam"
        assert r.provenance[0]["feed"] == "test-feed" and r.provenance[0]["licence"] == "CC0-1.0"


def test_stale_feed_warning(db_url: str) -> None:
    now = datetime(2026, 11, 24, 12, 0)
    with session_scope(db_url) as s:
        update_feed(s, "daily", parse_feed("x.xyz"), interval_hours=24, now=now - timedelta(hours=30))
        update_feed(s, "weekly", parse_feed("y.xyz"), interval_hours=24 * 7, now=now - timedelta(hours=30))
        status = {f.name: f for f in feed_status(s, now=now)}
        assert status["daily"].stale and not status["weekly"].stale
        assert status["daily"].active_count == 1


def test_editor_add_remove_is_audited_and_survives_feed_refresh(db_url: str) -> None:
    with session_scope(db_url) as s:
        update_feed(s, "f", parse_feed("fp.example\nreal-scam.xyz"))
        ind = add_indicator(s, "phone", "0912.345.678", "block", reason="Tin báo 24/11/2026", user_id=None)
        assert ind.value == "+84912345678"
        assert check("Gọi ngay 0912 345 678 để nhận quà", s).verdict == "scam"
        assert remove_indicator(s, "domain", "fp.example", reason="báo nhầm / false positive") == 1
    with session_scope(db_url) as s:
        update_feed(s, "f", parse_feed("fp.example\nreal-scam.xyz"))
        snap = build_snapshot(s)
        assert snap.host_hit("fp.example") is None  # the editor's removal sticks
        assert snap.host_hit("real-scam.xyz") is not None
        actions = [e.action for e in s.scalars(select(models.AuditEvent).order_by(models.AuditEvent.id))]
        assert "scam.indicator_add" in actions and "scam.indicator_remove" in actions
        add_indicator(s, "domain", "quanpho.xyz", "allow", reason="quán quen")
        assert check("quanpho.xyz", s).verdict == "ok"


def test_registry_loads_idempotently(db_url: str) -> None:
    with session_scope(db_url) as s:
        created, present = load_registry(s)
        assert created > 50 and present == 0
    with session_scope(db_url) as s:
        assert load_registry(s) == (0, created)
        vcb = s.scalar(select(models.Source).where(models.Source.name == "Vietcombank"))
        assert vcb is not None and vcb.registered and "vietcombank.com.vn" in vcb.domains
        assert "Ngân hàng TMCP Ngoại thương Việt Nam" in vcb.page_names
        vcb.domains = [*vcb.domains, "vcb-moi.vn"]  # an editor adds a new official domain
    with session_scope(db_url) as s:
        assert any("vcb-moi.vn" in o.domains for o in registry_from_db(s))
        assert check("vcb-moi.vn", s).verdict == "ok"
