"""Public incident pages: list, page, Atom, widget (CSP, framing), JSON API, schema.org, cache."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kiemchung.desk import incidents
from kiemchung.desk.auth import hash_password
from kiemchung.store import models, session_scope
from kiemchung.store.models import Role

ATOM = "{http://www.w3.org/2005/Atom}"


def _publish(s, inc_id: int, upd_id: int, a: models.User, b: models.User) -> None:  # type: ignore[no-untyped-def]
    incidents.review(s, inc_id, upd_id, "submit", a)
    incidents.review(s, inc_id, upd_id, "urgent", b)


@pytest.fixture()
def seeded_incident(configured: str) -> Iterator[dict[str, int]]:
    with session_scope() as s:
        a = models.User(email="a@test.vn", role=Role.editor, password_hash=hash_password("x" * 12))
        b = models.User(email="b@test.vn", role=Role.editor, password_hash=hash_password("x" * 12))
        s.add_all([a, b])
        s.flush()
        inc = incidents.open_incident(s, a, title="Sạt lở đất ở Lào Cai", topic="thiên tai", province_code=15)
        st = inc.updates[0]
        incidents.save_update(
            s,
            inc.id,
            a,
            update_id=st.id,
            body="Đã sơ tán 40 hộ dân <script>x</script>.",
            sources=[incidents.Source("UBND tỉnh", "https://example.gov.vn/a")],
        )
        _publish(s, inc.id, st.id, a, b)
        up1 = incidents.save_update(
            s, inc.id, b, body="Cập nhật một: đường đã thông.", sources=[incidents.Source("Sở GTVT", "")]
        )
        _publish(s, inc.id, up1.id, b, a)
        draft = incidents.save_update(s, inc.id, a, body="Bản nháp chưa duyệt", sources=[])
        c = models.Claim(text="Sạt lở vùi lấp cả xã", topic="thiên tai")
        s.add(c)
        s.flush()
        s.add(
            models.FactCheck(
                slug="sat-lo-vui-lap",
                claim_reviewed="Sạt lở vùi lấp cả xã",
                verdict=models.Verdict.false,
                status=models.FactCheckStatus.published,
                claim_id=c.id,
                published_at=models.utcnow(),
            )
        )
        incidents.link(s, inc.id, a, claim_id=c.id)
        ids = {"incident": inc.id, "a": a.id, "b": b.id, "draft": draft.id}
    yield ids


@pytest.fixture()
def client(seeded_incident: dict[str, int]) -> Iterator[TestClient]:
    from kiemchung.web.app import create_app

    with TestClient(create_app()) as c:
        yield c


def test_list_and_page(client: TestClient) -> None:
    html = client.get("/su-kien").text
    assert "/su-kien/sat-lo-dat-o-lao-cai" in html and "Đang cập nhật" in html
    page = client.get("/su-kien/sat-lo-dat-o-lao-cai").text
    assert page.index("Đã sơ tán 40 hộ dân") < page.index("Cập nhật một")  # statement on top
    assert "<script>x</script>" not in page and "Bản nháp chưa duyệt" not in page
    assert re.search(r"Đã cập nhật lúc \d\d:\d\d, \d\d/\d\d/\d{4}", page)
    assert "/kiem-chung/sat-lo-vui-lap" in page
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert m
    data = json.loads(m.group(1))
    assert data["@type"] == ["SpecialAnnouncement", "NewsArticle"]
    assert data["spatialCoverage"]["name"] == "Lào Cai" and data["datePosted"].endswith("Z")
    assert client.get("/su-kien/khong-co").status_code == 404


def test_english_page_marks_the_vietnamese_content(client: TestClient) -> None:
    page = client.get("/su-kien/sat-lo-dat-o-lao-cai?lang=en").text
    assert '<html lang="en"' in page and '<h1 lang="vi">Sạt lở đất ở Lào Cai</h1>' in page
    assert re.search(r'<div class="prose" id="cap-nhat-\d+" lang="vi">\s*<p>Đã sơ tán 40 hộ dân', page)
    assert re.search(r'<div class="prose" lang="vi">\s*<p>Cập nhật một', page)
    assert '<span lang="vi"><a href="https://example.gov.vn/a" rel="noopener nofollow">UBND tỉnh</a>' in page
    assert '<a href="/kiem-chung/sat-lo-vui-lap" lang="vi">Sạt lở vùi lấp cả xã</a>' in page


def test_atom_feed(client: TestClient) -> None:
    r = client.get("/su-kien/sat-lo-dat-o-lao-cai/atom.xml")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert len(titles) == 2 and titles[0].startswith("Cập nhật") and titles[1].startswith("Thông cáo")


def test_widget_is_frameable_with_a_strict_csp(client: TestClient) -> None:
    r = client.get("/su-kien/sat-lo-dat-o-lao-cai/nhung")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp and "script-src" not in csp
    assert "x-frame-options" not in r.headers
    assert "<script" not in r.text and "Đã sơ tán 40 hộ dân" in r.text
    # Every other page still refuses to be framed.
    assert client.get("/su-kien/sat-lo-dat-o-lao-cai").headers["x-frame-options"] == "DENY"


def test_json_api(client: TestClient) -> None:
    lst = client.get("/api/v1/incidents").json()
    assert lst[0]["slug"] == "sat-lo-dat-o-lao-cai"
    d = client.get("/api/v1/incidents/sat-lo-dat-o-lao-cai").json()
    assert d["statement"]["kind"] == "statement" and d["province_code"] == 15
    assert [u["body"] for u in d["updates"]] == ["Cập nhật một: đường đã thông."]
    assert d["fact_checks"][0]["verdict"] == "false"
    assert client.get("/api/v1/incidents/khong-co").status_code == 404


def test_cached_until_publishing(client: TestClient, seeded_incident: dict[str, int]) -> None:
    client.get("/su-kien/sat-lo-dat-o-lao-cai")
    with session_scope() as s:  # a write that bypasses the service is not seen while cached ...
        upd = s.get(models.IncidentUpdate, seeded_incident["draft"])
        assert upd is not None
        upd.body = "Cập nhật hai: đã có điện trở lại."
        upd.sources = [{"title": "EVN", "url": ""}]
    assert "Cập nhật hai" not in client.get("/su-kien/sat-lo-dat-o-lao-cai").text
    with session_scope() as s:  # ... publishing through the service drops the cache on commit
        a = s.get(models.User, seeded_incident["a"])
        b = s.get(models.User, seeded_incident["b"])
        assert a and b
        _publish(s, seeded_incident["incident"], seeded_incident["draft"], a, b)
    assert "Cập nhật hai" in client.get("/su-kien/sat-lo-dat-o-lao-cai").text
    assert "Cập nhật hai" in client.get("/su-kien/sat-lo-dat-o-lao-cai/atom.xml").text


def test_an_incident_without_a_published_statement_is_not_public(client: TestClient) -> None:
    with session_scope() as s:
        user = s.scalars(select(models.User).where(models.User.email == "a@test.vn")).one()
        incidents.open_incident(s, user, title="Mở nhầm sự kiện")
    assert client.get("/su-kien/mo-nham-su-kien").status_code == 404
    assert "mo-nham-su-kien" not in client.get("/su-kien").text
    assert all(i["slug"] != "mo-nham-su-kien" for i in client.get("/api/v1/incidents").json())


def test_a_linked_claims_fact_check_shows_at_once(
    client: TestClient, seeded_incident: dict[str, int]
) -> None:
    from kiemchung.desk import factchecks

    with session_scope() as s:
        a = s.get(models.User, seeded_incident["a"])
        assert a is not None
        reviewer = models.User(email="kd@test.vn", role=Role.reviewer, password_hash=hash_password("x" * 12))
        c = models.Claim(text="Quốc lộ bị chia cắt hoàn toàn một tuần", topic="thiên tai")
        s.add_all([reviewer, c])
        s.flush()
        incidents.link(s, seeded_incident["incident"], a, claim_id=c.id)
        fc = models.FactCheck(
            slug="quoc-lo-chia-cat",
            claim_reviewed="Quốc lộ bị chia cắt hoàn toàn một tuần",
            verdict=models.Verdict.misleading,
            status=models.FactCheckStatus.approved,
            claim_id=c.id,
            author_id=a.id,
        )
        s.add(fc)
        s.flush()
        ids = {"fc": fc.id, "reviewer": reviewer.id}
    page = "/su-kien/sat-lo-dat-o-lao-cai"
    assert "/kiem-chung/quoc-lo-chia-cat" not in client.get(page).text  # cached, not yet published
    assert client.get("/api/v1/incidents/sat-lo-dat-o-lao-cai").json()["fact_checks"][0]["verdict"] == "false"

    def act(action: str, note: str = "") -> None:
        with session_scope() as s:
            fc, user = s.get(models.FactCheck, ids["fc"]), s.get(models.User, ids["reviewer"])
            assert fc is not None and user is not None
            factchecks.transition(s, fc, action, user, version=None, note=note)

    act("publish")  # the desk publishes the fact-check: the incident page lists it at once
    assert "/kiem-chung/quoc-lo-chia-cat" in client.get(page).text
    verdicts = [
        f["verdict"] for f in client.get("/api/v1/incidents/sat-lo-dat-o-lao-cai").json()["fact_checks"]
    ]
    assert "misleading" in verdicts
    act("retract", note="Nguồn gốc chưa được kiểm chứng đủ")  # and drops it at once when retracted
    assert "/kiem-chung/quoc-lo-chia-cat" not in client.get(page).text


def test_a_revised_statement_goes_on_top_and_the_earlier_one_stays_in_the_history(
    client: TestClient, seeded_incident: dict[str, int]
) -> None:
    slug = "sat-lo-dat-o-lao-cai"
    client.get(f"/su-kien/{slug}")  # cached before the revision
    with session_scope() as s:
        a = s.get(models.User, seeded_incident["a"])
        b = s.get(models.User, seeded_incident["b"])
        assert a and b
        new = incidents.revise_statement(s, seeded_incident["incident"], b)
        incidents.save_update(
            s,
            seeded_incident["incident"],
            b,
            update_id=new.id,
            body="Đã sơ tán 65 hộ dân; tỉnh lộ 4 thông xe một làn.",
            sources=[incidents.Source("UBND tỉnh", "https://example.gov.vn/b")],
        )
        _publish(s, seeded_incident["incident"], new.id, b, a)
    page = client.get(f"/su-kien/{slug}").text
    top = page.split('id="statement-h"', 1)[1].split("</section>", 1)[0]
    assert "Đã sơ tán 65 hộ dân" in top and "Đã sơ tán 40 hộ dân" not in top
    history = page.split('id="history-h"', 1)[1].split("</section>", 1)[0]
    assert "Đã sơ tán 40 hộ dân" in history and "đã được thay bằng bản mới" in history
    d = client.get(f"/api/v1/incidents/{slug}").json()
    assert d["statement"]["body"].startswith("Đã sơ tán 65 hộ dân")
    assert [u["body"][:22] for u in d["earlier_statements"]] == ["Đã sơ tán 40 hộ dân <s"]
    root = ET.fromstring(client.get(f"/su-kien/{slug}/atom.xml").content)
    titles = [e.findtext(f"{ATOM}title") or "" for e in root.findall(f"{ATOM}entry")]
    assert [t.split(" ", 1)[0] for t in titles] == ["Thông", "Cập", "Thông"]  # newest first, both kept
    assert "Đã sơ tán 65 hộ dân" in client.get(f"/su-kien/{slug}/nhung").text
