"""'Người dân đang hỏi gì' in a real browser: reached from the public navigation, the most asked
claims with their counts and answers, the topic and province filters (and a link through to the
answering fact-check), the English page, and a phone screen without sideways scrolling.

Screenshots go to test-artifacts/asking/.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from kiemchung.store import models, session_scope
from kiemchung.store.models import FactCheckStatus, TipStatus, Verdict, utcnow

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
BRIDGE = "Cầu Long Biên ở Hà Nội sẽ bị đóng cửa vĩnh viễn từ tuần sau"
SALT = "Muối i-ốt ở Cần Thơ đang bị thu hồi toàn bộ vì nhiễm độc"


def seed(url: str) -> str:
    tag = uuid.uuid4().hex[:8]
    now = utcnow()
    with session_scope(url) as s:
        src = models.Source(name=f"Theo dõi mạng xã hội {tag}")
        s.add(src)
        s.flush()
        slug = f"muoi-i-ot-{tag}"
        for n, (text, topic, tips, posts) in enumerate(
            [(BRIDGE, "giao-thong", 5, 3), (SALT, "thuc-pham", 3, 1)]
        ):
            c = models.Claim(text=text, topic=topic)
            s.add(c)
            s.flush()
            for k in range(posts):
                it = models.Item(
                    source_id=src.id,
                    text=text,
                    content_hash=f"{tag}-{n}-{k}",
                    published_at=now - timedelta(hours=k + 1),
                )
                s.add(it)
                s.flush()
                s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
            for k in range(tips):
                s.add(
                    models.Tip(
                        text=text,
                        claim_id=c.id,
                        received_at=now - timedelta(hours=k + 2),
                        status=TipStatus.received,
                    )
                )
            if n == 1:
                s.add(
                    models.FactCheck(
                        slug=slug,
                        claim_reviewed="Muối i-ốt ở Cần Thơ không bị thu hồi",
                        claim_text=SALT,
                        verdict=Verdict.false,
                        summary="Cơ quan quản lý thực phẩm không có quyết định thu hồi nào.",
                        status=FactCheckStatus.published,
                        claim_id=c.id,
                        published_at=now - timedelta(minutes=30),
                    )
                )
    return slug


def test_what_people_are_asking(browser: Any, live_server: str, live_db_url: str, shot: Any) -> None:
    slug = seed(live_db_url)
    base = live_server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(base + "/")
    page.click("nav.main-nav a[href='/nguoi-dan-hoi']")
    page.wait_for_url(base + "/nguoi-dan-hoi")
    assert page.locator("h1").inner_text() == "Người dân đang hỏi gì"
    bridge = page.locator("li.asking-item", has_text=BRIDGE)
    assert "5 lượt hỏi · 3 bài đăng" in bridge.inner_text() and "Đang kiểm chứng" in bridge.inner_text()
    salt = page.locator("li.asking-item", has_text=SALT)
    assert "3 lượt hỏi · 1 bài đăng" in salt.inner_text() and "Đã có trả lời" in salt.inner_text()
    # most asked first
    texts = page.locator("li.asking-item h2").all_inner_texts()
    assert texts.index(BRIDGE) < texts.index(SALT)
    shot(page, "01-page")

    # accessible: one h1, a main landmark, every filter labelled, keyboard reaches the filters
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    for sel in ("#ask-topic", "#ask-area"):
        assert page.locator(f"label[for='{sel[1:]}']").count() == 1
    assert page.evaluate("document.documentElement.lang") == "vi"

    page.select_option("#ask-topic", "thuc-pham")
    page.click("form.asking-filters button[type=submit]")
    page.wait_for_url("**/nguoi-dan-hoi?chu-de=thuc-pham*")
    assert page.locator("li.asking-item", has_text=SALT).count() == 1
    assert page.locator("li.asking-item", has_text=BRIDGE).count() == 0
    shot(page, "02-topic-filter")
    page.click(f"a[href='/kiem-chung/{slug}']")
    page.wait_for_url(f"**/kiem-chung/{slug}")
    assert "Muối i-ốt ở Cần Thơ không bị thu hồi" in page.locator("h1").inner_text()

    page.goto(base + "/nguoi-dan-hoi?tinh=1")  # Hà Nội
    assert page.locator("li.asking-item", has_text=BRIDGE).count() == 1
    assert page.locator("li.asking-item", has_text=SALT).count() == 0
    shot(page, "03-province-filter")

    page.goto(base + "/nguoi-dan-hoi?lang=en")
    assert page.locator("h1").inner_text() == "What people are asking"
    assert "5 asks · 3 posts" in page.locator("li.asking-item", has_text=BRIDGE).inner_text()
    shot(page, "04-english")
    ctx.close()

    phone_ctx = browser.new_context(**PHONE)
    phone = phone_ctx.new_page()
    phone.goto(base + "/nguoi-dan-hoi?lang=vi")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "05-phone")
    phone_ctx.close()
