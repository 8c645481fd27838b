"""Does a candidate fact-check state the SAME fact as the query? Pairwise features + logistic models.

Retrieval finds topically close claims; verification has to notice that "phạt 4 triệu" is not
"phạt 6 triệu" and that a ferry in Cà Mau is not a ferry in Kiên Giang.

    >>> f = pair_features(QueryView.of("Có phải vé phà Sao Mai tăng lên 90 nghìn không?"),
    ...                   TextView.of("Vé phà Sao Mai tăng lên 70 nghìn đồng từ tháng tới"), {})
    >>> f["num_conflict"], f["num_q_miss"]
    (1.0, 1.0)

``FEATURES`` lists the per-candidate features (used by the re-ranker), ``VERIFY_FEATURES`` the
features of the top candidate (used for the answer decision). The coefficients of both logistic
models are learned on development data (``bench/matching_fit.py``) and ship as a data file,
``engine/data/matching-model.json``, so no development data is needed at run time. ``veto`` then
refuses an automatic answer when a named slot (``engine/slots``) or a number differs.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import numpy as np

from kiemchung.engine import slots as S
from kiemchung.engine.lexical import ABBREVIATIONS, folded_syllables, marked_syllables, numbers
from kiemchung.text import fold, is_vn_syllable, normalise
from kiemchung.web.i18n import Message, fmt_number, lazy_gettext

# Number words that rarely mean anything else (note "năm" = five/year and "ba" = three/father are left out).
_NUMBER_WORDS = {"hai": "2", "bốn": "4", "sáu": "6", "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}
_WORD_SPAN = re.compile(r"[^\W_]+")
_FOLD_WORDS = re.compile(r"[^\W_]+")
_CLAUSE_END = re.compile(r"[:;.!?…]+(?=\s|$)")


def _is_title(tok: str) -> bool:
    return tok[0].isupper() and (len(tok) == 1 or tok[1:].islower())


def _is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 7 and tok.isupper() and tok[0].isalpha()


def shouted(text: str) -> list[bool]:
    """Per word of ``text`` (``_WORD_SPAN``): a Vietnamese word inside a headline written in
    capitals, where case tells nothing ("NGƯỜI DÂN HOANG MANG" opening an otherwise normal post).
    A run counts with ≥ 3 such words; acronyms in it ("UBND", "TP HCM") stay acronyms.

    >>> shouted("TIN NÓNG HÔM NAY Ở TP HCM: Bộ Y tế họp")
    [True, True, True, True, True, False, False, False, False, False, False]
    >>> any(shouted("UBND TP HCM họp với Bộ GTVT"))
    False
    """
    toks = _WORD_SPAN.findall(text)
    out = [False] * len(toks)
    i = 0
    while i < len(toks):
        j = i
        while j < len(toks) and (toks[j].isupper() or toks[j].isdigit()):
            j += 1
        if j == i:
            i += 1
            continue
        words = [k for k in range(i, j) if not toks[k].isdigit() and is_vn_syllable(fold(toks[k]).lower())]
        if len(words) >= 3:
            for k in words:
                out[k] = True
        i = j
    return out


def entities(text: str) -> set[str]:
    """Folded names: runs of ≥ 2 capitalised syllables, and short acronyms (UBND, QL10).

    >>> sorted(entities("Giám đốc Sở GTVT tỉnh Hòa Lâm Lê Văn Minh nghỉ hưu"))
    ['gtvt', 'hoa lam le van minh']
    """
    return set(entity_forms(text, headline=True))


def entity_forms(text: str, *, headline: bool = False) -> dict[str, str]:
    """The names of :func:`entities`, each with its first form as written (for editors' notes).

    Words of a headline in capitals are no names (:func:`shouted`), unless ``headline``: the
    matching model's name features were fitted counting them, and are computed so.

    >>> entity_forms("Sở GTVT tỉnh Hòa Lâm báo cáo")
    {'gtvt': 'GTVT', 'hoa lam': 'Hòa Lâm'}
    >>> text = "CẢNH BÁO LỪA ĐẢO qua tin nhắn giả danh ngân hàng ở Hòa Lâm"
    >>> entity_forms(text), sorted(entity_forms(text, headline=True))
    ({'hoa lam': 'Hòa Lâm'}, ['bao', 'canh', 'dao', 'hoa lam', 'lua'])
    """
    out: dict[str, str] = {}
    toks = list(_WORD_SPAN.finditer(text))
    loud = [False] * len(toks) if headline else shouted(text)
    rest = [m for m, heading in zip(toks, loud, strict=True) if not heading]
    all_caps = sum(1 for m in rest if m.group(0).isupper()) > 0.6 * max(len(rest), 1)
    run: list[str] = []
    last_end = -1

    def add(written: str) -> None:
        out.setdefault(fold(written), written)

    def flush() -> None:
        if len(run) >= 2:
            add(" ".join(run))
        run.clear()

    for m, heading in zip(toks, loud, strict=True):
        tok = m.group(0)
        if heading:
            flush()
        elif not all_caps and _is_acronym(tok):
            flush()
            add(tok)
        elif _is_title(tok) and not all_caps:
            if run and not text[last_end : m.start()].isspace():
                flush()
            run.append(tok)
        else:
            flush()
        last_end = m.end()
    flush()
    return out


# Units after "mười"/"mươi" ("mười hai" 12, "hai mươi lăm" 25); "năm" there means "years" ("mười năm").
_UNIT_WORDS = {
    "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
}  # fmt: skip


def _number_words(words: list[str]) -> set[str]:
    """Numbers written in words: single unambiguous ones and compounds of tens.

    >>> sorted(_number_words("mười hai con tàu , hai mươi lăm lớp , mười năm".split()))
    ['10', '12', '25']
    """
    out: set[str] = set()
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "mười" or (w in _UNIT_WORDS and nxt == "mươi"):
            tens = 1 if w == "mười" else _UNIT_WORDS[w]
            j = i + 1 if w == "mười" else i + 2
            unit = _UNIT_WORDS.get(words[j], 0) if j < len(words) else 0
            if unit == 1 and w == "mười" and words[j] == "mốt":
                unit = 0
            out.add(str(10 * tens + unit))
            i = j + (1 if unit else 0)
            continue
        if w in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[w])
        i += 1
    return out


_SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_SMALL = {**_UNIT_WORDS, "năm": 5}  # "năm" (five, or year) only before "trăm", "mươi" or a scale


def _small_number(words: list[str], i: int) -> tuple[int | None, int]:
    """A number under 1.000 written in words from ``words[i]``: (value, index after it)."""
    value, j = 0, i
    w = words[j] if j < len(words) else ""
    if w in _SMALL and j + 1 < len(words) and words[j + 1] == "trăm":
        value, j = _SMALL[w] * 100, j + 2
        if j + 1 < len(words) and words[j] in ("linh", "lẻ") and words[j + 1] in _SMALL:
            return value + _SMALL[words[j + 1]], j + 2
    w = words[j] if j < len(words) else ""
    if w == "mười" or (w in _SMALL and j + 1 < len(words) and words[j + 1] == "mươi"):
        tens, j = (1, j + 1) if w == "mười" else (_SMALL[w], j + 2)
        unit = _SMALL.get(words[j], 0) if j < len(words) else 0
        return value + 10 * tens + unit, j + (1 if unit else 0)
    if w in _SMALL and (value == 0 or w != "năm"):
        return value + _SMALL[w], j + 1
    return (value, j) if value else (None, i)


def amount_words(text: str) -> set[str]:
    """Amounts written in words with a scale ("sáu triệu", "hai triệu rưỡi", "nửa tỷ", "năm trăm
    nghìn"): unambiguous, unlike a bare number word ("hai" is also "hải" typed bare).

    >>> sorted(amount_words("phạt sáu triệu, thưởng hai triệu rưỡi, nửa tỷ và năm trăm nghìn đồng"))
    ['2500000', '500000', '500000000', '6000000']
    >>> amount_words("năm nay hai người"), sorted(amount_words("mười hai nghìn, hai mươi lăm tỷ"))
    (set(), ['12000', '25000000000'])
    >>> amount_words("nop nam trieu phi"), amount_words("doi mot ty thoi")  # typed bare
    ({'5000000'}, set())
    """
    return _amounts(_words_for_amounts(text))[0]


# Number words typed without diacritics, read only inside an amount with its scale ("nop nam trieu"
# is năm triệu); "ty", "ti" are left out (also tí, tý: "a little").
_BARE_NUMBER_WORDS = {
    "mot": "một", "hai": "hai", "ba": "ba", "bon": "bốn", "tu": "tư", "nam": "năm", "lam": "lăm",
    "sau": "sáu", "bay": "bảy", "tam": "tám", "chin": "chín", "tram": "trăm", "trieu": "triệu",
    "nghin": "nghìn", "ngan": "ngàn", "ruoi": "rưỡi", "nua": "nửa", "linh": "linh", "le": "lẻ",
}  # fmt: skip


def _words_for_amounts(text: str) -> list[str]:
    """Lower-case words; typed without diacritics, number words given their marks.

    >>> _words_for_amounts("nop hai muoi trieu"), _words_for_amounts("muoi lam nghin")
    (['nop', 'hai', 'mươi', 'triệu'], ['mười', 'lăm', 'nghìn'])
    """
    words = _FOLD_WORDS.findall(text.lower())
    if not text.isascii():
        return words
    out: list[str] = []
    for w in words:
        if w == "muoi":  # "mươi" after a unit ("hai mươi"), else "mười"
            out.append("mươi" if out and out[-1] in _SMALL else "mười")
        else:
            out.append(_BARE_NUMBER_WORDS.get(w, w))
    return out


def _amounts(words: list[str]) -> tuple[set[str], list[str]]:
    """(amounts in words with a scale, the words left outside them)."""
    out: set[str] = set()
    rest: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "nửa" and i + 1 < len(words) and words[i + 1] in _SCALES:
            out.add(str(_SCALES[words[i + 1]] // 2))
            i += 2
            continue
        value, j = _small_number(words, i)
        if value is not None and j < len(words) and words[j] in _SCALES:
            scale = _SCALES[words[j]]
            half = j + 1 < len(words) and words[j + 1] == "rưỡi"
            out.add(str(value * scale + (scale // 2 if half else 0)))
            i = j + 1 + half
            continue
        rest.append(words[i])
        i += 1
    return out, rest


def stated_numbers(text: str) -> frozenset[str]:
    """Every number a text states, as the answer-safety checks and the editors' notes read them:
    digits, amounts in words with their scale, other number words (a bare "1" says nothing).

    >>> sorted(stated_numbers("Nộp hai triệu, 3 người, mười hai ngày"))
    ['12', '2000000', '3']
    """
    amounts, rest = _amounts(_words_for_amounts(text))
    if text.isascii():  # (typed bare, a number word outside an amount is read as before)
        rest = _FOLD_WORDS.findall(text.lower())
    return frozenset((set(numbers(text)) | amounts | _number_words(rest)) - {"1"})


def _number_set(text: str) -> set[str]:
    """Numbers of a text, from digits and words; a bare "1" ("một" = one/a) says nothing.

    >>> sorted(_number_set("Một trường có 1 lớp, mười hai giáo viên, 7 nghìn tỷ"))
    ['12', '7000000000000']
    """
    found = set(numbers(text)) | _number_words(_FOLD_WORDS.findall(text.lower()))
    found.discard("1")
    return found


_YEAR = re.compile(r"(?:19|20)\d\d")


def _rounded(x: str) -> tuple[float, int] | None:
    """(value, significant digits) of a plain number; None for dates and codes."""
    try:
        v = float(x)
    except ValueError:
        return None
    digits = x.replace(".", "").lstrip("0").rstrip("0")
    return v, max(len(digits), 1)


def rounds_to(y: str, claim: AbstractSet[str]) -> bool:
    """``y`` is within 5 % of a rounder number of the claim: "3,04 tỷ" told as "hơn 3 tỷ".

    >>> rounds_to("3040000000", {"3000000000"}), rounds_to("3300000000", {"3000000000"}), rounds_to("13", {"15"})
    (True, False, False)
    """
    ry = _rounded(y)
    if ry is None or ry[0] <= 0 or _YEAR.fullmatch(y):
        return False  # (a year is never a rounding of another: 2019 is not "2020")
    for x in claim:
        rx = None if _YEAR.fullmatch(x) else _rounded(x)
        if rx and rx[0] > 0 and rx[1] < ry[1] and abs(ry[0] - rx[0]) <= 0.05 * rx[0]:
            return True
    return False


def numbers_new(q: AbstractSet[str], c: AbstractSet[str]) -> set[str]:
    """Numbers of the query the claim lacks, less those the claim gives rounded.

    >>> sorted(numbers_new({"3040000000", "27"}, {"3000000000", "17"}))
    ['27']
    """
    return {y for y in q - c if not rounds_to(y, c)}


def numbers_left_out(q: AbstractSet[str], c: AbstractSet[str]) -> set[str]:
    """Numbers of the claim the query lacks, less a year when the query gives none ("ngày 5/9"
    for "ngày 5/9/2023") and numbers the query gives more precisely.

    >>> sorted(numbers_left_out({"5/9"}, {"5/9", "2023"})), sorted(numbers_left_out({"5/9", "2022"}, {"5/9", "2023"}))
    ([], ['2023'])
    """
    no_year = not any(_YEAR.fullmatch(y) for y in q)
    return {
        x for x in c - q if not (no_year and _YEAR.fullmatch(x)) and not any(rounds_to(y, {x}) for y in q - c)
    }


_ONE_LABEL = re.compile(r"([^\W\d_]+)\s+1(?![\d.,/:]?\d)")
_ONE_WORD = re.compile(r"\b(?:một|mốt|nhất)\b", re.IGNORECASE)


def _says_one(text: str) -> str:
    """How a text says "one": "label" for a 1 after a label word ("phím 1"), "said" for any other
    1 or "một" (also the article "a"), else "".

    >>> _says_one("bấm phím 1 gặp tổng đài"), _says_one("thấy 1 bé gái"), _says_one("ngày 1/5 có 12 ca")
    ('label', 'said', '')
    >>> _says_one("bam phim 1 gap tong dai"), _says_one("nhan 1 phan qua")
    ('label', 'said')
    """
    labels = S.number_labels(bare=text.isascii())
    if any(m.group(1).lower() in labels for m in _ONE_LABEL.finditer(text)):
        return "label"
    return "said" if "1" in numbers(text) or _ONE_WORD.search(text) else ""


# A count of time ("nghỉ 1 tuần", "3 năm tù"), with its unit folded; "nam" bare is also "male".
_DURATION = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm|thập kỷ|gio|ngay|tuan|thang)(?!\w)"
)


def durations(text: str) -> frozenset[tuple[str, str]]:
    """(number, folded unit) of the counts of time in a text.

    >>> sorted(durations("Nghỉ 1 tuần nguyên lương, cách ly 14 ngay, án 3 năm tù"))
    [('1', 'tuan'), ('14', 'ngay'), ('3', 'nam')]
    """
    return frozenset((n.replace(",", "."), fold(unit).lower()) for n, unit in _DURATION.findall(text.lower()))


_TIME_UNITS = {
    "giay": "giây", "phut": "phút", "gio": "giờ", "tieng": "tiếng", "ngay": "ngày", "tuan": "tuần",
    "thang": "tháng", "nam": "năm", "thap ky": "thập kỷ",
}  # fmt: skip


def _durations_shown(found: frozenset[tuple[str, str]]) -> str:
    return ", ".join(f"{n.replace('.', ',')} {_TIME_UNITS.get(u, u)}" for n, u in sorted(found))


def unit_swapped(q: frozenset[tuple[str, str]], c: frozenset[tuple[str, str]]) -> bool:
    """The same number counts another unit of time ("1 tháng" asked against "1 tuần").

    >>> unit_swapped(durations("nghỉ 1 tháng"), durations("nghỉ 1 tuần")), unit_swapped(durations("1 tuần, 1 tháng"), durations("1 tuần"))
    (True, False)
    """
    return any((n, u2) not in q and (n, u) not in c for n, u in q for n2, u2 in c if n == n2 and u != u2)


@dataclass
class TextView:
    """What verification needs from one text, computed once."""

    text: str
    folded: str
    syl: list[str]
    bigrams: set[str]
    nums: set[str]
    ents: set[str]
    digits: set[str] = field(default_factory=set)  # numbers written with digits (words are ambiguous:
    # "hai" = two, but also "hải" typed without diacritics)
    slots: dict[str, frozenset[str]] = field(default_factory=dict)
    head_slots: dict[str, frozenset[str]] | None = None  # of the first line (a fact-check's short claim)
    head_syl: list[str] | None = None  # syllables of the first line, when there are several
    loose_slots: dict[str, frozenset[str]] = field(default_factory=dict)  # typed without diacritics
    polar: dict[str, bool] = field(default_factory=dict)  # content word -> negated (``slots.polarity``)
    head_polar: dict[str, bool] | None = None

    @cached_property
    def idents(self) -> frozenset[str]:
        """Links, domains, phone and account numbers named (computed when first asked for)."""
        from kiemchung.scam.indicators import extract_indicators

        return frozenset(i.value for i in extract_indicators(self.text))

    @cached_property
    def marked(self) -> list[tuple[str, str]]:
        """(diacritic, folded) syllables of the whole text."""
        return marked_syllables(self.text)

    @cached_property
    def acronyms(self) -> frozenset[str]:
        """Acronyms of the text (module function :func:`acronyms`), computed when first asked for."""
        return acronyms(self.text)

    @cached_property
    def one(self) -> str:
        """How the text says "one" (``_says_one``)."""
        return _says_one(self.text)

    @cached_property
    def times(self) -> frozenset[tuple[str, str]]:
        """Counts of time of the text (module function :func:`durations`)."""
        return durations(self.text)

    @cached_property
    def amounts(self) -> frozenset[str]:
        """Numbers in digits and amounts in words with a scale: the numbers a tip certainly states
        (the model's own number features read :attr:`nums`)."""
        return frozenset(self.digits | amount_words(self.text))

    @cached_property
    def stated(self) -> frozenset[str]:
        """Every number the text states (:func:`stated_numbers`), for the checks and the notes."""
        return stated_numbers(self.text)

    @cached_property
    def tenses(self) -> dict[str, bool]:
        """Words said as done or to come (``slots.tense``), of the first line for a fact-check's claim."""
        return S.tense(self.text.split("\n", 1)[0])

    @cached_property
    def all_tenses(self) -> dict[str, bool]:
        """Words said as done or to come in the whole text (a query's, whatever its lines)."""
        return S.tense(self.text, loose=self.text.isascii())

    @cached_property
    def capitals(self) -> frozenset[str]:
        """Lower-cased words written with a capital, sentence openings included."""
        return frozenset(
            m.group(0).lower()
            for m, heading in zip(_WORD_SPAN.finditer(self.text), shouted(self.text), strict=True)
            if m.group(0)[:1].isupper() and not heading
        )

    @cached_property
    def short_slots(self) -> dict[str, frozenset[str]]:
        """:attr:`slots` plus the values the text names by a short name standing alone ("Viện Hàn
        lâm Pháp", where only "người Pháp", "tại Pháp"… are forms): a claim so written names them.

        >>> TextView.of("Viện Hàn lâm Pháp: nghiên cứu mới").short_slots["country"]
        frozenset({'Pháp'})
        """
        ms = list(_WORD_SPAN.finditer(self.text))
        out = {k: set(v) for k, v in self.slots.items()}
        short = S.short_names()

        def name_next(a: re.Match[str], b: re.Match[str]) -> bool:  # b capitalised, a space apart
            return b.group(0)[:1].isupper() and self.text[a.end() : b.start()].isspace()

        for k, m in enumerate(ms):
            t = m.group(0)
            alone = not (k and name_next(ms[k - 1], m) and ms[k - 1].group(0)[:1].isupper()) and not (
                k + 1 < len(ms) and name_next(m, ms[k + 1])
            )
            if k and t in short and alone and t.lower() in self.names:
                kind, value = short[t]
                out.setdefault(kind, set()).add(value)
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def names(self) -> frozenset[str]:
        """Lower-cased words written as names (module function :func:`proper_words`)."""
        return proper_words(self.text)

    @cached_property
    def codes(self) -> frozenset[str]:
        """Codes of letters and digits (module function :func:`codes`)."""
        return codes(self.text)

    @cached_property
    def opposites(self) -> dict[tuple[int, int], str]:
        """Opposite-meaning words of the first line (``slots.opposite_sides``)."""
        return S.opposite_sides(self.text.split("\n", 1)[0])

    @cached_property
    def all_opposites(self) -> dict[tuple[int, int], str]:
        """Opposite-meaning words of the whole text (a query's, whatever its lines)."""
        return S.opposite_sides(self.text)

    @cached_property
    def head_marked(self) -> list[tuple[str, str]]:
        """(diacritic, folded) syllables of the first line (a fact-check's short claim)."""
        return marked_syllables(self.text.split("\n", 1)[0])

    @cached_property
    def head_breaks(self) -> frozenset[int]:
        """Positions in :attr:`head_marked` where a sentence or a clause after a colon begins."""
        pieces = _CLAUSE_END.split(self.text.split("\n", 1)[0])
        ends = list(itertools.accumulate(len(marked_syllables(p)) for p in pieces))
        return frozenset(ends[:-1])

    @classmethod
    def of(cls, text: str) -> TextView:
        norm = normalise(text)
        syl = folded_syllables(norm)
        return cls(
            text=norm,
            folded=" " + " ".join(syl) + " ",
            syl=syl,
            bigrams={f"{a} {b}" for a, b in itertools.pairwise(syl)},
            nums=_number_set(norm),
            digits=set(numbers(norm)) - {"1"},
            ents=entities(norm),
            slots=S.slots(norm),
            head_slots=S.slots(norm.split("\n", 1)[0]) if "\n" in norm else None,
            head_syl=folded_syllables(norm.split("\n", 1)[0]) if "\n" in norm else None,
            loose_slots=S.slots(norm, loose=True) if norm.isascii() else {},
            polar=S.polarity(norm),
            head_polar=S.polarity(norm.split("\n", 1)[0]) if "\n" in norm else None,
        )


@dataclass
class QueryView(TextView):
    """A query: its whole text plus its claim units (sentences of a long post)."""

    units: list[TextView] = field(default_factory=list)

    @classmethod
    def of(cls, text: str, units: list[str] | None = None) -> QueryView:
        base = TextView.of(text)
        views = [TextView.of(u) for u in units] if units else []
        return cls(**base.__dict__, units=views)


_LETTERS_DIGITS = re.compile(r"([a-z]+)(\d+)")


def _present(entity: str, folded_text: str) -> bool:
    """A folded name in a folded text (spaces around), also abbreviated, or as two names.

    Folded texts spell chat abbreviations out (``lexical.folded_syllables``), so only a name
    abbreviated in the other text needs spelling out here.

    >>> t = " benh vien bach mai cach ly nguoi tiep xuc benh nhan 133 tai thanh hoa nguyen van a viet nam "
    >>> _present("bach mai", t), _present("vn", t), _present("bn133", t), _present("benh vien", t)
    (True, True, True, True)
    >>> _present("thanh hoa nguyen van a", " o thanh hoa ong nguyen van a "), _present("ha tinh", t)
    (True, False)
    """
    if f" {entity} " in folded_text:
        return True
    words = entity.split()
    if len(words) == 1:
        # an abbreviation the other text spells out: "VN" for Việt Nam, "BN133" for bệnh nhân 133
        m = _LETTERS_DIGITS.fullmatch(entity)
        letters, digits = (m.group(1), " " + m.group(2)) if m else (entity, "")
        long = ABBREVIATIONS.get(letters)
        return long is not None and f" {long}{digits} " in folded_text
    # two names side by side, each found whole: a place then a person ("Thanh Hóa Nguyễn Văn A")
    return any(
        f" {' '.join(words[:k])} " in folded_text and f" {' '.join(words[k:])} " in folded_text
        for k in range(2, len(words) - 1)
    )


def _cov(tokens: list[str], other: set[str], idf: dict[str, float]) -> float:
    uniq = set(tokens)
    if not uniq:
        return 0.0
    tot = sum(idf.get(t, 3.0) for t in uniq)
    return sum(idf.get(t, 3.0) for t in uniq if t in other) / tot if tot else 0.0


def pair_features(
    q: QueryView, c: TextView, idf: dict[str, float], unit: int | None = None, *, checks: bool = True
) -> dict[str, float]:
    """Agreement features of query ``q`` (or its unit ``unit``) and candidate ``c``; all in about 0..1.

    ``idf`` maps folded syllables to IDF (unknown syllables count as rare). ``checks``: also the
    alignment checks of :func:`add_checks`, which only the answer decision reads (a matcher adds
    them to its top candidates only: they align the two texts syllable by syllable).
    """
    u: TextView = q.units[unit] if unit is not None and q.units else q
    c_set = set(c.syl)
    q_set = set(q.syl)
    f: dict[str, float] = {}
    f["cov_c"] = _cov(c.syl, q_set, idf)  # how much of the fact-check is in the query
    f["cov_c_bi"] = len(c.bigrams & q.bigrams) / len(c.bigrams) if c.bigrams else 0.0
    f["cov_q"] = _cov(u.syl, c_set, idf)  # how much of the claim unit is in the fact-check
    f["cov_q_bi"] = len(u.bigrams & c.bigrams) / len(u.bigrams) if u.bigrams else 0.0
    q_nums = q.nums
    f["num_c_has"] = 1.0 if c.nums else 0.0
    f["num_c_hit"] = len(c.nums & q_nums) / len(c.nums) if c.nums else 0.0
    f["num_q_miss"] = len(u.nums - c.nums) / len(u.nums) if u.nums else 0.0
    f["num_conflict"] = 1.0 if (c.nums and u.nums and not (c.nums & u.nums)) else 0.0
    c_ents_hit = [e for e in c.ents if _present(e, q.folded)]
    f["ent_c_hit"] = len(c_ents_hit) / len(c.ents) if c.ents else 0.0
    f["ent_c_miss"] = min(len(c.ents) - len(c_ents_hit), 3) / 3
    u_miss = [e for e in u.ents if not _present(e, c.folded)]
    f["ent_q_miss"] = len(u_miss) / len(u.ents) if u.ents else 0.0
    f["ent_swap"] = 1.0 if (u_miss and len(c_ents_hit) < len(c.ents)) else 0.0
    # the rarest word of the claim unit that the candidate lacks (a different place, product, name)
    f["rare_q_miss"] = max((idf.get(t, 3.0) for t in set(u.syl) - c_set), default=0.0) / 10
    f["rare_c_miss"] = max((idf.get(t, 3.0) for t in c_set - q_set), default=0.0) / 10
    f["log_clen"] = math.log1p(len(c.text)) / 8
    # not model features: a number of the query the fact-check lacks, a named slot
    # (place, disease, remedy...) that differs; either vetoes an automatic answer
    # a "1" after a label word ("bấm phím 1") is a number; "một" is also "a", so only a fact-check
    # that never says one at all lacks it
    f["num_added"] = (
        1.0 if numbers_new(u.amounts, c.stated) or ("1" in u.text and u.one == "label" and not c.one) else 0.0
    )
    # (not model features) a number of the query the claim lacks, and one of the claim the query
    # lacks, as :func:`number_swapped` reads them ("sáu triệu" against "4 triệu" too)
    f["num_new"] = float(len(numbers_new(u.stated, c.stated)))
    f["num_left_out"] = float(len(numbers_left_out(q.stated, c.stated)))
    # the same number of another unit of time: "nghỉ 1 tháng" is not "nghỉ 1 tuần"
    f["unit_swap"] = float(unit_swapped(u.times, c.times))
    head = c.short_slots if c.head_slots is None else c.head_slots
    f["slot_conflict"] = float(len(S.conflicts(u.slots, c.short_slots, head)))
    f["slot_swap"] = float(len(S.conflicts(u.slots, c.slots, head, swaps_only=True)))
    # the whole text, for a short one split into sentences (a picture's lines, a two-line message)
    f["slot_swap_all"] = float(len(S.conflicts(q.slots, c.slots, head, swaps_only=True)))
    f["q_syl"] = float(len(q.syl))
    if u.loose_slots and not f["slot_swap"]:
        # typed without diacritics: "uc" may be Úc, but only a swap against the claim counts
        f["slot_swap"] = float(len(S.conflicts(u.loose_slots, c.slots, head, swaps_only=True)))
    # how much of the fact-check's short claim the query says (a short claim is said almost whole)
    head_syl = c.syl if c.head_syl is None else c.head_syl
    f["cov_h"] = _cov(head_syl, q_set, idf)
    f["head_len"] = float(len(head_syl))
    # the query negates what the fact-check's claim asserts, or asserts what it negates
    f["polarity_flip"] = float(
        len(S.polarity_flips(u.polar, c.polar if c.head_polar is None else c.head_polar))
    )
    # the query says an act of the claim is still to come, or already done ("sẽ tăng" / "đã tăng")
    f["tense_flip"] = float(len(S.tense_flips(u.all_tenses, c.tenses)))
    # a link, domain or phone number the fact-check never names: a claim about that one
    f["ident_added"] = 1.0 if _may_name_ident(u.text) and u.idents - c.idents else 0.0
    if checks:
        add_checks(f, q, c, unit)
    return f


def add_checks(f: dict[str, float], q: QueryView, c: TextView, unit: int | None = None) -> dict[str, float]:
    """Add to ``f`` the checks that align the query with the claim (read by :func:`veto`)."""
    if "substituted" in f:
        return f
    u: TextView = q.units[unit] if unit is not None and q.units else q
    # the query repeats the fact-check's short claim with one span of content words replaced
    f["substituted"] = float(
        bool(substituted(u.marked, c.head_marked, u.acronyms | c.acronyms, c.head_breaks))
    )
    # ...or puts another name where the claim names one ("sân bay Tân Sơn Nhất" for "sân bay Nội Bài"),
    # or another code of the same series ("VTV3" for "VTV1", "H5N1" for "H1N1")
    f["name_swap"] = float(bool(another_name(u, c)))
    # the query says "giảm" where the claim says "tăng", "mở cửa" where it says "tạm dừng"
    f["opposite"] = float(len(opposites(u, c)))
    # ...or gives two of its names each other's roles ("A cấm hàng của B" for "B cấm hàng của A")
    f["roles_swapped"] = float(bool(S.roles_swapped(u.text, c.text.split("\n", 1)[0])))
    if unit is not None and len(q.syl) <= SHORT_TEXT:
        # a short text cut into lines (a picture, a card): the whole of it, as for slot_swap_all
        f["name_swap_all"] = float(bool(another_name(q, c)))
        f["opposite_all"] = float(len(opposites(q, c)))
    return f


def opposites(q: TextView, c: TextView) -> list[tuple[str, str]]:
    """(query's word, claim's word) where the query says the other side of an opposite pair.

    A query typed without diacritics is judged only where it puts the other side in the claim
    word's place (its folded words are ambiguous):

    >>> claim = TextView.of("Giá xăng tăng 3.000 đồng từ chiều nay, nên đổ đầy bình")
    >>> opposites(TextView.of("gia xang giam 3.000 dong tu chieu nay"), claim)
    [('giam', 'tăng')]
    >>> opposites(TextView.of("giam doc noi gia xang tang 3.000 dong tu chieu nay"), claim)
    []
    >>> opposites(TextView.of("dang ky thu phi cho nguoi dan"), TextView.of("Đăng ký miễn phí cho người dân"))
    [('thu phi', 'miễn phí')]
    """
    flips = S.opposite_flips(q.all_opposites, c.opposites)
    if flips or not c.opposites or not _bare(q.marked):
        return flips
    # ...and not where the query says both sides of the pair ("giam doc" and "tang")
    said = S.bare_opposite_sides(q.syl)
    cm, qm = c.head_marked, q.marked
    out = []
    for tag, i1, i2, j1, j2 in _align(qm, cm):
        if tag != "replace":
            continue
        # a syllable more on each side: a form may keep one ("thu phí" for "miễn phí"), but a
        # kept syllable alone is no replaced word ("5 tầng" kept, "giảm giá" in its place)
        theirs = _new_forms(
            lambda ws: S.opposite_sides(" ".join(ws)),
            [d for d, _ in cm[max(j1 - 1, 0) : j2 + 1]],
            j1 > 0,
            j2 < len(cm),
        )
        ours = _new_forms(
            S.bare_opposite_sides, [f for _, f in qm[max(i1 - 1, 0) : i2 + 1]], i1 > 0, i2 < len(qm)
        )
        for (k, side), word in ours.items():
            if (k, 1 - side) in theirs and (k, 1 - side) not in said:
                out.append((word, theirs[(k, 1 - side)]))
    return out


def _new_forms(
    find: Callable[[list[str]], dict[tuple[int, int], str]], words: list[str], before: bool, after: bool
) -> dict[tuple[int, int], str]:
    """Opposite forms ``find`` sees in ``words`` (a replaced span, with the kept syllable next to
    it on each side where there is one: ``before``, ``after``), less those a kept one says alone."""
    found = find(words)
    for w in [words[0]] * before + [words[-1]] * after:
        alone = find([w])
        found = {k: v for k, v in found.items() if alone.get(k) != v}
    return found


def _bare(pairs: list[tuple[str, str]]) -> bool:
    """Typed without diacritics: at least 80 % of the syllables are plain letters."""
    return sum(d.isascii() for d, _ in pairs) > 0.8 * len(pairs)


# --- one span of the claim replaced ---------------------------------------------------------------
# A tip that repeats a fact-check's short claim almost word for word but puts other content words in
# one place ("măng khô" for "măng tươi", "ngón chân" for "ngón tay", "bé trai" for "bé gái") states
# another claim, whatever the slot lexicon knows. Paraphrases reword more freely and rarely keep 70 %
# of a short claim in order; the spans compared are short, made of content words, and neither a
# loanword nor an abbreviation (whose Vietnamese equivalent is not judged here) nor a one-letter typo.

SUBST_SPAN = 4  # longest replaced span, in syllables, on either side
# ...and of a claim's closing words (its predicate: "là mất bằng vĩnh viễn" asked as "là bị phạt
# tù"), when the two spans share no content word
SUBST_TAIL = 8
# A headline-length claim is asked with some rewording; a longer one is a summary, which news posts
# retell with most of its words and which a screenshot's OCR garbles here and there, so it is left
# to the other rules (as for HEAD_COVERAGE).
SUBST_CLAIM = 18  # syllables
SUBST_ALIGNED = 0.70  # share of the claim's syllables the query repeats in order...
SUBST_WHOLE = 0.50  # ...or this share, when it repeats everything but the replaced span
SUBST_LENGTH = 1.5  # longest query, as a multiple of the claim's length, plus a tipster's words
TIPSTER_WORDS = 8  # "nghe nói ... có thật không mọi người"


def _content(pairs: list[tuple[str, str]], bare: bool = False) -> list[tuple[str, str]]:
    # in a text typed without diacritics (``bare``) a word is filler when any of its marked forms
    # is ("ca": cả, or cá)
    filler = S.folded_filler_words() if bare else S.filler_words()
    return [(d, f) for d, f in pairs if (f if bare else d) not in filler and len(f) > 1 and not f.isdigit()]


def _native(pairs: list[tuple[str, str]], names: frozenset[str]) -> list[tuple[str, str]]:
    """Vietnamese words and acronyms (``names``): a loanword may translate the other side."""
    return [(d, f) for d, f in pairs if is_vn_syllable(f) or d in names]


def acronyms(text: str) -> frozenset[str]:
    """Lower-cased acronyms written in capitals ("HPV", "BHXH"): names, not loanwords.

    >>> sorted(acronyms("Vắc xin HPV và thẻ BHYT, online"))
    ['bhyt', 'hpv']
    """
    return frozenset(
        t.lower()
        for t, heading in zip(_WORD_SPAN.findall(text), shouted(text), strict=True)
        if _is_acronym(t) and not heading
    )


def _abbreviates(short: list[tuple[str, str]], long: list[tuple[str, str]]) -> bool:
    """A token of ≤ 3 letters, not a syllable, whose letters run in order through the other span.

    >>> _abbreviates([("qh", "qh")], [("quốc", "quoc"), ("hội", "hoi")]), _abbreviates([("thử", "thu")], [("chính", "chinh"), ("thức", "thuc")])
    (True, False)
    """
    letters = "".join(f for _, f in long)
    for _, f in short:
        if len(f) <= 3 and not is_vn_syllable(f):
            it = iter(letters)
            if all(ch in it for ch in f):
                return True
    return False


def substitution(query: str, claim: str) -> tuple[str, str] | None:
    """(query's span, claim's span) where a near-verbatim query puts other content words.

    >>> substitution("Nghe nói măng khô có độc tố, phải luộc kỹ nhiều lần à", "Măng tươi có độc tố, phải luộc kỹ nhiều lần")
    ('khô', 'tươi')
    >>> substitution("Chích máu đầu ngón chân cứu được người đột quỵ", "Chích máu đầu ngón tay cứu người bị đột quỵ")
    ('chân', 'tay')
    >>> substitution("Uống nước dừa mỗi ngày giúp hạ huyết áp cao", "Uống nước dừa mỗi ngày giúp giải độc gan nhanh")
    ('hạ huyết áp cao', 'giải độc gan nhanh')
    >>> substitution("Vắc xin sởi làm trẻ bị tự kỷ phải không", "Vắc xin sởi khiến trẻ bị tự kỷ") is None
    True
    >>> substitution("Bộ GD bỏ thi tốt nghiệp năm nay", "Bộ Giáo dục bỏ thi tốt nghiệp năm nay") is None
    True
    """
    c = TextView.of(claim)
    return substituted(marked_syllables(query), c.head_marked, acronyms(query) | c.acronyms, c.head_breaks)


def substituted(
    q: list[tuple[str, str]],
    c: list[tuple[str, str]],
    names: frozenset[str] = frozenset(),
    breaks: frozenset[int] = frozenset(),
) -> tuple[str, str] | None:
    """:func:`substitution` over (diacritic, folded) syllables already computed."""
    # a near miss is the claim itself, give or take a tipster's words; a text that quotes the claim
    # inside a longer one rewords it as a summary would
    if not c or len(c) > SUBST_CLAIM or len(q) > SUBST_LENGTH * len(c) + TIPSTER_WORDS:
        return None
    ops = _align(q, c)
    same = sum(j2 - j1 for tag, _, _, j1, j2 in ops if tag == "equal")
    if same < SUBST_WHOLE * len(c):
        return None
    bare = _bare(q)
    equal = [k for k, op in enumerate(ops) if op[0] == "equal"]
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        # inside the repeated claim, or in place of its first words (the subject) or its last ones
        if tag != "replace" or (k < equal[0] and j1 > 0) or (k > equal[-1] and j2 < len(c)):
            continue
        # most of the claim in order, or all of it but this span (and one more syllable)
        if same < SUBST_ALIGNED * len(c) and len(c) - same - (j2 - j1) > 1:
            continue
        # a loanword may translate the other side ("online", "trực tuyến"): only Vietnamese words
        # and acronyms (HPV, BHXH: names) are compared
        a, b = _native(_content(q[i1:i2], bare), names), _native(_content(c[j1:j2]), names)
        words = [f for _, f in c[j1:j2] if not f.isdigit()]  # the claim's span, numbers aside
        most = SUBST_SPAN
        tail = k > equal[-1] and j2 == len(c) and not any(j1 <= x < j2 for x in breaks)
        if tail and not {f for _, f in a} & {f for _, f in b}:
            most = SUBST_TAIL  # (a claim's second clause, left out by a tip, is not its predicate)
        if not a or not b or len(a) > most or len(words) > most:
            continue
        if {f for _, f in a} <= {f for _, f in c[:j1] + c[j2:]}:
            continue  # words of the claim moved, not replaced ("hôm nay" put after the subject)
        if _abbreviates(a, b) or _abbreviates(b, a):
            continue
        if len(a) == len(b) == 1 and SequenceMatcher(None, a[0][1], b[0][1]).ratio() >= 0.8:
            continue  # a typo ("hung" for "khủng")
        return " ".join(d for d, _ in q[i1:i2]), " ".join(d for d, _ in c[j1:j2])
    return None


# --- one name replaced ----------------------------------------------------------------------------
# Whatever the length of the claim, a tip that keeps the words around a name and puts another name
# there ("chuyên gia người Pháp" for "chuyên gia người Anh", "quận Thanh Khê" for "quận Hải Châu")
# is about another place, country or body. Only names on both sides: common words are reworded by
# paraphrases all the time, names hardly ever (and a name a paraphrase drops or adds is no swap).

NAME_SPAN = 3  # longest replaced name, in syllables
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;\n\"“(\[-]\s*)$")


def proper_words(text: str) -> frozenset[str]:
    """Lower-cased words capitalised inside a sentence: parts of names (none in a text in capitals).

    >>> sorted(proper_words("Sáng nay sân bay Nội Bài đóng cửa. Khách đi Đà Nẵng chờ"))
    ['bài', 'nẵng', 'nội', 'đà']
    >>> sorted(proper_words("VinSmart ra mắt điện thoại. Google mua lại"))
    ['google', 'vinsmart']
    >>> proper_words("TIN NÓNG: BÃO VÀO HÀ NỘI")
    frozenset()
    """
    every = list(_WORD_SPAN.finditer(text))
    loud = shouted(text)
    # a word right after a headline in capitals opens a sentence (headlines end without a stop)
    after = {k for k in range(1, len(every)) if loud[k - 1] and not loud[k]}
    toks = [(k, m) for k, m in enumerate(every) if not loud[k]]
    if sum(m.group(0)[:1].isupper() for _, m in toks) > 0.6 * len(toks):
        return frozenset()  # headline case or capitals: case tells nothing
    return frozenset(
        m.group(0).lower()
        for k, m in toks
        if m.group(0)[:1].isupper()
        and (
            not (k in after or _SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()]))
            # a sentence's first word is a name when no Vietnamese word is written so ("VinSmart")
            or not is_vn_syllable(fold(m.group(0)).lower())
            or not m.group(0)[1:].islower()
        )
    )


