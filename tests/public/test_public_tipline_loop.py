"""The tipline's reply loop on the public side: post/redirect/get, the status page and its API,
"Không phải điều tôi hỏi", near-miss suggestions, the contact confirmation and the scam warning."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from public_seed import CLAIMS, Seed
from sqlalchemy import func, select

from kiemchung.store import session_scope
from kiemchung.store.models import AuditEvent, Claim, MatchFeedback, Tip, TipContact, TipStatus, Verdict


def _csrf(client: TestClient, path: str = "/gui-tin") -> str:
    page = client.get(path).text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _tips() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count(Tip.id))) or 0)


def _token(location: str) -> str:
    m = re.fullmatch(r"/gui-tin/trang-thai/([\w-]+)", location)
    assert m, location
    return m.group(1)


def test_tip_form_redirects_after_post_and_a_reload_stores_nothing(client: TestClient) -> None:
    text = "Nghe nói phường tôi sắp cắt nước ba ngày liền để thay ống, có đúng không?"
    r = client.post("/gui-tin", data={"text": text, "csrf_token": _csrf(client)}, follow_redirects=False)
    assert r.status_code == 303
    status_page = r.headers["location"]
    token = _token(status_page)
    assert _tips() == 1
    # the browser now shows the result with GET: reloading it any number of times stores nothing
    for _ in range(3):
        page = client.get(status_page)
        assert page.status_code == 200
        assert "Đã nhận tin của bạn" in html.unescape(page.text)
    assert _tips() == 1
    with session_scope() as s:
        tip = s.scalars(select(Tip)).one()
        assert tip.status_token == token and tip.text == text


def test_contact_without_the_box_ticked_is_asked_about_not_dropped(client: TestClient) -> None:
    text = "Có tin xe buýt số 12 ngừng chạy từ thứ Hai tuần sau."
    csrf = _csrf(client)
    ask = client.post("/gui-tin", data={"text": text, "contact": "ban.doc@example.org", "csrf_token": csrf})
    assert ask.status_code == 200 and _tips() == 0
    page = html.unescape(ask.text)
    assert "chưa chọn «Tôi muốn nhận phản hồi»" in page
    assert 'value="ban.doc@example.org"' in ask.text and text in page  # nothing typed is lost
    # "Có, hãy phản hồi cho tôi" submits want_reply=1: the contact is kept
    yes = client.post(
        "/gui-tin",
        data={"text": text, "contact": "ban.doc@example.org", "want_reply": "1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert yes.status_code == 303
    with session_scope() as s:
        assert [c.contact for c in s.scalars(select(TipContact))] == ["ban.doc@example.org"]
    # "Gửi tin, không lưu liên hệ" sends the tip without it
    no = client.post(
        "/gui-tin",
        data={
            "text": text + " Ai biết không?",
            "contact": "x@example.org",
            "no_reply": "1",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert no.status_code == 303
    with session_scope() as s:
        assert s.scalar(select(func.count(TipContact.id))) == 1 and _tips() == 2


def test_api_tip_carries_status_url_and_status_follows_the_claim(client: TestClient) -> None:
    text = "Từ tháng sau xe tải trên 10 tấn bị cấm qua cầu Long Biên cả ngày."
    body = client.post("/api/v1/tips", json={"text": text}).json()
    assert body["status"] == "received" and body["not_my_question_url"] is None
    token = body["status_url"].rsplit("/", 1)[1]
    assert body["status_url"] == f"http://testserver/gui-tin/trang-thai/{token}"
    assert body["status_url"] in body["message"]
    st = client.get(f"/api/v1/tips/{token}").json()
    assert (st["status"], st["url"]) == ("received", None)
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.status_token == token)).one()
        claim = s.get(Claim, tip.claim_id)
        assert claim is not None
        claim.status = claim.status.__class__("in_progress")
    assert client.get(f"/api/v1/tips/{token}").json()["status"] == "in_progress"
    assert "Đang được kiểm chứng" in html.unescape(client.get(f"/gui-tin/trang-thai/{token}").text)
    assert client.get("/api/v1/tips/khong-co-token-nay").status_code == 404


def test_not_my_question_turns_an_answer_into_a_claim_and_records_the_miss(
    client: TestClient, seeded: Seed
) -> None:
    body = client.post("/api/v1/tips", json={"text": CLAIMS[Verdict.false][0]}).json()
    assert body["status"] == "answered"
    token = body["status_url"].rsplit("/", 1)[1]
    assert body["not_my_question_url"].endswith(f"/api/v1/tips/{token}/not-answered")
    assert "Không phải điều tôi hỏi" in body["message"] and body["status_url"] in body["message"]
    page = client.get(f"/gui-tin/trang-thai/{token}")
    assert "Không phải điều tôi hỏi" in html.unescape(page.text)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post(
        f"/gui-tin/trang-thai/{token}/khong-phai", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/gui-tin/trang-thai/{token}"
    after = html.unescape(client.get(r.headers["location"]).text)
    assert "Tin đã được chuyển tới bàn biên tập" in after and "Không phải điều tôi hỏi" not in after
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.status_token == token)).one()
        assert tip.status == TipStatus.queued and tip.claim_id is not None and tip.fact_check_id is None
        fb = s.scalars(select(MatchFeedback)).one()
        assert (fb.tip_id, fb.fact_check_id, fb.text) == (tip.id, seeded.ids[Verdict.false], tip.text)
        assert (
            s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "tip.not_my_question")) == 1
        )
    # a second click (here through the API) changes nothing and records nothing new
    again = client.post(f"/api/v1/tips/{token}/not-answered")
    assert again.status_code == 200 and again.json()["status"] == "received"
    with session_scope() as s:
        assert s.scalar(select(func.count(MatchFeedback.id))) == 1
    # a tip that was never answered automatically has nothing to take back
    other = client.post("/api/v1/tips", json={"text": "Đường Láng sẽ thành phố đi bộ từ năm sau."}).json()
    assert (
        client.post(f"/api/v1/tips/{other['status_url'].rsplit('/', 1)[1]}/not-answered").status_code == 409
    )


def test_an_answered_tip_card_takes_the_colour_of_its_verdict(client: TestClient, seeded: Seed) -> None:
    """A "Sai" answer used to sit in a green card: the card carries its verdict's class."""
    body = client.post("/api/v1/tips", json={"text": CLAIMS[Verdict.false][0]}).json()
    assert body["status"] == "answered" and body["fact_check"]["id"] == seeded.ids[Verdict.false]
    page = client.get(body["status_url"].replace("http://testserver", "")).text
    assert re.search(r'class="card tip-result tip-answered answered-false"', page)
    css = client.get("/static/css/app.css").text
    rule = re.search(r"\.tip-answered\.answered-false \{ border-top-color: var\((--[\w-]+)\); \}", css)
    assert rule and rule.group(1) == "--false"  # red, and later in the sheet than the green default
    assert css.index(".tip-answered { border-top-color: var(--ok)") < rule.start()


