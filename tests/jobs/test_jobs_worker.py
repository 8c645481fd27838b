"""A real ``kiemchung worker`` process consuming the queue: the embedded SQLite queue (no service)
and Redis at 127.0.0.1:6379 (a unique queue name per run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiemchung.engine import index as index_mod
from kiemchung.engine import pipeline
from kiemchung.jobs import queue, tasks
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, FactCheckStatus, IndexState, Item, Source, Verdict
from kiemchung.text import content_hash

SRC = Path(__file__).resolve().parents[2] / "src"
POST = "Nghe nói từ mai xe buýt nội thành Cần Thơ miễn phí cho mọi người đến hết năm, đúng không?"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue_env(
    request: pytest.FixtureRequest, configured: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    if request.param == "redis" and not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url = f"sqlite:///{tmp_path / 'queue.db'}" if request.param == "sqlite" else "redis://127.0.0.1:6379/0"
    env = {
        "KIEMCHUNG_QUEUE_URL": url,
        "KIEMCHUNG_QUEUE_NAME": f"kc-test-{uuid.uuid4().hex[:10]}",
        "KIEMCHUNG_EMBEDDER": "none",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    index_mod.reset_index()
    pipeline.reset_state()
    h = queue.configure()
    yield {k: v for k, v in os.environ.items() if k.startswith("KIEMCHUNG_")} | env
    h.storage.flush_all()
    index_mod.reset_index()
    pipeline.reset_state()


def _wait(cond, timeout: float = 90.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_process_runs_the_queued_jobs(queue_env: dict[str, str]) -> None:
    with session_scope() as s:
        fc = FactCheck(
            slug="xe-buyt-can-tho",
            claim_reviewed="Xe buýt nội thành Cần Thơ miễn phí cho mọi người đến hết năm",
            verdict=Verdict.false,
            status=FactCheckStatus.published,
            published_at=datetime(2026, 11, 20),
        )
        s.add(fc)
        s.add(Item(source=Source(name="Nhóm thử"), text=POST, content_hash=content_hash(POST)))
        index_mod.mark_fact_checks_changed(s)
        s.flush()
        fid = fc.id
    # Enqueued before any consumer runs: the jobs wait in the queue (file or Redis), durably.
    assert queue.enqueue(tasks.reindex_fact_checks, [fid]) and queue.enqueue(tasks.process_pending)
    assert queue.pending_count() >= 2

    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMCHUNG_")} | queue_env
    env |= {"KIEMCHUNG_ENV": "development", "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiemchung.cli", "worker", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def done() -> bool:
            with session_scope() as s:
                state = s.get(IndexState, "fact_checks", populate_existing=True)
                processed = s.scalar(select(func.count()).select_from(Item).where(Item.processed.is_(True)))
                return bool(state and state.done >= 1 and processed == 1)

        assert _wait(done), "the worker did not run the queued jobs"
        assert _wait(lambda: queue.pending_count() == 0, 30)
        # Idempotent: the same job again writes nothing new and leaves one row per fact-check.
        assert queue.enqueue(tasks.reindex_fact_checks, [fid])
        assert _wait(lambda: queue.pending_count() == 0, 30)
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "Đang chạy 2 luồng" in out, out[-3000:]
    index_mod.reset_index()
    idx = index_mod.get_index()
    assert idx.fc_disk.get(str(fid)) is not None
    table = idx.db.open_table("fact_checks").to_arrow()
    assert table.column("id").to_pylist().count(str(fid)) == 1
