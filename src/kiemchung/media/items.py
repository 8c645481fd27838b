"""Posts that are pictures, in bulk intake (``kiemchung ingest``, ``POST /api/items``).

A record may carry a picture instead of (or beside) its text:

- ``"image": "anh/bai-1.png"`` — a file named relative to the JSONL file (CLI), or the file name
  of a part of the multipart request (API); a path may not leave the folder of the JSONL file;
- ``"image_base64": "iVBORw0…"`` — the bytes themselves, base64 (a ``data:image/…;base64,``
  prefix is accepted).

The picture goes through the same pipeline as an image tip (``kiemchung.media.service``): sniffed
from its bytes, size and pixel limits, EXIF/XMP/IPTC stripped by re-encoding, OCR, PDQ. The OCR
text (after any typed text) becomes the item's text, so the post is normalised, clustered and
matched like any other; the stored, metadata-free picture is linked to the item (``item_image``).
A picture without readable words that is a copy (PDQ) of an earlier one takes that one's stand-in
text (``media.tips.Copies``, applied in ``intake.ingest``), so copies are one post, like repeats.

    >>> pop_image_ref({"text": "x", "image": "a.png"})
    ('file', 'a.png')
    >>> pop_image_ref({"image_base64": "data:image/png;base64,AAAA"})
    ('base64', 'data:image/png;base64,AAAA')
    >>> pop_image_ref({"text": "only text"}) is None
    True
    >>> decode_base64("data:image/png;base64,aGk=")
    b'hi'
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.intake.records import RecordError
from kiemchung.media.intake import MAX_BYTES, ImageRejected
from kiemchung.media.service import keep_image, read_image
from kiemchung.media.tips import tip_text
from kiemchung.store.models import Item, ItemImage, MediaImage
from kiemchung.web.i18n import _

IMAGE_KEYS = ("image", "image_base64")
ImageLoader = Callable[[str], bytes]


def pop_image_ref(record: dict[str, Any]) -> tuple[str, str] | None:
    """Remove the image fields from ``record``; ``("file" | "base64", value)`` or None."""
    name, data = record.pop("image", None), record.pop("image_base64", None)
    if data is not None:
        if not isinstance(data, str):
            raise ImageRejected(_("image_base64 phải là chuỗi"))
        return "base64", data
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise ImageRejected(_("image phải là tên tệp"))
        return "file", name.strip()
    return None


def decode_base64(value: str) -> bytes:
    """The bytes of a base64 string (a ``data:`` URL prefix is dropped); ImageRejected when bad."""
    head, sep, tail = value.partition(",")
    if sep and head.startswith("data:"):
        value = tail
    # base64 is 4/3 of the bytes: refuse an oversized string before decoding it
    if len(value) > MAX_BYTES * 4 // 3 + 16:
        raise ImageRejected(_("Ảnh quá lớn (> %(value)s MB)", value=MAX_BYTES // (1024 * 1024)))
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ImageRejected(_("Dữ liệu base64 không hợp lệ")) from None


def folder_loader(root: Path) -> ImageLoader:
    """Read ``name`` relative to ``root`` (the JSONL file's folder); never outside it."""
    base = root.resolve()

    def load(name: str) -> bytes:
        path = (base / name).resolve()
        if Path(name).is_absolute() or not path.is_relative_to(base):
            raise ImageRejected(_("Đường dẫn ảnh phải nằm trong thư mục của tệp"))
        if not path.is_file():
            raise ImageRejected(_("Không tìm thấy ảnh: %(name)s", name=name))
        if path.stat().st_size > MAX_BYTES:
            raise ImageRejected(_("Ảnh quá lớn (> %(value)s MB)", value=MAX_BYTES // (1024 * 1024)))
        return path.read_bytes()

    return load


def parts_loader(parts: Mapping[str, bytes]) -> ImageLoader:
    """Look ``name`` up among the files of a multipart request (by file name or field name)."""

    def load(name: str) -> bytes:
        if name not in parts:
            raise ImageRejected(_("Không có tệp ảnh này trong yêu cầu: %(name)s", name=name))
        return parts[name]

    return load


def no_files(name: str) -> bytes:
    raise ImageRejected(
        _("Ảnh theo tên tệp chỉ dùng được với tệp trên máy hoặc yêu cầu multipart (dùng image_base64)")
    )


def read_record_image(record: dict[str, Any], loader: ImageLoader | None) -> MediaImage | None:
    """Read the record's picture (if any) and put its words into ``record["text"]``.

    Nothing is written: the returned row is stored with :func:`attach_item_images` once the item
    exists. Raises ``ImageRejected`` (bilingual) for a bad picture or reference.
    """
    ref = pop_image_ref(record)
    if ref is None:
        return None
    kind, value = ref
    data = decode_base64(value) if kind == "base64" else (loader or no_files)(value)
    image = read_image(data)
    typed = record.get("text")
    record["text"] = tip_text(typed if isinstance(typed, str) else "", image)
    return image


READ_KEY = "\x00image"  # a record's picture, already read (``preread``); popped by ``ingest``


def preread(records: Iterable[Any], loader: ImageLoader | None) -> Iterator[tuple[int, Any]]:
    """``(index, record | RecordError)`` with every picture read first (0-based, as the API reports).

    Reading (OCR) before the ingest transaction starts keeps a slow picture from holding the
    database's write lock.
    """
    for i, rec in enumerate(records):
        if isinstance(rec, dict) and any(k in rec for k in IMAGE_KEYS):
            rec = dict(rec)
            try:
                rec[READ_KEY] = read_record_image(rec, loader)
            except ImageRejected as exc:
                yield i, RecordError(str(exc))
                continue
        yield i, rec


def attach_item_images(session: Session, source_id: int, images: Mapping[str, MediaImage]) -> int:
    """Store each picture and link it to the item of ``source_id`` with that content hash."""
    if not images:
        return 0
    rows = session.execute(
        select(Item.content_hash, Item.id).where(
            Item.source_id == source_id, Item.content_hash.in_(list(images))
        )
    )
    ids = {content_hash: item_id for content_hash, item_id in rows}
    linked = 0
    for content_hash, image in images.items():
        item_id = ids.get(content_hash)
        if item_id is None:
            continue
        stored = keep_image(session, image)
        if session.get(ItemImage, (item_id, stored.id)) is None:
            session.add(ItemImage(item_id=item_id, image_id=stored.id))
            linked += 1
    session.flush()
    return linked
