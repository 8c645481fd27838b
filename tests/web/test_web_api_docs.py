"""/api/v1/docs works offline under our own CSP: every asset is ours and no script is inline."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kiemchung.settings import get_settings
from kiemchung.web.app import create_app


@pytest.fixture()
def client(configured: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def test_docs_page_loads_only_our_own_assets(client: TestClient) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    page = r.text
    assert "<script>" not in page and "cdn" not in page.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") for a in assets)
    for a in assets:
        assert client.get(a).status_code == 200, a
    assert re.search(r'data-openapi-url="/api/v1/openapi.json"', page)
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "kiemchung API"


def test_vendored_swagger_ui_keeps_its_licence(client: TestClient) -> None:
    from kiemchung.web.api_docs import SWAGGER_UI
    from kiemchung.web.app import STATIC

    folder = STATIC / SWAGGER_UI.removeprefix("/static/")
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert (folder / "NOTICE").is_file()
