"""The desk's service functions, called with a session as the routes call them (no HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from deskutil import seed_claims
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.desk import accounts, auditlog, claims, documents, factchecks, indicators, queue, sources
from kiemchung.store import models, session_scope
from kiemchung.store.models import ClaimStatus, FactCheckStatus


@pytest.fixture()
def db(desk_users: dict[str, int]) -> Iterator[Session]:
    with session_scope() as s:
        yield s


def user(db: Session, ids: dict[str, int], name: str) -> models.User:
    u = db.get(models.User, ids[name])
    assert u is not None
    return u


def published_fc(db: Session, author_id: int, text: str = "Giá vé tàu Tết tăng gấp đôi") -> models.FactCheck:
    fc = models.FactCheck(
        slug=f"fc-{abs(hash(text)) % 10_000}",
        claim_reviewed=text,
        verdict=models.Verdict.false,
        author_id=author_id,
        status=FactCheckStatus.published,
    )
    db.add(fc)
    db.flush()
    return fc


def test_claim_page_gathers_items_timeline_and_choices(db: Session, desk_users: dict[str, int]) -> None:
    [cid] = seed_claims([{"text": "Trường học ở Huế nghỉ thêm một tuần", "items": [1, 2, 30], "worth": 0.8}])
    fc = published_fc(db, desk_users["editor2"])
    ctx = claims.claim_page(db, cid)
    assert ctx["claim"].id == cid
    assert len(ctx["items"]) == 3 and ctx["items_24h"] == 2
    assert "<svg" in ctx["timeline"] and 0 < ctx["priority"] <= 1
    assert fc in ctx["attachable"] and ctx["linked"] == []
    assert {u.id for u in ctx["editors"]} >= {
        desk_users["editor"],
        desk_users["reviewer"],
        desk_users["admin"],
    }
    assert desk_users["viewer"] not in {u.id for u in ctx["editors"]}
    with pytest.raises(claims.NotFound):
        claims.claim_page(db, 999_999)


def test_claim_edits_are_audited_and_checked(db: Session, desk_users: dict[str, int]) -> None:
    [cid] = seed_claims([{"text": "Cầu Long Biên đóng cửa từ mai"}])
    editor = user(db, desk_users, "editor")
    assert claims.set_status(db, cid, "triaged", editor) is True
    assert claims.set_status(db, cid, "triaged", editor) is False
    with pytest.raises(claims.Refused):
        claims.set_status(db, cid, "checked", editor)  # only the workflow sets "checked"
    with pytest.raises(claims.Refused):
        claims.assign(db, cid, desk_users["viewer"], editor)
    claims.assign(db, cid, desk_users["reviewer"], editor)
    draft = models.FactCheck(slug="nhap", claim_reviewed="x", verdict=models.Verdict.false)
    db.add(draft)
    db.flush()
    with pytest.raises(claims.Refused):
        claims.attach(db, cid, draft.id, editor)
    fc = published_fc(db, desk_users["editor2"])
    claims.attach(db, cid, fc.id, editor)
    claim = db.get(models.Claim, cid)
    assert claim is not None
    assert (claim.status, claim.assignee_id, claim.best_match_id) == (
        ClaimStatus.checked,
        desk_users["reviewer"],
        fc.id,
    )
    actions = [
        a for (a,) in db.execute(select(models.AuditEvent.action).where(models.AuditEvent.entity_id == cid))
    ]
    assert actions == ["claim.status", "claim.assign", "claim.attach"]


def test_queue_view_filters_pages_and_bulk_updates(db: Session, desk_users: dict[str, int]) -> None:
    ids = seed_claims(
        [
            {"text": "Nhận định nóng", "worth": 0.9, "items": [1, 1, 2], "topic": "y-te"},
            {"text": "Nhận định nguội", "worth": 0.1, "items": [200], "topic": "giao-thong"},
            {"text": "Nhận định đã bỏ", "status": "dismissed"},
        ]
    )
    editor = user(db, desk_users, "editor")
    view = queue.queue_view(db, editor, queue.QueueQuery())
    assert [r["claim"].id for r in view["rows"]] == ids[:2]  # open only, hottest first
    assert view["topics"] == ["giao-thong", "y-te"] and view["can_write"] is True
    only = queue.queue_view(db, editor, queue.QueueQuery(topic="y-te"))
    assert (
        only["total"] == 1
        and only["filters"] == {"topic": "y-te"}
        and only["query"] == "status=open&topic=y-te"
    )
    assert queue.bulk_update(db, ids[:2], "assign", str(desk_users["viewer"]), editor) == (
        0,
        "Người được giao không hợp lệ",
    )
    assert queue.bulk_update(db, ids[:2], "assign", str(desk_users["editor"]), editor) == (2, None)
    mine = queue.queue_view(db, editor, queue.QueueQuery(assignee="me"))
    assert mine["total"] == 2
    assert queue.bulk_update(db, ids[:2], "dismiss", "", editor) == (2, None)
    assert queue.queue_view(db, editor, queue.QueueQuery())["total"] == 0
    assert queue.queue_view(db, editor, queue.QueueQuery(status="all"))["total"] == 3


def test_fact_check_services_from_draft_to_history(db: Session, desk_users: dict[str, int]) -> None:
    editor, reviewer = user(db, desk_users, "editor"), user(db, desk_users, "reviewer")
    [cid] = seed_claims([{"text": "Bộ Y tế bỏ tiêm chủng bắt buộc cho trẻ em", "topic": "y-te"}])
    form = factchecks.new_form(db, cid)
    assert (form.claim_id, form.topics) == (cid, ["y-te"])
    form.verdict, form.summary, form.body = "false", "Không có quyết định nào như vậy.", "Chi tiết."
    form.citations = [factchecks.CitationForm(url="https://moh.gov.vn/tin", title="Bộ Y tế", quote="...")]
    fc = factchecks.create(db, form, editor)
    assert db.get(models.Claim, cid).status == ClaimStatus.in_progress  # type: ignore[union-attr]
    assert [f.id for f in factchecks.list_fact_checks(db, "draft", "tiem chung")["fcs"]] == [fc.id]
    with pytest.raises(factchecks.NotReviewer):
        factchecks.run_workflow(db, fc.id, "approve", editor, version=None)
    assert factchecks.run_workflow(db, fc.id, "submit", editor, version=fc.version) == "Đã gửi duyệt"
    view = factchecks.view_context(db, fc.id, reviewer)
    assert view["may_review"] is True and view["claim"].id == cid
    assert factchecks.view_context(db, fc.id, editor)["is_writer"] is True
    _, edit = factchecks.edit_form(db, fc.id)
    edit.summary = "Thông tin sai: không có quyết định nào như vậy."
    factchecks.save(db, fc.id, edit, editor)
    entries = factchecks.history(db, fc.id)["entries"]
    assert [e["rev"].version for e in entries] == sorted((e["rev"].version for e in entries), reverse=True)
    assert any(field == "summary" for field, _ in entries[0]["diffs"])
    stale = factchecks.form_from_fc(fc)
    stale.version = 1
    with pytest.raises(factchecks.Conflict):
        factchecks.save(db, fc.id, stale, editor)
    ctx = factchecks.conflict_context(db, fc, stale)
    assert ctx["form"].version == fc.version and {r["field"] for r in ctx["rows"]} >= {"summary", "verdict"}


def test_library_import_and_search_without_diacritics(db: Session, desk_users: dict[str, int]) -> None:
    editor = user(db, desk_users, "editor")
    text = "Giá xăng RON95 giảm 500 đồng mỗi lít từ chiều nay. Giá dầu diesel giữ nguyên."
    report = documents.import_files(
        db,
        [
            documents.Upload("gia-xang.txt", text.encode(), "text/plain"),
            documents.Upload("anh.png", b"\x89PNG"),
        ],
        editor,
        publisher="Bộ Công Thương",
    )
    assert [r["status"] for r in report] == ["ok", "error"]
    again = documents.import_files(db, [documents.Upload("ban-sao.txt", text.encode(), "text/plain")], editor)
    assert again[0]["status"] == "warn"
    hits = documents.search_passages(db, "gia xang giam")
    assert hits and "xăng" in hits[0].text
    idx = documents.library_index(db, "dau diesel")
    assert len(idx["docs"]) == 1 and idx["hits"] and sum(idx["counts"].values()) >= 1
    events = auditlog.audit_page(db, "document", "", "", "")
    assert [r["ev"].action for r in events["rows"]] == ["document.import"]
    assert "document" in events["actions"]


def test_indicator_add_and_remove_need_a_reason(db: Session, desk_users: dict[str, int]) -> None:
    editor = user(db, desk_users, "editor")
    with pytest.raises(ValueError, match="lý do"):
        indicators.add(db, "domain", "nhan-qua-mien-phi.example", "block", " ", editor)
    with pytest.raises(ValueError):
        indicators.add(db, "domain", "không phải tên miền", "block", "thử", editor)
    indicators.add(db, "domain", "nhan-qua-mien-phi.example", "block", "tin nhắn lừa đảo", editor)
    page = indicators.indicator_page(db, "nhan-qua", "domain", "")
    [ind] = page["indicators"]
    assert ind.reason == "tin nhắn lừa đảo" and page["total"] >= 1
    assert indicators.remove(db, 999_999, "x", editor) is False
    assert indicators.remove(db, ind.id, "nhầm", editor) is True
    assert indicators.indicator_page(db, "nhan-qua", "", "")["indicators"] == []


def test_update_user_refuses_changes_to_oneself(db: Session, desk_users: dict[str, int]) -> None:
    admin = user(db, desk_users, "admin")
    with pytest.raises(accounts.Refused):
        accounts.update_user(db, admin.id, "viewer", "", admin)
    with pytest.raises(accounts.Refused):
        accounts.update_user(db, admin.id, "", "0", admin)
    target = accounts.update_user(db, desk_users["viewer"], "editor", "0", admin)
    assert target is not None and (target.role.value, target.active) == ("editor", False)
    assert accounts.update_user(db, 999_999, "editor", "", admin) is None
    assert [u.email for u in accounts.list_users(db)] == sorted(u.email for u in accounts.list_users(db))


def test_registry_changes_drop_the_lookup_cache_only_after_commit(
    desk_users: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped: list[int] = []
    monkeypatch.setattr(sources, "invalidate_registry", lambda: dropped.append(1))
    form = sources.SourceForm(
        name="Ví Thử Nghiệm", kind="official", category="ewallet", domains="vithunghiem.vn"
    )
    with session_scope() as s:
        editor = user(s, desk_users, "editor")
        src = sources.create(s, form, editor)
        assert src is not None and dropped == []  # not yet committed
    assert dropped == [1]
    with pytest.raises(RuntimeError), session_scope() as s:
        sources.unregister(s, src.id, user(s, desk_users, "editor"))
        raise RuntimeError("rolled back")
    assert dropped == [1]  # a rolled-back change leaves the cache alone
    with session_scope() as s:
        bad = sources.SourceForm(name="Ví Thử Nghiệm", domains="không hợp lệ")
        edited, changed = sources.update(s, src.id, bad, user(s, desk_users, "editor"))
        assert edited.id == src.id and not changed and bad.errors
        listed = sources.sources_page(s, "vi thu", "", "", "registered", 1)
        assert [x.name for x in listed["sources"]] == ["Ví Thử Nghiệm"]
        sources.unregister(s, src.id, user(s, desk_users, "editor"))
    assert dropped == [1, 1]
