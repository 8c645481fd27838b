"""A tip that is a picture: read it, and answer it like typed text (or as a copy of a checked image).

    result, image = handle_image_tip(session, upload_bytes, "", "web")

1. the upload is checked, stripped of metadata and stored (:func:`kiemchung.media.service.save_image`);
2. its OCR text (with whatever the tipster typed) goes through ``handle_tip`` — the same
   normalise → claim → match path and answer safety as a typed tip;
3. a picture within the calibrated PDQ distance of an image attached to a published fact-check
   is answered with that fact-check even when no text can be read — unless both pictures have
   readable words and the words differ (an edited copy: same card, another place or number).

A picture with no readable text and no known copy is kept as a tip for the desk.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from kiemchung.media.intake import ImageRejected
from kiemchung.media.service import PdqHit, keep_image, pdq_match, read_image
from kiemchung.public.tipline import MAX_TIP_CHARS, TipRejected, TipResult, handle_tip
from kiemchung.store.models import MediaImage, Tip, TipImage
from kiemchung.text import normalise
from kiemchung.web.i18n import _


def unreadable_text(image: MediaImage) -> str:
    """The stand-in text of a picture without readable words (unique per picture, for the desk)."""
    return _("[Ảnh không đọc được chữ] #%(value)s", value=image.sha256[:12])


def tip_text(typed: str, image: MediaImage) -> str:
    """What the tip says: the typed words, then the words read from the picture.

    >>> img = MediaImage(sha256="ab" * 32, ocr_text="Chữ trong ảnh")
    >>> tip_text("  ", img)
    'Chữ trong ảnh'
    >>> tip_text("", MediaImage(sha256="cd" * 32, ocr_text=""))
    '[Ảnh không đọc được chữ] #cdcdcdcdcdcd'
    """
    parts = [p.strip() for p in (typed, image.ocr_text or "") if p and p.strip()]
    return "\n".join(parts)[:MAX_TIP_CHARS] if parts else unreadable_text(image)


READABLE_WORDS = 6
READABLE_CONFIDENCE = 0.6
SAME_TEXT = 95.0  # copies read alike; an edited place or number drops below


def _readable(image: MediaImage) -> bool:
    return (
        len((image.ocr_text or "").split()) >= READABLE_WORDS
        and (image.ocr_confidence or 0.0) >= READABLE_CONFIDENCE
    )


def same_picture(new: MediaImage, hit: PdqHit) -> bool:
    """A PDQ hit counts unless both pictures are readable and say different things.

    >>> a = MediaImage(ocr_text="Ủy ban xã An Phú phát gạo miễn phí cho mọi hộ dân", ocr_confidence=0.9)
    >>> b = MediaImage(ocr_text="Ủy ban xã Bình Lợi phát gạo miễn phí cho mọi hộ dân", ocr_confidence=0.9)
    >>> same_picture(a, PdqHit(None, a, 10)), same_picture(b, PdqHit(None, a, 10))  # type: ignore[arg-type]
    (True, False)
    >>> same_picture(MediaImage(ocr_text="", ocr_confidence=0.0), PdqHit(None, a, 30))  # type: ignore[arg-type]
    True
    """
    if not (_readable(new) and _readable(hit.image)):
        return True
    a, b = (normalise(x.ocr_text or "").lower() for x in (new, hit.image))
    return fuzz.ratio(a, b) >= SAME_TEXT and _digits(a) == _digits(b)


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def handle_image_tip(
    session: Session, data: bytes, text: str, channel: str | None, contact: str | None = None
) -> tuple[TipResult, MediaImage]:
    """Store a picture tip and decide the reply. Raises ``TipRejected`` (bilingual) for a bad image."""
    try:
        image = read_image(data)  # in memory: on SQLite the engine must read before anything is written
    except ImageRejected as exc:
        raise TipRejected(str(exc)) from exc
    return handle_read_image_tip(session, image, text, channel, contact)


def handle_read_image_tip(
    session: Session, image: MediaImage, text: str, channel: str | None, contact: str | None = None
) -> tuple[TipResult, MediaImage]:
    """Like :func:`handle_image_tip` for a picture already read (``media.service.read_image``):
    chat channels fetch and read it before their transaction."""
    hit = pdq_match(session, image.pdq, image.pdq_quality)
    if hit is not None and not same_picture(image, hit):
        hit = None  # an edited copy: its words decide, through the text path's answer safety
    result = handle_tip(
        session, tip_text(text, image), channel, contact, image_answer=hit.fact_check if hit else None
    )
    image = keep_image(session, image)
    if result.tip_id is not None:
        session.add(TipImage(tip_id=result.tip_id, image_id=image.id))
        tip = session.get(Tip, result.tip_id)
        if tip is not None:
            tip.answer = {
                **(tip.answer or {}),
                "image": {
                    "id": image.id,
                    "ocr_confidence": image.ocr_confidence,
                    "pdq_distance": hit.distance if hit else None,
                },
            }
        session.flush()
    return result, image
