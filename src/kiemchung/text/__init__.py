"""Vietnamese text layer: normalise, fold (no-diacritic form), sentences and words."""

from kiemchung.text.normalise import (
    VN_SYLLABLE,
    Normalised,
    content_hash,
    fold,
    is_vn_syllable,
    normalise,
    normalise_with_entities,
)
from kiemchung.text.segment import sentences, syllables, words

__all__ = [
    "VN_SYLLABLE",
    "Normalised",
    "content_hash",
    "fold",
    "is_vn_syllable",
    "normalise",
    "normalise_with_entities",
    "sentences",
    "syllables",
    "words",
]
