"""One index for every process: two real servers on one database (SQLite file, PostgreSQL); a publication in one is
answered by the other within 2 s (no worker running), a retraction is no longer answered by the
other within 2 s, and a server started after a crash serves it
while the durable index job still waits in the queue."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from kiemchung.desk.auth import hash_password
from kiemchung.jobs import queue, tasks
from kiemchung.settings import get_settings
from kiemchung.store import models, session_scope

SRC = Path(__file__).resolve().parents[2] / "src"
CLAIM = "Bưu điện tỉnh Gia Lai phát miễn phí điện thoại thông minh cho người trên 60 tuổi từ tuần sau"
PASSWORD = "mat-khau-dai-du-manh-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "uvicorn", "kiemchung.web.app:create_app", "--factory"]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"server on {self.port} did not start")

    def matches(self, text: str) -> list[int]:
        r = httpx.post(f"{self.url}/api/v1/match", json={"text": text}, timeout=30)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["results"]]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture()
def setup(configured: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    # ``configured`` runs it on SQLite and on PostgreSQL: both servers share that one database
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    monkeypatch.setenv("KIEMCHUNG_QUEUE_URL", queue_url)
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    queue.configure()
    with session_scope() as s:
        editor = models.User(
            email="bt@test.vn", role=models.Role.editor, password_hash=hash_password(PASSWORD)
        )
        reviewer = models.User(
            email="kd@test.vn", role=models.Role.reviewer, password_hash=hash_password(PASSWORD)
        )
        other = models.FactCheck(
            slug="dien-nuoc",
            claim_reviewed="Giá điện sinh hoạt tăng gấp đôi từ tháng sau",
            verdict=models.Verdict.false,
            status=models.FactCheckStatus.published,
            published_at=datetime(2026, 11, 1),
        )
        s.add_all([editor, reviewer, other])
        s.flush()
        fc = models.FactCheck(
            slug="dien-thoai-gia-lai",
            claim_reviewed=CLAIM,
            verdict=models.Verdict.false,
            status=models.FactCheckStatus.approved,
            author_id=editor.id,
            reviewer_id=reviewer.id,
        )
        s.add(fc)
        s.flush()
        fid = fc.id
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIEMCHUNG_")} | {
        k: v for k, v in os.environ.items() if k.startswith("KIEMCHUNG_")
    }
    env |= {
        "KIEMCHUNG_ENV": "development",
        "KIEMCHUNG_ENGINE_IN_PROCESS": "false",  # no consumer anywhere: only the index state moves
        "KIEMCHUNG_SECRET_KEY": "k" * 40,
        "KIEMCHUNG_ACCESS_LOG": "false",
        "PYTHONPATH": str(SRC),
    }
    yield {"env": env, "fid": fid}
    queue.configure().storage.flush_all()


def _publish(server: Server, fid: int) -> None:
    _workflow(server, fid, "publish")


def _workflow(server: Server, fid: int, action: str, note: str = "") -> None:
    """Log in as the reviewer on ``server`` and run ``action`` on the fact-check (publish, retract)."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/desk/login").text)
        assert token
        r = c.post("/desk/login", data={"email": "kd@test.vn", "password": PASSWORD, "csrf_token": token[1]})
        assert r.status_code == 303, r.text[:300]
        with session_scope() as s:
            version = s.get(models.FactCheck, fid).version
        r = c.post(
            f"/desk/fact-checks/{fid}/workflow",
            data={"action": action, "version": str(version), "note": note, "csrf_token": token[1]},
        )
        assert r.status_code == 303 and "chi-muc=1" in r.headers["location"], r.text[:300]


def test_a_publication_in_one_server_is_answered_by_the_other(setup: dict[str, object]) -> None:
    env, fid = setup["env"], setup["fid"]
    assert isinstance(env, dict) and isinstance(fid, int)
    a, b = Server(env), Server(env)
    try:
        assert fid not in b.matches(CLAIM)  # b has loaded its index before the publication
        _publish(a, fid)
        published = time.monotonic()
        seen = None
        while time.monotonic() - published < 5:
            if fid in b.matches(CLAIM):
                seen = time.monotonic() - published
                break
            time.sleep(0.05)
        assert seen is not None and seen < 2.0, f"the other server answered after {seen} s"
        print(f"other server answered {seen:.2f} s after the publication")
        assert fid in a.matches(CLAIM)
    finally:
        a.stop(signal.SIGKILL)  # a crash: the index job never ran
        b.stop(signal.SIGKILL)
    assert queue.pending_count() >= 1  # ... and still waits in the queue file, durably
    with session_scope() as s:
        state = s.get(models.IndexState, "fact_checks")
        assert state.done < state.version
    c = Server(env)
    try:
        assert fid in c.matches(CLAIM)  # a fresh process syncs with the store before answering
    finally:
        c.stop()
    tasks.reindex_fact_checks.call_local([fid])  # what the worker will do: the persisted index catches up
    with session_scope() as s:
        state = s.get(models.IndexState, "fact_checks")
        assert state.done == state.version


def _until(check: Callable[[], bool], limit: float = 5.0) -> float | None:
    """Seconds until ``check()`` first holds, or None if it did not within ``limit``."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def test_a_retraction_in_one_server_is_no_longer_answered_by_the_other(setup: dict[str, object]) -> None:
    env, fid = setup["env"], setup["fid"]
    assert isinstance(env, dict) and isinstance(fid, int)
    a, b = Server(env), Server(env)
    try:
        _publish(a, fid)
        assert _until(lambda: fid in b.matches(CLAIM)) is not None  # b answers with it now
        _workflow(a, fid, "retract", note="Nguồn tin ban đầu đã được xác minh lại")
        gone = _until(lambda: fid not in b.matches(CLAIM))
        assert gone is not None and gone < 2.0, f"the other server still answered after {gone} s"
        print(f"other server stopped answering {gone:.2f} s after the retraction")
        assert fid not in a.matches(CLAIM)
        with session_scope() as s:
            assert s.get(models.FactCheck, fid).status == models.FactCheckStatus.retracted
    finally:
        a.stop()
        b.stop()
