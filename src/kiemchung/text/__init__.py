"""Vietnamese text layer: normalise, fold (no-diacritic form), sentences and words."""

from kiemchung.text.normalise import Normalised, fold, normalise, normalise_with_entities
from kiemchung.text.segment import sentences, syllables, words

__all__ = ["Normalised", "fold", "normalise", "normalise_with_entities", "sentences", "syllables", "words"]
