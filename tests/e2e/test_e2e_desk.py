"""The editors' desk in a real browser: triage → write with a citation → second-person approval →
publish → correction; and a stored-XSS probe that must stay inert text.

Screenshots of each step go to test-artifacts/desk/.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from kiemchung.store import models, session_scope

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "kiemchung-demo"
XSS = '<script>window.__x=1</script><img src=x onerror="window.__x=1">'


def login(page: Any, base: str, email: str, next_path: str = "/desk/") -> None:
    page.goto(f"{base}{next_path}")
    assert "/desk/login" in page.url  # sent to the login page first
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/desk/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base + next_path) + r"$"))


def test_write_review_publish_correct(browser: Any, live_server: str, shot: Any) -> None:
    base = live_server
    editor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = editor.new_page()
    page.goto(f"{base}/desk/")
    shot(page, "01-login")
    login(page, base, "bientap@demo.kiemchung.vn")
    # the queue, ordered by priority, with score bars
    assert page.locator("#queue-rows tr").count() > 1
    assert page.locator(".score-bar").count() > 1
    shot(page, "02-queue", full_page=False)
    page.locator("#queue-rows a.claim-link").first.click()
    page.wait_for_url(re.compile(r"/desk/claims/\d+$"))
    claim_text = page.locator("h1.claim-text").inner_text()
    assert page.locator("svg.timeline").count() == 1
    shot(page, "03-claim")

    page.click("text=Viết bài kiểm chứng mới")
    page.wait_for_url(re.compile(r"/desk/fact-checks/new\?claim=\d+"))
    assert page.input_value("#claim_text").strip() == claim_text.strip()
    title = f"Kiểm chứng thử {uuid.uuid4().hex[:6]}"
    page.fill("#claim_reviewed", title)
    assert page.locator("#claim-counter").inner_text() == str(len(title))
    page.select_option("#verdict", "false")
    page.fill("#summary", "Nhận định này sai theo văn bản chính thức.")
    page.fill("#body", "## Kết luận\n\nTheo **văn bản chính thức**, nhận định này không đúng.")
    page.click("text=Xem trước")
    page.wait_for_selector("#preview strong")
    # cite a library passage found with a no-diacritic search
    page.fill("#pick-q", "bo")
    page.wait_for_selector("#pick-results .pick-hit")
    page.locator("#pick-results button").first.click()
    # a locator wait, not wait_for_function: the page's CSP forbids the eval that polling needs
    page.locator("#citations .citation").nth(1).wait_for()
    assert page.locator("#citations .citation").last.locator("textarea[name=cit_quote]").input_value()
    shot(page, "04-editor")
    page.click("form.editor button[type=submit]")
    page.wait_for_url(re.compile(r"/desk/fact-checks/\d+$"))
    fc_url = page.url
    page.click("button[value=submit]")
    page.wait_for_selector("text=Đã gửi duyệt")
    # the author sees no approve button
    assert page.locator("button[value=approve]").count() == 0
    shot(page, "05-submitted")

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    rpage = reviewer.new_page()
    login(rpage, base, "kiemduyet@demo.kiemchung.vn", fc_url.removeprefix(base))
    rpage.click("button[value=approve]")
    rpage.wait_for_selector("text=Đã duyệt")
    shot(rpage, "06-approved")
    rpage.click("button[value=publish]")
    rpage.wait_for_selector(".alert-ok >> text=Đã xuất bản")
    # the index job runs after the response; the badge polls until it did
    rpage.wait_for_selector("#index-status >> text=đã cập nhật chỉ mục")
    assert rpage.locator(".steps li.current").inner_text() in ("Đã xuất bản", "Published")
    public_link = rpage.locator(".public-link a")  # after publishing: straight to the public page
    assert public_link.get_attribute("href").startswith("/kiem-chung/")
    public_path = public_link.get_attribute("href")
    shot(rpage, "07-published")

    # correction by the editor: a note is required, a new version is made, still published
    page.goto(fc_url + "/edit")
    assert page.locator("#correction_note").count() == 1
    page.fill("#summary", "Nhận định này sai theo văn bản chính thức ngày 01/11/2026.")
    page.fill("#correction_note", "Bổ sung ngày ban hành văn bản.")
    shot(page, "08-correction-form")
    page.click("form.editor button[type=submit]")
    page.wait_for_url(fc_url)
    # the correction waits for a second person; readers still see the published text
    assert page.locator(".pending-correction").count() == 1
    assert "Bổ sung ngày ban hành văn bản." in page.content()
    assert page.locator("button[value=approve_correction]").count() == 0
    shot(page, "08b-correction-pending")
    public = editor.new_page()
    public.goto(base + public_path)
    assert "01/11/2026" not in public.locator("article.fc-detail").inner_text()
    rpage.goto(fc_url)
    rpage.click("button[value=approve_correction]")
    rpage.wait_for_selector(".alert-ok")
    public.goto(base + public_path)
    notice = public.locator(".correction-notice")
    assert "Bổ sung ngày ban hành văn bản." in notice.inner_text()
    assert notice.bounding_box()["y"] < public.locator("h1.claim").bounding_box()["y"]
    shot(public, "08c-public-correction-notice", full_page=False)
    public.close()
    page.goto(fc_url)
    page.click("text=Lịch sử phiên bản")
    page.wait_for_selector(".revision")
    assert page.locator(".diff-add", has_text="01/11/2026").count() >= 1
    shot(page, "09-history")

    # mobile layout of the queue
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    ppage = phone.new_page()
    login(ppage, base, "xem@demo.kiemchung.vn")
    assert ppage.evaluate("document.documentElement.scrollWidth") <= 400
    # compact on a phone: the first claims are on the first screen and a row is a short card
    rows = ppage.locator("#queue-rows tr")
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first["y"] + first["height"] < 844 and second["y"] < 844
    assert first["height"] < 240, first
    shot(ppage, "10-queue-phone", full_page=False)
    for ctx in (editor, reviewer, phone):
        ctx.close()


def test_xss_in_item_text_does_not_run(browser: Any, live_server: str, live_db_url: str, shot: Any) -> None:
    # CSP off in this context: the payload must stay inert because it is escaped, not only because
    # the Content-Security-Policy would block it.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", bypass_csp=True)
    page = ctx.new_page()
    with session_scope(live_db_url) as s:
        src = models.Source(name=f"XSS {uuid.uuid4().hex[:6]}")
        s.add(src)
        s.flush()
        item = models.Item(
            source_id=src.id, text=f"{XSS} Tin đồn thử", content_hash=uuid.uuid4().hex, processed=True
        )
        claim = models.Claim(text=f"{XSS} nhận định", checkworthiness=0.99, item_count=1, engagement=10**6)
        s.add_all([item, claim])
        s.flush()
        s.add(models.ClaimItem(claim_id=claim.id, item_id=item.id, sentence=item.text))
        cid = claim.id
    login(page, live_server, "bientap@demo.kiemchung.vn", f"/desk/claims/{cid}")
    assert page.evaluate("window.__x") is None
    body = page.inner_text("main")
    assert "<script>window.__x=1</script>" in body  # shown as text
    assert page.locator("main img[src=x]").count() == 0
    shot(page, "11-xss-claim")
    page.goto(f"{live_server}/desk/")
    assert page.evaluate("window.__x") is None
    ctx.close()
