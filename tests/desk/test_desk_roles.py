"""Every desk route × every role: who may read, write, review and administer."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from deskutil import ROLES, seed_claims
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image

from kiemchung.media.service import attach_image, save_image
from kiemchung.store import models, session_scope

ALL = set(ROLES)
WRITE = {"admin", "editor", "reviewer"}
REVIEW = {"admin", "reviewer"}
ADMIN = {"admin"}

# (method, path template) -> roles allowed. A new route must be added here, or the test fails.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("GET", "/desk/login"): ALL,
    ("POST", "/desk/login"): ALL,
    ("POST", "/desk/logout"): ALL,
    ("GET", "/desk/"): ALL,
    ("GET", "/desk/claims"): ALL,
    ("GET", "/desk/claims/rows"): ALL,
    ("POST", "/desk/claims/bulk"): WRITE,
    ("GET", "/desk/claims/{claim_id}"): ALL,
    ("POST", "/desk/claims/{claim_id}/status"): WRITE,
    ("POST", "/desk/claims/{claim_id}/assign"): WRITE,
    ("POST", "/desk/claims/{claim_id}/topic"): WRITE,
    ("POST", "/desk/claims/{claim_id}/attach"): WRITE,
    ("GET", "/desk/fact-checks"): ALL,
    ("GET", "/desk/fact-checks/new"): WRITE,
    ("POST", "/desk/fact-checks/new"): WRITE,
    ("GET", "/desk/fact-checks/citation-row"): WRITE,
    ("POST", "/desk/fact-checks/preview"): WRITE,
    ("GET", "/desk/fact-checks/{fc_id}"): ALL,
    ("GET", "/desk/fact-checks/{fc_id}/edit"): WRITE,
    ("POST", "/desk/fact-checks/{fc_id}/edit"): WRITE,
    ("POST", "/desk/fact-checks/{fc_id}/workflow"): WRITE,
    ("GET", "/desk/fact-checks/{fc_id}/history"): ALL,
    ("GET", "/desk/library"): ALL,
    ("GET", "/desk/library/pick"): WRITE,
    ("POST", "/desk/library/upload"): WRITE,
    ("POST", "/desk/library/urls"): WRITE,
    ("GET", "/desk/library/{doc_id}"): ALL,
    ("GET", "/desk/audit"): ADMIN,
    ("GET", "/desk/channels"): ADMIN,
    ("GET", "/desk/jobs"): WRITE,
    ("GET", "/desk/jobs/index-status"): ALL,
    ("POST", "/desk/jobs/{dead_id}/{action}"): WRITE,
    ("GET", "/desk/gop-y"): ALL,
    ("GET", "/desk/gop-y/{thread_id}"): ALL,
    ("POST", "/desk/gop-y/{thread_id}/route"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/status"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/notes"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/answers"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/answers/{answer_id}/{action}"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/publish"): WRITE,
    ("POST", "/desk/gop-y/{thread_id}/merge"): WRITE,
    ("POST", "/desk/gop-y/items/{item_id}/split"): WRITE,
    ("POST", "/desk/gop-y/items/{item_id}/moderate"): WRITE,
    ("GET", "/desk/users"): ADMIN,
    ("POST", "/desk/users/{uid}"): ADMIN,
    ("GET", "/desk/indicators"): ALL,
    ("POST", "/desk/indicators/add"): WRITE,
    ("POST", "/desk/indicators/{ind_id}/remove"): WRITE,
    ("GET", "/desk/sources"): ALL,
    ("POST", "/desk/sources/load-bundled"): ADMIN,
    ("GET", "/desk/sources/new"): WRITE,
    ("POST", "/desk/sources/new"): WRITE,
    ("GET", "/desk/sources/{source_id}/edit"): WRITE,
    ("POST", "/desk/sources/{source_id}/edit"): WRITE,
    ("POST", "/desk/sources/{source_id}/unregister"): WRITE,
    ("GET", "/desk/feeds"): ALL,
    ("POST", "/desk/feeds/load-bundled"): ADMIN,
    ("GET", "/desk/analytics"): ALL,
    ("GET", "/desk/analytics/report.csv"): ALL,
    ("GET", "/desk/analytics/report.md"): ALL,
    ("GET", "/desk/images"): ALL,
    ("GET", "/desk/images/{image_id}"): ALL,
    ("GET", "/desk/images/{image_id}/view"): ALL,
    ("POST", "/desk/images/{image_id}/ocr"): WRITE,
    ("POST", "/desk/fact-checks/{fc_id}/images"): WRITE,
    ("POST", "/desk/fact-checks/{fc_id}/images/{image_id}/detach"): WRITE,
    ("GET", "/desk/incidents"): ALL,
    ("GET", "/desk/incidents/new"): WRITE,
    ("POST", "/desk/incidents/new"): WRITE,
    ("GET", "/desk/incidents/wards"): WRITE,
    ("GET", "/desk/incidents/surges"): ALL,
    ("GET", "/desk/incidents/{incident_id}"): ALL,
    ("POST", "/desk/incidents/{incident_id}/updates"): WRITE,
    ("POST", "/desk/incidents/{incident_id}/statement"): WRITE,
    ("POST", "/desk/incidents/{incident_id}/updates/{update_id}/review"): WRITE,
    ("GET", "/desk/incidents/{incident_id}/updates/{update_id}/approve"): WRITE,
    ("POST", "/desk/incidents/{incident_id}/links"): WRITE,
    ("POST", "/desk/incidents/{incident_id}/links/{link_id}/delete"): WRITE,
    ("POST", "/desk/incidents/{incident_id}/close"): WRITE,
    ("GET", "/desk/incidents/{incident_id}/report"): ALL,
}


def desk_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path) of every route under /desk, through included routers."""
    found: list[tuple[str, set[str]]] = []
    for r in app.routes:
        if isinstance(r, APIRoute):
            found.append((r.path, set(r.methods)))
        elif hasattr(r, "effective_route_contexts"):  # newer FastAPI keeps included routers nested
            found += [(ctx.path, set(ctx.methods or ())) for ctx in r.effective_route_contexts()]
    return [
        (m, path) for path, methods in found if path.startswith("/desk") for m in sorted(methods - {"HEAD"})
    ]


