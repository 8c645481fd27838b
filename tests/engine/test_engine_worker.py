"""The worker's catch-up round and command (the queue itself: tests/jobs) and ``reindex`` on a real store."""

from __future__ import annotations

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


def test_worker_command_once_prints_a_summary(store: str) -> None:
    _pending(POSTS)
    res = CliRunner().invoke(app, ["worker", "--once"])
    assert res.exit_code == 0, res.output
    assert "2 tin" in res.output and "khớp" in res.output and " s)" in res.output
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
    assert "1 bài kiểm chứng, 1 đoạn, 1 nhận định" in res.output


def test_worker_command_refuses_the_immediate_queue(store: str) -> None:
    """``immediate`` (the test default) has nothing to consume: say so instead of idling."""
    res = CliRunner().invoke(app, ["worker"])
    assert res.exit_code == 2 and "immediate" in res.output
