"""Image intake: formats from bytes, limits, metadata stripped, storage by content hash."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from media_render import encode, noise_photo
from PIL import Image, IptcImagePlugin

from kiemchung.media.intake import ImageRejected, load_image, sniff, store_image, stored_path

GPS_IFD = 0x8825
ARTIST, SERIAL, XP_AUTHOR = 0x013B, 0xA431, 0x9C9D
BYLINE, CITY = (2, 80), (2, 90)  # IPTC IIM datasets: the photographer, where it was taken


def _iptc_block(fields: dict[tuple[int, int], bytes]) -> bytes:
    """A JPEG APP13 segment as Photoshop writes it: an 8BIM resource 0x0404 holding IPTC IIM."""
    iim = b"".join(
        b"\x1c" + bytes(tag) + len(value).to_bytes(2, "big") + value for tag, value in fields.items()
    )
    iim += b"\x00" * (len(iim) % 2)
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00" + len(iim).to_bytes(4, "big") + iim
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def _jpeg_with_gps_and_author() -> bytes:
    exif = Image.Exif()
    exif[ARTIST] = "Nguyen Van Chup"
    exif[0x010F] = "PhoneMaker"
    exif[XP_AUTHOR] = "Tác giả".encode("utf-16-le")
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (21.0, 1.0, 30.0)  # latitude
    gps[3], gps[4] = "E", (105.0, 51.0, 12.0)  # longitude
    exif.get_ifd(0x8769)[SERIAL] = "SN-0042-XYZ"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Nguyen Van Chup</dc:creator></x:xmpmeta>'
    jpeg = encode(noise_photo(1), "JPEG", exif=exif.tobytes(), xmp=xmp, quality=92)
    iptc = _iptc_block({BYLINE: b"Tran Thi Nhiep Anh", CITY: b"Thon Dong Xa"})
    return jpeg[:2] + iptc + jpeg[2:]  # right after the start-of-image marker


def test_gps_author_and_serial_are_stripped(tmp_path: Path) -> None:
    original = _jpeg_with_gps_and_author()
    src = Image.open(BytesIO(original))
    assert src.getexif()[ARTIST] == "Nguyen Van Chup"  # the fixture really carries them
    assert src.getexif().get_ifd(GPS_IFD)
    assert b"Nguyen Van Chup" in original
    iptc = IptcImagePlugin.getiptcinfo(src)
    assert iptc is not None and iptc[BYLINE] == b"Tran Thi Nhiep Anh" and iptc[CITY] == b"Thon Dong Xa"

    checked = load_image(original)
    path = store_image(checked, tmp_path)
    stored = path.read_bytes()
    out = Image.open(BytesIO(stored))
    assert out.format == "JPEG"
    assert not out.getexif() and not out.getexif().get_ifd(GPS_IFD)
    assert "exif" not in out.info and "xmp" not in out.info and "icc_profile" not in out.info
    assert "photoshop" not in out.info and IptcImagePlugin.getiptcinfo(out) is None
    for needle in (
        b"Exif",
        b"Chup",
        b"SN-0042",
        b"PhoneMaker",
        b"xmpmeta",
        "Tác giả".encode("utf-16-le"),
        b"Photoshop 3.0",
        b"8BIM",
        b"Nhiep Anh",
        b"Dong Xa",
    ):
        assert needle not in stored
    # the original never touched the disk: only the re-encoded file is there
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [path.name]
    assert path == stored_path(checked.sha256, "jpg", tmp_path)
    assert out.size == src.size


def test_same_picture_is_stored_once(tmp_path: Path) -> None:
    data = encode(noise_photo(2))
    a = store_image(load_image(data), tmp_path)
    b = store_image(load_image(data), tmp_path)
    assert a == b and len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_formats_are_sniffed_from_bytes(fmt: str) -> None:
    data = encode(noise_photo(3), fmt)
    checked = load_image(data)
    assert checked.format == fmt.lower() and checked.image.mode == "RGB"
    assert sniff(data) == fmt.lower()


def test_gif_first_frame_and_transparency() -> None:
    frames = [Image.new("RGBA", (40, 40), (255, 0, 0, 255)), Image.new("RGBA", (40, 40), (0, 0, 255, 255))]
    buf = BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    checked = load_image(buf.getvalue())
    assert checked.image.getpixel((5, 5)) == (255, 0, 0)
    clear = load_image(encode(Image.new("RGBA", (30, 30), (0, 0, 0, 0))))
    assert clear.image.getpixel((3, 3)) == (255, 255, 255)


def test_a_name_does_not_make_an_image() -> None:
    with pytest.raises(ImageRejected, match="Tệp không phải ảnh JPEG"):
        load_image(b"%PDF-1.7 pretending to be photo.jpg")
    with pytest.raises(ImageRejected, match="tệp hỏng"):
        load_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(ImageRejected, match="Tệp ảnh trống"):
        load_image(b"")


def test_limits_are_explained() -> None:
    data = encode(noise_photo(4, (400, 300)))
    with pytest.raises(ImageRejected, match=r"quá lớn"):
        load_image(data, max_bytes=100)
    with pytest.raises(ImageRejected, match=r"quá nhiều điểm ảnh"):
        load_image(data, max_pixels=1000)
    with pytest.raises(ImageRejected, match=r"quá nhỏ"):
        load_image(encode(Image.new("RGB", (4, 400), "white")))


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # 30 000 × 30 000 pixels of one colour compress to a few hundred kilobytes of PNG
    big = Image.new("1", (30_000, 30_000), 0)
    data = encode(big, "PNG", optimize=True)
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(ImageRejected, match="quá nhiều điểm ảnh"):
        load_image(data)
