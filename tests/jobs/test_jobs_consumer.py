"""A web process's own consumer threads (``KIEMCHUNG_ENGINE_IN_PROCESS``) over a SQLite queue file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiemchung.jobs import consumer, queue, tasks
from kiemchung.settings import Settings, get_settings


def test_storage_follows_the_settings(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "var", env="development")
    assert queue.describe(s) == "sqlite"
    store = queue.storage_for(s.resolved_queue_url, "t")
    assert type(store).__name__ == "SqliteStorage" and (tmp_path / "var" / "queue.db").exists()
    assert queue.describe(Settings(env="test")) == "immediate"
    assert Settings(redis_url="redis://127.0.0.1:6379/5").resolved_rate_limit_storage.startswith("redis://")


def test_the_web_process_consumer_runs_jobs_and_stops(
    configured: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIEMCHUNG_QUEUE_URL", f"sqlite:///{tmp_path / 'queue.db'}")
    monkeypatch.setenv("KIEMCHUNG_WORKER_THREADS", "1")
    get_settings.cache_clear()
    ran: list[str] = []
    monkeypatch.setattr("kiemchung.desk.replies.run_replies", lambda: ran.append("replies") or _Stats())
    stop = consumer.start_background(get_settings())
    try:
        assert queue.enqueue(tasks.deliver_replies)
        deadline = time.monotonic() + 20
        while (not ran or queue.pending_count()) and time.monotonic() < deadline:
            time.sleep(0.05)
        # the start-up sweep may deliver replies too (it is idempotent); the queued job ran
        assert ran and set(ran) == {"replies"} and queue.pending_count() == 0
    finally:
        stop()
        time.sleep(0.5)  # a start-up sweep still finishing must not meet the next test's TRUNCATE


def test_nothing_starts_with_the_immediate_queue(configured: str) -> None:
    stop = consumer.start_background(get_settings())  # the test default: jobs already ran inline
    assert stop() is None


class _Stats:
    sent = 0
