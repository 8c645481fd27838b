"""The tipline web form: CSRF, honeypot, privacy notice, answers, limits, and escaping."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from public_seed import Seed
from sqlalchemy import func, select

from kiemchung.store import session_scope
from kiemchung.store.models import Item, Tip, TipContact


def _csrf(client: TestClient) -> str:
    page = client.get("/gui-tin").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _count(model: type) -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_form_shows_privacy_notice_and_honeypot(client: TestClient) -> None:
    r = client.get("/gui-tin")
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert "Quyền riêng tư" in page and "xóa bất cứ lúc nào" in page
    assert 'name="website"' in r.text and 'class="hp"' in r.text
    assert "Privacy" in html.unescape(client.get("/gui-tin?lang=en").text)


def test_form_requires_csrf(client: TestClient) -> None:
    r = client.post("/gui-tin", data={"text": "Tin cần kiểm chứng về giá điện"})
    assert r.status_code == 403
    assert _count(Tip) == 0


def test_honeypot_pretends_success_and_stores_nothing(client: TestClient) -> None:
    r = client.post(
        "/gui-tin",
        data={
            "text": "Mua thuốc giảm cân tại đây",
            "website": "http://spam.example",
            "csrf_token": _csrf(client),
        },
    )
    assert r.status_code == 200 and "Đã nhận tin của bạn" in r.text
    assert _count(Tip) == 0 and _count(Item) == 0


def test_received_tip_with_reply_gets_a_delete_link(client: TestClient, seeded: Seed) -> None:
    r = client.post(
        "/gui-tin",
        data={
            "text": "Có tin đồn Đà Lạt sẽ thu phí vào thành phố từ tháng sau, mỗi xe 100 nghìn đồng.",
            "want_reply": "1",
            "contact": "0901 234 567",
            "csrf_token": _csrf(client),
        },
    )
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert "Đã nhận tin của bạn" in page
    assert "/gui-tin/xoa/" in page
    with session_scope() as s:
        contact = s.scalars(select(TipContact)).one()
        assert contact.contact == "0901 234 567"
        tip = s.get(Tip, contact.tip_id)
        assert tip is not None and "0901" not in tip.text


def test_too_long_tip_is_refused_with_message(client: TestClient) -> None:
    r = client.post("/gui-tin", data={"text": "a" * 5001, "csrf_token": _csrf(client)})
    assert r.status_code == 422
    assert "Nội dung quá dài" in html.unescape(r.text) and "5.000" in r.text
    assert _count(Tip) == 0


def test_xss_in_tip_text_renders_as_text(client: TestClient) -> None:
    evil = '<script>alert("tip")</script> chuyển khoản ngay vào tài khoản này'
    r = client.post("/gui-tin", data={"text": "a" * 5001 + evil, "csrf_token": _csrf(client)})
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text  # echoed back in the textarea
    ok = client.post("/gui-tin", data={"text": evil, "csrf_token": _csrf(client)})
    assert ok.status_code == 200 and "<script>alert" not in ok.text
