"""A screenshot tip in a real browser: the reader uploads a picture of a post (drawn here with
DejaVu, which has the Vietnamese glyphs), and gets the fact-check's answer on the status page with
the text read from the picture. Screenshots go to test-artifacts/images/.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

from kiemchung.media.ocr import available

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not available(), reason="Tesseract with Vietnamese data is not installed"),
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def answerable_claim(base: str) -> tuple[str, dict[str, Any]]:
    """A published claim the engine answers with its own fact-check (first call builds the index)."""
    items = httpx.get(f"{base}/api/v1/fact-checks", params={"per_page": 100}, timeout=120).json()["items"]
    for fc in items:
        m = httpx.post(f"{base}/api/v1/match", json={"text": fc["claim_reviewed"]}, timeout=120).json()
        if m["answer"] == fc["id"]:
            return fc["claim_reviewed"], fc
    pytest.fail(f"the engine answered none of the {len(items)} published claims, even verbatim")


def render_post(text: str, path: Path) -> Path:
    """A phone-screenshot-like PNG: group name, the post wrapped to 34 characters, buttons."""
    font, small = ImageFont.truetype(FONT, 30), ImageFont.truetype(FONT, 20)
    lines = textwrap.wrap(text, 34)
    img = Image.new("RGB", (640, 150 + 46 * len(lines)), "white")
    d = ImageDraw.Draw(img)
    d.text((24, 18), "Hội Cư Dân Khu Tập Thể", font=small, fill=(90, 90, 90))
    for i, line in enumerate(lines):
        d.text((24, 70 + 46 * i), line, font=font, fill="black")
    d.text((24, 90 + 46 * len(lines)), "Thích    Bình luận    Chia sẻ", font=small, fill=(90, 90, 90))
    img.save(path)
    return path


def test_screenshot_tip_is_read_and_answered(page: Any, live_server: str, shot: Any, tmp_path: Path) -> None:
    base = live_server
    text, fc = answerable_claim(base)
    picture = render_post(text, tmp_path / "bai-dang.png")
    page.goto(f"{base}/gui-tin")
    assert page.is_visible("#tip-image")
    page.set_input_files("#tip-image", str(picture))
    shot(page, "01-tip-form-with-image")
    page.click("form.tip-form button[type=submit]")
    page.wait_for_url(re.compile(r"/gui-tin/trang-thai/[\w-]+$"), timeout=60_000)
    page.wait_for_selector(".tip-answered")
    shot(page, "02-screenshot-answered")
    assert fc["claim_reviewed"] in page.inner_text(".tip-answered h1")
    assert "độ tin cậy" in page.inner_text(".ocr-confidence")
    # post/redirect/get: a reload shows the same status without sending the picture again
    page.reload()
    page.wait_for_selector(".tip-answered")


def test_fact_check_page_shows_the_checked_picture_stamped(
    page: Any, live_server: str, live_db_url: str, shot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiemchung.media.service import attach_image, save_image
    from kiemchung.settings import get_settings
    from kiemchung.store import session_scope
    from kiemchung.store.models import FactCheck

    base = live_server
    text, fc = answerable_claim(base)
    # the picture goes into the live server's data dir, as an editor's upload would
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(Path(live_db_url.removeprefix("sqlite:///")).parent))
    get_settings.cache_clear()
    picture = render_post(text, tmp_path / "lan-truyen.png").read_bytes()
    with session_scope(live_db_url) as s:
        row = s.get(FactCheck, fc["id"])
        assert row is not None
        attach_image(s, row, save_image(s, picture, run_ocr=False), "Ảnh chụp bài đăng lan truyền")
    get_settings.cache_clear()
    page.goto(f"{base}/kiem-chung/{fc['slug']}")
    page.wait_for_selector(".checked-image img")
    shot(page, "03-fact-check-with-checked-image")
    assert "ẢNH ĐÃ KIỂM CHỨNG" in page.inner_text(".checked-stamp")
    img = page.locator(".checked-image img")
    assert img.get_attribute("alt") == "Ảnh chụp bài đăng lan truyền"
    assert page.evaluate("document.querySelector('.checked-image img').naturalWidth") > 0
