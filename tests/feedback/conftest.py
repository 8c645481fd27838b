"""Feedback fixtures: accounts, an app on the ``configured`` SQLite database, logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from kiemchung.desk.auth import hash_password
from kiemchung.store import models, session_scope
from kiemchung.store.models import Role

PASSWORD = "mat-khau-dai-du-10"


@pytest.fixture()
def fb_users(configured: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """{name: user id} for an editor, a second editor, a reviewer and a viewer (lexical clustering)."""
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    from kiemchung.settings import get_settings

    get_settings.cache_clear()
    ids: dict[str, int] = {}
    pw = hash_password(PASSWORD)
    with session_scope() as s:
        for name, role in [
            ("editor", "editor"),
            ("editor2", "editor"),
            ("reviewer", "reviewer"),
            ("viewer", "viewer"),
        ]:
            u = models.User(
                email=f"{name}@test.vn", display_name=name.title(), role=Role(role), password_hash=pw
            )
            s.add(u)
            s.flush()
            ids[name] = u.id
    return ids


@pytest.fixture()
def app(fb_users: dict[str, int]):  # type: ignore[no-untyped-def]
    from kiemchung.web.app import create_app

    return create_app()


def csrf_of(client: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


@pytest.fixture()
def client_for(app) -> Iterator[Callable[[str], tuple[TestClient, str]]]:  # type: ignore[no-untyped-def]
    """``client_for("editor") -> (client, csrf)``; ``client_for("")`` is an anonymous visitor."""
    clients: list[TestClient] = []

    def make(name: str) -> tuple[TestClient, str]:
        c = TestClient(app, base_url="http://testserver")
        c.__enter__()
        clients.append(c)
        if not name:
            return c, csrf_of(c, "/gop-y")
        token = csrf_of(c, "/desk/login")
        r = c.post(
            "/desk/login",
            data={"email": f"{name}@test.vn", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text[:300]
        return c, token

    yield make
    for c in clients:
        c.__exit__(None, None, None)
