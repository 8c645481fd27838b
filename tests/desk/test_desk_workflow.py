"""Fact-check workflow: draft → review → approve → publish, reviewer ≠ author, conflicts, corrections,
history and retraction."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiemchung.store import models, session_scope

CITATION = {
    "cit_document_id": "",
    "cit_passage_id": "",
    "cit_url": "https://moh.gov.vn/thong-bao",
    "cit_title": "Bộ Y tế",
    "cit_quote": "Chưa có bằng chứng nước chanh chữa ung thư.",
}


def form(token: str, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "claim_reviewed": "Nước chanh chữa khỏi ung thư",
        "claim_text": "Uống nước chanh...",
        "verdict": "false",
        "summary": "Sai.",
        "body": "## Kết luận\n\nKhông có bằng chứng.",
        "topics": "Y tế, sức khỏe",
        **CITATION,
    }
    data.update(over)
    return data


def create(client, token: str, **over: object) -> int:  # type: ignore[no-untyped-def]
    r = client.post("/desk/fact-checks/new", data=form(token, **over), follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    return int(r.headers["location"].rsplit("/", 1)[1])


def version_of(fid: int) -> int:
    with session_scope() as s:
        return s.get(models.FactCheck, fid).version


def act(client, token: str, fid: int, action: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/desk/fact-checks/{fid}/workflow",
        data={"action": action, "version": str(version_of(fid)), "csrf_token": token, **extra},
    )


def visible(html: str) -> str:
    """The text a reader sees: tags (and the keys in their class names) removed."""
    return re.sub(r"<[^>]+>", " ", html)


def status_of(fid: int) -> str:
    with session_scope() as s:
        return s.get(models.FactCheck, fid).status.value


def test_validation_errors_keep_the_text(client_for) -> None:
    c, token = client_for("editor")
    r = c.post("/desk/fact-checks/new", data=form(token, claim_reviewed="x" * 80, verdict="maybe"))
    assert r.status_code == 400
    assert "tối đa 75 ký tự" in r.text and "Chọn một kết luận trong thang đánh giá" in r.text
    assert "Không có bằng chứng." in r.text  # nothing typed is lost


def test_full_workflow_with_reviewer_not_author(client_for, desk_users) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    ad, at = client_for("admin")
    fid = create(ed, et, **{"cit_url": "", "cit_quote": "", "cit_title": ""})
    # a citation is required before review
    r = act(ed, et, fid, "submit")
    assert "Cần ít nhất một nguồn trích dẫn" in r.text and status_of(fid) == "draft"
    page = ed.get(f"/desk/fact-checks/{fid}/edit").text
    v = re.search(r'name="version" value="(\d+)"', page)[1]
    r = ed.post(f"/desk/fact-checks/{fid}/edit", data=form(et, version=v), follow_redirects=False)
    assert r.status_code == 303
    act(ed, et, fid, "submit")
    assert status_of(fid) == "in_review"
    # an editor cannot approve
    assert act(ed, et, fid, "approve").status_code == 403
    # a reviewer who edited the text becomes a writer and may not approve it; neither may an admin author
    adm_fid = create(ad, at)
    act(ad, at, adm_fid, "submit")
    r = act(ad, at, adm_fid, "approve")
    assert r.status_code == 403 and "người viết" in r.text
    assert status_of(adm_fid) == "in_review"
    # the reviewer approves and publishes the editor's fact-check
    assert "Duyệt bài" in rv.get(f"/desk/fact-checks/{fid}").text
    act(rv, rt, fid, "approve")
    assert status_of(fid) == "approved"
    r = act(rv, rt, fid, "publish")
    assert "Đã xuất bản" in r.text
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.status == models.FactCheckStatus.published and fc.published_at is not None
        assert fc.reviewer_id == desk_users["reviewer"] and fc.author_id == desk_users["editor"]
        actions = [
            e.action
            for e in s.scalars(
                select(models.AuditEvent).where(
                    models.AuditEvent.entity_type == "fact_check", models.AuditEvent.entity_id == fid
                )
            )
        ]
        assert actions == [
            "fact_check.create",
            "fact_check.update",
            "fact_check.submit",
            "fact_check.approve",
            "fact_check.publish",
        ]
        assert [r.version for r in fc.revisions] == list(range(1, fc.version + 1))


def test_reviewer_who_edited_cannot_approve(client_for) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    rv2, rt2 = client_for("reviewer2")
    fid = create(ed, et)
    act(ed, et, fid, "submit")
    rv.post(
        f"/desk/fact-checks/{fid}/edit", data=form(rt, version=str(version_of(fid)), summary="Sai hoàn toàn.")
    )
    assert act(rv, rt, fid, "approve").status_code == 403
    act(rv2, rt2, fid, "approve")
    assert status_of(fid) == "approved"


def test_concurrent_save_conflict_loses_nothing(client_for) -> None:
    a, at = client_for("editor")
    b, bt = client_for("editor2")
    fid = create(a, at)
    v = str(version_of(fid))
    r1 = a.post(
        f"/desk/fact-checks/{fid}/edit",
        data=form(at, version=v, summary="Bản của A."),
        follow_redirects=False,
    )
    assert r1.status_code == 303
    r2 = b.post(
        f"/desk/fact-checks/{fid}/edit", data=form(bt, version=v, summary="Bản của B <script>x</script>.")
    )
    assert r2.status_code == 409
    assert "Bản của A." in r2.text  # theirs
    assert "Bản của B &lt;script&gt;x&lt;/script&gt;." in r2.text  # yours, preserved and escaped
    assert "<script>x</script>" not in r2.text
    assert 'class="diff-del">Bản của A.' in r2.text
    # the form on the conflict page carries the new version, so the merged text can be saved
    new_v = re.search(r'name="version" value="(\d+)"', r2.text)[1]
    assert int(new_v) == version_of(fid)
    r3 = b.post(
        f"/desk/fact-checks/{fid}/edit",
        data=form(bt, version=new_v, summary="Bản gộp A + B."),
        follow_redirects=False,
    )
    assert r3.status_code == 303
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.summary == "Bản gộp A + B."
        assert [r.data["summary"] for r in fc.revisions] == ["Sai.", "Bản của A.", "Bản gộp A + B."]


def _publish(ed, et, rv, rt) -> int:  # type: ignore[no-untyped-def]
    fid = create(ed, et)
    act(ed, et, fid, "submit")
    act(rv, rt, fid, "approve")
    act(rv, rt, fid, "publish")
    assert status_of(fid) == "published"
    return fid


def test_correction_goes_through_review_and_history(client_for) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    fid = _publish(ed, et, rv, rt)
    slug_path = ed.get(f"/desk/fact-checks/{fid}").text
    public = re.search(r'href="(/kiem-chung/[^"]+)"', slug_path)[1]  # the link to the public page
    v = str(version_of(fid))
    r = ed.post(f"/desk/fact-checks/{fid}/edit", data=form(et, version=v, summary="Sai, theo Bộ Y tế."))
    assert r.status_code == 400 and "ghi chú đính chính" in r.text
    r = ed.post(
        f"/desk/fact-checks/{fid}/edit",
        data=form(
            et,
            version=v,
            summary="Sai, theo Bộ Y tế.",
            cit_title="Bộ Y tế (thông báo)",
            correction_note="Bổ sung nguồn Bộ Y tế.",
            minor="1",
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.status == models.FactCheckStatus.published
        assert fc.corrections == [] and fc.summary == "Sai."  # nothing live before review
        assert fc.pending_correction["minor"] is True
        ev = s.scalar(
            select(models.AuditEvent).where(models.AuditEvent.action == "fact_check.correction_submit")
        )
        assert ev.data["changes"]["summary"] == {"old": "Sai.", "new": "Sai, theo Bộ Y tế."}
    # readers keep the published text while the correction waits, even a minor one
    page = ed.get(public).text
    assert "Sai, theo Bộ Y tế." not in page and "correction-notice" not in page
    # the correction's writer may not approve it; a reviewer who did not write it does
    view = rv.get(f"/desk/fact-checks/{fid}").text
    assert "Đính chính đang chờ duyệt" in view and 'class="diff-add">Sai, theo Bộ Y tế.' in view
    assert '<h3 class="small">Tóm tắt</h3>' in view  # the field's name, not its key
    # the proposal's version and its status change are named, never shown as stored keys
    # (Vietnamese last: the chosen language sticks for the pages after)
    for lang, name in (("en", "Correction awaiting review"), ("vi", "Đính chính chờ duyệt")):
        hist = ed.get(f"/desk/fact-checks/{fid}/history?lang={lang}").text
        assert name in visible(hist) and not re.search(r"correction_review|in_review", visible(hist))
        assert not re.search(r'diff-(add|del)">(draft|approved|published|false)<', hist), lang
        assert '<div class="diff-del">' + ("Published" if lang == "en" else "Đã xuất bản") in hist
    assert act(ed, et, fid, "approve_correction").status_code == 403
    r = act(rv, rt, fid, "approve_correction")
    assert "Đã duyệt và đăng đính chính" in r.text
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.summary == "Sai, theo Bộ Y tế." and fc.pending_correction is None
        assert fc.citations[0].title == "Bộ Y tế (thông báo)"
        assert [(c.note, c.version, c.minor) for c in fc.corrections] == [
            ("Bổ sung nguồn Bộ Y tế.", fc.version, True)
        ]
        assert [r.version for r in fc.revisions] == list(range(1, fc.version + 1))
    page = ed.get(public).text
    assert "Sai, theo Bộ Y tế." in page
    notice = page.index("correction-notice")
    assert notice < page.index('<h1 class="claim"')  # on top, with its date
    assert "Bài đã được đính chính ngày" in page[notice : notice + 400]
    hist = ed.get(f"/desk/fact-checks/{fid}/history").text
    assert "Bổ sung nguồn Bộ Y tế." in hist and "correction_review" not in visible(hist)
    assert '<div class="diff-del">Sai.</div><div class="diff-add">Sai, theo Bộ Y tế.</div>' in hist


def test_a_proposed_correction_can_be_dropped(client_for) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    fid = _publish(ed, et, rv, rt)
    ed.post(
        f"/desk/fact-checks/{fid}/edit",
        data=form(et, version=str(version_of(fid)), summary="Sai?", correction_note="Thử."),
    )
    act(rv, rt, fid, "reject_correction")
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.pending_correction is None and fc.summary == "Sai." and fc.corrections == []


def test_return_to_draft_needs_a_reason_the_author_sees(client_for) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    fid = create(ed, et)
    act(ed, et, fid, "submit")
    r = act(rv, rt, fid, "return")
    assert "Cần ghi lý do trả lại" in r.text and status_of(fid) == "in_review"
    act(rv, rt, fid, "return", note="Thiếu nguồn chính thức cho con số.")
    assert status_of(fid) == "draft"
    page = ed.get(f"/desk/fact-checks/{fid}").text
    assert "return-note" in page and "Thiếu nguồn chính thức cho con số." in page
    act(ed, et, fid, "submit")  # the reason is cleared once the draft goes back to review
    with session_scope() as s:
        assert s.get(models.FactCheck, fid).return_note is None


def test_versions_have_no_gap_when_publishing_a_claims_fact_check(client_for) -> None:
    """Publishing a claim's fact-check used to flush twice (claim lookup, waiting tips): v3 -> v5."""
    from deskutil import seed_claims

    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    (cid,) = seed_claims([{"text": "Nước chanh chữa khỏi ung thư giai đoạn cuối"}])
    fid = create(ed, et, claim_id=str(cid))
    act(ed, et, fid, "submit")
    act(rv, rt, fid, "approve")
    act(rv, rt, fid, "publish")
    assert status_of(fid) == "published"
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert [r.version for r in fc.revisions] == list(range(1, fc.version + 1)) == [1, 2, 3, 4]
    hist = ed.get(f"/desk/fact-checks/{fid}/history").text
    assert all(f"v{n}" in hist for n in range(1, 5))