def name_swap(query: str, claim: str) -> tuple[str, str] | None:
    """(query's name, claim's name) where a query keeps the claim's words around one name but not it.

    >>> name_swap("Có phải chuyên gia người Pháp bị cách ly ngay khi nhập cảnh?", "Một chuyên gia người Anh bị cách ly ngay khi nhập cảnh")
    ('Pháp', 'Anh')
    >>> name_swap("Sân bay Tân Sơn Nhất tạm đóng cửa", "Từ mai sân bay Nội Bài tạm đóng cửa")
    ('Tân Sơn Nhất', 'Nội Bài')
    >>> name_swap("Ông Nguyễn Văn Bình nghỉ hưu", "Ông Bình nghỉ hưu sớm") is None  # a name said in full
    True
    >>> name_swap("Siêu thị Saigon đóng cửa", "Siêu thị ở Sài Gòn đóng cửa") is None  # written together
    True
    >>> name_swap("chuyen gia nguoi brazil bi cach ly", "Chuyên gia người Anh bị cách ly")  # typed bare
    ('Brazil', 'Anh')
    >>> name_swap("benh nhan o benh vien phu tho duoc xuat vien", "Bệnh nhân ở Bệnh viện Ánh Dương được xuất viện")
    ('Phu Tho', 'Ánh Dương')
    """
    return name_swapped(TextView.of(query), TextView.of(claim))