def test_near_miss_is_a_suggestion_and_still_reaches_the_desk(client: TestClient, seeded: Seed) -> None:
    # the real engine: same template, another disease -> a different claim (verify.veto)
    text = CLAIMS[Verdict.false][0].replace("ung thư", "tiểu đường") + " trong một tháng"
    body = client.post("/api/v1/tips", json={"text": text}).json()
    assert body["status"] == "received" and body["fact_check"] is None
    assert body["suggestion"]["id"] == seeded.ids[Verdict.false]
    assert "đã được kiểm chứng" not in body["message"] and "Có thể liên quan" in body["message"]
    token = body["status_url"].rsplit("/", 1)[1]
    page = html.unescape(client.get(f"/gui-tin/trang-thai/{token}").text)
    assert "Có thể liên quan" in page and "Đã có bài kiểm chứng" not in page
    assert CLAIMS[Verdict.false][0] in page
    st = client.get(f"/api/v1/tips/{token}").json()
    assert st["url"] is None and st["suggest_url"].endswith(seeded.slugs[Verdict.false])
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.status_token == token)).one()
        assert tip.claim_id is not None and tip.status == TipStatus.queued


def test_scam_warning_verdict_first_one_language_vietnamese_phones(client: TestClient) -> None:
    from kiemchung.scam.blocklist import add_indicator

    with session_scope() as s:
        add_indicator(s, "phone", "0987 654 321", "block", "Giả danh nhân viên ngân hàng", None)
    text = (
        "Có người gọi từ số 0987654321 nói tôi trúng thưởng một chiếc xe máy, bảo chuyển trước 2 triệu "
        "phí nhận giải. Họ cũng cho số 0912 000 111 để liên hệ lại."
    )
    body = client.post("/api/v1/tips", json={"text": text}).json()
    assert body["status"] == "warned", body
    scam = body["scam"]
    assert scam["reasons"] and all("0987 654 321" in r for r in scam["reasons"])
    assert not any(" / " in r or "+84" in r or "Chưa có trong danh sách" in r for r in scam["reasons"])
    assert scam["reasons_en"] and all("0987 654 321" in r for r in scam["reasons_en"])
    assert not any("đã bị báo cáo" in r for r in scam["reasons_en"])
    assert body["message"].startswith("Cảnh báo: CÓ DẤU HIỆU LỪA ĐẢO. Đừng chuyển tiền")
    token = body["status_url"].rsplit("/", 1)[1]
    page = html.unescape(client.get(f"/gui-tin/trang-thai/{token}").text)
    verdict_at = page.index("Có dấu hiệu lừa đảo")
    advice_at = page.index("Bạn nên làm gì")
    why_at = page.index("Vì sao")
    assert verdict_at < advice_at < why_at
    assert "+84987654321" not in page and "Not on any" not in page and "Reported as scam" not in page
    en = html.unescape(client.get(f"/gui-tin/trang-thai/{token}?lang=en").text)
    assert "This looks like a scam" in en and "What to do" in en and "đã bị báo cáo" not in en
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.status_token == token)).one()
        assert tip.answer["scam_verdict"] == "scam"
        assert {"kind": "phone", "value": "+84987654321", "verdict": "scam"} in tip.answer["scam"][
            "indicators"
        ]