def test_retraction_needs_a_note_and_blocks_edits(client_for) -> None:
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    fid = _publish(ed, et, rv, rt)
    assert act(ed, et, fid, "retract", note="x").status_code == 403
    r = act(rv, rt, fid, "retract")
    assert "Cần ghi chú lý do rút bài" in r.text and status_of(fid) == "published"
    r = act(rv, rt, fid, "retract", note="Nguồn gốc bị làm giả.")
    assert "Đã rút bài" in r.text and "Nguồn gốc bị làm giả." in r.text
    with session_scope() as s:
        fc = s.get(models.FactCheck, fid)
        assert fc.status == models.FactCheckStatus.retracted and fc.retracted_at is not None
    assert ed.get(f"/desk/fact-checks/{fid}/edit").status_code == 409


def test_new_fact_check_prefilled_from_claim_moves_claim_in_progress(client_for) -> None:
    from deskutil import seed_claims

    ed, et = client_for("editor")
    (cid,) = seed_claims([{"text": "Từ 1/12 mọi xe máy phải gắn chip định vị", "topic": "Giao thông"}])
    page = ed.get(f"/desk/fact-checks/new?claim={cid}").text
    assert 'value="Từ 1/12 mọi xe máy phải gắn chip định vị"' in page and "Giao thông" in page
    create(ed, et, claim_id=str(cid))
    with session_scope() as s:
        assert s.get(models.Claim, cid).status == models.ClaimStatus.in_progress


def test_appearance_url_only_for_registered_publishers(client_for) -> None:
    ed, et = client_for("editor")
    with session_scope() as s:
        s.add(
            models.Source(
                name="Báo Mẫu", kind=models.SourceKind.publisher, registered=True, domains=["baomau.vn"]
            )
        )
    r = ed.post(
        "/desk/fact-checks/new",
        data=form(et, claim_appearance_url="https://facebook.com/some.person/posts/1"),
    )
    assert r.status_code == 400 and "đơn vị đã đăng ký" in r.text
    fid = create(ed, et, claim_appearance_url="https://www.baomau.vn/bai-viet-1")
    with session_scope() as s:
        assert s.get(models.FactCheck, fid).claim_source_id is not None
