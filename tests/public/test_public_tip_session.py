"""A tip sent through the web form is committed before the claim engine runs, so it becomes a claim;
a refused tip leaves nothing behind."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kiemchung.store import session_scope
from kiemchung.store.models import Claim, ClaimItem, Item, Tip, TipStatus


def _csrf(client: TestClient) -> str:
    page = client.get("/gui-tin").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_web_form_tip_becomes_a_claim_in_the_queue(client: TestClient) -> None:
    text = "Từ ngày 1 tháng sau, mọi tuyến xe buýt ở Cần Thơ sẽ miễn phí vé cho người trên 60 tuổi."
    r = client.post("/gui-tin", data={"text": text, "csrf_token": _csrf(client)})
    assert r.status_code == 200 and "Đã nhận tin của bạn" in r.text
    with session_scope() as s:
        tip = s.scalars(select(Tip)).one()
        assert tip.claim_id is not None, "the background engine run should see the committed tip"
        assert s.get(Claim, tip.claim_id) is not None
        assert s.scalar(select(ClaimItem.claim_id).where(ClaimItem.item_id == tip.item_id)) == tip.claim_id
        assert tip.status == TipStatus.queued


def test_refused_tip_is_rolled_back(client: TestClient) -> None:
    r = client.post("/gui-tin", data={"text": "   ", "csrf_token": _csrf(client)})
    assert r.status_code == 422
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Tip)) == 0
        assert s.scalar(select(func.count()).select_from(Item)) == 0
