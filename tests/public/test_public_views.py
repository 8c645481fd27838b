"""Page views of a fact-check: counted in memory, written in one batch, never a reader's error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient
from public_seed import Seed
from sqlalchemy import update

from kiemchung.public import views
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, Verdict
from liveserver import serve_in_thread


def _views_and_version(fc_id: int) -> tuple[int, int]:
    with session_scope() as s:
        fc = s.get(FactCheck, fc_id)
        assert fc is not None
        return fc.views, fc.version


def test_views_are_written_by_a_flush_without_bumping_the_version(client: TestClient, seeded: Seed) -> None:
    fc_id, slug = seeded.ids[Verdict.true], seeded.slugs[Verdict.true]
    before = _views_and_version(fc_id)
    for _ in range(3):
        assert client.get(f"/kiem-chung/{slug}").status_code == 200
    client.get(f"/kiem-chung/{seeded.retracted_slug}")  # a retracted page is not counted
    assert _views_and_version(fc_id) == before  # nothing written by the page itself
    assert views.COUNTER.pending() == {fc_id: 3}
    assert views.flush() == 3
    assert _views_and_version(fc_id) == (before[0] + 3, before[1])
    assert views.COUNTER.pending() == {} and views.flush() == 0


def test_the_minute_sweep_writes_the_views(client: TestClient, seeded: Seed) -> None:
    from kiemchung.jobs.tasks import sweep

    fc_id = seeded.ids[Verdict.scam]
    before = _views_and_version(fc_id)[0]
    client.get(f"/kiem-chung/{seeded.slugs[Verdict.scam]}")
    sweep.call_local()
    assert _views_and_version(fc_id)[0] == before + 1


def test_a_failing_flush_never_fails_a_page_view_and_keeps_the_counts(
    client: TestClient, seeded: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    fc_id, slug = seeded.ids[Verdict.false], seeded.slugs[Verdict.false]
    before = _views_and_version(fc_id)[0]

    @contextmanager
    def broken() -> Iterator[None]:
        raise RuntimeError("database unavailable")
        yield

    monkeypatch.setattr(views, "session_scope", broken)
    assert client.get(f"/kiem-chung/{slug}").status_code == 200
    assert views.flush() == 0  # logged, not raised
    assert client.get(f"/kiem-chung/{slug}").status_code == 200
    assert views.COUNTER.pending() == {fc_id: 2}  # kept, with the view since
    monkeypatch.undo()
    assert views.flush() == 2
    assert _views_and_version(fc_id)[0] == before + 2


def test_a_page_view_does_not_wait_for_a_writer(client: TestClient, seeded: Seed) -> None:
    """Another transaction holds the row (PostgreSQL) or the write lock (SQLite) for 4 s: the page
    still answers at once, because counting the view writes nothing."""
    fc_id, slug = seeded.ids[Verdict.mostly_true], seeded.slugs[Verdict.mostly_true]
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope() as s:
            s.execute(update(FactCheck).where(FactCheck.id == fc_id).values(summary=FactCheck.summary))
            locked.set()
            release.wait(4)
            s.rollback()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert locked.wait(10)
        t0 = time.perf_counter()
        r = client.get(f"/kiem-chung/{slug}")
        elapsed = time.perf_counter() - t0
    finally:
        release.set()
        t.join()
    assert r.status_code == 200
    assert elapsed < 3, f"the page waited {elapsed:.1f} s for the writer"


@pytest.fixture()
def live_server(seeded: Seed) -> Iterator[str]:
    from kiemchung.web.app import create_app

    with serve_in_thread(create_app()) as url:
        yield url


def test_many_parallel_readers_get_no_error(live_server: str, seeded: Seed) -> None:
    fc_id, slug = seeded.ids[Verdict.misleading], seeded.slugs[Verdict.misleading]
    before = _views_and_version(fc_id)[0]
    readers, each = 40, 5

    def read(_: int) -> list[int]:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            return [c.get(f"/kiem-chung/{slug}").status_code for _ in range(each)]

    with ThreadPoolExecutor(readers) as pool:
        statuses = [s for batch in pool.map(read, range(readers)) for s in batch]
    assert statuses == [200] * readers * each
    views.flush()
    assert _views_and_version(fc_id)[0] == before + readers * each