def name_swapped(q: TextView, c: TextView) -> tuple[str, str] | None:
    """:func:`name_swap` over two views (``c``: its first line, a fact-check's short claim)."""
    qn, cn = q.names | q.acronyms, c.names | c.acronyms
    bare = q.text.islower() and _bare(q.marked)
    loose = S.folded_filler_words()
    if bare:
        # typed in lower case without diacritics, a name is told only by not being Vietnamese
        # ("idlib", "obama"); a Vietnamese one ("tan phu") is left to the slot lexicon
        qn = frozenset(d for d, f in q.marked if not is_vn_syllable(f) and f.isalpha())
    if not (qn or bare) or not cn:
        return None
    qm, cm = q.marked, c.head_marked
    ops = _align(qm, cm)
    filler = S.filler_words()
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace":
            continue
        before = k > 0 and ops[k - 1][0] == "equal"
        after = k + 1 < len(ops) and ops[k + 1][0] == "equal"
        # kept words on both sides, or on one side with the name opening or closing either text
        if not (
            (before and after)
            or (before and (j2 == len(cm) or i2 == len(qm)))
            or (after and (j1 == 0 or i1 == 0))
        ):
            continue
        # (a name may look like a filler word: "Ý" is Italy, "ý" an idea; a lone letter is the
        # tail of a name cut at its apostrophe, "Dara’a")
        a = [(d, f) for d, f in qm[i1:i2] if d in qn or (d not in filler and len(f) > 1 and not f.isdigit())]
        b = [(d, f) for d, f in cm[j1:j2] if d in cn or (d not in filler and len(f) > 1 and not f.isdigit())]
        if (
            before
            and after
            and a
            and b
            and len(a) == i2 - i1 <= NAME_SPAN
            and len(b) == j2 - j1 <= NAME_SPAN
            and qm[i1][0] in qn
            and cm[j1][0] in cn
            and not {f for _, f in a} & set(c.syl)
            and not {f for _, f in b} & set(q.syl)
            # (a title of one word, "Bác", and an acronym, "TW", are left to the checks below)
            and not any(len(x) == 1 and is_vn_syllable(x[0][1]) for x in (a, b))
            and not any(not is_vn_syllable(f) and len(f) <= 4 for _, f in a + b)
            and not _one_name(a, b)
        ):
            # a body's name capitalised on its first word only, between kept words ("Ủy ban Kinh
            # tế của Hội đồng" for "Ủy ban Văn hóa của Hội đồng")
            acr = q.acronyms | c.acronyms
            return _as_name(a, acr), _as_name(b, acr)
        if not a or not b or len(a) > NAME_SPAN or len(b) > NAME_SPAN or not all(d in cn for d, _ in b):
            # the words in between are reworded: still a swap where the name next to the kept
            # words is another one on each side ("của đội Sao Mai thắng" for "của đội Bình Minh
            # chơi rất hay, thắng"; "Minh Tuấn ghi 2 bàn" opening the text for "Văn Toàn được khen")
            qspan = qm[i1:i2]
            if k == 0 and i1 == j1 == 0 and not before:
                # the claim opens with its subject; a tip may say a few words first ("Bà con ơi.")
                qspan = qspan[_first_name(qspan, qn, q.capitals) :]
            run = _names_run(
                qspan,
                cm[j1:j2],
                qn,
                cn,
                before or i1 == j1 == 0,
                opens=not before,
                acronyms=None if bare else q.acronyms | c.acronyms,
            )
            if (
                run
                and not {f for _, f in run[0]} & set(c.syl)  # a name new to the claim...
                and not {f for _, f in run[1]} & set(q.syl)  # ...in place of one the query never says
            ):
                acr = q.acronyms | c.acronyms
                return _as_name(run[0], acr), _as_name(run[1], acr)
            continue
        # typed bare, Vietnamese words of the name's length between kept words on both sides
        # ("benh vien cho ray" for "Bệnh viện Bạch Mai") stand in for it
        # (of a name's syllables, fewer than half may fold to a function word: "van" is Văn or vẫn)
        stand_in = (
            bare and before and after and len(a) == len(b) >= 2 and 2 * sum(f in loose for _, f in a) < len(a)
        )
        if not stand_in and not all(d in qn for d, _ in a):
            continue
        if _one_name(a, b):
            continue
        acr = q.acronyms | c.acronyms
        return _as_name(a, acr), _as_name(b, acr)
    return None


