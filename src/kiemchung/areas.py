"""Vietnam's administrative units in force since 1 July 2025: 34 provinces/cities and their wards.

The data is the ``vietnam-provinces`` package (GPL-3.0-or-later, data version 2025-10), built from
the General Statistics Office's list of units after the 2025 reorganisation; nothing is typed in here.

>>> len(provinces())
34
>>> province_name(1), short_name("Thành phố Hà Nội")
('Thành phố Hà Nội', 'Hà Nội')
>>> ward_name(1, 70)
'Phường Hoàn Kiếm'
>>> find_province("Mưa lớn ở ha noi chiều nay")
1
>>> area_label(1, 70)
'Phường Hoàn Kiếm, Thành phố Hà Nội'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from kiemchung.text import fold

SOURCE = "vietnam-provinces (GPL-3.0-or-later), https://github.com/sunshine-tech/VietnamProvinces"
_PREFIX = re.compile(r"^(Thành phố|Tỉnh)\s+")


def short_name(name: str) -> str:
    """'Thành phố Đà Nẵng' -> 'Đà Nẵng' (how people write it in a post)."""
    return _PREFIX.sub("", name)


@lru_cache(maxsize=1)
def provinces() -> list[tuple[int, str]]:
    """``[(code, official name)]`` of the 34 provinces and centrally-run cities."""
    return [(int(p.code), p.name) for p in Province.iter_all()]


@lru_cache(maxsize=64)
def wards(province_code: int) -> list[tuple[int, str]]:
    """``[(code, name)]`` of the wards/communes of one province (empty for an unknown code)."""
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        return []
    return [(int(w.code), w.name) for w in Ward.iter_by_province(code)]


def province_name(code: int | None) -> str | None:
    try:
        return Province.from_code(ProvinceCode(code)).name if code else None
    except ValueError:
        return None


def ward_name(province_code: int | None, code: int | None) -> str | None:
    """The ward's name if it exists *in that province*, else None."""
    if not code:
        return None
    try:
        ward = Ward.from_code(WardCode(code))
    except ValueError:
        return None
    return ward.name if int(ward.province_code) == province_code else None


def area_label(province_code: int | None, ward_code: int | None = None) -> str:
    parts = [ward_name(province_code, ward_code), province_name(province_code)]
    return ", ".join(p for p in parts if p)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[int, re.Pattern[str]]]:
    # Folded (no diacritics), whole words: posts are often typed without accents.
    return [(code, re.compile(rf"\b{re.escape(fold(short_name(name)))}\b")) for code, name in provinces()]


def find_province(text: str) -> int | None:
    """The code of the first province/city named in ``text``, if any."""
    folded = fold(text)
    hits = [(m.start(), code) for code, pat in _patterns() if (m := pat.search(folded))]
    return min(hits)[1] if hits else None


@lru_cache(maxsize=64)
def _ward_patterns(province_code: int) -> list[tuple[int, re.Pattern[str]]]:
    # "phường Cửa Nam", "P. Cửa Nam", "xã Sóc Sơn", "đặc khu Phú Quốc": a ward is named with its
    # kind, since the same bare names recur across provinces (13 communes are called Tân Thạnh)
    out = []
    for code, name in wards(province_code):
        kind, _, rest = fold(name).lower().partition(" ")
        if kind == "dac":
            kind, _, rest = rest.partition(" ")
            kind = "dac khu"
        prefix = {"phuong": r"(?:phuong|p\.)", "xa": r"xa", "dac khu": r"dac khu"}[kind]
        out.append((code, re.compile(rf"(?<!\w){prefix}\s*{re.escape(rest)}(?!\w)")))
    return out


def find_ward(text: str, province_code: int | None = None) -> tuple[int, int] | None:
    """(province code, ward code) of the first ward/commune named in ``text`` with its kind.

    Within ``province_code`` when given; otherwise only when one province has a ward of that name.
    Typed with diacritics, the name must be the ward's own (Tân Thạnh is not Tân Thành).

    >>> find_ward("Đèn đường ở phường Cửa Nam hỏng", 1)
    (1, 73)
    >>> find_ward("den duong p.cua nam hong"), find_ward("Ổ gà ở Cửa Nam")
    ((1, 73), None)
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold(text).lower()  # one character for one: spans index the text too
    codes = [province_code] if province_code else [code for code, _ in provinces()]
    hits = sorted(
        (m.start(), m.end(), p, code)
        for p in codes
        for code, pat in _ward_patterns(p)
        if (m := pat.search(folded))
    )
    if not hits:
        return None
    # the earliest name, the longest there ("xã Tân Thạnh Đông" is not "xã Tân Thạnh")
    start, end = hits[0][0], max(h[1] for h in hits if h[0] == hits[0][0])
    first = [h for h in hits if h[:2] == (start, end)]
    said = text[first[0][0] : first[0][1]].lower()
    if not said.isascii():
        first = [h for h in first if said.endswith(_own_name(h[2], h[3]))] or first
    if len({p for _, _, p, _ in first}) > 1:  # that name is a ward in two provinces
        return None
    return first[0][2], first[0][3]


def _own_name(province_code: int, code: int) -> str:
    """The ward's name without its kind, lower case, with diacritics ("cửa nam")."""
    name = (ward_name(province_code, code) or "").lower()
    return re.sub(r"^(phường|xã|đặc khu)\s+", "", name)
