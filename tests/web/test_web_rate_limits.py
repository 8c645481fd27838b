"""Rate limits counted by ``limits``: per application object in memory, shared through Redis."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from kiemchung.settings import get_settings


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


def _two_apps(monkeypatch: pytest.MonkeyPatch, storage: str) -> tuple[TestClient, TestClient]:
    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_STORAGE", storage)
    monkeypatch.setenv("KIEMCHUNG_LOOKUP_RATE_LIMIT_PER_MINUTE", "3")
    monkeypatch.setenv("KIEMCHUNG_QUEUE_NAME", f"kc-test-{uuid.uuid4().hex[:10]}")  # our own keys
    get_settings.cache_clear()
    from kiemchung.web.app import create_app

    return TestClient(create_app()), TestClient(create_app())  # two apps, two sets of limiters


def _statuses(a: TestClient, b: TestClient, n: int) -> list[int]:
    clients = [a, b]
    return [
        clients[i % 2].get("/api/v1/scam/check", params={"q": "0901234567"}).status_code for i in range(n)
    ]


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_two_apps_share_one_limit_through_redis(configured: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _two_apps(monkeypatch, "redis://127.0.0.1:6379/0")
    got = _statuses(a, b, 5)
    assert got[:3] == [200, 200, 200] and got[3:] == [429, 429]  # 3 a minute between both, not 3 each
    r = b.get("/api/v1/scam/check", params={"q": "0901234567"})
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 61


def test_in_memory_each_app_counts_on_its_own(configured: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _two_apps(monkeypatch, "memory://")
    assert _statuses(a, b, 6) == [200] * 6  # 3 each
    assert a.get("/api/v1/scam/check", params={"q": "0901234567"}).status_code == 429


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_login_lockout_is_shared_through_redis() -> None:
    """Two processes' guards over one Redis: failures add up per (account, address), locks double."""
    from kiemchung.web.security import SharedLoginGuard

    ns = f"kc-test-{uuid.uuid4().hex[:10]}"
    a, b = (SharedLoginGuard(2, 10, storage="redis://127.0.0.1:6379/0", namespace=ns) for _ in range(2))
    assert a.failure("BT@test.vn", "1.1.1.1", now=0) is None
    assert b.failure("bt@test.vn", "1.1.1.1", now=0) == 10  # the second failure, in another process
    until = a.locked_until("bt@test.vn", "1.1.1.1", now=0)
    assert until is not None and 8 < until <= 10
    assert b.locked_until("bt@test.vn", "2.2.2.2", now=0) is None  # another address is not locked
    b.failure("bt@test.vn", "1.1.1.1", now=0)
    assert a.failure("bt@test.vn", "1.1.1.1", now=0) == 20  # the next lock doubles
    a.success("bt@test.vn", "1.1.1.1")
    assert b.locked_until("bt@test.vn", "1.1.1.1", now=0) is None
