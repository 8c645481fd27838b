"""Images in the store: keep a checked picture (once per content hash), read it, hash it, attach
it to a fact-check, and find the fact-check a new picture is a copy of.

    image = save_image(session, upload_bytes)     # ImageRejected for a bad upload
    image.ocr_text, image.ocr_confidence, image.pdq
    attach_image(session, fact_check, image, alt_text="Ảnh chụp bài đăng …")
    pdq_match(session, image.pdq)                  # (published FactCheck, distance) or None
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kiemchung.media.intake import CheckedImage, load_image, media_dir, store_image, stored_path
from kiemchung.media.pdq import MATCH_DISTANCE, MIN_QUALITY, nearest, pdq_hash
from kiemchung.store.models import (
    Claim,
    ClaimItem,
    FactCheck,
    FactCheckImage,
    FactCheckStatus,
    ItemImage,
    MediaImage,
    Tip,
    TipImage,
)

log = logging.getLogger("kiemchung.media")

MAX_ALT_CHARS = 500


def ocr(checked: CheckedImage) -> tuple[str | None, float | None]:
    """(text, confidence) or (None, None) when OCR is not installed or fails."""
    from kiemchung.media.ocr import OcrUnavailable, read_text

    try:
        res = read_text(checked.image)
    except OcrUnavailable:
        return None, None
    except Exception:  # a picture we cannot read is still kept and hashed
        log.exception("OCR failed on an image")
        return None, None
    return res.text, res.confidence


def read_image(data: bytes, *, run_ocr: bool = True) -> MediaImage:
    """Check, strip, hash and OCR ``data`` in memory: a row not yet added to any session.

    Nothing is written (no file, no row), so callers can make read-only decisions first.
    """
    checked = load_image(data)
    pdq, quality = pdq_hash(checked.image)
    text, conf = ocr(checked) if run_ocr else (None, None)
    image = MediaImage(
        sha256=checked.sha256,
        ext=checked.stored_ext,
        width=checked.width,
        height=checked.height,
        pdq=pdq,
        pdq_quality=quality,
        ocr_text=text,
        ocr_confidence=conf,
        ocr_edited=False,
    )
    image.checked = checked  # type: ignore[attr-defined]  # the bytes to store, until stored
    return image


def keep_image(session: Session, image: MediaImage) -> MediaImage:
    """Store the re-encoded file and the row (once per content hash); returns the stored row."""
    checked: CheckedImage | None = getattr(image, "checked", None)
    found = session.scalars(select(MediaImage).where(MediaImage.sha256 == image.sha256)).first()
    if checked is not None and not stored_path(image.sha256, image.ext).exists():
        store_image(checked)
    if found is not None:
        return found
    session.add(image)
    session.flush()
    return image


def save_image(session: Session, data: bytes, *, run_ocr: bool = True) -> MediaImage:
    """Check, strip, store and hash ``data``; OCR it once. The same picture twice is one row."""
    checked = load_image(data)
    found = session.scalars(select(MediaImage).where(MediaImage.sha256 == checked.sha256)).first()
    if found is not None:
        if not stored_path(found.sha256, found.ext).exists():  # data dir restored without media
            store_image(checked)
        return found
    return keep_image(session, read_image(data, run_ocr=run_ocr))


def image_file(image: MediaImage) -> tuple[bytes, str]:
    """The stored (metadata-free) bytes and their media type."""
    path = stored_path(image.sha256, image.ext, media_dir())
    return path.read_bytes(), "image/png" if image.ext == "png" else "image/jpeg"


def attach_image(session: Session, fc: FactCheck, image: MediaImage, alt_text: str = "") -> FactCheckImage:
    """Link ``image`` to ``fc`` (idempotent; the alt text is updated)."""
    link = session.get(FactCheckImage, (fc.id, image.id))
    alt = alt_text.strip()[:MAX_ALT_CHARS]
    if link is None:
        link = FactCheckImage(fact_check_id=fc.id, image_id=image.id, alt_text=alt)
        session.add(link)
    elif alt:
        link.alt_text = alt
    session.flush()
    return link


def detach_image(session: Session, fc: FactCheck, image_id: int) -> bool:
    link = session.get(FactCheckImage, (fc.id, image_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def fact_check_images(session: Session, fc_id: int) -> list[FactCheckImage]:
    return list(
        session.scalars(
            select(FactCheckImage)
            .where(FactCheckImage.fact_check_id == fc_id)
            .order_by(FactCheckImage.image_id)
        )
    )


@dataclass
class PdqHit:
    fact_check: FactCheck
    image: MediaImage  # the fact-check's own picture
    distance: int


def pdq_match(
    session: Session, pdq: str, quality: int = 100, *, max_distance: int = MATCH_DISTANCE
) -> PdqHit | None:
    """The published fact-check whose attached image is nearest to ``pdq``, within ``max_distance``.

    A flat picture (low PDQ quality) matches nothing: its hash says little about its content.
    A linear scan: a newsroom attaches thousands of images, not millions.
    """
    if quality < MIN_QUALITY:
        return None
    rows = session.execute(
        select(FactCheckImage.fact_check_id, MediaImage.id, MediaImage.pdq, MediaImage.pdq_quality)
        .join(MediaImage, MediaImage.id == FactCheckImage.image_id)
        .join(FactCheck, FactCheck.id == FactCheckImage.fact_check_id)
        .where(FactCheck.status == FactCheckStatus.published, MediaImage.pdq_quality >= MIN_QUALITY)
    ).all()
    best = nearest(pdq, quality, ((h, q, (fc_id, im_id)) for fc_id, im_id, h, q in rows), max_distance)
    if best is None:
        return None
    (fc_id, image_id), distance = best
    fc, image = session.get(FactCheck, fc_id), session.get(MediaImage, image_id)
    return PdqHit(fc, image, distance) if fc is not None and image is not None else None


def images_of(fc: FactCheck) -> list[FactCheckImage]:
    """Template helper: the pictures attached to ``fc`` (through the fact-check's own session)."""
    session = object_session(fc)
    return fact_check_images(session, fc.id) if session is not None and fc.id else []


def claim_images(claim: Claim) -> list[MediaImage]:
    """Template helper: the pictures of the tips and ingested posts that became ``claim``."""
    session = object_session(claim)
    if session is None or not claim.id:
        return []
    tips = session.scalars(
        select(MediaImage)
        .join(TipImage, TipImage.image_id == MediaImage.id)
        .join(Tip, Tip.id == TipImage.tip_id)
        .where(Tip.claim_id == claim.id)
    )
    posts = session.scalars(
        select(MediaImage)
        .join(ItemImage, ItemImage.image_id == MediaImage.id)
        .join(ClaimItem, ClaimItem.item_id == ItemImage.item_id)
        .where(ClaimItem.claim_id == claim.id)
    )
    return sorted({im.id: im for im in [*tips, *posts]}.values(), key=lambda im: im.id)


def recent_images(session: Session, limit: int = 60) -> list[tuple[MediaImage, int | None]]:
    """The newest pictures, each with the tip it came with (None for a fact-check's own picture)."""
    rows = session.execute(
        select(MediaImage, TipImage.tip_id)
        .outerjoin(TipImage, TipImage.image_id == MediaImage.id)
        .order_by(MediaImage.id.desc())
        .limit(limit)
    ).all()
    return [(image, tip_id) for image, tip_id in rows]
