"""Channel fixtures: the fake platform APIs on 127.0.0.1, all three channels configured against
it, an app, and desk accounts to publish with."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_platform import FakePlatform, serve
from fastapi.testclient import TestClient
from payloads import ENV, api_env

from kiemchung.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desk"))


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[FakePlatform]:
    fake = FakePlatform()
    server, thread = serve(fake)
    yield fake
    server.should_exit = True
    thread.join(5)


@pytest.fixture()
def fake(_fake_server: FakePlatform) -> FakePlatform:
    _fake_server.reset()
    return _fake_server


@pytest.fixture()
def channels_on(configured: str, fake: FakePlatform, monkeypatch: pytest.MonkeyPatch) -> FakePlatform:
    from kiemchung.channels import zalo

    for k, v in (ENV | api_env(fake.base)).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(zalo, "_tokens", {})
    get_settings.cache_clear()
    return fake


@pytest.fixture()
def client(channels_on: FakePlatform) -> Iterator[TestClient]:
    from kiemchung.web.app import create_app

    with TestClient(create_app(), base_url="http://testserver") as c:
        yield c


@pytest.fixture()
def desk_login(client: TestClient) -> Callable[[str], tuple[TestClient, str]]:
    """``desk_login("editor") -> (client, csrf)`` on the same app, each with its own cookies."""
    from deskutil import PASSWORD, login

    from kiemchung.desk.auth import hash_password
    from kiemchung.store import models, session_scope

    with session_scope() as s:
        for name in ("admin", "editor", "reviewer"):
            s.add(
                models.User(
                    email=f"{name}@test.vn",
                    display_name=name.title(),
                    role=models.Role(name),
                    password_hash=hash_password(PASSWORD),
                )
            )

    def make(name: str) -> tuple[TestClient, str]:
        c = TestClient(client.app, base_url="http://testserver")
        return c, login(c, name)

    return make


@pytest.fixture()
def desk_admin(desk_login: Callable[[str], tuple[TestClient, str]]) -> TestClient:
    return desk_login("admin")[0]