def test_fact_check_page_shows_how_often_it_was_asked(client: TestClient, seeded: Seed) -> None:
    slug = seeded.slugs[Verdict.false]
    assert "Được hỏi" not in html.unescape(client.get(f"/kiem-chung/{slug}").text)
    assert client.post("/api/v1/tips", json={"text": CLAIMS[Verdict.false][0]}).json()["status"] == "answered"
    assert "Asked 1 time through" in client.get(f"/kiem-chung/{slug}?lang=en").text  # not "1 times"
    assert "Được hỏi 1 lần" in html.unescape(client.get(f"/kiem-chung/{slug}?lang=vi").text)
    assert client.post("/api/v1/tips", json={"text": CLAIMS[Verdict.false][0]}).json()["status"] == "answered"
    assert "Được hỏi 2 lần qua đường dây nhận tin" in html.unescape(client.get(f"/kiem-chung/{slug}").text)
    assert "Asked 2 times" in client.get(f"/kiem-chung/{slug}?lang=en").text


def test_api_says_when_a_contact_was_not_kept(client: TestClient) -> None:
    text = "Có tin công viên Thống Nhất thu vé vào cổng 50 nghìn từ tháng tới."
    body = client.post("/api/v1/tips", json={"text": text, "contact": "hoi@example.org"}).json()
    assert body["contact_ignored"] is True and body["delete_url"] is None
    kept = client.post(
        "/api/v1/tips", json={"text": text + " Thật không?", "contact": "hoi@example.org", "want_reply": True}
    ).json()
    assert kept["contact_ignored"] is False and kept["delete_url"]


def test_scam_warning_keyword_reason_in_each_language(client: TestClient) -> None:
    """The word-list reason of a link is Vietnamese in ``reasons``, English in ``reasons_en``."""
    text = "Vào nhacaiuytin88.com đăng ký nhận ngay 500 nghìn tiền thưởng, rút tiền trong 5 phút."
    body = client.post("/api/v1/tips", json={"text": text}).json()
    assert body["status"] == "warned", body
    vi, en = body["scam"]["reasons"], body["scam"]["reasons_en"]
    assert any("(cờ bạc)" in r for r in vi) and not any("gambling" in r for r in vi)
    assert any("(gambling)" in r for r in en) and not any("cờ bạc" in r for r in en)
    token = body["status_url"].rsplit("/", 1)[1]
    page_en = html.unescape(client.get(f"/gui-tin/trang-thai/{token}", params={"lang": "en"}).text)
    assert "(gambling)" in page_en and "cờ bạc" not in page_en
