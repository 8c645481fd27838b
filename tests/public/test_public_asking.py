"""The public page "Người dân đang hỏi gì": list, filters, JSON, weekly feed entry, navigation,
and the cache that publishing a fact-check drops."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from askingdata import seed
from kiemchung.desk import factchecks
from kiemchung.desk.auth import hash_password
from kiemchung.store import models, session_scope
from kiemchung.store.models import FactCheckStatus, Role, Verdict, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def asked_client(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    from kiemchung.web.app import create_app

    ids = seed(configured, now=utcnow())

    with TestClient(create_app()) as c:
        yield c, ids


def test_page_lists_counts_and_answers(asked_client: tuple[TestClient, dict[str, int]]) -> None:
    c, _ = asked_client
    r = c.get("/nguoi-dan-hoi")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Người dân đang hỏi gì</h1>" in html
    assert "Đà Nẵng sắp ngập sâu 3 mét" in html
    assert "4 lượt hỏi · 3 bài đăng" in html
    assert 'href="/kiem-chung/nuoc-may-ha-noi"' in html and "Đã có trả lời" in html
    assert "Một tin chỉ một người hỏi" not in html and "Tin rác bị loại" not in html
    assert "0912 345 678" not in html
    assert '<a href="/nguoi-dan-hoi">Người dân đang hỏi gì</a>' in c.get("/").text  # in the navigation
    en = c.get("/nguoi-dan-hoi?lang=en").text
    assert "What people are asking" in en and "4 asks · 3 posts" in en
    assert '<h2 lang="vi">Đà Nẵng sắp ngập sâu 3 mét' in en  # the question, as people wrote it


def test_filters(asked_client: tuple[TestClient, dict[str, int]]) -> None:
    c, _ = asked_client
    health = c.get("/nguoi-dan-hoi", params={"chu-de": "y-te"}).text
    assert "Nước máy ở Hà Nội" in health and "Đà Nẵng sắp ngập" not in health
    assert '<option value="y-te" selected>' in health
    danang = c.get("/nguoi-dan-hoi", params={"tinh": "48"}).text
    assert "Đà Nẵng sắp ngập" in danang and "Nước máy ở Hà Nội" not in danang
    odd = c.get("/nguoi-dan-hoi", params={"chu-de": "<x>", "tinh": "abc", "tuan": "sau"})
    assert odd.status_code == 200 and "Đà Nẵng sắp ngập" in odd.text  # unknown filters are ignored


def test_json(asked_client: tuple[TestClient, dict[str, int]]) -> None:
    c, ids = asked_client
    body = c.get("/api/v1/asking").json()
    first = body["claims"][0]
    assert (first["claim_id"], first["tips"], first["posts"], first["total"]) == (ids["flood"], 4, 3, 7)
    assert set(first) == {
        "claim_id",
        "text",
        "topic",
        "province_code",
        "area",
        "tips",
        "posts",
        "total",
        "answered",
        "fact_check_url",
    }  # counts only: nothing about who asked
    assert c.get("/api/v1/asking", params={"topic": "dien"}).json()["claims"][0]["answered"] is True
    assert c.get("/api/v1/asking", params={"week": "nope"}).status_code == 422


def test_publishing_drops_the_cache(asked_client: tuple[TestClient, dict[str, int]]) -> None:
    c, ids = asked_client
    assert "Đang kiểm chứng" in c.get("/nguoi-dan-hoi", params={"tinh": "48"}).text  # now cached
    with session_scope() as s:
        a = models.User(email="w@test.vn", role=Role.editor, password_hash=hash_password("x" * 12))
        r = models.User(email="r@test.vn", role=Role.reviewer, password_hash=hash_password("x" * 12))
        s.add_all([a, r])
        s.flush()
        fc = models.FactCheck(
            slug="da-nang-ngap",
            claim_reviewed="Đà Nẵng không ngập 3 mét",
            verdict=Verdict.false,
            status=FactCheckStatus.approved,
            claim_id=ids["flood"],
            author_id=a.id,
        )
        s.add(fc)
        s.flush()
        factchecks.transition(s, fc, "publish", r, version=None)
    page = c.get("/nguoi-dan-hoi", params={"tinh": "48"}).text
    assert 'href="/kiem-chung/da-nang-ngap"' in page and "Đang kiểm chứng" not in page


def test_weekly_summary_in_feeds(configured: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    from kiemchung.analytics.asking import last_full_week, week_bounds
    from kiemchung.web.app import create_app

    week = last_full_week()
    since, _ = week_bounds(week, timedelta(hours=7)) or (utcnow(), None)
    seed(configured, now=since + timedelta(days=4))  # this week's asks fall inside that week
    with TestClient(create_app()) as c:
        root = ET.fromstring(c.get("/atom.xml").content)
        entries = [e for e in root.iter(f"{ATOM}entry") if "nguoi-dan-hoi" in (e.findtext(f"{ATOM}id") or "")]
        rss = c.get("/feed.xml").text
        week_page = c.get("/nguoi-dan-hoi", params={"tuan": week}).text
    assert len(entries) == 1
    e = entries[0]
    assert e.findtext(f"{ATOM}id", "").endswith(f"/nguoi-dan-hoi?tuan={week}")
    assert (e.findtext(f"{ATOM}title") or "").startswith("Người dân đang hỏi gì — tuần ")
    summary = e.findtext(f"{ATOM}summary") or ""
    assert "lượt hỏi" in summary and "0912 345 678" not in summary
    assert f"/nguoi-dan-hoi?tuan={week}" in rss
    assert "Tuần từ" in week_page


def test_no_summary_without_asks(configured: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    from kiemchung.web.app import create_app

    with TestClient(create_app()) as c:
        assert "nguoi-dan-hoi?tuan" not in c.get("/atom.xml").text
        assert "Chưa có nhận định nào" in c.get("/nguoi-dan-hoi").text