@pytest.fixture()
def ids(desk_users: dict[str, int]) -> dict[str, int]:
    claim = seed_claims([{"text": "Nhận định thử nghiệm về giá điện"}])[0]
    with session_scope() as s:
        fc = models.FactCheck(
            slug="fc-thu",
            claim_reviewed="Giá điện tăng",
            verdict=models.Verdict.false,
            author_id=desk_users["editor2"],
            status=models.FactCheckStatus.published,
        )
        doc = models.Document(title="Tài liệu", text="Nội dung tài liệu.", content_hash="h1")
        doc.passages = [models.Passage(position=0, text="Nội dung tài liệu.")]
        ind = models.Indicator(kind=models.IndicatorKind.domain, value="lua-dao.example")
        src = models.Source(
            name="Ngân hàng Thử", kind=models.SourceKind.official, registered=True, domains=["nganhangthu.vn"]
        )
        s.add_all([fc, doc, ind, src])
        s.flush()
        picture = BytesIO()
        Image.new("RGB", (64, 48), (200, 40, 40)).save(picture, "PNG")
        image = save_image(s, picture.getvalue(), run_ocr=False)
        attach_image(s, fc, image, "Ảnh thử")
        thread = models.FeedbackThread(
            slug="gop-y-thu", title="Đèn đường hỏng", kind=models.FeedbackKind.issue
        )
        thread.items = [models.FeedbackItem(kind=models.FeedbackKind.issue, text="Đèn đường hỏng")]
        thread.answers = [models.FeedbackAnswer(body="")]
        s.add(thread)
        dead = models.DeadJob(task="deliver_replies", args=[], reason="OSError: thử")
        s.add(dead)
        inc = models.Incident(slug="su-kien-thu", title="Sự kiện thử", opened_by_id=desk_users["editor2"])
        inc.updates = [models.IncidentUpdate(kind="statement", body="x", author_id=desk_users["editor2"])]
        inc.links = [models.IncidentLink(claim_id=claim)]
        s.add(inc)
        s.flush()
        return {
            "image_id": image.id,
            "dead_id": dead.id,
            "thread_id": thread.id,
            "item_id": thread.items[0].id,
            "answer_id": thread.answers[0].id,
            "action": "discard",
            "incident_id": inc.id,
            "update_id": inc.updates[0].id,
            "link_id": inc.links[0].id,
            "claim_id": claim,
            "fc_id": fc.id,
            "doc_id": doc.id,
            "ind_id": ind.id,
            "source_id": src.id,
            "uid": desk_users["viewer2"] if "viewer2" in desk_users else desk_users["editor2"],
        }


