"""Vietnamese text layer: normalise, fold (no-diacritic form), sentences and words."""

from kiemchung.text.normalise import Normalised, content_hash, fold, normalise, normalise_with_entities
from kiemchung.text.segment import sentences, syllables, words

__all__ = [
    "Normalised",
    "content_hash",
    "fold",
    "normalise",
    "normalise_with_entities",
    "sentences",
    "syllables",
    "words",
]
