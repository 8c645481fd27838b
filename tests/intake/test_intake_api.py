"""POST /api/items on a tiny app of its own (the real app includes the same router)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiemchung.intake.api import router
from kiemchung.settings import get_settings
from kiemchung.store.db import session_scope
from kiemchung.store.models import Item, Source

TOKEN = "t0ken-for-tests-0123456789abcdef"


@pytest.fixture()
def client(configured: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("KIEMCHUNG_INTAKE_TOKEN", TOKEN)
    monkeypatch.setenv("KIEMCHUNG_ENGINE_IN_PROCESS", "false")
    monkeypatch.setenv("KIEMCHUNG_MAX_REQUEST_BYTES", "20000")
    get_settings.cache_clear()
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_batch_with_per_index_errors(client: TestClient, configured: str) -> None:
    body = {
        "source": "Nhóm Zalo phường 5",
        "items": [
            {"text": "Điện sẽ cắt toàn thành phố ngày mai", "user_name": "ai.do", "likes": "12"},
            {"likes": 3},
            "not an object",
            {"text": "Điện sẽ cắt toàn thành phố ngày mai"},
            {"text": "Tin thứ hai", "url": "https://facebook.com/ai.do/posts/1", "author_id": "777"},
        ],
    }
    res = client.post("/api/items", json=body, headers=AUTH)
    assert res.status_code == 200, res.text
    data = res.json()
    assert (data["stored"], data["duplicates"], data["rejected"]) == (2, 1, 2)
    assert [e["index"] for e in data["errors"]] == [1, 2]
    with session_scope(configured) as s:
        assert s.scalars(select(Source.name)).all() == ["Nhóm Zalo phường 5"]
        items = s.scalars(select(Item)).all()
    assert all(i.url is None for i in items)
    assert "ai.do" not in " ".join(str(vars(i)) for i in items)


def test_bare_list_goes_to_default_source(client: TestClient, configured: str) -> None:
    res = client.post("/api/items", json=[{"message": "Tin từ API"}], headers=AUTH)
    assert res.json()["stored"] == 1
    with session_scope(configured) as s:
        assert s.scalars(select(Source.name)).all() == ["api"]


def test_auth_size_and_shape(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.post("/api/items", json=[]).status_code == 401
    assert client.post("/api/items", json=[], headers={"Authorization": "Bearer wrong"}).status_code == 401
    big = [{"text": "x" * 1000}] * 30
    assert client.post("/api/items", json=big, headers=AUTH).status_code == 413
    assert client.post("/api/items", content=b"{nope", headers=AUTH).status_code == 400
    assert client.post("/api/items", json={"items": "x"}, headers=AUTH).status_code == 422
    monkeypatch.setenv("KIEMCHUNG_INTAKE_TOKEN", "")
    get_settings.cache_clear()
    assert client.post("/api/items", json=[], headers=AUTH).status_code == 403
