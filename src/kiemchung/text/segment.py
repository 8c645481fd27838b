"""Sentence splitting and word segmentation (underthesea offline, with a fast fallback).

    >>> sentences("Hôm nay trời mưa. Ngày mai nắng!")
    ['Hôm nay trời mưa.', 'Ngày mai nắng!']
    >>> words("Hà Nội mùa thu", fast=True)
    ['Hà', 'Nội', 'mùa', 'thu']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-ZÀ-Ỹ0-9Đ])|\n+")
_TOKEN = re.compile(r"\w+(?:[.,/:-]\w+)*|[^\w\s]", re.UNICODE)


@lru_cache(maxsize=1)
def _underthesea() -> Any:
    try:
        import underthesea

        return underthesea
    except Exception:  # pragma: no cover - optional at run time
        return None


def sentences(text: str, *, fast: bool = True) -> list[str]:
    """Split into sentences. ``fast`` uses a regex splitter (≈50× faster than underthesea)."""
    if not text or not text.strip():
        return []
    if not fast and (uts := _underthesea()) is not None:
        try:
            return [s.strip() for s in uts.sent_tokenize(text) if s.strip()]
        except Exception:
            pass
    return [s.strip() for s in _SENT_END.split(text) if s and s.strip()]


def words(text: str, *, fast: bool = False) -> list[str]:
    """Word segmentation: multi-syllable words joined by a space (underthesea), or syllable tokens."""
    if not text or not text.strip():
        return []
    if not fast and (uts := _underthesea()) is not None:
        try:
            return list(uts.word_tokenize(text))
        except Exception:
            pass
    return _TOKEN.findall(text)


def syllables(text: str) -> list[str]:
    """Lower-case word tokens (syllables, numbers) without punctuation."""
    return [t for t in _TOKEN.findall(text.lower()) if t[0].isalnum()]
