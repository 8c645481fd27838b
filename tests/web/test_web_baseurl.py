"""Absolute links follow the address the site is served at (or KIEMCHUNG_BASE_URL), never a
hard-coded 127.0.0.1:8000; forwarded host and scheme count only from a trusted proxy."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kiemchung.settings import get_settings
from kiemchung.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "public"))
from public_seed import Seed, seed


@pytest.fixture()
def seeded_app(configured: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seed]:
    from kiemchung.engine.index import reset_index

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    monkeypatch.setenv("KIEMCHUNG_ENGINE_IN_PROCESS", "false")
    monkeypatch.delenv("KIEMCHUNG_BASE_URL", raising=False)
    monkeypatch.delenv("KIEMCHUNG_ORG_URL", raising=False)
    get_settings.cache_clear()
    data = seed(configured)
    reset_index()
    yield data
    reset_index()


def _absolute_links(text: str) -> set[str]:
    return {m.rstrip("/") for m in re.findall(r"https?://[^\s\"'<>]+?(?=[/\"'<\s])", html.unescape(text))}


def _tip(c: TestClient, text: str) -> str:
    token = c.get("/gui-tin").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = c.post(
        "/gui-tin", data={"text": text, "want_reply": "1", "contact": "0901 234 567", "csrf_token": token}
    )
    assert r.status_code == 200
    return html.unescape(r.text)


def test_every_absolute_link_uses_the_port_the_site_is_served_on(seeded_app: Seed) -> None:
    base = "http://kiemchung.local:8100"
    with TestClient(create_app(), base_url=base) as c:
        pages = {
            "feed": c.get("/feed.xml").text,
            "atom": c.get("/atom.xml").text,
            "sitemap": c.get("/sitemap.xml").text,
            "robots": c.get("/robots.txt").text,
            "about": c.get("/gioi-thieu").text,
            "detail": c.get(f"/kiem-chung/{seeded_app.slugs[next(iter(seeded_app.slugs))]}").text,
            "api": c.get("/api/v1/fact-checks").text,
        }
        tip = _tip(c, "Có tin đồn Đà Lạt sẽ thu phí vào thành phố từ tháng sau, mỗi xe 100 nghìn đồng.")
    for name, text in pages.items():
        assert "127.0.0.1:8000" not in text, name
        assert base in text, name
    assert f"{base}/gioi-thieu" in pages["about"]
    assert f'<link rel="canonical" href="{base}/kiem-chung/' in pages["detail"]
    assert f"{base}/gui-tin/xoa/" in tip  # the tipster's delete link
    assert "127.0.0.1:8000" not in tip


def test_the_configured_base_url_wins(seeded_app: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_BASE_URL", "https://kiemchung.example/")
    get_settings.cache_clear()
    with TestClient(create_app(), base_url="http://10.0.0.5:8100") as c:
        feed = c.get("/feed.xml").text
    assert "https://kiemchung.example/kiem-chung/" in feed and "10.0.0.5" not in feed


def test_forwarded_host_only_from_a_trusted_proxy(seeded_app: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
    headers = {
        "X-Forwarded-For": "203.0.113.4",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "tin.example",
    }
    with TestClient(create_app(), base_url="http://app:8100", client=("127.0.0.1", 1)) as c:
        feed = c.get("/feed.xml", headers=headers).text
    assert "tin.example" not in feed and "http://app:8100/" in feed  # nobody trusted: headers ignored
    monkeypatch.setenv("KIEMCHUNG_TRUSTED_PROXIES", '["127.0.0.1"]')
    get_settings.cache_clear()
    with TestClient(create_app(), base_url="http://app:8100", client=("127.0.0.1", 1)) as c:
        feed = c.get("/feed.xml", headers=headers).text
        spoofed = c.get("/feed.xml", headers={"Host": "evil.example/x?"}).text
    assert "https://tin.example/kiem-chung/" in feed
    assert "evil.example" not in spoofed  # a Host that is not a plain host is never used in links


def test_outside_a_request_links_use_the_configured_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.public.queries import absolute_url

    monkeypatch.delenv("KIEMCHUNG_BASE_URL", raising=False)
    monkeypatch.setenv("KIEMCHUNG_PORT", "8100")
    get_settings.cache_clear()
    try:
        assert absolute_url("/feed.xml") == "http://127.0.0.1:8100/feed.xml"
        # a chat reply's scam warning, written by the worker, links to the same place
        from kiemchung.public.tipline import warned_message

        warning = {"headline": {"vi": "Lừa đảo"}, "reasons": {"vi": ["giả mạo ngân hàng"]}}
        assert warned_message(warning).endswith("http://127.0.0.1:8100/kiem-tra")
    finally:
        get_settings.cache_clear()
