"""Picture tips end to end: the tip form and the API read a screenshot and answer it like typed
text; a copy of a fact-check's own picture is answered even without readable text; an edited copy
and an unrelated picture are not; copies of a picture without words are one claim; the stored
picture carries no metadata and is not public."""

from __future__ import annotations

import base64
import html
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from media_render import encode, noise_photo, screenshot
from PIL import Image
from public_seed import Seed
from sqlalchemy import select

from kiemchung.engine import pipeline
from kiemchung.engine.worker import run_once
from kiemchung.media.ocr import available
from kiemchung.media.service import attach_image, claim_images, save_image
from kiemchung.public.tipstatus import demand
from kiemchung.store import session_scope
from kiemchung.store.models import Claim, FactCheck, MediaImage, Tip, TipImage, Verdict

needs_ocr = pytest.mark.skipif(not available(), reason="Tesseract with Vietnamese data is not installed")
LEMON = ["Bác sĩ nói uống nước chanh nóng", "chữa khỏi ung thư, ai cũng", "nên biết để chia sẻ"]


def _csrf(client: TestClient) -> str:
    page = client.get("/gui-tin").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _attach(fc_id: int, data: bytes, alt: str = "Ảnh lan truyền") -> int:
    with session_scope() as s:
        fc = s.get(FactCheck, fc_id)
        assert fc is not None
        image = save_image(s, data)
        attach_image(s, fc, image, alt)
        return image.id


