"""PDQ perceptual hashes (the open hash Meta and fact-checking tools share): 256 bits, compared by
Hamming distance. Re-compressed, resized or lightly cropped copies of a picture stay close.

    >>> hamming("f" * 64, "f" * 63 + "0")
    4
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import numpy as np
from PIL import Image

# Calibrated on copies (JPEG q40: ≤ 8 bits; half size: ≤ 52; 2 % cropped per side: ≤ 48 on photos)
# against unrelated pictures (unrelated photos ≈ 128, other screenshots in the same template ≥ 44,
# 1st percentile 66). Text-heavy screenshots are recognised by their words; PDQ catches pictures
# whose text cannot be read, and a copy whose words disagree is never answered (media.tips).
MATCH_DISTANCE = 52
MIN_QUALITY = 50  # PDQ's own quality score; flat images hash unreliably

T = TypeVar("T")


def pdq_hash(image: Image.Image) -> tuple[str, int]:
    """(64 hex digits, quality 0–100) of an RGB picture."""
    import pdqhash

    arr = np.asarray(image.convert("RGB"), dtype=np.uint8)
    bits, quality = pdqhash.compute(arr)
    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return packed.tobytes().hex(), int(quality)


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def nearest(
    pdq: str, quality: int, known: Iterable[tuple[str, int, T]], max_distance: int = MATCH_DISTANCE
) -> tuple[T, int] | None:
    """(payload, distance) of the ``known`` hash nearest to ``pdq`` within ``max_distance``; the
    first one wins a tie. A flat picture (quality under ``MIN_QUALITY``), on either side, matches
    nothing: its hash says little about its content.

    >>> known = [("f" * 64, 90, "a"), ("f" * 62 + "00", 90, "b"), ("0" * 64, 90, "c")]
    >>> nearest("f" * 63 + "0", 90, known)
    ('a', 4)
    >>> nearest("f" * 63 + "0", 20, known) is None, nearest("f" * 64, 90, [("f" * 64, 10, "x")])
    (True, None)
    >>> nearest("0" * 63 + "f", 90, known, max_distance=3) is None
    True
    """
    if quality < MIN_QUALITY:
        return None
    best: tuple[T, int] | None = None
    for other, other_quality, payload in known:
        if other_quality < MIN_QUALITY:
            continue
        d = hamming(pdq, other)
        if d <= max_distance and (best is None or d < best[1]):
            best = (payload, d)
    return best
