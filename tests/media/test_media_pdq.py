"""PDQ: re-compressed, resized and slightly cropped copies stay within the match distance;
unrelated pictures (and other screenshots in the same style) stay far outside it."""

from __future__ import annotations

from io import BytesIO

from media_render import encode, noise_photo, screenshot
from PIL import Image

from kiemchung.media.intake import load_image
from kiemchung.media.pdq import MATCH_DISTANCE, hamming, pdq_hash

LINES = ["Tin đồn: nước mía pha muối", "chữa khỏi sốt xuất huyết trong", "một đêm, bác sĩ xác nhận"]
OTHER = ["Thông báo: đường Nguyễn Trãi", "tạm cấm xe tải từ thứ Hai", "để sửa cống thoát nước"]


def _copies(img: Image.Image) -> list[Image.Image]:
    w, h = img.size
    recompressed = Image.open(BytesIO(encode(img, "JPEG", quality=35))).convert("RGB")
    resized = img.resize((w * 2 // 3, h * 2 // 3), Image.Resampling.BILINEAR)
    cropped = img.crop((w // 50, h // 50, w - w // 50, h - h // 50))
    all_three = Image.open(BytesIO(encode(cropped.resize((w // 2, h // 2)), "JPEG", quality=50))).convert(
        "RGB"
    )
    return [recompressed, resized, cropped, all_three]


def test_copies_match_and_strangers_do_not() -> None:
    for seed in (7, 8, 9):  # photos, memes: the pictures whose words cannot be read
        original = noise_photo(seed, (480, 360))
        h0, q0 = pdq_hash(load_image(encode(original)).image)
        assert q0 >= 50
        for copy in _copies(original):
            assert hamming(h0, pdq_hash(copy)[0]) <= MATCH_DISTANCE
    # text screenshots: re-compressed and resized copies too (cropped ones are found by their words)
    shot = screenshot(LINES)
    h_shot = pdq_hash(shot)[0]
    for copy in _copies(shot)[:2]:
        assert hamming(h_shot, pdq_hash(copy)[0]) <= MATCH_DISTANCE
    strangers = [noise_photo(s, (480, 360)) for s in range(20, 30)] + [screenshot(OTHER)]
    h_photo = pdq_hash(noise_photo(7, (480, 360)))[0]
    for other in strangers:
        h = pdq_hash(other)[0]
        assert hamming(h_photo, h) > MATCH_DISTANCE
    assert hamming(h_shot, pdq_hash(screenshot(OTHER))[0]) > MATCH_DISTANCE


def test_hash_is_64_hex_digits() -> None:
    h, q = pdq_hash(noise_photo(1))
    assert len(h) == 64 and int(h, 16) >= 0 and 0 <= q <= 100
    assert hamming(h, h) == 0
