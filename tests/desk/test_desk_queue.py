"""Claims queue: priority, ordering, filters, bulk dismiss, assignment, claim page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from deskutil import seed_claims
from sqlalchemy import select

from kiemchung.desk.queue import ClaimStats, priority, timeline_buckets
from kiemchung.store import models, session_scope

NOW = datetime(2026, 11, 24, 12)


def test_priority_signals_each_raise_it() -> None:
    base = ClaimStats(checkworthiness=0.5, items_24h=2, engagement=100, last_seen=NOW - timedelta(hours=6))
    assert priority(ClaimStats(0.9, 2, 100, base.last_seen), NOW) > priority(base, NOW)
    assert priority(ClaimStats(0.5, 40, 100, base.last_seen), NOW) > priority(base, NOW)
    assert priority(ClaimStats(0.5, 2, 50_000, base.last_seen), NOW) > priority(base, NOW)
    assert priority(ClaimStats(0.5, 2, 100, NOW), NOW) > priority(base, NOW)
    top = priority(ClaimStats(1.0, 10_000, 10**9, NOW), NOW)
    assert 0.99 <= top <= 1.0
    assert priority(ClaimStats(0.0, 0, 0, NOW - timedelta(days=60)), NOW) < 0.01


def test_timeline_switches_to_days_for_long_spans() -> None:
    unit, rows = timeline_buckets([NOW, NOW - timedelta(days=5), NOW - timedelta(days=5, hours=1)])
    assert unit == "day" and [c for _, c in rows] == [2, 0, 0, 0, 0, 1]


def _queue_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/desk/claims/(\d+)"', html)]


def test_queue_orders_by_priority_and_filters(client_for) -> None:
    c, _ = client_for("viewer")
    low, high, mid, done = seed_claims(
        [
            {"text": "Ít lan truyền, cũ", "worth": 0.3, "items": [200], "topic": "Giáo dục"},
            {
                "text": "Lan truyền mạnh",
                "worth": 0.9,
                "items": [1, 1, 2, 3, 5, 8],
                "engagement": 20000,
                "topic": "Y tế",
            },
            {"text": "Trung bình", "worth": 0.7, "items": [10], "topic": "Y tế", "match": 1},
            {"text": "Đã xử lý", "worth": 0.99, "items": [1], "status": "checked"},
        ]
    )
    html = c.get("/desk/").text
    assert _queue_ids(html) == [high, mid, low]  # checked claims are not in the open queue
    assert set(_queue_ids(c.get("/desk/claims?status=all").text)) == {high, mid, low, done}
    assert _queue_ids(c.get("/desk/claims?status=checked").text) == [done]
    assert _queue_ids(c.get("/desk/claims?topic=Y+t%E1%BA%BF").text) == [high, mid]
    assert _queue_ids(c.get("/desk/claims?match=yes").text) == [mid]
    assert _queue_ids(c.get("/desk/claims?match=no").text) == [high, low]
    today = datetime.now().strftime("%Y-%m-%d")
    assert low not in _queue_ids(c.get(f"/desk/claims?from={today}").text)
    # the htmx refresh returns the same rows, for the same filters, without the page around them
    rows = c.get("/desk/claims/rows?topic=Y+t%E1%BA%BF").text
    assert _queue_ids(rows) == [high, mid] and "<html" not in rows
    # the poll URL keeps the filters
    assert (
        'hx-get="/desk/claims/rows?status=open&amp;topic=Y+t%E1%BA%BF"'
        in c.get("/desk/claims?topic=Y+t%E1%BA%BF").text
    )


def test_empty_queue_has_an_empty_state(client_for) -> None:
    c, _ = client_for("viewer")
    html = c.get("/desk/").text
    assert "Không có nhận định nào cần xử lý" in html


def test_bulk_dismiss_and_assign_are_audited(client_for, desk_users) -> None:
    c, token = client_for("editor")
    a, b, keep = seed_claims([{"text": "Một"}, {"text": "Hai"}, {"text": "Ba"}])
    r = c.post(
        "/desk/claims/bulk",
        data={"ids": [str(a), str(b)], "action": "dismiss", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _queue_ids(c.get("/desk/").text) == [keep]
    r = c.post(
        "/desk/claims/bulk",
        data={
            "ids": [str(keep)],
            "action": "assign",
            "assignee_id": str(desk_users["editor2"]),
            "csrf_token": token,
        },
    )
    assert "Đã giao 1 nhận định" in r.text
    with session_scope() as s:
        assert {x.status for x in s.scalars(select(models.Claim).where(models.Claim.id.in_([a, b])))} == {
            models.ClaimStatus.dismissed
        }
        assert s.get(models.Claim, keep).assignee_id == desk_users["editor2"]
        events = list(s.scalars(select(models.AuditEvent).where(models.AuditEvent.entity_type == "claim")))
        assert sorted((e.action, e.entity_id) for e in events) == sorted(
            [("claim.status", a), ("claim.status", b), ("claim.assign", keep)]
        )
        assert all(e.user_id == desk_users["editor"] for e in events)


def test_claim_page_shows_texts_not_authors_and_timeline(client_for) -> None:
    c, token = client_for("editor")
    (cid,) = seed_claims(
        [
            {
                "text": "Uống nước chanh chữa khỏi ung thư",
                "worth": 0.8,
                "items": [1, 2, 30],
                "engagement": 900,
                "features": {"has_number": 0, "medical_term": 1.0},
            }
        ]
    )
    html = c.get(f"/desk/claims/{cid}").text
    assert html.count("Uống nước chanh chữa khỏi ung thư") >= 3  # the claim and its item texts
    assert '<svg class="timeline"' in html and "<rect" in html
    assert "medical_term" in html
    assert "Chưa có kết quả khớp" in html  # no fact-checks yet: a clear empty state, not a crash
    assert "Viết bài kiểm chứng mới" in html
    r = c.post(f"/desk/claims/{cid}/status", data={"status": "triaged", "csrf_token": token})
    assert "Đã phân loại" in r.text
    with session_scope() as s:
        ev = s.scalar(select(models.AuditEvent).where(models.AuditEvent.action == "claim.status"))
        assert ev is not None and ev.data == {"old": "new", "new": "triaged"}


def test_attach_claim_to_published_fact_check(client_for, desk_users) -> None:
    c, token = client_for("editor")
    (cid,) = seed_claims([{"text": "Ngân hàng phát tiền miễn phí"}])
    with session_scope() as s:
        fc = models.FactCheck(
            slug="x",
            claim_reviewed="Ngân hàng phát tiền",
            verdict=models.Verdict.scam,
            status=models.FactCheckStatus.published,
            author_id=desk_users["editor2"],
        )
        s.add(fc)
        s.flush()
        fid = fc.id
    html = c.get(f"/desk/claims/{cid}").text
    assert "Gắn vào bài kiểm chứng có sẵn" in html
    c.post(f"/desk/claims/{cid}/attach", data={"fact_check_id": str(fid), "csrf_token": token})
    with session_scope() as s:
        claim = s.get(models.Claim, cid)
        assert claim.status == models.ClaimStatus.checked and claim.best_match_id == fid
