"""Pictures in bulk intake: ``kiemchung ingest`` records naming an image file (relative to the
JSONL file) or carrying base64, and ``POST /api/items`` as base64 JSON or multipart. Each picture
goes through the media pipeline (metadata stripped, OCR, PDQ); the OCR text is the item's text.
Copies of a picture without words become one post, like repeated texts."""

from __future__ import annotations

import base64
import json
import sys
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

from media_render import encode, noise_photo, screenshot

from kiemchung.intake.api import router
from kiemchung.intake.ingest import ingest_path
from kiemchung.media import ocr
from kiemchung.media.intake import media_dir, stored_path
from kiemchung.settings import get_settings
from kiemchung.store.db import session_scope
from kiemchung.store.models import Item, ItemImage, MediaImage

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="Tesseract with Vietnamese data is not installed")
TOKEN = "t0ken-for-image-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CARD = ["Thông báo: xã Tân Hòa phát", "khẩu trang miễn phí cho", "mọi người từ thứ Hai tuần sau"]
CARD2 = ["Cảnh báo: nước giếng ở thôn", "Đông Lâm bị nhiễm độc, không", "được dùng để nấu ăn"]


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Nguoi Chup Anh"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (10.0, 46.0, 30.0)
    return encode(screenshot(CARD2), "JPEG", exif=exif.tobytes(), quality=92)


def _items(url: str) -> list[tuple[Item, list[MediaImage]]]:
    with session_scope(url) as s:
        out = []
        for item in s.scalars(select(Item).order_by(Item.id)):
            images = list(
                s.scalars(
                    select(MediaImage)
                    .join(ItemImage, ItemImage.image_id == MediaImage.id)
                    .where(ItemImage.item_id == item.id)
                )
            )
            out.append((item, images))
        for item, images in out:
            s.expunge(item)
            for im in images:
                s.expunge(im)
        return out


@needs_ocr
def test_ingest_jsonl_with_image_files_and_base64(configured: str, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "anh").mkdir(parents=True)
    (folder / "anh" / "the-1.png").write_bytes(encode(screenshot(CARD)))
    (tmp_path / "outside.png").write_bytes(encode(screenshot(CARD)))
    b64 = base64.b64encode(_gps_jpeg()).decode()
    lines = [
        {"text": "Bài chỉ có chữ về giá xăng tăng"},
        {"image": "anh/the-1.png", "likes": 12},
        {"image_base64": "data:image/jpeg;base64," + b64, "text": "Ai biết tin này không?"},
        {"image": "../outside.png"},  # leaves the folder: refused
        {"image": "anh/khong-co.png"},
        {"image_base64": "%%% not base64"},
        {"image_base64": base64.b64encode(b"GIF89a but not really").decode()},
    ]
    src = folder / "posts.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")

    report = ingest_path(str(src), progress=False, run_engine=False)

    assert (report.stored, report.images) == (3, 2)
    assert [n for n, _ in report.rejected] == [4, 5, 6, 7]
    reasons = dict(report.rejected)
    assert "thư mục" in reasons[4] and "Không tìm thấy" in reasons[5] and "base64" in reasons[6]
    rows = _items(configured)
    plain, card, jpeg = rows
    assert plain[1] == []
    assert "khẩu trang" in card[0].text.lower() and "tân hòa" in card[0].text.lower()
    assert card[0].likes == 12
    assert jpeg[0].text.startswith("Ai biết tin này không?\n") and "giếng" in jpeg[0].text
    image = jpeg[1][0]
    assert image.ocr_confidence and image.ocr_confidence > 0.5 and len(image.pdq) == 64
    stored = stored_path(image.sha256, image.ext, media_dir()).read_bytes()
    assert b"Nguoi Chup Anh" not in stored and not Image.open(BytesIO(stored)).getexif()

    again = ingest_path(str(src), progress=False, run_engine=False)  # idempotent
    assert (again.stored, again.duplicates, again.images) == (0, 3, 0)


def test_image_names_need_a_local_file(configured: str) -> None:
    from kiemchung.intake.ingest import ingest_records

    with session_scope(configured) as s:
        report = ingest_records(s, [{"image": "a.png"}, {"text": "chữ thường"}], source_name="t")
    assert report.stored == 1 and "image_base64" in report.rejected[0][1]


@pytest.fixture()
def api(configured: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("KIEMCHUNG_INTAKE_TOKEN", TOKEN)
    monkeypatch.setenv("KIEMCHUNG_ENGINE_IN_PROCESS", "false")
    get_settings.cache_clear()
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


@needs_ocr
def test_api_base64_json(api: TestClient, configured: str) -> None:
    png = base64.b64encode(encode(screenshot(CARD))).decode()
    body = {"source": "Ảnh nhóm Zalo", "items": [{"image_base64": png}, {"image_base64": "@@"}]}
    r = api.post("/api/items", json=body, headers=AUTH)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["stored"], out["images"], out["rejected"]) == (1, 1, 1)
    assert out["errors"][0]["index"] == 1
    ((item, images),) = _items(configured)
    assert "khẩu trang" in item.text.lower() and len(images) == 1


