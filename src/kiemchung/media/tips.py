"""A tip that is a picture: read it, and answer it like typed text (or as a copy of a checked image).

    result, image = handle_image_tip(session, upload_bytes, "", "web")

1. the upload is checked, stripped of metadata and stored (:func:`kiemchung.media.service.save_image`);
2. its OCR text (with whatever the tipster typed) goes through ``handle_tip`` — the same
   normalise → claim → match path and answer safety as a typed tip;
3. a picture within the calibrated PDQ distance of an image attached to a published fact-check
   is answered with that fact-check even when no text can be read — unless both pictures have
   readable words and the words differ (an edited copy: same card, another place or number).

A picture with no readable text and no known copy is kept as a tip for the desk, under a stand-in
text. Near-duplicate pictures cluster like near-duplicate texts: a picture without words within
the same PDQ distance of an earlier tip's or post's picture without words takes that picture's
stand-in text (:class:`Copies`), so the engine's exact dedup puts both on one item and one claim
and the desk sees the demand add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz
from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from kiemchung.engine.claims import is_stand_in
from kiemchung.media.intake import ImageRejected
from kiemchung.media.pdq import MIN_QUALITY, nearest
from kiemchung.media.service import PdqHit, keep_image, pdq_match, read_image
from kiemchung.public.tipline import MAX_TIP_CHARS, TipRejected, TipResult, handle_tip
from kiemchung.store.models import Item, ItemImage, MediaImage, Tip, TipImage
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


Known = list[tuple[str, int, str]]  # (PDQ, quality, stand-in text) of pictures without words


def copy_text(image: MediaImage, known: Iterable[tuple[str, int, str]]) -> str | None:
    """The stand-in text of the picture in ``known`` that ``image`` is a copy of (nearest within
    the PDQ match distance; flat pictures match nothing), or None.

    >>> known = [("f" * 64, 90, "[Ảnh không đọc được chữ] #aaaaaaaaaaaa")]
    >>> copy_text(MediaImage(pdq="f" * 63 + "0", pdq_quality=90), known)
    '[Ảnh không đọc được chữ] #aaaaaaaaaaaa'
    >>> copy_text(MediaImage(pdq="0" * 64, pdq_quality=90), known) is None
    True
    """
    hit = nearest(image.pdq, image.pdq_quality or 0, known)
    return hit[0] if hit else None


def stand_in_pictures(session: Session) -> Known:
    """The stored pictures of tips and posts whose text is a stand-in, oldest picture first.

    A linear scan, like ``pdq_match``: only pictures without words are candidates.
    """
    tips = (
        select(MediaImage.id, MediaImage.pdq, MediaImage.pdq_quality, Tip.text.label("text"))
        .join(TipImage, TipImage.image_id == MediaImage.id)
        .join(Tip, Tip.id == TipImage.tip_id)
        .where(MediaImage.pdq_quality >= MIN_QUALITY, Tip.text.startswith("["))
    )
    items = (
        select(MediaImage.id, MediaImage.pdq, MediaImage.pdq_quality, Item.text.label("text"))
        .join(ItemImage, ItemImage.image_id == MediaImage.id)
        .join(Item, Item.id == ItemImage.item_id)
        .where(MediaImage.pdq_quality >= MIN_QUALITY, Item.text.startswith("["))
    )
    rows = sorted(session.execute(union_all(tips, items)).all(), key=lambda r: r[0])
    return [(pdq, quality, text) for _, pdq, quality, text in rows if is_stand_in(text)]


class Copies:
    """Finds the earlier copy of a picture without words: the stored ones (read once, when first
    needed) and those met since (one ingest may carry two copies of a photo).

        copies = Copies(session)
        text = copies.text(image, tip_text(typed, image))
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: Known | None = None

    def text(self, image: MediaImage, text: str) -> str:
        """``text``, or an earlier copy's stand-in when ``text`` is ``image``'s own stand-in."""
        if text != unreadable_text(image):
            return text  # words (typed or read) decide, through the text path
        if self.known is None:
            self.known = stand_in_pictures(self.session)
        text = copy_text(image, self.known) or text
        self.known.append((image.pdq, image.pdq_quality or 0, text))
        return text


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
    said = Copies(session).text(image, tip_text(text, image))  # a copy without words: one claim
    result = handle_tip(session, said, channel, contact, image_answer=hit.fact_check if hit else None)
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
