"""Vietnamese normalisation and folding.

    >>> normalise("Hoà  bình\u200b ở  Thuỷ Nguyên")
    'Hòa bình ở Thủy Nguyên'
    >>> fold("Đà Nẵng, Hà Nội")
    'da nang, ha noi'

``normalise`` is idempotent and never raises on any ``str``. The tone convention is the
traditional one used by most Vietnamese newsrooms: in open syllables ending in "oa", "oe", "uy"
the tone mark sits on the first vowel (hòa, khỏe, thủy); everywhere else on the main vowel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
MODIFIERS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
VOWELS = set("aeiouyAEIOUY")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HSPACE = re.compile(r"[^\S\n]+")
_MANY_NL = re.compile(r"\n{3,}")
# Letters plus any combining marks that NFC could not compose (a stray tone belongs to its word).
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")

URL_RE = re.compile(
    r"(?i)\b(?:(?:https?|hxxps?)://|www\.)[^\s<>\"'()]+|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,62})*"
    r"\.(?:vn|com|net|org|info|xyz|top|vip|online|site|shop|club|io|me|cc|tk|ml|ga|cf|gq|link|app|live)"
    r"(?:/[^\s<>\"']*)?\b"
)
EMAIL_RE = re.compile(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b")
PHONE_RE = re.compile(r"(?<![\d.,])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\d.,]*\d)")


def _split_syllable(chars: list[str]) -> tuple[int, int]:
    """Return [start, end) of the vowel nucleus in a decomposed, tone-free syllable."""
    letters = "".join(ch for ch in chars if not unicodedata.combining(ch)).lower()
    pos = [i for i, ch in enumerate(chars) if not unicodedata.combining(ch)]  # base letters
    start = 0
    if (letters.startswith("qu") and len(letters) > 2) or (
        letters.startswith("gi") and len(letters) > 2 and letters[2] in "aeiouy"
    ):
        start = 2
    while start < len(letters) and letters[start] not in "aeiouy":
        start += 1
    end = start
    while end < len(letters) and letters[end] in "aeiouy":
        end += 1
    return (pos[start] if start < len(pos) else len(chars), pos[end] if end < len(pos) else len(chars))


def _place_tone(word: str) -> str:
    decomposed = list(unicodedata.normalize("NFD", word))
    tones = [c for c in decomposed if c in TONES]
    if len(tones) != 1:
        return word  # no tone, or not a Vietnamese syllable: leave untouched
    if any(unicodedata.combining(c) and c not in TONES and c not in MODIFIERS for c in decomposed):
        return word  # other marks (ï, å, ...): not Vietnamese, and moving the tone would not be stable
    chars = [c for c in decomposed if c not in TONES]
    start, end = _split_syllable(chars)
    if start >= end:
        return word
    # base vowels of the nucleus with their index (in chars) and whether they carry a modifier
    nucleus: list[tuple[int, bool]] = []
    i = start
    while i < end:
        j = i + 1
        modified = False
        while j < len(chars) and unicodedata.combining(chars[j]):
            modified = modified or chars[j] in MODIFIERS
            j += 1
        nucleus.append((i, modified))
        i = j
    has_final = end < len(chars)
    modified_idx = [idx for idx, m in nucleus if m]
    if modified_idx:
        target = modified_idx[-1]
    elif len(nucleus) == 1:
        target = nucleus[0][0]
    elif len(nucleus) == 3:
        target = nucleus[1][0]
    elif has_final:
        target = nucleus[-1][0]
    else:
        # open two-vowel nucleus: ai, ao, ia, ua, ... and, in this convention, oa/oe/uy too
        target = nucleus[0][0]
    # insert the tone after the base vowel and any modifier it carries
    k = target + 1
    while k < len(chars) and chars[k] in MODIFIERS:
        k += 1
    chars.insert(k, tones[0])
    return unicodedata.normalize("NFC", "".join(chars))


@lru_cache(maxsize=65536)
def _normalise_word(word: str) -> str:
    if word.isascii():
        return word
    return _place_tone(word)


def normalise(text: str) -> str:
    """NFC, one tone-placement convention, no zero-width/control characters, tidy whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.translate(ZERO_WIDTH))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    if not text.isascii():
        text = _WORD.sub(lambda m: _normalise_word(m.group(0)), text)
    text = _HSPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_NL.sub("\n\n", text)
    return text.strip()


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.translate(_FOLD_TABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, no-diacritic form used for matching text typed without diacritics."""
    if text.isascii():
        return text.lower()
    out = _WORD.sub(lambda m: _fold_word(m.group(0)), text.lower())
    return unicodedata.normalize("NFC", out)


# The shape of a Vietnamese syllable written without marks: initial consonant(s), vowel nucleus,
# final consonant(s). A folded token of another shape is a loanword, an abbreviation or a brand.
VN_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)


def is_vn_syllable(folded: str) -> bool:
    """``folded`` (lower case, no marks) has the shape of one Vietnamese syllable.

    >>> is_vn_syllable("nghieng"), is_vn_syllable("online"), is_vn_syllable("qh")
    (True, False, False)
    """
    return VN_SYLLABLE.fullmatch(folded) is not None


@dataclass
class Normalised:
    """Normalised text with URLs, e-mails and phone numbers replaced by placeholders."""

    text: str
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def normalise_with_entities(text: str) -> Normalised:
    """Like ``normalise`` but lifts URLs, e-mails and phone numbers out into their own lists.

    >>> n = normalise_with_entities("Gọi 0912 345 678 hoặc vào https://vcb-hotro.com nhé")
    >>> n.text, n.phones, n.urls
    ('Gọi <phone> hoặc vào <url> nhé', ['0912 345 678'], ['https://vcb-hotro.com'])
    """
    clean = normalise(text)
    out = Normalised(text=clean)

    def grab(bucket: list[str], token: str):  # type: ignore[no-untyped-def]
        def repl(m: re.Match[str]) -> str:
            bucket.append(m.group(0))
            return token

        return repl

    clean = EMAIL_RE.sub(grab(out.emails, "<email>"), clean)
    clean = URL_RE.sub(grab(out.urls, "<url>"), clean)
    clean = PHONE_RE.sub(grab(out.phones, "<phone>"), clean)
    out.text = clean
    return out


def content_hash(text: str, *, normalised: bool = False) -> str:
    """Hash of the normalised, folded text: equal for reposts that differ only in form.

    ``normalised=True`` skips normalising again when the caller already holds ``normalise(text)``
    (same hash, since ``normalise`` is idempotent).

    >>> content_hash("Hoà Bình  ") == content_hash("hòa bình") == content_hash("Hòa Bình", normalised=True)
    True
    """
    import hashlib

    key = " ".join(fold(text if normalised else normalise(text)).split())
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()  # never raises