@needs_ocr
def test_screenshot_on_the_tip_form_is_read_and_answered(client: TestClient, seeded: Seed) -> None:
    shot = encode(screenshot(LEMON), "PNG")
    r = client.post(
        "/gui-tin",
        data={"text": "", "csrf_token": _csrf(client)},
        files={"image": ("anh.png", shot, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/gui-tin/trang-thai/")
    page = html.unescape(client.get(r.headers["location"]).text)
    assert "Uống nước chanh nóng chữa khỏi ung thư" in page  # the answer's claim
    assert "Chữ đọc được trong ảnh" in page and "độ tin cậy" in page
    with session_scope() as s:
        tip = s.scalars(select(Tip)).one()
        assert tip.fact_check_id == seeded.ids[Verdict.false]
        assert "chanh nóng" in tip.text and "Thích" not in tip.text  # read; chrome dropped
        image = s.scalars(select(MediaImage).join(TipImage)).one()
        assert image.ocr_confidence is not None and image.ocr_confidence > 0.5
        assert tip.answer["image"]["ocr_confidence"] == image.ocr_confidence
    # a tipster's picture is never served publicly
    assert client.get(f"/anh/{image.id}").status_code == 404


@needs_ocr
def test_api_accepts_multipart_and_base64(client: TestClient, seeded: Seed) -> None:
    shot = encode(screenshot(LEMON), "JPEG", quality=85)
    r = client.post("/api/v1/tips", data={"channel": "zalo"}, files={"image": ("x.jpg", shot, "image/jpeg")})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "answered"
    assert r.json()["fact_check"]["id"] == seeded.ids[Verdict.false]
    assert 0.5 < r.json()["ocr_confidence"] <= 1.0
    b64 = base64.b64encode(encode(screenshot(LEMON, size=28), "PNG")).decode()
    r2 = client.post("/api/v1/tips", json={"image_base64": b64})
    assert r2.status_code == 200 and r2.json()["status"] == "answered"


def test_api_refuses_bad_images_with_a_reason(client: TestClient, seeded: Seed) -> None:
    r = client.post("/api/v1/tips", json={"image_base64": base64.b64encode(b"GIF89a broken").decode()})
    assert r.status_code == 422 and "không đọc được ảnh" in r.text.lower()
    r = client.post("/api/v1/tips", json={"image_base64": "%%%"})
    assert r.status_code == 422 and "base64" in r.text
    r = client.post("/api/v1/tips", files={"image": ("a.jpg", b"<html>not a picture</html>", "image/jpeg")})
    assert r.status_code == 422 and "Tệp không phải ảnh JPEG" in r.text
    r = client.post("/api/v1/tips", json={"text": ""})
    assert r.status_code == 422


def test_copy_of_a_checked_picture_is_answered_without_text(client: TestClient, seeded: Seed) -> None:
    photo = noise_photo(11, (640, 480))
    fc_id = seeded.ids[Verdict.misleading]
    image_id = _attach(fc_id, encode(photo, "JPEG", quality=95))
    w, h = photo.size
    copy = photo.crop((w // 50, h // 50, w - w // 50, h - h // 50)).resize((w // 2, h // 2))
    r = client.post(
        "/api/v1/tips", files={"image": ("c.jpg", encode(copy, "JPEG", quality=45), "image/jpeg")}
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert r.json()["fact_check"]["id"] == fc_id
    with session_scope() as s:
        tip = s.get(Tip, r.json()["tip_id"])
        assert tip is not None and tip.answer["image"]["pdq_distance"] is not None
    # an unrelated picture is not answered
    other = client.post("/api/v1/tips", files={"image": ("o.png", encode(noise_photo(12)), "image/png")})
    assert other.status_code == 200 and other.json()["status"] == "received"
    # the checked picture is public on the fact-check page, stamped, with alt text
    page = html.unescape(client.get(f"/kiem-chung/{seeded.slugs[Verdict.misleading]}").text)
    assert "ẢNH ĐÃ KIỂM CHỨNG" in page and 'alt="Ảnh lan truyền"' in page and f"/anh/{image_id}" in page
    served = client.get(f"/anh/{image_id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert not Image.open(BytesIO(served.content)).getexif()


@needs_ocr
def test_edited_copy_with_other_words_is_not_answered_by_its_hash(client: TestClient, seeded: Seed) -> None:
    """Same card, another place: PDQ is close, but the words decide (and the slot veto holds)."""
    fc_id = seeded.ids[Verdict.true]
    original = ["Thông báo khẩn: Hà Nội cấm xe máy", "ở quận Hoàn Kiếm từ năm 2030,", "người dân cần biết"]
    edited = ["Thông báo khẩn: Hải Phòng cấm xe máy", "ở quận Hoàn Kiếm từ năm 2030,", "người dân cần biết"]
    _attach(fc_id, encode(screenshot(original)))
    r = client.post("/api/v1/tips", files={"image": ("e.png", encode(screenshot(edited)), "image/png")})
    assert r.status_code == 200
    assert r.json()["status"] != "answered" or r.json()["fact_check"]["id"] != fc_id


def test_copies_of_a_picture_without_words_are_one_claim(client: TestClient, seeded: Seed) -> None:
    """A photo with nothing to read, sent again re-encoded and resized, joins the first one's claim
    (its demand goes up); an unrelated photo does not."""
    pipeline.reset_state()
    photo = noise_photo(41, (640, 480))
    w, h = photo.size
    copy = photo.resize((w * 2 // 3, h * 2 // 3), Image.Resampling.BILINEAR)

    def send(data: bytes) -> int:
        r = client.post("/api/v1/tips", files={"image": ("anh.jpg", data, "image/jpeg")})
        assert r.status_code == 200 and r.json()["status"] == "received", r.text
        return int(r.json()["tip_id"])

    first_id = send(encode(photo, "JPEG", quality=92))
    run_once()  # the claim engine's pass makes the claim
    with session_scope() as s:
        first = s.get(Tip, first_id)
        assert first is not None and first.claim_id is not None
        claim_id = first.claim_id
        assert demand(s, claim_id)[0] == 1
    copy_id, other_id = send(encode(copy, "JPEG", quality=40)), send(encode(noise_photo(42, (640, 480))))
    run_once()
    with session_scope() as s:
        copy_tip, other = s.get(Tip, copy_id), s.get(Tip, other_id)
        assert copy_tip is not None and other is not None
        assert copy_tip.claim_id == claim_id
        assert demand(s, claim_id)[0] == 2
        assert other.claim_id is not None and other.claim_id != claim_id
        assert demand(s, other.claim_id)[0] == 1
        # the desk sees both pictures on the one claim
        claim = s.get(Claim, claim_id)
        assert claim is not None and len(claim_images(claim)) == 2
