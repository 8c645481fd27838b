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
