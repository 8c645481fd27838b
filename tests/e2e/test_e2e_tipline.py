"""The tipline's promise in a real browser: a tip asking for an e-mail reply reaches the desk,
the desk publishes a fact-check for its claim (author + a second reviewer), and the reply arrives
at a real local SMTP server; a reload never sends a tip twice; the scam warning on a phone shows
the verdict and what to do above the fold.

Screenshots go to test-artifacts/tipline/.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from test_e2e_desk import login

from kiemchung.store import session_scope
from kiemchung.store.models import Outbox, OutboxStatus, Tip, TipContact

pytestmark = pytest.mark.browser


def _wait(fn: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def test_tip_with_email_reply_is_answered_after_the_desk_publishes(
    browser: Any, live_server: str, live_db_url: str, smtp_inbox: Any, shot: Any
) -> None:
    base = live_server
    marker = uuid.uuid4().hex[:6]
    email = f"nguoidoc.{marker}@example.org"
    text = f"Nghe nói thị trấn Sa Pa thu phí tham quan {marker} 300 nghìn đồng mỗi người từ tháng sau, thật không?"
    tipster = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN").new_page()
    tipster.goto(f"{base}/gui-tin")
    tipster.fill("#tip-text", text)
    tipster.check("input[name=want_reply]")
    tipster.fill("#tip-contact", email)
    tipster.click("form.tip-form button[type=submit]")
    tipster.wait_for_url(re.compile(r"/gui-tin/trang-thai/[\w-]+$"))
    status_url = tipster.url
    tipster.wait_for_selector(".tip-received")
    shot(tipster, "01-tip-received")
    # post/redirect/get: reloading the result page does not send the tip again
    tipster.reload()
    tipster.wait_for_selector(".tip-received")
    with session_scope(live_db_url) as s:
        assert s.scalar(select(func.count(Tip.id)).where(Tip.text.contains(marker))) == 1

    def claim_id() -> int | None:
        with session_scope(live_db_url) as s:
            return s.scalar(select(Tip.claim_id).where(Tip.text.contains(marker)))

    cid = _wait(claim_id)
    assert cid, "the tip never reached the desk queue"

    editor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    login(editor, base, "bientap@demo.kiemchung.vn", f"/desk/claims/{cid}")
    demand = editor.inner_text(".tip-demand")
    assert "hỏi 1 lần" in demand and "1 người chờ phản hồi" in demand
    shot(editor, "02-desk-claim")
    editor.click("text=Viết bài kiểm chứng mới")
    editor.wait_for_url(re.compile(r"/desk/fact-checks/new\?claim=\d+"))
    title = f"Sa Pa thu phí tham quan {marker}"
    editor.fill("#claim_reviewed", title)
    editor.select_option("#verdict", "false")
    editor.fill("#summary", "Không có quyết định thu phí tham quan như tin đồn.")
    editor.fill("#body", "## Kết luận\n\nChính quyền địa phương chưa ban hành khoản phí nào như vậy.")
    editor.locator("input[name=cit_title]").first.fill("Cổng thông tin tỉnh")
    editor.locator("input[name=cit_url]").first.fill("https://laocai.gov.vn/thong-bao")
    editor.locator("textarea[name=cit_quote]").first.fill("Không thu phí tham quan thị trấn.")
    editor.click("form.editor button[type=submit]")
    editor.wait_for_url(re.compile(r"/desk/fact-checks/\d+$"))
    fc_url = editor.url
    editor.click("button[value=submit]")
    editor.wait_for_selector("text=Đã gửi duyệt")

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    login(reviewer, base, "kiemduyet@demo.kiemchung.vn", fc_url.removeprefix(base))
    reviewer.click("button[value=approve]")
    reviewer.wait_for_selector("text=Đã duyệt")
    reviewer.click("button[value=publish]")
    reviewer.wait_for_selector(".alert-ok >> text=Đã xuất bản")
    shot(reviewer, "03-published")

    def reply() -> Any:
        return next((m for m in smtp_inbox.messages if m["To"] == email), None)

    msg = _wait(reply)
    assert msg is not None, "no reply reached the SMTP server"
    assert "Kết quả kiểm chứng" in str(msg["Subject"])
    body = str(msg.get_content())
    assert title in body and "/kiem-chung/" in body and status_url in body
    with session_scope(live_db_url) as s:
        tip = s.scalars(select(Tip).where(Tip.text.contains(marker))).one()
        row = s.scalars(select(Outbox).where(Outbox.tip_id == tip.id)).one()
        assert row.status == OutboxStatus.sent and row.attempts == 1
        assert (
            s.scalar(select(TipContact.id).where(TipContact.tip_id == tip.id)) is None
        )  # deleted after sending

    # the tipster's status page now links the published fact-check
    tipster.goto(status_url)
    tipster.wait_for_selector(".tip-answered")
    assert title in tipster.inner_text(".tip-answered h1")
    assert "Đã có kết quả kiểm chứng" in tipster.inner_text(".tip-status-label")
    shot(tipster, "04-tip-answered")


def test_scam_warning_on_a_phone_verdict_and_advice_above_the_fold(
    live_server: str, browser: Any, shot: Any
) -> None:
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN").new_page()
    page.goto(f"{live_server}/gui-tin")
    page.fill(
        "#tip-text",
        "Số 0900 000 168 nhắn tin hẹn giao hàng, bảo tôi chuyển trước 35 nghìn phí ship rồi mới giao. "
        "Họ còn cho số 0912 000 111 để gọi lại.",
    )
    page.click("form.tip-form button[type=submit]")
    page.wait_for_url(re.compile(r"/gui-tin/trang-thai/[\w-]+$"))
    page.wait_for_selector(".tip-warned")
    shot(page, "05-scam-warning-phone", full_page=False)
    verdict = page.locator(".tip-warned .warn-verdict").bounding_box()
    advice = page.locator(".tip-warned .warn-advice").bounding_box()
    assert verdict and advice
    assert verdict["y"] < advice["y"] and advice["y"] + advice["height"] <= 844, (verdict, advice)
    reasons = page.locator(".warn-reasons li").all_inner_texts()
    assert reasons and any("0900 000 168" in r for r in reasons)
    assert not any(" / " in r or "+84" in r or "Chưa có trong danh sách" in r for r in reasons)
    assert "0912 000 111" not in " ".join(reasons)  # not on any list: that is no reason
