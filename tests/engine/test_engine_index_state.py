"""The index state every process syncs to: a publication bumps it, each process's in-memory index
follows the store without writing the tables, and the durable job writes them once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from kiemchung.engine import index as index_mod
from kiemchung.engine.embed import get_embedder
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, FactCheckStatus, IndexState, Verdict

CLAIM = "Sân bay Phú Quốc đóng cửa hoàn toàn ba tháng để nâng cấp đường băng từ tháng tới"


@pytest.fixture
def two_processes(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[index_mod.SearchIndex, ...]]:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    index_mod.reset_index()
    path = get_settings().resolved_index_dir
    with session_scope() as s:
        s.add(
            FactCheck(
                slug="gia-xang",
                claim_reviewed="Giá xăng giảm một nửa từ thứ hai tuần sau",
                verdict=Verdict.false,
                status=FactCheckStatus.published,
                published_at=datetime(2026, 11, 1),
            )
        )
        s.flush()
        a = index_mod.SearchIndex(path, get_embedder("none"))
        a.rebuild(s)
    b = index_mod.SearchIndex(path, get_embedder("none"))
    assert b.load()
    yield a, b
    index_mod.reset_index()


def _publish() -> int:
    with session_scope() as s:
        fc = FactCheck(
            slug="phu-quoc",
            claim_reviewed=CLAIM,
            verdict=Verdict.false,
            status=FactCheckStatus.published,
            published_at=datetime(2026, 11, 25),
        )
        s.add(fc)
        index_mod.mark_fact_checks_changed(s)
        s.flush()
        return fc.id


def _ids(idx: index_mod.SearchIndex) -> list[str]:
    return [c.id for c in idx.match_fact_checks([CLAIM], top=3)[0].results]


def test_every_process_follows_the_state_and_the_job_writes_the_table_once(
    two_processes: tuple[index_mod.SearchIndex, ...],
) -> None:
    a, b = two_processes
    for idx in (a, b):
        assert index_mod.sync_with_state(idx, force=True)  # first sync records the version
        assert not index_mod.sync_with_state(idx, force=True)  # nothing moved since
    fid = _publish()
    assert str(fid) not in _ids(b)
    assert index_mod.sync_with_state(b, force=True)
    assert _ids(b)[0] == str(fid)
    assert str(fid) not in b.fc_disk
    assert b.db.open_table("fact_checks").count_rows() == 1  # memory only: web processes never write

    with session_scope() as s:
        assert a.persist_fact_checks(s) == 1
        assert a.persist_fact_checks(s) == 0  # idempotent
        index_mod.mark_fact_checks_done(s, s.get(IndexState, "fact_checks").version)
    assert a.db.open_table("fact_checks").count_rows() == 2
    assert index_mod.index_state()[0] == index_mod.index_state()[1]

    with session_scope() as s:  # retraction: out of every process's answers at its next sync
        s.get(FactCheck, fid).status = FactCheckStatus.retracted
        index_mod.mark_fact_checks_changed(s)
    assert index_mod.sync_with_state(b, force=True) and str(fid) not in _ids(b)
    assert not index_mod.sync_with_state(b)  # throttled: at most every STATE_CHECK_SECONDS
