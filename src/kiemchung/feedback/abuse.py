"""The abuse flag: words of ``data/abuse_words.json`` found in a text hold it for a moderator.

Matching is on whole words. A word typed with diacritics matches only the accented term; a word
typed without any matches the term's ``ascii`` form, where the list gives one (``lon`` is also
``lớn``, so ``lồn`` has none). Nothing is ever deleted because of a match.

>>> flag_terms("Đường này hỏng lâu rồi, đồ ngu mới làm thế")
['đồ ngu']
>>> flag_terms("duong nay hong lau roi, do ngu moi lam the")
['đồ ngu']
>>> flag_terms("Con đường lớn ở phường đi qua các khu dân cư"), flag_terms("duong lon di qua cac khu")
([], [])
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from kiemchung.text import fold, normalise

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _terms() -> list[tuple[str, tuple[str, ...], tuple[str, ...] | None]]:
    data = json.loads(files("kiemchung.feedback").joinpath("data/abuse_words.json").read_text("utf-8"))
    out = []
    for row in data["terms"]:
        accented = tuple(_WORD.findall(normalise(row["term"]).lower()))
        plain = tuple(row["ascii"].split()) if row.get("ascii") else None
        out.append((row["term"], accented, plain))
    return out


def _plain(word: str) -> bool:
    return word.isascii() or fold(word) == unicodedata.normalize("NFC", word).lower()


def flag_terms(text: str) -> list[str]:
    """The list's terms found in ``text`` (each once, in list order)."""
    words = _WORD.findall(normalise(text).lower())
    folded = [fold(w) for w in words]
    plain = [_plain(w) for w in words]
    found: list[str] = []
    for term, accented, ascii_form in _terms():
        n = len(accented)
        for i in range(len(words) - n + 1):
            window = range(i, i + n)
            if tuple(words[j] for j in window) == accented or (
                ascii_form is not None
                and all(plain[j] for j in window)
                and tuple(folded[j] for j in window) == ascii_form
            ):
                found.append(term)
                break
    return found