# Harmless bodies: valid enough to pass the role check, never destructive for the next role.
FORMS = {
    "/desk/claims/bulk": {"action": "dismiss"},
    "/desk/claims/{claim_id}/status": {"status": "triaged"},
    "/desk/claims/{claim_id}/assign": {"assignee_id": ""},
    "/desk/claims/{claim_id}/topic": {"topic": "Y tế"},
    "/desk/claims/{claim_id}/attach": {"fact_check_id": "{fc_id}"},
    "/desk/fact-checks/new": {"claim_reviewed": ""},
    "/desk/fact-checks/preview": {"body": "x"},
    "/desk/fact-checks/{fc_id}/edit": {"version": "0"},
    "/desk/fact-checks/{fc_id}/workflow": {"action": "submit", "version": "0"},
    "/desk/library/urls": {"urls": ""},
    "/desk/users/{uid}": {},
    "/desk/indicators/add": {"kind": "domain", "value": "a.example", "reason": ""},
    "/desk/indicators/{ind_id}/remove": {"reason": ""},
    "/desk/sources/new": {"name": ""},
    "/desk/sources/{source_id}/edit": {"name": ""},
    "/desk/images/{image_id}/ocr": {"ocr_text": "Giá điện tăng"},
    "/desk/incidents/new": {"title": ""},
    "/desk/incidents/{incident_id}/updates": {"body": ""},
    "/desk/incidents/{incident_id}/updates/{update_id}/review": {"action": "approve"},
    "/desk/incidents/{incident_id}/links": {"claim_id": ""},
    "/desk/gop-y/{thread_id}/route": {"department": ""},
    "/desk/gop-y/{thread_id}/status": {"status": ""},
    "/desk/gop-y/{thread_id}/notes": {"text": ""},
    "/desk/gop-y/{thread_id}/answers": {"body": ""},
    "/desk/gop-y/{thread_id}/merge": {"into": "{thread_id}"},
    "/desk/gop-y/items/{item_id}/moderate": {"action": ""},
}


def test_every_desk_route_is_in_the_matrix(app) -> None:
    assert set(desk_routes(app)) == set(EXPECTED)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_route_role_matrix(app, ids, role) -> None:  # type: ignore[no-untyped-def]
    from deskutil import login

    with TestClient(app) as c:
        token = (
            login(c, role) if role else re.search(r'csrf_token" value="([^"]+)', c.get("/desk/login").text)[1]
        )
        routes = sorted(desk_routes(app), key=lambda mp: mp[1] == "/desk/logout")  # logout last
        for method, tpl in routes:
            path = tpl.format(**ids)
            if method == "GET":
                r = c.get(path, follow_redirects=False)
            elif tpl == "/desk/library/upload":
                r = c.post(
                    path,
                    data={"csrf_token": token},
                    files={"files": ("a.txt", b"Van ban.", "text/plain")},
                    follow_redirects=False,
                )
            elif tpl == "/desk/login":
                continue  # covered by the auth tests
            else:
                form = {k: v.format(**ids) for k, v in FORMS.get(tpl, {}).items()}
                r = c.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
            allowed = EXPECTED[(method, tpl)]
            where = f"{role} {method} {tpl}"
            if tpl == "/desk/login":
                assert r.status_code == (303 if role else 200), where
            elif role is None:
                assert r.status_code == 303 and r.headers["location"].startswith("/desk/login?next="), where
            elif role in allowed:
                if method == "GET":
                    assert r.status_code == 200, (where, r.text[:300])
                else:
                    assert r.status_code in (200, 303, 400, 409), (where, r.status_code, r.text[:300])
            else:
                assert r.status_code == 403, (where, r.status_code)


def test_a_refused_editor_stays_in_the_desk(client_for) -> None:  # type: ignore[no-untyped-def]
    c, _token = client_for("editor")
    r = c.get("/desk/audit")
    assert r.status_code == 403
    assert 'class="desk"' in r.text  # the desk layout: its navigation, not the public site's
    assert 'href="/desk/fact-checks"' in r.text and "Về hàng đợi" in r.text
    assert 'href="/gui-tin"' not in r.text.split("</header>", 1)[0]


def test_an_editor_sets_a_claims_topic(client_for) -> None:  # type: ignore[no-untyped-def]
    c, token = client_for("editor")
    (cid,) = seed_claims([{"text": "Giá điện tăng gấp đôi từ tháng sau"}])
    page = c.get(f"/desk/claims/{cid}").text
    assert f'action="/desk/claims/{cid}/topic"' in page
    c.post(f"/desk/claims/{cid}/topic", data={"topic": "  Năng lượng ", "csrf_token": token})
    with session_scope() as s:
        assert s.get(models.Claim, cid).topic == "Năng lượng"
        ev = s.scalars(
            models.AuditEvent.__table__.select().where(models.AuditEvent.action == "claim.topic")
        ).first()
        assert ev is not None
    assert "Năng lượng" in c.get("/desk/?topic=Năng lượng").text
