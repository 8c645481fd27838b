"""Named locks: one holder at a time across connections (PostgreSQL) and file handles (SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiemchung.settings import get_settings
from kiemchung.store import locks, session_scope


@pytest.fixture()
def lock_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KIEMCHUNG_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def test_second_holder_is_refused_until_the_first_lets_go(lock_db: str) -> None:
    with locks.hold(locks.ENGINE_PASS, url=lock_db) as first:
        assert first
        with locks.hold(locks.ENGINE_PASS, url=lock_db) as second:
            assert not second
        with locks.hold(locks.INDEX_REBUILD, url=lock_db) as other:
            assert other  # another name is another lock
    with locks.hold(locks.ENGINE_PASS, url=lock_db) as again:
        assert again


def test_waiting_holder_gets_the_lock_when_it_is_released(lock_db: str) -> None:
    name = locks.backfill_block("t", 0)
    released = threading.Event()
    order: list[str] = []

    def other() -> None:
        with locks.hold(name, url=lock_db, wait=True, poll=0.02) as got:
            order.append(f"other:{got}:{released.is_set()}")

    with locks.hold(name, url=lock_db) as got:
        assert got
        t = threading.Thread(target=other)
        t.start()
        t.join(0.3)
        assert t.is_alive()  # still waiting
        released.set()
    t.join(10)
    assert order == ["other:True:True"]


def test_transaction_lock_is_held_until_commit(lock_db: str) -> None:
    with session_scope(lock_db) as s1:
        assert locks.try_xact_lock(s1, locks.OUTBOX_SWEEP)
        with session_scope(lock_db) as s2:
            second = locks.try_xact_lock(s2, locks.OUTBOX_SWEEP)
        # PostgreSQL refuses the second transaction; SQLite serialises writers by itself
        assert second is lock_db.startswith("sqlite")
    with session_scope(lock_db) as s3:
        assert locks.try_xact_lock(s3, locks.OUTBOX_SWEEP)
