"""Vietnamese OCR on pictures drawn here, its pre-processing steps, and life without Tesseract."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_render import encode, screenshot
from typer.testing import CliRunner

from kiemchung.media import ocr
from kiemchung.media.service import save_image
from kiemchung.store import session_scope

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="Tesseract with Vietnamese data is not installed")
LINES = ["Tin đồn: từ tháng sau phường", "Bến Thành thu phí đi bộ 20.000", "đồng mỗi lượt, ai cũng phải nộp"]


@needs_ocr
def test_reads_vietnamese_with_confidence_and_drops_chrome() -> None:
    res = ocr.read_text(screenshot(LINES))
    assert "phường Bến Thành thu phí đi bộ 20.000 đồng" in res.text  # reflowed across the wrapped lines
    assert "Thích" not in res.text and "Nhóm Tin Tức" not in res.text  # buttons, header
    assert 0.7 < res.confidence <= 1.0
    bare = ocr.read_text(screenshot(LINES), frozenset())
    assert "Thích" in bare.text and "\n" in bare.text  # the steps are what removed them


@needs_ocr
def test_small_text_and_light_on_dark_cards() -> None:
    small = screenshot(LINES, size=11)
    assert ocr.text_scale(small) > 1.5
    assert "Bến Thành" in ocr.read_text(small, frozenset({"upscale", "reflow", "chrome"})).text
    card = screenshot(LINES, bg="#1d4e89", fg="white")
    assert "Bến Thành" in ocr.read_text(card, frozenset({"binarise", "reflow"})).text


def test_without_tesseract_the_picture_is_still_kept(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiemchung.store import upgrade

    upgrade()
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ocr.OcrUnavailable, match="tesseract-ocr-vie"):
        ocr.read_text(screenshot(LINES))
    with session_scope() as s:
        image = save_image(s, encode(screenshot(LINES)))
        assert image.ocr_text is None and image.ocr_confidence is None and len(image.pdq) == 64


def test_demo_says_what_to_install(monkeypatch: pytest.MonkeyPatch, configured: str, tmp_path: Path) -> None:
    from kiemchung import cli
    from kiemchung.demo import load

    monkeypatch.setattr(ocr, "available", lambda: False)
    monkeypatch.setattr(load, "load_demo", lambda: None)  # the demo data is tested elsewhere
    out = CliRunner().invoke(cli.app, ["demo", "--no-serve"])
    assert out.exit_code == 0, out.output
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in out.output


@needs_ocr
def test_deskew_turns_a_sideways_screenshot_upright() -> None:
    sideways = screenshot(LINES * 2).rotate(90, expand=True)
    upright = ocr.deskew(sideways)
    assert upright.width > upright.height
    assert "Bến Thành" in ocr.read_text(sideways, frozenset({"deskew", "reflow", "chrome"})).text
