"""The public JSON API: list, pagination, folded search, detail, errors, match and the tipline."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from public_seed import CLAIMS, RETRACTED_CLAIM, Seed
from sqlalchemy import func, select

from kiemchung.store import session_scope
from kiemchung.store.models import (
    VERDICT_LABELS_VI,
    Claim,
    ClaimItem,
    Item,
    Source,
    SourceKind,
    Tip,
    TipContact,
    TipStatus,
    Verdict,
)

FC_KEYS = {
    "id",
    "slug",
    "claim_reviewed",
    "verdict",
    "verdict_label",
    "summary",
    "topics",
    "published_at",
    "url",
}


def test_list_returns_published_only_with_full_objects(client: TestClient, seeded: Seed) -> None:
    r = client.get("/api/v1/fact-checks")
    assert r.status_code == 200
    body = r.json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, len(CLAIMS))
    claims = {item["claim_reviewed"] for item in body["items"]}
    assert claims == {c for c, _ in CLAIMS.values()}
    assert RETRACTED_CLAIM not in claims
    item = next(i for i in body["items"] if i["verdict"] == "false")
    assert set(item) >= FC_KEYS
    assert item["id"] == seeded.ids[Verdict.false]
    assert item["verdict_label"] == VERDICT_LABELS_VI[Verdict.false]
    assert item["url"] == f"http://testserver/kiem-chung/{seeded.slugs[Verdict.false]}"
    assert datetime.fromisoformat(item["published_at"]).tzinfo is not None
    assert item["topics"] == ["Sức khỏe"]


def test_pagination(client: TestClient) -> None:
    p1 = client.get("/api/v1/fact-checks", params={"per_page": 4, "page": 1}).json()
    p2 = client.get("/api/v1/fact-checks", params={"per_page": 4, "page": 2}).json()
    assert p1["total"] == p2["total"] == len(CLAIMS)
    assert len(p1["items"]) == 4 and len(p2["items"]) == len(CLAIMS) - 4
    assert not {i["id"] for i in p1["items"]} & {i["id"] for i in p2["items"]}
    dates = [i["published_at"] for i in p1["items"] + p2["items"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/v1/fact-checks", params={"per_page": 101}).status_code == 422
    assert client.get("/api/v1/fact-checks", params={"page": 0}).status_code == 422


def test_filters_topic_and_verdict(client: TestClient, seeded: Seed) -> None:
    health = client.get("/api/v1/fact-checks", params={"topic": "suc-khoe"}).json()
    assert {i["id"] for i in health["items"]} == {seeded.ids[Verdict.false], seeded.ids[Verdict.unproven]}
    same = client.get("/api/v1/fact-checks", params={"topic": "Sức khỏe"}).json()
    assert same["total"] == 2
    scams = client.get("/api/v1/fact-checks", params={"verdict": "scam"}).json()
    assert [i["id"] for i in scams["items"]] == [seeded.ids[Verdict.scam]]
    assert client.get("/api/v1/fact-checks", params={"verdict": "maybe"}).status_code == 422


def test_search_without_diacritics(client: TestClient, seeded: Seed) -> None:
    body = client.get("/api/v1/fact-checks", params={"q": "uong nuoc chanh nong chua ung thu"}).json()
    assert body["total"] >= 1
    assert body["items"][0]["id"] == seeded.ids[Verdict.false]
    exact = client.get("/api/v1/fact-checks", params={"q": "sinh trắc học"}).json()
    assert exact["items"][0]["id"] == seeded.ids[Verdict.scam]
    nothing = client.get("/api/v1/fact-checks", params={"q": "xyzzy plugh"}).json()
    assert nothing == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_detail_and_404_error_object(client: TestClient, seeded: Seed) -> None:
    r = client.get(f"/api/v1/fact-checks/{seeded.ids[Verdict.true]}")
    assert r.status_code == 200 and r.json()["slug"] == seeded.slugs[Verdict.true]
    for missing in (999_999, seeded.retracted_id, seeded.draft_id):
        e = client.get(f"/api/v1/fact-checks/{missing}")
        assert e.status_code == 404
        assert e.json()["error"]["code"] == "not_found"
        assert "Không tìm thấy" in e.json()["error"]["message"]


def test_openapi_schema_is_precise(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for p in ("/api/v1/fact-checks", "/api/v1/fact-checks/{fc_id}", "/api/v1/match", "/api/v1/tips"):
        assert p in paths
    assert "/kiem-chung" not in paths and "/feed.xml" not in paths
    bodies = paths["/api/v1/tips"]["post"]["requestBody"]["content"]
    assert bodies["application/json"]["schema"]["properties"]["text"]["maxLength"] == 5000
    assert bodies["multipart/form-data"]["schema"]["properties"]["image"]["format"] == "binary"
    assert "Quyền riêng tư" in paths["/api/v1/tips"]["post"]["description"]
    assert "429" in paths["/api/v1/tips"]["post"]["responses"]
    assert client.get("/api/v1/docs").status_code == 200


def test_match_returns_engine_ranking_and_answer(client: TestClient, seeded: Seed) -> None:
    from kiemchung.engine.index import get_index

    text = "Nghe nói uống nước chanh nóng chữa khỏi ung thư, có đúng không?"
    engine = get_index().match_fact_checks([text], top=10)[0]
    r = client.post("/api/v1/match", json={"text": text})
    assert r.status_code == 200
    body = r.json()
    assert [x["id"] for x in body["results"]] == [int(c.id) for c in engine.results]
    assert body["answer"] == (int(engine.answer) if engine.answer else None)
    assert body["results"][0]["id"] == seeded.ids[Verdict.false]
    assert body["results"][0]["fact_check"]["verdict"] == "false"
    assert body["confidence"] == pytest.approx(engine.confidence)


def test_match_validation(client: TestClient) -> None:
    assert client.post("/api/v1/match", json={}).json()["error"]["code"] == "validation_error"
    assert client.post("/api/v1/match", json={"text": "x" * 5001}).status_code == 422


def test_tip_answered_at_once(client: TestClient, seeded: Seed) -> None:
    r = client.post("/api/v1/tips", json={"text": CLAIMS[Verdict.false][0], "channel": "zalo"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "answered"
    assert body["fact_check"]["id"] == seeded.ids[Verdict.false]
    assert "Sai".upper() in body["message"] and body["fact_check"]["url"] in body["message"]
    assert body["delete_url"] is None
    with session_scope() as s:
        tip = s.get(Tip, body["tip_id"])
        assert tip is not None
        assert (tip.status, tip.fact_check_id, tip.channel) == (
            TipStatus.answered,
            seeded.ids[Verdict.false],
            "zalo",
        )
        assert s.scalar(select(func.count()).select_from(TipContact)) == 0


def test_tip_warned_on_scam_indicators(client: TestClient) -> None:
    text = (
        "Chúc mừng bạn trúng thưởng 50 triệu, nhận ngay tại http://vietcombank-nhanqua.xyz/otp và nhập mã OTP"
    )
    body = client.post("/api/v1/tips", json={"text": text}).json()
    assert body["status"] == "warned", body
    assert body["scam"]["verdict"] in ("scam", "suspicious")
    assert "Cảnh báo" in body["message"] and "OTP" in body["message"]
    with session_scope() as s:
        tip = s.get(Tip, body["tip_id"])
        assert tip is not None and tip.status == TipStatus.warned


def test_tip_received_enters_the_desk_queue(client: TestClient) -> None:
    text = "Từ tháng sau, mỗi hộ gia đình ở Đà Nẵng sẽ được miễn phí 10 khối nước sạch mỗi tháng."
    body = client.post("/api/v1/tips", json={"text": text, "channel": "messenger"}).json()
    assert body["status"] == "received", body
    assert body["fact_check"] is None and body["scam"] is None
    assert f"#{body['tip_id']}" in body["message"]
    with session_scope() as s:
        tip = s.get(Tip, body["tip_id"])
        assert tip is not None and tip.item_id is not None
        item = s.get(Item, tip.item_id)
        assert item is not None and item.kind.value == "tip"
        source = s.get(Source, item.source_id)
        assert source is not None and source.name == "tipline" and source.kind == SourceKind.tipline
        assert tip.claim_id is not None, "the engine should turn the tip into a claim for the queue"
        assert s.get(Claim, tip.claim_id) is not None
        assert s.scalar(select(ClaimItem.claim_id).where(ClaimItem.item_id == item.id)) == tip.claim_id
        assert tip.status == TipStatus.queued


def test_tip_contact_stored_apart_only_on_request_and_deletable(client: TestClient) -> None:
    text = "Có người nói trường tôi sẽ nghỉ học cả tuần sau vì bão, tin này có thật không?"
    no_reply = client.post("/api/v1/tips", json={"text": text, "contact": "a@example.org"}).json()
    assert no_reply["delete_url"] is None
    body = client.post(
        "/api/v1/tips",
        json={"text": text + " Xin trả lời.", "contact": "ban.doc@example.org", "want_reply": True},
    ).json()
    assert body["delete_url"].startswith("http://testserver/gui-tin/xoa/")
    token = body["delete_url"].rsplit("/", 1)[1]
    with session_scope() as s:
        contacts = s.scalars(select(TipContact)).all()
        assert [(c.tip_id, c.contact) for c in contacts] == [(body["tip_id"], "ban.doc@example.org")]
        tip = s.get(Tip, body["tip_id"])
        assert tip is not None and "ban.doc" not in tip.text and "ban.doc" not in str(tip.answer)
    confirm = client.get(f"/gui-tin/xoa/{token}")
    assert confirm.status_code == 200 and "Xóa thông tin liên hệ" in confirm.text
    csrf = confirm.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = client.post(f"/gui-tin/xoa/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Đã xóa thông tin liên hệ" in done.text
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(TipContact)) == 0
        assert s.get(Tip, body["tip_id"]) is not None  # the tip itself stays
    assert client.get(f"/gui-tin/xoa/{token}").status_code == 404


def test_tip_too_long_or_empty_is_a_clear_422(client: TestClient) -> None:
    long = client.post("/api/v1/tips", json={"text": "a" * 5001})
    assert long.status_code == 422
    err = long.json()["error"]
    assert err["code"] == "validation_error" and "5000" in str(err["details"])
    blank = client.post("/api/v1/tips", json={"text": "   \u200b  "})
    assert blank.status_code == 422 and "trống" in blank.json()["error"]["message"]
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Tip)) == 0


def test_rate_limit_429_with_retry_after(seeded: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.settings import get_settings
    from kiemchung.web.app import create_app

    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "2")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        for _ in range(2):
            assert c.post("/api/v1/match", json={"text": "giá xăng tăng"}).status_code == 200
        r = c.post("/api/v1/tips", json={"text": "giá xăng tăng"})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"
        assert "thử lại" in r.json()["error"]["message"]
        page = c.post("/gui-tin", data={"text": "x"}, headers={"accept": "text/html"})
        assert page.status_code == 429 and "Quá nhiều yêu cầu" in page.text
        assert c.get("/api/v1/fact-checks").status_code == 200  # reads are not limited


@pytest.mark.parametrize(
    "text",
    [
        CLAIMS[Verdict.scam][0],
        "Nghe nói uống nước chanh nóng chữa khỏi ung thư, có đúng không?",
        "Hà Nội sẽ cấm xe máy ở Hoàn Kiếm",
    ],
)
def test_tip_follows_the_engine_answer_decision(client: TestClient, text: str) -> None:
    from kiemchung.engine.index import get_index

    engine = get_index().match_fact_checks([text], top=5)[0]
    body = client.post("/api/v1/tips", json={"text": text}).json()
    if engine.answer is not None:
        assert body["status"] == "answered" and body["fact_check"]["id"] == int(engine.answer)
    else:
        assert body["status"] in ("warned", "received") and body["fact_check"] is None
