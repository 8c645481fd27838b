"""Checked image intake: the format comes from the bytes, limits are enforced before decoding, and
the picture is re-encoded (dropping EXIF/XMP/IPTC: GPS, camera serial, author) before anything is
stored. The original upload only ever lives in memory.

    >>> from io import BytesIO
    >>> from PIL import Image
    >>> buf = BytesIO(); Image.new("RGB", (40, 20), "white").save(buf, "PNG")
    >>> img = load_image(buf.getvalue())
    >>> img.format, img.width, img.height
    ('png', 40, 20)
    >>> load_image(b"not an image")
    Traceback (most recent call last):
    ...
    kiemchung.media.intake.ImageRejected: Tệp không phải ảnh JPEG, PNG, WebP hoặc GIF
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from kiemchung.web.i18n import _

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a phone screenshot is ~3 Mpx; this still leaves room for long scrolls
MIN_SIDE = 16
# Pillow raises DecompressionBombError above twice this; we also refuse anything above it ourselves.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_FORMATS = {"jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif"}
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class ImageRejected(ValueError):
    """An upload we will not accept; ``str(err)`` is the bilingual reason."""


def sniff(data: bytes) -> str | None:
    """The image format named by the first bytes (never by the file name).

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff(b"\\xff\\xd8\\xff\\xe0"), sniff(b"GIF89a"), sniff(b"%PDF")
    ('png', 'jpeg', 'gif', None)
    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WEBPVP8 ")
    'webp'
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class CheckedImage:
    """A decoded, metadata-free picture and its re-encoded bytes (what we store and hash)."""

    image: Image.Image  # RGB, first frame, orientation applied
    data: bytes  # re-encoded, no metadata
    format: str  # the sniffed input format
    sha256: str

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def media_type(self) -> str:
        return "image/png" if self.stored_ext == "png" else "image/jpeg"

    @property
    def stored_ext(self) -> str:
        return "png" if self.format in ("png", "gif", "webp") else "jpg"


def load_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CheckedImage:
    """Check ``data`` and re-encode it without metadata. Raises :class:`ImageRejected`."""
    if not data:
        raise ImageRejected(_("Tệp ảnh trống"))
    if len(data) > max_bytes:
        raise ImageRejected(_("Ảnh quá lớn (tối đa %(value)s MB)", value=max_bytes // (1024 * 1024)))
    fmt = sniff(data)
    if fmt is None:
        raise ImageRejected(_("Tệp không phải ảnh JPEG, PNG, WebP hoặc GIF"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            src = Image.open(BytesIO(data), formats=[fmt.upper()])
            w, h = src.size
            if w * h > max_pixels:
                raise ImageRejected(
                    _(
                        "Ảnh quá nhiều điểm ảnh (%(w)s×%(h)s; tối đa %(max)s điểm)",
                        w=w,
                        h=h,
                        max=f"{max_pixels:,}".replace(",", "."),
                    )
                )
            if min(w, h) < MIN_SIDE:
                raise ImageRejected(_("Ảnh quá nhỏ (%(w)s×%(h)s)", w=w, h=h))
            src.seek(0)  # GIF/WebP: first frame only
            src.load()
            img = ImageOps.exif_transpose(src) or src
            img = _flatten(img)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(_("Ảnh quá nhiều điểm ảnh")) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected(_("Không đọc được ảnh (tệp hỏng?)")) from exc
    out = BytesIO()
    if fmt == "jpeg":
        # A fresh RGB image carries no info dict: no EXIF, XMP, IPTC or ICC profile is written.
        img.save(out, "JPEG", quality=90, optimize=True)
    else:
        img.save(out, "PNG", optimize=False)
    encoded = out.getvalue()
    return CheckedImage(img, encoded, fmt, hashlib.sha256(encoded).hexdigest())


def _flatten(img: Image.Image) -> Image.Image:
    """RGB pixels only, in a new image (so no metadata from the source can follow it)."""
    if img.mode in ("RGBA", "LA", "P", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, "white")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    rgb = img.convert("RGB")
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


def media_dir() -> Path:
    from kiemchung.settings import get_settings

    return get_settings().data_dir / "media"


def stored_path(sha256: str, ext: str, root: Path | None = None) -> Path:
    """``<root>/ab/abcdef….jpg``: two-level fan-out so no directory grows huge."""
    return (root or media_dir()) / sha256[:2] / f"{sha256}.{ext}"


def store_image(img: CheckedImage, root: Path | None = None) -> Path:
    """Write the re-encoded bytes (atomically, once per content hash); return the path."""
    path = stored_path(img.sha256, img.stored_ext, root)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(img.data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
