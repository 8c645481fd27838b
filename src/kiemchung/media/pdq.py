"""PDQ perceptual hashes (the open hash Meta and fact-checking tools share): 256 bits, compared by
Hamming distance. Re-compressed, resized or lightly cropped copies of a picture stay close.

    >>> hamming("f" * 64, "f" * 63 + "0")
    4
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# Calibrated on copies (JPEG q40: ≤ 8 bits; half size: ≤ 52; 2 % cropped per side: ≤ 48 on photos)
# against unrelated pictures (unrelated photos ≈ 128, other screenshots in the same template ≥ 44,
# 1st percentile 66). Text-heavy screenshots are recognised by their words; PDQ catches pictures
# whose text cannot be read, and a copy whose words disagree is never answered (media.tips).
MATCH_DISTANCE = 52
MIN_QUALITY = 50  # PDQ's own quality score; flat images hash unreliably


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