@needs_ocr
def test_api_multipart(api: TestClient, configured: str) -> None:
    items = [{"image": "card.png", "text": "Có thật không?"}, {"image": "photo"}, {"image": "missing.png"}]
    r = api.post(
        "/api/items",
        data={"items": json.dumps(items), "source": "Chụp màn hình"},
        files=[
            ("f1", ("card.png", encode(screenshot(CARD)), "image/png")),
            ("photo", ("anything.bin", encode(noise_photo(3), "WEBP"), "application/octet-stream")),
        ],
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["source"], out["stored"], out["images"]) == ("Chụp màn hình", 2, 2), out
    assert out["errors"][0]["index"] == 2 and "missing.png" in out["errors"][0]["reason"]
    (card, card_images), (photo, photo_images) = _items(configured)
    assert card.text.startswith("Có thật không?\n") and "tân hòa" in card.text.lower()
    assert card_images[0].ocr_text and card_images[0].ocr_confidence
    assert photo.text.startswith("[Ảnh không đọc được chữ") and photo_images[0].width == 320


def test_api_multipart_needs_items(api: TestClient) -> None:
    r = api.post("/api/items", files=[("f1", ("a.png", encode(noise_photo(1)), "image/png"))], headers=AUTH)
    assert r.status_code == 422


@needs_ocr
def test_picture_records_on_both_backends(configured: str, db_url: str) -> None:
    """The bulk insert differs per back-end (PostgreSQL's executemany); the picture links the same."""
    from kiemchung.intake.ingest import ingest_records

    png = base64.b64encode(encode(screenshot(CARD))).decode()
    records = [
        {"image_base64": png, "external_id": "p1"},
        {"text": "Một bài chỉ có chữ", "external_id": "p2"},
    ]
    with session_scope(db_url) as s:
        report = ingest_records(s, records, source_name="Ảnh hai cơ sở dữ liệu")
    assert (report.stored, report.images) == (2, 1)
    (card, images), (plain, none) = _items(db_url)
    assert "khẩu trang" in card.text.lower() and len(images) == 1
    assert plain.text == "Một bài chỉ có chữ" and none == []
    with session_scope(db_url) as s:  # the same records again: nothing new, no second link
        again = ingest_records(s, records, source_name="Ảnh hai cơ sở dữ liệu")
    assert (again.stored, again.duplicates, again.images) == (0, 2, 0)


def test_api_multipart_with_a_source_and_broken_items_json_is_a_400(api: TestClient) -> None:
    r = api.post(
        "/api/items",
        data={"items": '[{"image": "a.png"', "source": "Chụp màn hình"},
        files=[("f1", ("a.png", b"\x89PNG", "image/png"))],
        headers=AUTH,
    )
    assert r.status_code == 400 and "JSON" in r.text


def test_copies_of_a_picture_without_words_are_one_post(configured: str) -> None:
    """Within one import and across imports, a re-encoded, resized copy of a photo with nothing to
    read is the same post (a duplicate, like a repeated text); an unrelated photo is not."""
    from kiemchung.engine import pipeline
    from kiemchung.engine.pipeline import process_pending
    from kiemchung.intake.ingest import ingest_records

    photo = noise_photo(51, (640, 480))
    w, h = photo.size

    def b64(img: Image.Image, quality: int) -> dict[str, str]:
        return {"image_base64": base64.b64encode(encode(img, "JPEG", quality=quality)).decode()}

    smaller = photo.resize((w * 2 // 3, h * 2 // 3), Image.Resampling.BILINEAR)
    with session_scope(configured) as s:
        first = ingest_records(
            s, [b64(photo, 92), b64(smaller, 40), b64(noise_photo(52, (640, 480)), 92)], source_name="Nhóm A"
        )
    assert (first.stored, first.duplicates) == (2, 1)  # the copy repeats the first post
    with session_scope(configured) as s:  # another group shares it again, half size
        later = ingest_records(s, [b64(photo.resize((w // 2, h // 2)), 60)], source_name="Nhóm B")
    assert later.stored == 1
    (original, _), (other, _), (shared, shared_images) = _items(configured)
    assert shared.text == original.text != other.text and len(shared_images) == 1
    pipeline.reset_state()
    with session_scope(configured) as s:
        process_pending(s)
    with session_scope(configured) as s:
        again, stranger = s.get(Item, shared.id), s.get(Item, other.id)
        assert again is not None and again.duplicate_of_id == original.id
        assert stranger is not None and stranger.duplicate_of_id is None
