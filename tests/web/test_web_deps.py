"""The session policy and the role dependency of ``kiemchung.web.deps``, on the real app."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiemchung.desk.auth import hash_password
from kiemchung.store import models, session_scope
from kiemchung.store.db import NotFound
from kiemchung.store.models import Role
from kiemchung.web.deps import Admin, Editor, PageError, SessionDep, or_404

PASSWORD = "mat-khau-kiem-thu-12"
probe = APIRouter(prefix="/probe")
seen_by_background: list[bool] = []


def _topic(db: SessionDep, name: str) -> None:
    db.add(models.Source(name=name))


@probe.post("/ok")
def ok(db: SessionDep) -> dict[str, str]:
    _topic(db, "nguon-ok")
    return {"ok": "yes"}


@probe.post("/boom")
def boom(db: SessionDep) -> dict[str, str]:
    _topic(db, "nguon-loi")
    db.flush()
    raise RuntimeError("handler failed after writing")


@probe.post("/page-error")
def page_error(db: SessionDep) -> dict[str, str]:
    _topic(db, "nguon-trang-loi")
    db.flush()
    raise PageError(PlainTextResponse("đã hủy / undone", status_code=409))


def _look() -> None:
    with session_scope() as s:
        seen_by_background.append(
            s.scalar(select(models.Source).where(models.Source.name == "nguon-nen")) is not None
        )


@probe.post("/background")
def background(db: SessionDep, tasks: BackgroundTasks) -> dict[str, str]:
    _topic(db, "nguon-nen")
    tasks.add_task(_look)
    return {"queued": "yes"}


@probe.get("/missing/{n}")
def missing(n: int, db: SessionDep) -> dict[str, int]:
    with or_404():
        if db.get(models.Source, n) is None:
            raise NotFound(n)
    return {"n": n}


@probe.post("/admin-only")
def admin_only(user: Admin) -> dict[str, str]:
    return {"who": user.email}


@probe.get("/editors")
def editors(user: Editor) -> dict[str, str]:
    return {"who": user.email}


def stored(name: str) -> bool:
    with session_scope() as s:
        return s.scalar(select(models.Source).where(models.Source.name == name)) is not None


@pytest.fixture()
def client(configured: str) -> Iterator[TestClient]:
    from kiemchung.web.app import create_app

    with session_scope() as s:
        for role in ("admin", "viewer", "editor"):
            s.add(
                models.User(
                    email=f"{role}@deps.vn",
                    display_name=role,
                    role=Role(role),
                    password_hash=hash_password(PASSWORD),
                )
            )
    app = create_app()
    app.include_router(probe)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def login(c: TestClient, role: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/desk/login").text)
    assert token
    r = c.post(
        "/desk/login",
        data={"email": f"{role}@deps.vn", "password": PASSWORD, "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return token[1]


def test_commits_when_the_handler_returns(client: TestClient) -> None:
    assert client.post("/probe/ok").status_code == 200
    assert stored("nguon-ok")


def test_rolls_back_when_the_handler_raises(client: TestClient) -> None:
    assert client.post("/probe/boom").status_code == 500
    assert not stored("nguon-loi")


def test_page_error_sends_its_page_and_rolls_back(client: TestClient) -> None:
    r = client.post("/probe/page-error")
    assert (r.status_code, r.text) == (409, "đã hủy / undone")
    assert not stored("nguon-trang-loi")


def test_background_tasks_run_after_the_commit(client: TestClient) -> None:
    seen_by_background.clear()
    assert client.post("/probe/background").status_code == 200
    assert seen_by_background == [True]


def test_anonymous_is_sent_to_login_with_the_way_back(client: TestClient) -> None:
    r = client.get("/probe/editors?x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/desk/login?next=%2Fprobe%2Feditors%3Fx%3D1"


def test_a_role_outside_the_set_is_refused(client: TestClient) -> None:
    token = login(client, "viewer")
    assert client.get("/probe/editors").status_code == 403
    assert client.post("/probe/admin-only", data={"csrf_token": token}).status_code == 403


def test_writes_need_the_csrf_token(client: TestClient) -> None:
    token = login(client, "admin")
    assert client.post("/probe/admin-only").status_code == 403
    r = client.post("/probe/admin-only", data={"csrf_token": token})
    assert r.status_code == 200 and r.json() == {"who": "admin@deps.vn"}
    assert client.get("/probe/editors").json() == {"who": "admin@deps.vn"}


def test_a_missing_row_is_a_404(client: TestClient) -> None:
    r = client.get("/probe/missing/424242", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
