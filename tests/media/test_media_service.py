"""Stored pictures on SQLite and PostgreSQL: one row and one file per content, PDQ lookup only
among published fact-checks, flat pictures never matched."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_render import encode, noise_photo
from PIL import Image

from kiemchung.media.service import attach_image, fact_check_images, pdq_match, save_image
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, FactCheckStatus, Verdict


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_store_attach_and_match(db_url: str, data_dir: Path) -> None:
    photo = noise_photo(31, (400, 300))
    with session_scope(db_url) as s:
        live = FactCheck(
            slug="a", claim_reviewed="Ảnh cũ", verdict=Verdict.misleading, status=FactCheckStatus.published
        )
        draft = FactCheck(
            slug="b", claim_reviewed="Ảnh khác", verdict=Verdict.false, status=FactCheckStatus.draft
        )
        s.add_all([live, draft])
        s.flush()
        first = save_image(s, encode(photo, "PNG"), run_ocr=False)
        again = save_image(s, encode(photo, "PNG"), run_ocr=False)
        assert first.id == again.id
        attach_image(s, live, first, "Ảnh lan truyền")
        attach_image(s, live, first, "Mô tả mới")  # idempotent, alt text updated
        other = save_image(s, encode(noise_photo(32, (400, 300)), "PNG"), run_ocr=False)
        attach_image(s, draft, other)
        assert [link.alt_text for link in fact_check_images(s, live.id)] == ["Mô tả mới"]
        live_id = live.id
    assert len([p for p in (data_dir / "media").rglob("*") if p.is_file()]) == 2
    with session_scope(db_url) as s:
        copy = save_image(s, encode(photo.resize((200, 150)), "JPEG", quality=60), run_ocr=False)
        hit = pdq_match(s, copy.pdq, copy.pdq_quality)
        assert hit is not None and hit.fact_check.id == live_id and hit.distance <= 52
        draft_copy = save_image(s, encode(noise_photo(32, (400, 300)), "JPEG"), run_ocr=False)
        assert pdq_match(s, draft_copy.pdq, draft_copy.pdq_quality) is None  # drafts answer nothing
        flat = save_image(s, encode(Image.new("RGB", (300, 300), "white")), run_ocr=False)
        assert flat.pdq_quality < 50 and pdq_match(s, flat.pdq, flat.pdq_quality) is None
