"""Desk fixtures: an app on the ``configured`` SQLite database, accounts per role, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from deskutil import PASSWORD, ROLES, login
from fastapi.testclient import TestClient

from kiemchung.desk.auth import hash_password
from kiemchung.store import models, session_scope
from kiemchung.store.models import Role


@pytest.fixture()
def desk_users(configured: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """One account per role plus a second editor and reviewer; {name: user id}."""
    # The engine's index is exercised in its own tests; here the desk must work without it.
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    ids: dict[str, int] = {}
    pw = hash_password(PASSWORD)
    with session_scope() as s:
        for name, role in [*((r, r) for r in ROLES), ("editor2", "editor"), ("reviewer2", "reviewer")]:
            u = models.User(
                email=f"{name}@test.vn", display_name=name.title(), role=Role(role), password_hash=pw
            )
            s.add(u)
            s.flush()
            ids[name] = u.id
    return ids


@pytest.fixture()
def app(desk_users: dict[str, int]):  # type: ignore[no-untyped-def]
    from kiemchung.web.app import create_app

    return create_app()


@pytest.fixture()
def client_for(app) -> Iterator[Callable[[str], tuple[TestClient, str]]]:  # type: ignore[no-untyped-def]
    """``client_for("editor") -> (client, csrf)``: a separate logged-in browser per call."""
    clients: list[TestClient] = []

    def make(name: str) -> tuple[TestClient, str]:
        c = TestClient(app, base_url="http://testserver")
        c.__enter__()
        clients.append(c)
        return c, login(c, name)

    yield make
    for c in clients:
        c.__exit__(None, None, None)
