"""Analytics fixtures: desk accounts per role and logged-in clients on the ``configured`` database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from analyticsdata import PASSWORD, ROLES, login
from fastapi.testclient import TestClient

from kiemchung.store import models, session_scope
from kiemchung.store.models import Role


@pytest.fixture()
def desk_accounts(configured: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """One desk account per role on the ``configured`` database; {role: user id}."""
    from kiemchung.desk.auth import hash_password

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    pw = hash_password(PASSWORD)
    out: dict[str, int] = {}
    with session_scope() as s:
        for role in ROLES:
            u = models.User(
                email=f"{role}@test.vn", display_name=role.title(), role=Role(role), password_hash=pw
            )
            s.add(u)
            s.flush()
            out[role] = u.id
    return out


@pytest.fixture()
def desk_client(desk_accounts: dict[str, int]) -> Iterator[Callable[[str | None], TestClient]]:
    """``desk_client("viewer")``: a browser logged in with that role (``None``: not logged in)."""
    from kiemchung.web.app import create_app

    app = create_app()
    clients: list[TestClient] = []

    def make(role: str | None) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        if role:
            login(c, role)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _utc_days(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The hand-worked figures use UTC calendar days; the local-day case has its own test."""
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_TIMEZONE", "UTC")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
