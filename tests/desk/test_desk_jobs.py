"""No engine work in a request: publishing enqueues the index job; ``/desk/jobs`` lists dead jobs
(retry/discard, CSRF, audit) and the fact-check page shows the index job's progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_desk_workflow import act, create, status_of

from kiemchung.engine import index as index_mod
from kiemchung.engine import pipeline
from kiemchung.jobs import queue, tasks
from kiemchung.store import models, session_scope


def _boom(*_a: object, **_k: object) -> None:
    raise AssertionError("engine work inside the request")


def test_publishing_enqueues_the_index_job_and_runs_no_pipeline_stage(client_for, memory_queue) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    fid = create(ed, et)
    act(ed, et, fid, "submit")
    act(rv, rt, fid, "approve")
    with session_scope() as s:
        before = s.get(models.IndexState, "fact_checks").version
    with pytest.MonkeyPatch.context() as mp:
        for name in ("process_pending", "_process_chunk", "get_index", "open_index"):
            mp.setattr(pipeline, name, _boom, raising=False)
        for name in (
            "upsert_fact_checks",
            "persist_fact_checks",
            "index_documents",
            "sync",
            "rebuild",
            "load",
        ):
            mp.setattr(index_mod.SearchIndex, name, _boom)
        mp.setattr(index_mod, "get_index", _boom)

        r = act(rv, rt, fid, "publish")
        assert r.status_code == 200 and status_of(fid) == "published"
        assert "chi-muc=1" in str(r.url)
        assert "đang cập nhật chỉ mục" in r.text  # the badge polls until the job ran
    waiting = [t.name for t in memory_queue.pending()]
    assert "reindex_fact_checks" in waiting and "deliver_replies" in waiting
    job = next(t for t in memory_queue.pending() if t.name == "reindex_fact_checks")
    assert job.args == ([fid],)
    with session_scope() as s:
        state = s.get(models.IndexState, "fact_checks")
        assert state.version == before + 1 and state.done < state.version

    # The worker side: run what the request queued.
    index_mod.reset_index()
    while (task := memory_queue.dequeue()) is not None:
        memory_queue.execute(task)
    with session_scope() as s:
        state = s.get(models.IndexState, "fact_checks")
        assert state.done == state.version
    badge = rv.get("/desk/jobs/index-status")
    assert "đã cập nhật chỉ mục" in badge.text and "hx-trigger" not in badge.text
    assert str(fid) in index_mod.get_index().fc_disk


def test_dead_jobs_are_listed_retried_and_discarded(client_for, monkeypatch: pytest.MonkeyPatch) -> None:
    ed, et = client_for("editor")
    queue.configure()  # the test settings' ``immediate`` queue: jobs run where they are enqueued
    index_mod.get_index()  # built once here, so only the jobs below call index_documents

    def broken(self: object, session: object, ids: object = None, progress: object = None) -> int:
        raise OSError("đĩa đầy")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(index_mod.SearchIndex, "index_documents", broken)
        for _ in range(2):
            queue.huey.enqueue(tasks.index_documents.s(None, retries=2, retry_delay=0))
    with session_scope() as s:
        dead = s.scalars(select(models.DeadJob).order_by(models.DeadJob.id)).all()
        assert [(d.task, d.status.value) for d in dead] == [("index_documents", "dead")] * 2
        assert dead[0].reason == "OSError: đĩa đầy" and dead[0].args == [None]
        first, second = dead[0].id, dead[1].id

    page = ed.get("/desk/jobs")
    assert page.status_code == 200 and "index_documents" in page.text and "OSError: đĩa đầy" in page.text
    viewer, _ = client_for("viewer")
    assert viewer.get("/desk/jobs").status_code == 403
    assert ed.post(f"/desk/jobs/{first}/retry", data={}).status_code == 403  # no CSRF token

    ran: list[object] = []

    def fixed(self: object, session: object, ids: object = None, progress: object = None) -> int:
        ran.append(ids)
        return 0

    monkeypatch.setattr(index_mod.SearchIndex, "index_documents", fixed)
    r = ed.post(f"/desk/jobs/{first}/retry", data={"csrf_token": et})
    assert r.status_code == 200 and ran == [None]  # back on the queue, and it ran this time
    r = ed.post(f"/desk/jobs/{second}/discard", data={"csrf_token": et})
    assert r.status_code == 200 and "OSError" not in r.text
    assert ed.post(f"/desk/jobs/{second}/retry", data={"csrf_token": et}).status_code == 409
    with session_scope() as s:
        assert [d.status.value for d in s.scalars(select(models.DeadJob).order_by(models.DeadJob.id))] == [
            "retried",
            "discarded",
        ]
        actions = s.scalars(select(models.AuditEvent.action).where(models.AuditEvent.action.like("job.%")))
        assert sorted(actions) == ["job.dead", "job.dead", "job.discard", "job.retry"]
