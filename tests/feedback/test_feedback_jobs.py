"""No engine work in the feedback request: the form and the API store the item and enqueue the
``cluster_feedback`` job; the job (or the catch-up after a worker outage) puts it in a thread, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from kiemchung.feedback import cluster, service
from kiemchung.jobs import tasks
from kiemchung.store import session_scope
from kiemchung.store.models import FeedbackItem, FeedbackThread

TEXTS = [
    "Đèn đường trong ngõ 7 phố Ví Dụ hỏng cả tuần, buổi tối rất tối và nguy hiểm.",
    "Ngõ 7 phố Ví Dụ mất đèn đường cả tuần nay, buổi tối tối om rất nguy hiểm.",
]


def _boom(*_a: object, **_k: object) -> Any:
    raise AssertionError("clustering inside the request")


def _run_queue(h: Any) -> list[str]:
    ran = []
    while (task := h.dequeue()) is not None:
        ran.append(task.name)
        h.execute(task)
    return ran


def _post_form(client_for: Any, text: str) -> str:
    anon, csrf = client_for("")
    data = {"kind": "report", "topic": "dien-nuoc", "province": "1", "ward": "", "text": text}
    r = anon.post("/gop-y", data=data | {"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return str(r.headers["location"])


def test_the_form_enqueues_the_clustering_job_and_embeds_nothing(client_for: Any, memory_queue: Any) -> None:
    anon, _ = client_for("")
    with pytest.MonkeyPatch.context() as mp:  # any embedding or clustering in the request fails it
        mp.setattr(cluster.Similarity, "__init__", _boom)
        mp.setattr(cluster.Similarity, "embed", _boom)
        mp.setattr(service, "assign", _boom)
        mp.setattr("kiemchung.engine.embed.get_embedder", _boom)
        follow = _post_form(client_for, TEXTS[0])
        r = anon.post(
            "/api/v1/feedback",
            json={"kind": "report", "topic": "dien-nuoc", "province_code": 1, "text": TEXTS[1]},
        )
        assert r.status_code == 201 and r.json()["thread_id"] is None
        page = anon.get(follow)  # the follow-up page works before the job ran
        assert page.status_code == 200 and "đang được xếp vào nhóm" in page.text
    jobs = memory_queue.pending()
    assert [j.name for j in jobs] == ["cluster_feedback", "cluster_feedback"]
    ids = [j.args[0][0] for j in jobs]
    with session_scope() as s:
        assert s.scalars(select(FeedbackItem.thread_id)).all() == [None, None]

    assert _run_queue(memory_queue) == ["cluster_feedback", "cluster_feedback"]  # the worker's side
    with session_scope() as s:
        first, second = (s.get(FeedbackItem, i) for i in ids)
        assert first and second and first.thread_id is not None and second.thread_id == first.thread_id
        thread = s.get(FeedbackThread, first.thread_id)
        assert thread is not None and thread.item_count == 2
    assert "đang được xếp vào nhóm" not in anon.get(follow).text

    # Run twice (a retry, a second worker): nothing moves, nothing is counted twice.
    assert tasks.cluster_feedback.call_local(ids) == 0
    with session_scope() as s:
        assert s.scalars(select(FeedbackThread)).one().item_count == 2


def test_feedback_received_while_no_worker_ran_is_clustered_later(client_for: Any, memory_queue: Any) -> None:
    _post_form(client_for, TEXTS[0])
    _post_form(client_for, TEXTS[1])
    memory_queue.flush()  # the jobs were lost (a queue outage)
    with session_scope() as s:
        assert s.scalars(select(FeedbackItem.id).where(FeedbackItem.thread_id.is_(None))).all()
    # the worker's start-up catch-up and the minute's sweep run the job over every item left out
    assert tasks.cluster_feedback.call_local(None) == 2
    assert tasks.cluster_feedback.call_local(None) == 0
    with session_scope() as s:
        items = s.scalars(select(FeedbackItem)).all()
        assert len({i.thread_id for i in items}) == 1 and None not in {i.thread_id for i in items}
