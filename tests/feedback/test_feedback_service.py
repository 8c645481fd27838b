"""Feedback services: receive and cluster, contacts apart, routing, two-person answers, moderation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kiemchung.feedback import service, stats, support
from kiemchung.feedback.cluster import Similarity
from kiemchung.feedback.service import FeedbackError
from kiemchung.public.tipline import delete_contact
from kiemchung.store import models, session_scope
from kiemchung.store.models import AuditEvent, FeedbackStatus, Outbox, TipContact

POTHOLE = [
    "Ổ gà rất sâu trên phố Hàng Ví Dụ trước số nhà 20, xe máy đi qua dễ ngã.",
    "Phố Hàng Ví Dụ trước số nhà 20 có ổ gà rất sâu, tối qua có người ngã xe máy.",
    "o ga rat sau tren pho hang vi du truoc so nha 20, xe may di qua de nga",
]
OTHER = "Đề nghị lắp thêm ghế đá trong vườn hoa Ví Dụ cho người già nghỉ chân."


def _submit(s, text: str, province: int = 1, ward: int | None = None, contact: str = "", **kw):  # type: ignore[no-untyped-def]
    return service.submit(
        s,
        kind=kw.get("kind", "issue"),
        topic=kw.get("topic", "giao-thong"),
        province_code=province,
        ward_code=ward,
        text=text,
        contact=contact,
        sim=Similarity(method="lexical"),
    )


def test_near_identical_items_join_one_thread_and_others_do_not(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        results = [_submit(s, t) for t in POTHOLE]
        other = _submit(s, OTHER, topic="do-thi")
        elsewhere = _submit(s, POTHOLE[0], province=79)  # same words, another province
        assert [r.decision for r in results] == ["new", "join", "join"]
        assert len({r.thread.id for r in results}) == 1
        assert results[0].thread.item_count == 3
        assert other.thread.id != results[0].thread.id and other.decision == "new"
        assert elsewhere.thread.id != results[0].thread.id
        assert results[0].thread.area_name == "Thành phố Hà Nội"
        rows = service.queue(s)
        assert {r["thread"].id for r in rows} == {results[0].thread.id, other.thread.id, elsewhere.thread.id}
        assert service.queue(s, province=79)[0]["thread"].id == elsewhere.thread.id
        assert service.queue(s, topic="do-thi")[0]["thread"].id == other.thread.id


def test_another_ward_is_only_a_suggestion(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        first = _submit(s, POTHOLE[0], ward=70)
        second = _submit(s, POTHOLE[1], ward=73)
        assert second.decision == "suggest" and second.thread.id != first.thread.id
        assert second.item.suggested_thread_id == first.thread.id
        ctx = service.thread_context(s, second.thread.id)
        assert ctx["suggestions"][0]["thread"].id == first.thread.id
        merged = service.merge(s, second.thread.id, first.thread.id, s.get(models.User, fb_users["editor"]))
        assert merged.item_count == 2 and s.get(models.FeedbackThread, second.thread.id) is None


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("text", "ngắn quá", "Nội dung quá ngắn, hãy mô tả rõ hơn."),
        ("text", "x" * 3001, "Nội dung quá dài."),
        ("kind", "khieu-nai", "Hãy chọn loại ý kiến."),
        ("topic", "khong-co", "Hãy chọn lĩnh vực."),
        ("province_code", 999, "Hãy chọn tỉnh/thành phố."),
        ("ward_code", 99999999, "Phường/xã không thuộc tỉnh/thành đã chọn."),
        ("contact", "a" * 301, "Thông tin liên hệ quá dài."),
    ],
)
def test_refusals_name_their_reason(fb_users: dict[str, int], field: str, value: object, key: str) -> None:
    args: dict[str, object] = {
        "kind": "issue",
        "topic": "giao-thong",
        "province_code": 1,
        "ward_code": None,
        "text": POTHOLE[0],
        "contact": "",
    }
    args[field] = value
    with session_scope() as s, pytest.raises(FeedbackError) as err:
        service.submit(s, sim=Similarity(method="lexical"), **args)  # type: ignore[arg-type]
    assert err.value.key == key


def test_contact_kept_apart_and_deletable(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        r = _submit(s, POTHOLE[0], contact="an@example.vn")
        token, item_id = r.delete_token, r.item.id
        assert token and "an@example.vn" not in r.item.text
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.receive")).one()
        assert "an@example.vn" not in str(audit.data)
    with session_scope() as s:
        assert s.scalars(select(TipContact).where(TipContact.feedback_id == item_id)).one().tip_id is None
        assert delete_contact(s, token or "")
        assert s.scalars(select(TipContact).where(TipContact.feedback_id == item_id)).first() is None


def test_abusive_text_is_held_never_deleted(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        r = _submit(s, "Ổ gà to thế mà không sửa, đúng là đồ ngu, ở phố Hàng Ví Dụ số 20")
        assert r.item.moderation == "held" and r.flagged == ["đồ ngu"]
        editor = s.get(models.User, fb_users["editor"])
        assert editor is not None
        with pytest.raises(FeedbackError):
            service.moderate(s, r.item.id, editor, "hide")  # a reason is required
        service.moderate(s, r.item.id, editor, "hide", "Lời lẽ xúc phạm")
        assert s.get(models.FeedbackItem, r.item.id) is not None
        assert r.item.moderation == "hidden"


def test_route_status_and_the_two_person_answer(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        editor, editor2, viewer = (s.get(models.User, fb_users[n]) for n in ("editor", "editor2", "viewer"))
        assert editor and editor2 and viewer
        r1 = _submit(s, POTHOLE[0], contact="an@example.vn")
        _submit(s, POTHOLE[1], contact="0912 345 678")  # not an e-mail: reads the answer on the page
        t = r1.thread
        with pytest.raises(FeedbackError):
            service.route(s, t.id, editor, "khong-co")
        service.route(s, t.id, editor, "so-xay-dung")
        assert t.status == FeedbackStatus.forwarded and t.department == "so-xay-dung"
        forward = s.scalars(select(Outbox).where(Outbox.dedupe_key.like("feedback-forward:%"))).one()
        assert forward.payload and forward.payload["to"] == "xaydung@example.gov.vn"
        service.set_status(s, t.id, editor, "handling")
        with pytest.raises(FeedbackError):
            service.set_status(s, t.id, editor, "answered")  # only through an approved answer
        service.add_note(s, t.id, editor, "Đã gọi điện cho đơn vị duy tu.")
        ans = service.save_answer(s, t.id, editor, body="Sở Xây dựng sẽ vá ổ gà trong 48 giờ.")
        service.review_answer(s, t.id, ans.id, "submit", editor)
        with pytest.raises(FeedbackError) as err:
            service.review_answer(s, t.id, ans.id, "approve", editor)
        assert err.value.key == "Người duyệt phải là biên tập viên thứ hai, không phải người viết."
        assert service.answers_to_review(s, editor) == []
        assert service.answers_to_review(s, editor2)[0][0].id == ans.id
        service.review_answer(s, t.id, ans.id, "approve", editor2)
        assert t.status == FeedbackStatus.answered and t.answered_at is not None
        owed = s.scalars(select(Outbox).where(Outbox.dedupe_key.like("feedback-answer:%"))).all()
        assert sorted(o.channel for o in owed) == ["email", "other"]
        history = [e.status for e in t.events if e.public]
        assert history == ["received", "forwarded", "handling", "answered"]
        assert not any(e.public for e in t.events if e.kind == "note")
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"feedback.route", "feedback.status", "feedback.note", "feedback_answer.approve"} <= actions


def test_declining_needs_a_public_reason(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        editor = s.get(models.User, fb_users["editor"])
        assert editor is not None
        t = _submit(s, OTHER, topic="do-thi").thread
        with pytest.raises(FeedbackError):
            service.set_status(s, t.id, editor, "declined")
        service.set_status(s, t.id, editor, "declined", "Không thuộc thẩm quyền của thành phố.")
        assert t.decline_reason and t.events[-1].public


def test_support_once_per_browser_per_day_and_salt_rotates(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        t = _submit(s, OTHER, topic="do-thi").thread
        day1 = models.utcnow()
        assert support.support(s, t, "203.0.113.9", "UA", day1)
        assert not support.support(s, t, "203.0.113.9", "UA", day1)
        assert support.support(s, t, "203.0.113.10", "UA", day1)
        salt1 = s.scalars(select(models.FeedbackSalt.salt)).one()
        stored = list(s.scalars(select(models.FeedbackSupport.visitor)))
        assert all("203.0.113" not in v and len(v) == 64 for v in stored)
        day2 = day1 + timedelta(days=1)
        assert support.support(s, t, "203.0.113.9", "UA", day2)  # a new day counts again
        assert [x for x in s.scalars(select(models.FeedbackSalt.salt))] != [salt1]  # old salt gone
        assert s.scalars(select(models.FeedbackSupport.day)).all() == [support.today(day2)]
        assert t.support_count == 3


def test_monthly_statistics(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        editor, editor2 = s.get(models.User, fb_users["editor"]), s.get(models.User, fb_users["editor2"])
        assert editor and editor2
        a = _submit(s, POTHOLE[0]).thread
        _submit(s, POTHOLE[1])
        b = _submit(s, OTHER, topic="do-thi").thread
        service.route(s, a.id, editor, "so-xay-dung")
        ans = service.save_answer(s, a.id, editor, body="Đã vá.")
        service.review_answer(s, a.id, ans.id, "submit", editor)
        service.review_answer(s, a.id, ans.id, "approve", editor2)
        # pinned to one month so the test means the same on the first day of a month
        june = datetime(2026, 6, 10, 3, 0)
        for item in s.scalars(select(models.FeedbackItem)):
            item.received_at = june
        a.created_at, b.created_at, a.answered_at = june, june, june + timedelta(days=3)
        s.flush()
        d = stats.monthly(s, "2026-06")
        assert (d["received"], d["threads"], d["answered"]) == (3, 2, 1)
        assert d["median_days"] == pytest.approx(3.0, abs=0.01)
        by = {r["slug"]: r for r in d["departments"]}
        assert by["so-xay-dung"]["received"] == 2 and by["so-xay-dung"]["answered"] == 1
        assert by[""]["received"] == 1 and b.department is None
        md, html = stats.report(s, "2026-06")
        assert "| Sở Xây dựng | 2 | 1 | 3 ngày |" in md and "<table>" in html
        # months are counted on Vietnam's clock: 18:00 UTC on 30 June is already 1 July there
        b.created_at = datetime(2026, 6, 30, 18, 0)
        s.flush()
        assert stats.monthly(s, "2026-06")["threads"] == 1
        assert stats.monthly(s, "2026-07")["threads"] == 1
        assert stats.current_month(datetime(2026, 6, 30, 18, 0)) == "2026-07"


class _WordHashEmbedder:
    """A tiny deterministic stand-in for e5: folded words hashed into 32 dimensions, L2-normalised."""

    dim = 32
    name = "word-hash-test"

    def query(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import zlib

        import numpy as np

        from kiemchung.text import fold

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, t in enumerate(texts):
            for w in fold(t).split():
                out[row, zlib.crc32(w.encode()) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    passage = query


def test_hybrid_scoring_stores_each_embedding_once(fb_users: dict[str, int]) -> None:
    sim = Similarity(_WordHashEmbedder())
    assert sim.method == "hybrid"
    with session_scope() as s:
        first = service.submit(
            s, kind="issue", topic="giao-thong", province_code=1, ward_code=None, text=POTHOLE[0], sim=sim
        )
        assert first.item.embedding is not None and len(first.item.embedding) == 32
        first.item.embedding = None  # e.g. stored before an embedder was configured
        second = service.submit(
            s, kind="issue", topic="giao-thong", province_code=1, ward_code=None, text=POTHOLE[1], sim=sim
        )
        assert second.decision == "join" and second.thread.id == first.thread.id
        assert first.item.embedding is not None  # filled in while comparing


def test_a_quiet_day_leaves_no_salt_or_hash_behind(
    fb_users: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No support the next day: the outbox round's purge still deletes the old salt and hashes."""
    from kiemchung.desk.replies import run_replies

    day1 = datetime(2026, 6, 10, 3, 0)  # a fixed clock: 10:00 in Hà Nội
    with session_scope() as s:
        t = _submit(s, OTHER, topic="do-thi").thread
        assert support.support(s, t, "203.0.113.9", "UA", day1)
    monkeypatch.setattr(support, "utcnow", lambda: day1 + timedelta(hours=2))  # still that day
    run_replies()
    with session_scope() as s:  # today's rows stay: they stop a second count the same day
        assert s.scalars(select(models.FeedbackSupport.day)).all() == ["2026-06-10"]
        assert len(s.scalars(select(models.FeedbackSalt)).all()) == 1
    monkeypatch.setattr(support, "utcnow", lambda: day1 + timedelta(days=1))  # the next day, quiet
    run_replies()
    with session_scope() as s:
        assert s.scalars(select(models.FeedbackSalt)).all() == []
        assert s.scalars(select(models.FeedbackSupport)).all() == []
        assert s.scalars(select(models.FeedbackThread.support_count)).one() == 1  # the count stays


