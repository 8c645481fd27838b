"""Desk incident routes: roles, CSRF, open → statement → second editor's two taps → links → close."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiemchung import cache
from kiemchung.desk import incidents
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
    # ... with a word for how sure the suggestion is, not the engine's raw score
    (shown,) = re.findall(rf"#{claim_id} (.*?): Chợ ở phường", page)
    assert "độ tin cậy: cao" in shown and not re.search(r"\(\d+(,\d+)?\)", shown)
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


def test_an_editor_writes_a_new_version_of_the_published_statement(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, csrf = client_for("editor")
    editor2, csrf2 = client_for("editor2")
    inc_id = _open(editor, csrf)
    revise = f'action="/desk/incidents/{inc_id}/statement"'
    assert revise not in editor.get(f"/desk/incidents/{inc_id}").text  # nothing published yet
    r = editor.post(f"/desk/incidents/{inc_id}/statement", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/desk/incidents/{inc_id}"
    st_id = _statement_id(inc_id)

    def write(c: TestClient, token: str, upd_id: int, body: str) -> None:
        data = {"update_id": str(upd_id), "body": body, "then": "submit", "csrf_token": token}
        assert (
            c.post(f"/desk/incidents/{inc_id}/updates", data=data, follow_redirects=False).status_code == 303
        )

    def urgent(c: TestClient, token: str, upd_id: int) -> None:
        r = c.post(
            f"/desk/incidents/{inc_id}/updates/{upd_id}/review",
            data={"action": "urgent", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303

    write(editor, csrf, st_id, "Cháy ở tầng hai của chợ, chưa rõ nguyên nhân.")
    urgent(editor2, csrf2, st_id)
    assert revise in editor2.get(f"/desk/incidents/{inc_id}").text
    r = editor2.post(
        f"/desk/incidents/{inc_id}/statement", data={"csrf_token": csrf2}, follow_redirects=False
    )
    assert r.status_code == 303
    new_id = int(r.headers["location"].rsplit("#update-", 1)[1])
    page = editor2.get(f"/desk/incidents/{inc_id}").text
    assert "Thông cáo sửa đổi" in page and revise not in page  # one new version at a time
    draft = page.split(f'id="update-{new_id}"', 1)[1].split("</article>", 1)[0]
    assert "Cháy ở tầng hai của chợ, chưa rõ nguyên nhân." in draft and "<textarea" in draft
    write(editor2, csrf2, new_id, "Đám cháy ở tầng hai đã được dập tắt; nguyên nhân do chập điện.")
    r = editor2.post(
        f"/desk/incidents/{inc_id}/updates/{new_id}/review",
        data={"action": "urgent", "csrf_token": csrf2},
        follow_redirects=False,
    )
    assert r.status_code == 403
    quick = editor.get(f"/desk/incidents/{inc_id}/updates/{new_id}/approve").text
    assert 'value="urgent"' in quick  # the phone screen works for a new version too
    urgent(editor, csrf, new_id)
    public = editor.get("/su-kien/chay-cho-o-phuong-hoan-kiem").text
    top = public.split('id="statement-h"', 1)[1].split("</section>", 1)[0]
    assert "chập điện" in top and "chưa rõ nguyên nhân" in public.split('id="history-h"', 1)[1]


def _statement_id(inc_id: int) -> int:
    with session_scope() as s:
        return next(u.id for u in incidents.get(s, inc_id).updates if u.kind == "statement")


def test_unknown_incident_is_404(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, _ = client_for("editor")
    assert editor.get("/desk/incidents/999").status_code == 404
    assert editor.get("/desk/incidents/surges").status_code == 200


def test_the_editor_sets_when_the_incident_started(client_for) -> None:  # type: ignore[no-untyped-def]
    editor, csrf = client_for("editor")
    form = editor.get("/desk/incidents/new").text
    (default,) = re.findall(r'name="started_at" type="datetime-local" value="([^"]+)"', form)
    now_vn = datetime.now(UTC) + timedelta(hours=7)
    assert abs(datetime.fromisoformat(default) - now_vn.replace(tzinfo=None)) < timedelta(minutes=2)
    # Vietnam time in the form, UTC in the store, Vietnam time on the page.
    inc_id = _open(editor, csrf, started_at="2025-07-01T14:05")
    with session_scope() as s:
        inc = s.get(models.Incident, inc_id)
        assert inc is not None and inc.started_at == datetime(2025, 7, 1, 7, 5)
    assert "Bắt đầu lúc 14:05, 01/07/2025" in editor.get(f"/desk/incidents/{inc_id}").text
    # Left empty: now.
    inc_id = _open(editor, csrf, title="Cháy kho ở phường Ba Đình", started_at="")
    with session_scope() as s:
        inc = s.get(models.Incident, inc_id)
        assert inc is not None and abs(inc.started_at - inc.opened_at) < timedelta(seconds=1)
    # A time still to come is refused, and the form keeps what was typed.
    tomorrow = (now_vn + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = editor.post(
        "/desk/incidents/new",
        data={"title": "Sập cầu ở xã Ví Dụ", "started_at": tomorrow, "csrf_token": csrf},
    )
    assert r.status_code == 400 and "Thời điểm bắt đầu không được ở tương lai" in r.text
    assert f'value="{tomorrow}"' in r.text and 'value="Sập cầu ở xã Ví Dụ"' in r.text
    r = editor.post(
        "/desk/incidents/new", data={"title": "Sập cầu", "started_at": "hôm qua", "csrf_token": csrf}
    )
    assert r.status_code == 400 and "Thời điểm bắt đầu không hợp lệ" in r.text
    with session_scope() as s:
        assert s.query(models.Incident).count() == 2


def test_every_desk_page_counts_missed_targets_and_surges(  # type: ignore[no-untyped-def]
    client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor, csrf = client_for("editor")
    inc_id = _open(editor, csrf)  # critical: the holding statement is due within 60 minutes
    with session_scope() as s:
        inc = s.get(models.Incident, inc_id)
        assert inc is not None
        opened = inc.opened_at
    assert "nav-alert" not in editor.get("/desk/fact-checks").text
    now = opened + timedelta(minutes=61)
    monkeypatch.setattr(incidents, "utcnow", lambda: now)
    # Posts about a power cut in Đà Nẵng: 12 in the last hour, one at this hour in each earlier week.
    with session_scope() as s:
        src = models.Source(name="Nguồn thử")
        c = models.Claim(text="Đà Nẵng sắp mất điện toàn thành phố ba ngày", topic="điện")
        s.add_all([src, c])
        s.flush()
        times = [now - timedelta(minutes=3 * k + 1) for k in range(12)]
        times += [now - timedelta(weeks=w, minutes=20) for w in range(1, 5)]
        for k, at in enumerate(times):
            it = models.Item(source_id=src.id, text=f"bài {k}", content_hash=f"h{k}", published_at=at)
            s.add(it)
            s.flush()
            s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
    # Counted at most once a minute: the page views within the minute read the cached counts.
    assert "nav-alert" not in editor.get("/desk/").text
    incidents.ALERTS_CACHE.invalidate()  # a minute later
    for path in ("/desk/", "/desk/fact-checks", "/desk/library", f"/desk/incidents/{inc_id}"):
        html = editor.get(path).text
        assert re.search(r'nav-alert-missed"[^>]*>1 trễ mục tiêu<', html), path
        assert re.search(r'href="/desk/incidents/surges" class="nav-alert[^>]*>1 tăng đột biến<', html), path
    # Publishing the (late) statement clears the missed count at once.
    with session_scope() as s:
        a = s.scalars(select(models.User).where(models.User.email == "editor@test.vn")).one()
        b = s.scalars(select(models.User).where(models.User.email == "editor2@test.vn")).one()
        st = next(u for u in incidents.get(s, inc_id).updates if u.kind == "statement")
        incidents.save_update(s, inc_id, a, update_id=st.id, body="Đã khống chế đám cháy.", sources=[])
        incidents.review(s, inc_id, st.id, "submit", a)
        incidents.review(s, inc_id, st.id, "urgent", b)
    html = editor.get("/desk/fact-checks").text
    assert "trễ mục tiêu<" not in html and "1 tăng đột biến" in html
    cache.clear_all()


def test_no_incident_handler_runs_on_the_event_loop() -> None:
    """Plain ``def`` handlers run in the thread pool: their database work never blocks other requests."""
    import inspect

    from fastapi.routing import APIRoute

    from kiemchung.desk.routes.incidents import router

    routes = [r for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 10
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []
