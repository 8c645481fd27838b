"""Desk incident routes: roles, CSRF, open → statement → second editor's two taps → links → close."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kiemchung.store import models, session_scope


def _ids(html: str, pattern: str) -> list[int]:
    return [int(x) for x in re.findall(pattern, html)]


def _open(c: TestClient, csrf: str, **extra: str) -> int:
    data = {
        "title": "Cháy chợ ở phường Hoàn Kiếm",
        "topic": "cháy nổ",
        "severity": "critical",
        "province": "1",
        "ward": "70",
        "csrf_token": csrf,
        **extra,
    }
    r = c.post("/desk/incidents/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_viewers_read_but_may_not_open(client_for) -> None:  # type: ignore[no-untyped-def]
    viewer, csrf = client_for("viewer")
    assert viewer.get("/desk/incidents").status_code == 200
    assert viewer.get("/desk/incidents/new").status_code == 403
    r = viewer.post("/desk/incidents/new", data={"title": "x", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 403
    anon = TestClient(viewer.app)
    assert anon.get("/desk/incidents", follow_redirects=False).status_code == 303


def test_open_form_lists_34_provinces_and_loads_wards(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, csrf = client_for("editor")
    html = editor.get("/desk/incidents/new").text
    assert html.count('<option value="') >= 34 + 3  # provinces + severities
    wards = editor.get("/desk/incidents/wards?province=1").text
    assert "Phường Hoàn Kiếm" in wards
    r = editor.post("/desk/incidents/new", data={"title": "", "csrf_token": csrf})
    assert r.status_code == 400
    r = editor.post("/desk/incidents/new", data={"title": "x", "csrf_token": "sai"})
    assert r.status_code == 403


def test_full_flow_with_a_second_editor(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, csrf = client_for("editor")
    editor2, csrf2 = client_for("editor2")
    inc_id = _open(editor, csrf)
    page = editor.get(f"/desk/incidents/{inc_id}").text
    assert "Những gì chúng tôi đã biết" in page and "sla-" in page
    (st_id,) = _ids(page, r'name="update_id" value="(\d+)"')
    r = editor.post(
        f"/desk/incidents/{inc_id}/updates",
        data={
            "update_id": str(st_id),
            "body": "Đám cháy đã được khống chế lúc 14 giờ.",
            "src_title": "PCCC",
            "src_url": "https://example.gov.vn/pccc",
            "urgent": "1",
            "then": "submit",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    # The author may not approve their own statement, not even by posting the form.
    quick = editor.get(f"/desk/incidents/{inc_id}/updates/{st_id}/approve").text
    assert "cần một biên tập viên khác" in quick
    r = editor.post(
        f"/desk/incidents/{inc_id}/updates/{st_id}/review",
        data={"action": "urgent", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 403
    # The second editor: tap 1 opens the confirm (a <details>), tap 2 posts.
    quick = editor2.get(f"/desk/incidents/{inc_id}/updates/{st_id}/approve").text
    assert 'value="urgent"' in quick and "<details>" in quick
    r = editor2.post(
        f"/desk/incidents/{inc_id}/updates/{st_id}/review",
        data={"action": "urgent", "csrf_token": csrf2},
        follow_redirects=False,
    )
    assert r.status_code == 303
    public = editor.get("/su-kien/chay-cho-o-phuong-hoan-kiem").text
    assert "Đám cháy đã được khống chế" in public
    # Link a claim, close, read the report in both formats.
    with session_scope() as s:
        c = models.Claim(text="Chợ ở phường Hoàn Kiếm cháy rụi hoàn toàn", topic="cháy nổ")
        s.add(c)
        s.flush()
        claim_id = c.id
    page = editor.get(f"/desk/incidents/{inc_id}").text
    assert f'name="claim_id" value="{claim_id}"' in page  # suggested
    r = editor.post(
        f"/desk/incidents/{inc_id}/links",
        data={"claim_id": str(claim_id), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = editor.post(f"/desk/incidents/{inc_id}/close", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.headers["location"] == f"/desk/incidents/{inc_id}/report"
    html = editor.get(f"/desk/incidents/{inc_id}/report").text
    assert "Báo cáo sau sự kiện" in html and "Nhận định liên quan: 1" in html
    md = editor.get(f"/desk/incidents/{inc_id}/report?format=md")
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Báo cáo")
    listing = editor.get("/desk/incidents").text
    assert "Đã đóng" in listing


def test_unknown_incident_is_404(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, _ = client_for("editor")
    assert editor.get("/desk/incidents/999").status_code == 404
    assert editor.get("/desk/incidents/surges").status_code == 200
