"""The background worker (rounds over pending items, failures retried) and ``reindex`` on a real store."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kiemchung.cli import app
from kiemchung.engine import index as index_mod
from kiemchung.engine import pipeline, worker
from kiemchung.engine.index import get_index, reindex
from kiemchung.settings import get_settings
from kiemchung.store import session_scope, upgrade
from kiemchung.store.models import Claim, Document, FactCheck, FactCheckStatus, Item, Passage, Source, Verdict
from kiemchung.text import content_hash

POSTS = [
    "Nghe nói từ tháng sau xe máy chạy xăng bị cấm hoàn toàn trong nội thành Đà Nẵng, ai biết không?",
    "Uống trà gừng nóng ba lần mỗi ngày chữa khỏi hẳn bệnh cúm mùa, bác sĩ khuyên vậy đó mọi người.",
]


@pytest.fixture
def store(configured: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")  # lexical only: no model load
    get_settings.cache_clear()
    upgrade()
    index_mod.reset_index()
    pipeline.reset_state()
    yield configured
    index_mod.reset_index()
    pipeline.reset_state()


def _pending(texts: list[str]) -> None:
    with session_scope() as s:
        src = Source(name="Nhóm thử")
        s.add_all(
            Item(source=src, text=t, content_hash=content_hash(t), published_at=datetime(2026, 11, 2, 8, 0))
            for t in texts
        )


def _processed() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(Item).where(Item.processed.is_(True))) or 0


def test_run_once_processes_pending_items_in_one_round(store: str) -> None:
    _pending(POSTS)
    stats = worker.run_once()
    assert stats.items == 2 and _processed() == 2
    assert worker.run_once().items == 0  # nothing left


def test_run_loop_counts_items_and_survives_a_failing_round(
    store: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _pending(POSTS[:1])
    real = worker.run_once
    calls: list[int] = []

    def flaky(progress: bool = False) -> pipeline.PipelineStats:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(progress)

    monkeypatch.setattr(worker, "run_once", flaky)
    seen: list[int] = []
    total = worker.run_loop(0.01, max_rounds=3, on_round=lambda s: seen.append(s.items))
    assert total == 1 and seen == [1, 0] and len(calls) == 3
    assert "pipeline round failed" in caplog.text
    assert _processed() == 1


def test_run_loop_stops_when_asked(store: str) -> None:
    stop = threading.Event()
    rounds: list[int] = []

    def on_round(s: pipeline.PipelineStats) -> None:
        rounds.append(s.items)
        stop.set()

    assert worker.run_loop(30.0, stop=stop, on_round=on_round) == 0
    assert rounds == [0]


def test_worker_command_once_prints_a_summary(store: str) -> None:
    _pending(POSTS)
    res = CliRunner().invoke(app, ["worker", "--once"])
    assert res.exit_code == 0, res.output
    assert "2 tin/items" in res.output and "khớp/matched" in res.output and " s)" in res.output
    assert _processed() == 2


def test_summary_uses_vietnamese_decimal_comma() -> None:
    stats = pipeline.PipelineStats(items=3, seconds=1.5)
    assert "(1,5 s)" in worker._summary(stats) and stats.items == 3


def test_reindex_rebuilds_everything_from_the_store(store: str) -> None:
    with session_scope() as s:
        s.add(
            FactCheck(
                slug="xe-may-da-nang",
                claim_reviewed="Đà Nẵng cấm hoàn toàn xe máy chạy xăng trong nội thành từ tháng sau",
                verdict=Verdict.false,
                status=FactCheckStatus.published,
                published_at=datetime(2026, 11, 1),
            )
        )
        s.add(
            FactCheck(
                slug="nhap",
                claim_reviewed="Bản nháp chưa đăng",
                verdict=Verdict.false,
                status=FactCheckStatus.draft,
            )
        )
        doc = Document(
            title="Thông báo của UBND thành phố",
            text="Thành phố chưa có quyết định cấm xe máy. Lộ trình hạn chế xe máy chỉ được nghiên cứu sau năm 2030.",
            content_hash="doc-xe-may",
        )
        doc.passages = [Passage(position=0, text=doc.text)]
        s.add(doc)
        s.add(Claim(text="Đà Nẵng cấm xe máy chạy xăng từ tháng sau"))
    stats = reindex(progress=False)
    assert stats == {"fact_checks": 1, "passages": 1, "claims": 1}  # drafts are not indexed
    idx = get_index()
    hit = idx.match_fact_checks(["da nang cam xe may chay xang"], top=1)[0]
    assert hit.results and hit.results[0].id != ""
    assert idx.evidence("thành phố cấm xe máy", k=1)
    # The command prints the counts, with a progress bar on request.
    res = CliRunner().invoke(app, ["reindex", "--progress"])
    assert res.exit_code == 0, res.output
    assert "1 kiểm chứng/fact-checks, 1 đoạn/passages, 1 nhận định/claims" in res.output


def test_worker_command_loops_until_sigterm(store: str) -> None:
    _pending(POSTS[:1])
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        res = CliRunner().invoke(app, ["worker", "--interval", "0.5"])
    finally:
        timer.cancel()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert res.exit_code == 0, res.output
    assert "worker running every 0.5s" in res.output
    assert "1 tin/items" in res.output  # the round that found work reported it
    assert "stopped; 1 items processed" in res.output