def test_purge_old_days_counts_what_it_deletes(fb_users: dict[str, int]) -> None:
    day1 = datetime(2026, 6, 10, 3, 0)
    with session_scope() as s:
        t = _submit(s, OTHER, topic="do-thi").thread
        support.support(s, t, "203.0.113.9", "UA", day1)
        support.support(s, t, "203.0.113.10", "UA", day1)
        assert support.purge_old_days(s, day1) == 0
        # 17:30 UTC is already the 11th in Vietnam: the 10th's salt and two hashes go
        assert support.purge_old_days(s, datetime(2026, 6, 10, 17, 30)) == 3


HELD = "Ổ gà rất sâu trên phố Hàng Ví Dụ trước số nhà 20, đúng là đồ ngu mới để xe máy ngã thế này."


def test_a_held_item_never_gives_the_thread_its_title(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        editor = s.get(models.User, fb_users["editor"])
        assert editor is not None
        held = _submit(s, HELD)
        t = held.thread
        assert held.item.moderation == "held"
        assert t.title == "Góp ý về một vấn đề — Thành phố Hà Nội" and "ngu" not in t.slug
        ok = _submit(s, POTHOLE[0])
        assert ok.decision == "join" and ok.thread.id == t.id
        assert t.title == "Ổ gà rất sâu trên phố Hàng Ví Dụ trước số nhà 20, xe máy đi qua dễ ngã"
        # the item the title came from is hidden: the next shown item's words, or the placeholder
        service.moderate(s, ok.item.id, editor, "hide", "Trùng lặp")
        assert t.title == "Góp ý về một vấn đề — Thành phố Hà Nội"
        service.moderate(s, held.item.id, editor, "release")
        assert t.title == service.first_sentence(HELD)
        # an editor's own title is kept whatever happens to the items
        service.publish(s, t.id, editor, title="Ổ gà sâu trên phố Hàng Ví Dụ")
        service.moderate(s, held.item.id, editor, "hide", "Lời lẽ xúc phạm")
        assert t.title == "Ổ gà sâu trên phố Hàng Ví Dụ"


def test_split_takes_one_item_into_a_thread_of_its_own(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        editor = s.get(models.User, fb_users["editor"])
        assert editor is not None
        first, second = _submit(s, POTHOLE[0], ward=70), _submit(s, POTHOLE[1], ward=70)
        old = first.thread
        assert second.thread.id == old.id and old.item_count == 2
        new = service.split(s, second.item.id, editor)
        assert new.id != old.id and second.item.thread_id == new.id
        assert (old.item_count, new.item_count) == (1, 1)
        assert (new.kind, new.topic, new.province_code, new.ward_code) == (old.kind, "giao-thong", 1, 70)
        assert new.title == service.first_sentence(POTHOLE[1]) and new.slug.startswith(f"{new.id}-")
        assert [e.status for e in new.events] == ["received"]
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.split")).one()
        assert audit.data == {"from": old.id, "to": new.id} and audit.user_id == editor.id
        # the last item of a thread is not split off: the thread is already its own
        assert service.split(s, first.item.id, editor).id == old.id
        assert s.scalar(select(func.count()).select_from(models.FeedbackThread)) == 2


def test_queue_filters_by_kind(fb_users: dict[str, int]) -> None:
    with session_scope() as s:
        issue = _submit(s, POTHOLE[0]).thread
        idea = _submit(s, OTHER, topic="do-thi", kind="idea").thread
        assert [r["thread"].id for r in service.queue(s, kind="idea")] == [idea.id]
        assert [r["thread"].id for r in service.queue(s, kind="issue")] == [issue.id]
        assert service.queue(s, kind="report") == []
        assert {r["thread"].id for r in service.queue(s, kind="khong-co")} == {issue.id, idea.id}


def test_example_departments_are_in_force() -> None:
    """The bundled list names departments that exist since the 2025 reorganisation."""
    from kiemchung.feedback import departments

    names = {d.name_vi for d in departments.all_departments()}
    abolished = {  # merged into other departments in 2025
        "Sở Giao thông vận tải",
        "Sở Tài nguyên và Môi trường",
        "Sở Kế hoạch và Đầu tư",
        "Sở Thông tin và Truyền thông",
        "Sở Lao động - Thương binh và Xã hội",
    }
    assert not names & abolished
    assert {"Sở Xây dựng", "Sở Công Thương"} <= names