def _names_run(
    a: list[tuple[str, str]],
    b: list[tuple[str, str]],
    qn: frozenset[str],
    cn: frozenset[str],
    leading: bool,
    *,
    opens: bool = True,
    acronyms: frozenset[str] | None = None,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """The names opening (``leading``) or closing two replaced spans, when both spans have one there.

    Where the spans open the texts (``opens``), a span's first word joins a name that follows it
    ("Minh Tuấn": a sentence's first word is not told a name by its capital). None when either
    side has no name there, one over ``NAME_SPAN``, a one-syllable Vietnamese word or a short
    acronym (of ``acronyms``; any short foreign word when the case is unknown, ``None``).

    >>> _names_run([("minh", "minh"), ("tuấn", "tuan"), ("ghi", "ghi")], [("văn", "van"), ("toàn", "toan")], frozenset({"tuấn"}), frozenset({"toàn"}), True)
    ([('minh', 'minh'), ('tuấn', 'tuan')], [('văn', 'van'), ('toàn', 'toan')])
    """

    def run(span: list[tuple[str, str]], names: frozenset[str]) -> list[tuple[str, str]]:
        seq = span if leading else span[::-1]
        head = seq[0][0] if seq else ""
        if (
            leading
            and not opens
            and len(seq) > 1
            and head in S.name_heads()
            # (a title in capitals is an acronym, and so among the names: "HLV", "GS")
            and (head not in names or not is_vn_syllable(seq[0][1]))
            and seq[1][0] in names
        ):
            # a word that says what the name is ("ở tỉnh Hòa Lạc Đông" for "ở Vân Nam", "tới
            # thầy Rossi" for "tới HLV Lê Minh")
            seq = seq[1:]
        out = []
        for k, (d, f) in enumerate(seq):
            opening = (
                opens
                and leading
                and k == 0
                and len(seq) > 1
                and seq[1][0] in names
                and d not in S.filler_words()
            )
            if not (d in names or opening) or f.isdigit():
                break
            out.append((d, f))
        return out if leading else out[::-1]

    ra, rb = run(a, qn), run(b, cn)
    if not ra or not rb or len(ra) > NAME_SPAN or len(rb) > NAME_SPAN:
        return None
    # a name of one Vietnamese word may be a title written with a capital ("Bác", "Chủ tịch"), and
    # an acronym may stand for the words after the run ("UB", "QH"): neither is judged here
    if any(len(r) == 1 and is_vn_syllable(r[0][1]) for r in (ra, rb)):
        return None
    if any(not is_vn_syllable(f) and len(f) <= 4 and (acronyms is None or d in acronyms) for d, f in ra + rb):
        return None
    return None if _one_name(ra, rb, a, b) else (ra, rb)


def _first_name(span: list[tuple[str, str]], names: frozenset[str], capitals: frozenset[str]) -> int:
    """Where the first name of a span begins: its first name word, or the capitalised word before it
    ("Minh Tuấn" after "Bà con ơi."); 0 when there is none.

    >>> _first_name([("bà", "ba"), ("con", "con"), ("minh", "minh"), ("tuấn", "tuan")], frozenset({"tuấn"}), frozenset({"bà", "minh", "tuấn"}))
    2
    """
    at = next((k for k, (d, _) in enumerate(span) if d in names), None)
    if at is None:
        return 0
    if at > 0 and span[at - 1][0] in capitals and span[at - 1][0] not in S.filler_words():
        at -= 1
    return at


def _one_name(
    a: list[tuple[str, str]],
    b: list[tuple[str, str]],
    span_a: list[tuple[str, str]] | None = None,
    span_b: list[tuple[str, str]] | None = None,
) -> bool:
    """Two spans write one name: an abbreviation of the other (or of the span it stands in), one
    inside the other, written together ("Saigon") or misspelt, or one place, country or body in the
    slot lexicon ("Sài Gòn", "TP HCM").

    >>> _one_name([("qh", "qh")], [("quốc", "quoc"), ("hội", "hoi")]), _one_name([("pháp", "phap")], [("anh", "anh")])
    (True, False)
    """
    if _abbreviates(a, span_b or b) or _abbreviates(b, span_a or a):
        return True
    wa, wb = "".join(f for _, f in a), "".join(f for _, f in b)
    if wa in wb or wb in wa or SequenceMatcher(None, wa, wb).ratio() >= 0.8:
        return True
    va = {(x.kind, x.value) for x in S.named(" ".join(d for d, _ in a).title())[1]}
    vb = {(x.kind, x.value) for x in S.named(" ".join(d for d, _ in b).title())[1]}
    return bool(va & vb)


def _as_name(span: list[tuple[str, str]], acronyms: frozenset[str]) -> str:
    return " ".join(d.upper() if d in acronyms else d.capitalize() for d, _ in span)


_CODE = re.compile(r"(?<![^\W_])([^\W\d_]+)(\d[^\W_]*)(?![^\W_])")


def codes(text: str) -> frozenset[str]:
    """Upper-cased codes of letters then digits: channels, roads, strains, case numbers.

    >>> sorted(codes("Kênh VTV1 đưa tin cúm H5N1 trên QL1A, bệnh nhân BN77"))
    ['BN77', 'H5N1', 'QL1A', 'VTV1']
    """
    return frozenset(m.group(0).upper() for m in _CODE.finditer(text))


def code_swapped(query: frozenset[str], claim: frozenset[str]) -> tuple[str, str] | None:
    """(query's code, claim's code) of one series (same leading letters) where each lacks the other's.

    >>> code_swapped(codes("phim chiếu trên VTV3"), codes("phim chiếu trên kênh VTV1"))
    ('VTV3', 'VTV1')
    >>> code_swapped(codes("cúm H5N1 và H1N1"), codes("cúm H5N1")) is None
    True
    """
    for x in sorted(query - claim):
        for y in sorted(claim - query):
            if _CODE.match(x).group(1) == _CODE.match(y).group(1):  # type: ignore[union-attr]
                return x, y
    return None


_Opcodes = tuple[tuple[str, int, int, int, int], ...]


def _align(q: list[tuple[str, str]], c: list[tuple[str, str]]) -> _Opcodes:
    """Opcodes aligning two texts' folded syllables (shared by the one-span and name checks)."""
    return _opcodes(tuple(f for _, f in q), tuple(f for _, f in c))


@lru_cache(maxsize=256)
def _opcodes(qf: tuple[str, ...], cf: tuple[str, ...]) -> _Opcodes:
    # the same pair is aligned by each check and again for the editors' reasons
    return tuple(SequenceMatcher(None, qf, cf, autojunk=False).get_opcodes())


def another_name(q: TextView, c: TextView) -> tuple[str, str] | None:
    """Another name (:func:`name_swapped`, :func:`headed_swapped`) or another code of a series
    (:func:`code_swapped`)."""
    return name_swapped(q, c) or headed_swapped(q, c) or code_swapped(q.codes, c.codes)


HEADED_SPAN = 4  # longest name after a head word, in syllables ("Nguyễn Thị Minh Khai")


def _headed(marked: list[tuple[str, str]], names: frozenset[str]) -> dict[str, list[list[tuple[str, str]]]]:
    """Head word -> the names written right after it ("trường THCS Hòa Bình", "ông Lê Văn Tám").

    >>> _headed([("thầy", "thay"), ("park", "park"), ("nói", "noi")], frozenset({"park"}))
    {'thầy': [[('park', 'park')]]}
    """
    heads = S.name_heads()
    out: dict[str, list[list[tuple[str, str]]]] = {}
    for i, (d, f) in enumerate(marked[:-1]):
        # a head word written as a name is part of one ("Thành phố", "Hồ Chí Minh")
        if d not in heads or (d in names and is_vn_syllable(f)):
            continue
        run: list[tuple[str, str]] = []
        for nd, nf in marked[i + 1 : i + 2 + HEADED_SPAN]:
            if nd not in names or nf.isdigit():
                break
            run.append((nd, nf))
        # another head first ("trường THCS ..."): that head's own name; a title of one Vietnamese
        # word is no name ("ông Chủ tịch")
        if not run or len(run) > HEADED_SPAN or run[0][0] in heads:
            continue
        if len(run) == 1 and is_vn_syllable(run[0][1]):
            continue
        out.setdefault(S.head_alias().get(d, d), []).append(run)
    return out


def headed_swapped(q: TextView, c: TextView) -> tuple[str, str] | None:
    """(query's name, claim's name) after the same head word, each absent from the other text,
    wherever the sentence puts it: a reworded tip about another school, street or person.

    >>> headed_swapped(TextView.of("Học sinh trường THCS Hòa Bình bị ngộ độc sau bữa trưa"),
    ...     TextView.of("Sau bữa trưa, 12 học sinh trường THCS Tân Tiến ngộ độc"))
    ('Hòa Bình', 'Tân Tiến')
    >>> headed_swapped(TextView.of("Ông Tám ở phố Hàng Bạc nói"), TextView.of("Ông Lê Văn Tám nói"))
    """
    if q.text.islower() and _bare(q.marked):
        return None  # case unknown: names are not told
    qh = _headed(q.marked, q.names | q.acronyms)
    ch = _headed(c.head_marked, c.names | c.acronyms)
    acr = q.acronyms | c.acronyms
    # as written, folded (the views' folded texts spell chat words out: "hồng" would read "không")
    qf = " " + " ".join(f for _, f in q.marked) + " "
    cf = " " + " ".join(f for _, f in c.marked) + " "
    places = S.place_heads()
    loose = _name_runs(c.head_marked, c.names) if qh.keys() & places else []
    if any(f" {' '.join(f for _, f in b)} " in qf for b in loose):
        loose = []  # the tip names the claim's place too: a finer address is detail, not another place
    for head in sorted(qh):
        # another place of the same kind; a street or ward the claim does not name, where it names
        # a place of its own ("phố Hàng Gai" for "cây xanh Phan Đình Giót")
        others = ch.get(head, []) or (loose if head in places and head not in ch else [])
        for a0 in qh[head]:
            for b0 in others:
                # the larger place both go on to name is no part of the swap ("Tân Phú, Hòa Lâm" for
                # "Xuân Lộc, Hòa Lâm")
                n = 0
                while n < min(len(a0), len(b0)) - 1 and a0[-1 - n][1] == b0[-1 - n][1]:
                    n += 1
                a, b = a0[: len(a0) - n], b0[: len(b0) - n]
                if f" {' '.join(f for _, f in a)} " in cf or _named_in(a, c):
                    continue
                if f" {' '.join(f for _, f in b)} " in qf or _one_name(a, b):
                    continue
                return _as_name(a, acr), _as_name(b, acr)
    return None


def _named_in(span: list[tuple[str, str]], c: TextView) -> bool:
    """The span names a place, country or body the claim names too, in other words ("Hồ Chí Minh"
    for "TP HCM")."""
    found = S.named(" ".join(d for d, _ in span).title())[1]
    return any(x.value in c.slots.get(x.kind, frozenset()) for x in found)


def _name_runs(marked: list[tuple[str, str]], names: frozenset[str]) -> list[list[tuple[str, str]]]:
    """Runs of two to ``HEADED_SPAN`` words written as names ("Hàng Gai"), none after a person's title.

    >>> _name_runs([("ở", "o"), ("kim", "kim"), ("mã", "ma"), ("ông", "ong"), ("lê", "le"), ("ba", "ba")], frozenset({"kim", "mã", "lê", "ba"}))
    [[('kim', 'kim'), ('mã', 'ma')]]
    """
    people = S.person_heads()
    out, run, after = [], [], False
    for d, f in [*marked, ("", "")]:
        if d in names and not f.isdigit():
            run.append((d, f))
            continue
        if 2 <= len(run) <= HEADED_SPAN and not after:
            out.append(run)
        after, run = d in people, []
    return out


def _may_name_ident(text: str) -> bool:
    """Cheap pre-check before the indicator extractor: a dot between letters, or a run of digits."""
    return bool(_IDENT_HINT.search(text))


_IDENT_HINT = re.compile(r"[^\W\d_]\.[^\W\d_]|\d[\d .-]{6,}\d|@")


# Per-candidate features of the re-ranker (retrieval signals first, then pair agreement).
FEATURES = [
    "lex_w",  # whole-query BM25, relative to the best candidate
    "lex_u",  # best claim-unit BM25, relative to the best candidate
    "den_w",  # whole-query cosine
    "den_u",  # best claim-unit cosine
    "den_w_gap",  # cosine minus the best cosine of this query
    "den_u_gap",
    "rrf",  # reciprocal-rank fusion of the four rankings
    "cov_c",
    "cov_c_bi",
    "cov_q",
    "cov_q_bi",
    "num_c_has",
    "num_c_hit",
    "num_q_miss",
    "num_conflict",
    "ent_c_hit",
    "ent_c_miss",
    "ent_q_miss",
    "ent_swap",
    "rare_q_miss",
    "rare_c_miss",
    "log_qlen",
    "log_clen",
]
# Features of the top candidate for the answer decision.
BASE_VERIFY_FEATURES = [
    "logit",  # re-ranker logit of the top candidate
    "margin",  # its logit minus the runner-up's
    "agree",  # lexical and dense rankings put the same candidate first
    "lex_margin",  # whole-query BM25 of the best minus the runner-up (relative)
    "den_margin",  # whole-query cosine of the best minus the runner-up
    "den_w",
    "den_u",
    "cov_c",
    "cov_q",
    "num_q_miss",
    "num_conflict",
    "ent_c_miss",
    "ent_q_miss",
    "ent_swap",
    "rare_q_miss",
    "rare_c_miss",
    "log_qlen",
    # added for long posts (0 or near 0 for a one-sentence tip)
    "agree4",  # share of the four rankings (whole/unit x lexical/dense) that put it first
    "lexu_margin",  # best-unit BM25 of the best minus the runner-up
    "denu_margin",  # best-unit cosine of the best minus the runner-up
    "den_first",  # cosine of the post's opening sentence minus that of its best sentence
    "lex_first",
    "unit_pos",  # position of its best sentence in the post (0 = opening, 1 = last)
]
VERIFY_FEATURES = [*BASE_VERIFY_FEATURES, "long", *(f"long*{n}" for n in BASE_VERIFY_FEATURES)]


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic model: ``sigmoid(intercept + x·coef)`` on standardised features."""

    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def logit(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(z @ np.asarray(self.coef) + self.intercept, dtype=np.float64)

    def prob(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(x), -50.0, 50.0)))


def _numbers_shown(nums: list[str]) -> str:
    """Canonical numbers as an editor reads them: large ones grouped the Vietnamese way.

    Years and other numbers under 10.000 stay as written ("2019", not "2.019").

    >>> _numbers_shown(["62000000000000", "2019", "19/5", "8.3"])
    '62.000.000.000.000, 2019, 19/5, 8,3'
    """
    out = []
    for n in nums:
        if re.fullmatch(r"\d+(\.\d+)?", n) and float(n) >= 10_000:
            out.append(fmt_number(float(n)))
        else:
            out.append(n.replace(".", ","))
    return ", ".join(out)


def reasons(f: dict[str, float], c: TextView, q: TextView) -> list[str]:
    """Human-readable agreement notes for editors (translated when shown); differences first.

    >>> reasons({}, TextView.of("Phà Sao Mai ở Cà Mau ngừng chạy"), TextView.of("Phà Sao Mai ở Kiên Giang ngừng chạy"))[0]
    'Địa danh khác: Kiên Giang ≠ Cà Mau'
    >>> reasons({}, TextView.of("Măng tươi có độc tố"), TextView.of("Măng khô có độc tố"))[0]
    'Khác lời: “khô” thay cho “tươi”'
    >>> "Nghĩa ngược: “giảm” và “tăng”" in reasons({}, TextView.of("Giá xăng tăng từ mai"), TextView.of("Giá xăng giảm từ mai"))
    True
    >>> reasons({}, TextView.of("Giá xăng đã tăng"), TextView.of("Giá xăng sắp tăng"))[0]
    'Thời điểm khác: “tăng” sắp xảy ra ≠ đã xảy ra'
    >>> reasons({}, TextView.of("Bộ đã quyết định bỏ thi"), TextView.of("Bộ sẽ quyết định bỏ thi"))[0]
    'Thời điểm khác: “quyết định” sắp xảy ra ≠ đã xảy ra'
    """
    out: list[str] = []
    head = c.slots if c.head_slots is None else c.head_slots
    for kind, q_vals, c_vals in S.conflicts(q.slots, c.slots, head):
        theirs = ", ".join(c_vals) or "—"
        out.append(
            lazy_gettext(
                "%(kind)s khác: %(values)s ≠ %(theirs)s",
                kind=Message(S.KIND_LABELS[kind]),
                values=", ".join(q_vals),
                theirs=theirs,
            )
        )
    swapped = substituted(q.marked, c.head_marked, q.acronyms | c.acronyms, c.head_breaks)
    if swapped:
        out.append(
            lazy_gettext("Khác lời: “%(ours)s” thay cho “%(theirs)s”", ours=swapped[0], theirs=swapped[1])
        )
    named = another_name(q, c)
    if named:
        out.append(lazy_gettext("Tên khác: “%(ours)s” thay cho “%(theirs)s”", ours=named[0], theirs=named[1]))
    for ours, theirs in opposites(q, c):
        out.append(lazy_gettext("Nghĩa ngược: “%(ours)s” và “%(theirs)s”", ours=ours, theirs=theirs))
    for w in S.tense_flips(q.all_tenses, c.tenses):
        # the word as the query writes it, with the next one ("quyết định", "tăng lương")
        at = next((k for k, (_, f) in enumerate(q.marked) if f == w), None)
        word = w if at is None else " ".join(d for d, f in q.marked[at : at + 2] if not f.isdigit())
        if q.all_tenses[w]:
            out.append(lazy_gettext("Thời điểm khác: “%(word)s” đã xảy ra ≠ sắp xảy ra", word=word))
        else:
            out.append(lazy_gettext("Thời điểm khác: “%(word)s” sắp xảy ra ≠ đã xảy ra", word=word))
    traded = S.roles_swapped(q.text, c.text.split("\n", 1)[0])
    if traded:
        out.append(
            lazy_gettext("Đổi vai: “%(one)s” và “%(other)s” đổi chỗ cho nhau", one=traded[0], other=traded[1])
        )
    added = sorted(numbers_new(q.amounts, c.stated))
    if added and not c.stated:
        out.append(lazy_gettext("Số liệu không có trong kết quả: %(join)s", join=_numbers_shown(added)))
    if c.stated:
        shared = sorted(c.stated & q.stated)
        if shared:
            out.append(lazy_gettext("Số liệu khớp: %(join)s", join=_numbers_shown(shared)))
        missing = sorted(numbers_new(q.stated, c.stated))
        if missing:
            out.append(
                lazy_gettext(
                    "Số liệu khác: %(join)s ≠ %(join2)s",
                    join=_numbers_shown(missing),
                    join2=_numbers_shown(sorted(numbers_left_out(q.stated, c.stated) or c.stated)),
                )
            )
    if unit_swapped(q.times, c.times):
        out.append(
            lazy_gettext(
                "Số liệu khác: %(join)s ≠ %(join2)s",
                join=_durations_shown(q.times - c.times),
                join2=_durations_shown(c.times - q.times),
            )
        )
    # names as written (the folded forms compare them: "Sơn Hà" for "son ha")
    c_forms, q_forms = entity_forms(c.text), entity_forms(q.text)
    ents_ok = sorted(c_forms[e] for e in c_forms if _present(e, q.folded))
    if ents_ok:
        out.append(lazy_gettext("Tên riêng khớp: %(join)s", join=", ".join(ents_ok)))
    ents_bad = sorted(q_forms[e] for e in q_forms if not _present(e, c.folded))
    if ents_bad:
        out.append(lazy_gettext("Tên riêng không có trong kết quả: %(join)s", join=", ".join(ents_bad)))
    out.append(lazy_gettext("Độ phủ từ: %(get)s", get=f"{f.get('cov_c', 0.0):.0%}").replace(".", ","))
    return out


# Share of a one-claim query's words (IDF-weighted) found in the fact-check above which the query is
# "about that claim and little else", so a place or a number it adds is part of its claim. Chosen on
# the development sets (0,52-0,55 give the same figures; see docs/evaluation.md).
STRICT_COVERAGE = 0.55
# Share of the fact-check's words (IDF-weighted) a text must contain to be answered at all: the
# learned confidence is relative to the other candidates, so in a small library an unrelated tip can
# score high against the only fact-check there is. No correct development answer is below 0,18.
MIN_SHARED = 0.15


# A one-sentence question that shares less than this with a fact-check both ways (IDF-weighted: of
# its own words, and of the fact-check's) shares a name or two and asks something else ("X sắp cưới"
# against "X qua đời"). On the development tips no correct answer is below 0,41 on both.
SHARES_LITTLE = 0.3


# A same-claim tip says most of a fact-check's short claim: one saying less of it (IDF-weighted)
# asks something else about the same topic ("Huế có lũ không" against "Ảnh lũ ở Huế là ảnh cũ"),
# or only a part of the claim. (syllables in the claim, least coverage) from the shortest claims
# up; longer claims are summarised in many ways and are left to the other rules. On the
# development sets no correct answer is below 0,57 against claims of ≤ 15 syllables, 0,40 of ≤ 25.
HEAD_COVERAGE = ((15, 0.55), (25, 0.40))


# Syllables up to which a text cut into several sentences is still read as one claim for swaps.
SHORT_TEXT = 40


def says_too_little(f: dict[str, float]) -> bool:
    """The query covers too little of the fact-check's short claim to be the same claim.

    >>> says_too_little({"head_len": 9.0, "cov_h": 0.4}), says_too_little({"head_len": 20.0, "cov_h": 0.45})
    (True, False)
    """
    n, cov = f.get("head_len", 0.0), f.get("cov_h", 1.0)
    return any(0 < n <= most and cov < least for most, least in HEAD_COVERAGE)


# A fact-check's claim of this many syllables or more summarises an event; a text half as long again
# reports it (a news post), with details the summary leaves out.
SUMMARY_CLAIM = 20
REPORT_LENGTH = 1.5


def reports_more(f: dict[str, float]) -> bool:
    """The text is much longer than a summary-length claim: an account of it, not the claim itself.

    >>> reports_more({"head_len": 22.0, "q_syl": 40.0}), reports_more({"head_len": 14.0, "q_syl": 40.0})
    (True, False)
    """
    n = f.get("head_len", 0.0)
    return n >= SUMMARY_CLAIM and f.get("q_syl", 0.0) >= REPORT_LENGTH * n


def number_swapped(f: dict[str, float]) -> bool:
    """The query has a number the match lacks AND the match has one the query lacks (a number
    given rounded, or a year the query leaves unsaid, is not lacked: :func:`numbers_left_out`).

    >>> number_swapped({"num_new": 1.0, "num_left_out": 1.0}), number_swapped({"num_new": 1.0, "num_left_out": 0.0})
    (True, False)
    >>> number_swapped({"num_q_miss": 1.0, "num_c_has": 1.0, "num_c_hit": 0.0})  # features of an older model row
    True
    """
    if "num_new" in f:
        return f["num_new"] > 0 and f.get("num_left_out", 0.0) > 0
    return f.get("num_q_miss", 0.0) > 0 and f.get("num_c_has", 0.0) > 0 and f.get("num_c_hit", 0.0) < 1


def veto(f: dict[str, float], long: bool) -> bool:
    """Never answer automatically when the query states a fact the match does not.

    The learned verifier scores how close two texts are; a claim built on the same template with
    another place, disease, remedy or number is close and still a different claim ("phạt 4 triệu"
    vs "phạt 6 triệu", "lá đu đủ chữa sốt xuất huyết" vs "tỏi chữa cao huyết áp"). Such a match
    is still ranked and may be suggested to editors, never answered.

    >>> veto({"slot_conflict": 1.0, "cov_q": 0.9}, long=False), veto({"num_added": 1.0, "cov_q": 0.9}, long=False)
    (True, True)
    >>> veto({"slot_conflict": 1.0, "cov_q": 0.3}, long=False)  # an aside in a long sentence
    False
    >>> veto({"cov_c": 0.05}, long=False)  # hardly a word of the fact-check in the text
    True
    >>> veto({"cov_c": 0.25, "cov_q": 0.2}, long=False)  # a name in common, and little else
    True
    >>> veto({"slot_conflict": 1.0, "slot_swap": 0.0}, long=True), veto({"slot_swap": 1.0}, long=True)
    (False, True)
    >>> veto({"slot_swap_all": 1.0, "q_syl": 25.0}, long=True)  # a two-line card: the place is on the other line
    True
    >>> veto({"tense_flip": 1.0, "q_syl": 25.0}, long=True), veto({"tense_flip": 1.0, "q_syl": 60.0}, long=True)
    (True, False)
    >>> veto({"name_swap_all": 1.0, "q_syl": 25.0}, long=True), veto({"name_swap_all": 1.0, "q_syl": 60.0}, long=True)
    (True, False)
    >>> veto({"polarity_flip": 1.0, "cov_q": 0.3}, long=False)  # "X không chữa Y" against "X chữa Y"
    True
    >>> veto({"head_len": 9.0, "cov_h": 0.4}, long=False)  # "Giá xăng có tăng không?" vs a 9-syllable claim
    True
    >>> veto({"substituted": 1.0, "cov_q": 0.9}, long=False)  # the claim word for word, one span replaced
    True
    >>> veto({"name_swap": 1.0}, long=False), veto({"opposite": 1.0}, long=False)
    (True, True)
    >>> veto({"roles_swapped": 1.0}, long=False)  # "A thắng B" asked against "B thắng A"
    True
    >>> veto({"tense_flip": 1.0}, long=False)  # "sẽ tăng" asked against "đã tăng"
    True
    >>> veto({"num_added": 0.0, "slot_conflict": 0.0}, long=False)
    False
    """
    if f.get("cov_c", 1.0) < MIN_SHARED:
        return True
    if long:
        # a long post: only a slot swapped in the sentence that matched (its other sentences, and
        # that sentence's own asides, name places, diseases and numbers of their own); in a short
        # text cut into sentences (a screenshot read line by line) anywhere in it
        if 0 < f.get("q_syl", 0.0) <= SHORT_TEXT and (
            f.get("slot_swap_all", 0.0) > 0
            or f.get("name_swap_all", 0.0) > 0
            or f.get("opposite_all", 0.0) > 0
            or f.get("substituted", 0.0) > 0  # the matched sentence, one span replaced...
            or f.get("unit_swap", 0.0) > 0
            # ...another name, its act said to come (a negation is not judged here: posts reword
            # "không chịu đóng phí" as "không đóng phí", and deny one thing to assert another)
            or f.get("name_swap", 0.0) > 0
            or f.get("tense_flip", 0.0) > 0
            or f.get("opposite", 0.0) > 0
            or f.get("roles_swapped", 0.0) > 0
        ):
            return True
        return f.get("slot_swap", 0.0) > 0
    if f.get("slot_swap", 0.0) > 0 or f.get("polarity_flip", 0.0) > 0 or f.get("unit_swap", 0.0) > 0:
        return True
    if f.get("tense_flip", 0.0) > 0:  # "sẽ tăng" asked against "đã tăng"
        return True
    if max(f.get("cov_q", 1.0), f.get("cov_c", 1.0)) < SHARES_LITTLE:  # the same names, another story
        return True
    if f.get("substituted", 0.0) > 0:  # "măng khô" asked against "măng tươi"
        return True
    if f.get("name_swap", 0.0) > 0 or f.get("opposite", 0.0) > 0:  # another name, the opposite verb
        return True
    if f.get("roles_swapped", 0.0) > 0:  # the same names in each other's places
        return True
    if says_too_little(f):
        return True
    if f.get("cov_q", 0.0) < STRICT_COVERAGE or reports_more(f):
        # much of the text is not about the fact-check's claim, or it reports the event at more
        # length than the claim's summary: extra places and numbers may be asides or details, so
        # only a number swapped against the fact-check's own vetoes
        return number_swapped(f)
    if f.get("slot_conflict", 0.0) > 0:  # the tip names a place, disease... the fact-check does not
        return True
    if f.get("ident_added", 0.0) > 0:  # a link or number of its own: a question about that one
        return True
    # the query states a number (amount, date, count) the fact-check does not
    return f.get("num_added", 0.0) > 0


# --- the fitted models ---------------------------------------------------------------------------
# Shipped as data (engine/data/matching-model.json, with its provenance); the feature names stored
# with the coefficients must be exactly the ones computed above, so a model fitted for another
# feature list fails at import instead of silently mis-scoring.

MODEL_FILE = "data/matching-model.json"


def _logistic(spec: dict[str, Any], names: list[str], where: str) -> Logistic:
    coef = spec["coef"]
    if list(coef) != names:
        raise ValueError(f"{MODEL_FILE}: {where} features {list(coef)} != {names}")
    if not (len(spec["mean"]) == len(spec["scale"]) == len(names)):
        raise ValueError(f"{MODEL_FILE}: {where} mean/scale length != {len(names)}")
    return Logistic(
        tuple(names),
        tuple(float(v) for v in coef.values()),
        float(spec["intercept"]),
        tuple(float(v) for v in spec["mean"]),
        tuple(float(v) for v in spec["scale"]),
    )


def load_model(
    raw: dict[str, Any] | None = None,
) -> tuple[Logistic, dict[str, Logistic], dict[str, dict[str, float]]]:
    """(re-ranker, verifier per mode, thresholds per mode) from the bundled JSON (or ``raw``)."""
    if raw is None:
        raw = json.loads(resources.files("kiemchung.engine").joinpath(MODEL_FILE).read_text("utf-8"))
    if raw["features"] != FEATURES or raw["verify_features"] != VERIFY_FEATURES:
        raise ValueError(f"{MODEL_FILE}: feature lists differ from the code's; refit the model")
    rerank = _logistic(raw["rerank"], FEATURES, "rerank")
    verify = {
        mode: _logistic(spec, VERIFY_FEATURES, f"verify.{mode}") for mode, spec in raw["verify"].items()
    }
    thresholds = {mode: {k: float(v) for k, v in th.items()} for mode, th in raw["thresholds"].items()}
    if set(thresholds) != set(verify) or any(set(t) != {"answer", "suggest"} for t in thresholds.values()):
        raise ValueError(f"{MODEL_FILE}: thresholds must give answer and suggest for each verifier")
    return rerank, verify, thresholds


def model_json(
    rerank: Logistic, verify: dict[str, Logistic], thresholds: dict[str, dict[str, float]], provenance: str
) -> dict[str, Any]:
    """The JSON object ``load_model`` reads (written by the fitting tool)."""

    def lg(m: Logistic) -> dict[str, Any]:
        return {
            "coef": dict(zip(m.names, m.coef, strict=True)),
            "intercept": m.intercept,
            "mean": list(m.mean),
            "scale": list(m.scale),
        }

    return {
        "_provenance": provenance,
        "features": FEATURES,
        "verify_features": VERIFY_FEATURES,
        "rerank": lg(rerank),
        "verify": {mode: lg(m) for mode, m in verify.items()},
        "thresholds": thresholds,
    }


RERANK, VERIFY, THRESHOLDS = load_model()
