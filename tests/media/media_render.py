"""Pictures for the media tests, drawn here (DejaVu has the Vietnamese glyphs Liberation lacks)."""

from __future__ import annotations

import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def screenshot(lines: list[str], *, size: int = 26, bg: str = "white", fg: str = "black") -> Image.Image:
    """A post-like picture: a header, the text lines, and a row of buttons."""
    font = ImageFont.truetype(FONT, size)
    small = ImageFont.truetype(FONT, max(12, size * 2 // 3))
    width = 40 + max(int(font.getlength(line)) for line in lines)
    height = 40 + size * 2 + len(lines) * int(size * 1.5) + size * 2
    img = Image.new("RGB", (width, height), bg)
    d = ImageDraw.Draw(img)
    d.text((20, 14), "Nhóm Tin Tức Phường", font=small, fill="gray")
    y = 20 + size * 2
    for line in lines:
        d.text((20, y), line, font=font, fill=fg)
        y += int(size * 1.5)
    d.text((20, y + 8), "Thích     Bình luận     Chia sẻ", font=small, fill="gray")
    return img


def noise_photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A picture without text: random coloured blobs."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(8, 60)
        d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    return img


def encode(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()
