"""Impersonated pages: a page name and link given by a tipster, against the official registry.

>>> w = check_page("Vietcombank CSKH", "facebook.com/vietcombank.cskh.247")
>>> w.verdict, w.official
('scam', 'Vietcombank')
>>> check_page("Vietcombank", "https://www.facebook.com/vietcombank").verdict
'ok'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kiemchung.scam.domains import clean_host, registered_domain
from kiemchung.scam.registry import Official, Registry, default_registry
from kiemchung.text import fold
from kiemchung.web.i18n import lazy_gettext

# Words impostor pages add to an official name: support, care, promotions, "official" ...
LURE_WORDS = frozenset(
    [
        "cskh",
        "hotro",
        "ho",
        "tro",
        "cham",
        "soc",
        "khach",
        "hang",
        "support",
        "care",
        "official",
        "chinh",
        "thuc",
        "khuyen",
        "mai",
        "uu",
        "dai",
        "tri",
        "an",
        "qua",
        "tang",
        "nhan",
        "qua",
        "giai",
        "ngan",
        "vay",
        "hoan",
        "tien",
        "xac",
        "minh",
        "24",
        "7",
        "247",
        "24h",
        "online",
        "vn",
        "viet",
        "nam",
        "service",
    ]
)


@dataclass
class PageWarning:
    name: str
    url: str
    verdict: str  # scam | suspicious | ok | unknown
    score: float
    official: str | None = None
    reasons: list[str] = field(default_factory=list)


def page_key(url: str) -> str:
    """Canonical host + first path segment ('facebook.com/vietcombank'), lower-case, no query."""
    host = clean_host(url)
    if not host:
        return ""
    reg = registered_domain(host) or host
    path = re.sub(r"(?i)^(?:[a-z]+://)?[^/]+", "", url.strip()).split("?", 1)[0].split("#", 1)[0]
    segs = [s for s in path.split("/") if s]
    deep = bool(segs) and segs[0].lower() in ("pages", "groups", "people", "profile.php")
    segs = segs[:3] if deep else segs[:1]
    return "/".join([reg, *(s.lower() for s in segs)])


def _name_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", fold(name)) if t]


def _best_official(name: str, registry: Registry) -> tuple[Official | None, float, str]:
    folded = " ".join(_name_tokens(name))
    core = " ".join(t for t in _name_tokens(name) if t not in LURE_WORDS)
    best: tuple[Official | None, float, str] = (None, 0.0, "")
    for o in registry.officials:
        for pn in o.page_names:
            target = " ".join(_name_tokens(pn))
            if len(target) < 3:
                continue
            s = max(fuzz.ratio(folded, target), fuzz.ratio(core, target) if core else 0.0)
            if len(target) >= 4 and re.search(rf"(?<![a-z0-9]){re.escape(target)}(?![a-z0-9])", folded):
                s = max(s, 95.0)
            if s > best[1]:
                best = (o, s, pn)
    return best


def check_page(name: str, url: str = "", registry: Registry | None = None) -> PageWarning:
    """Is this page (name + link) an official channel, or one imitating it?"""
    reg = registry or default_registry()
    official, sim, matched = _best_official(name, reg)
    key = page_key(url) if url else ""
    if official is None or sim < 80:
        return PageWarning(
            name,
            url,
            "unknown",
            0.0,
            None,
            [lazy_gettext("Tên trang không giống kênh chính thức nào trong danh bạ")],
        )
    official_keys = {page_key(u) for u in official.page_urls}
    host = clean_host(url) if url else ""
    if (key and key in official_keys) or (host and reg.owner(host) is official):
        return PageWarning(
            name,
            url,
            "ok",
            0.0,
            official.name,
            [lazy_gettext("Trang chính thức của %(label)s", label=official.label, name=official.name)],
        )
    lures = [t for t in _name_tokens(name) if t in LURE_WORDS]
    handle = key.split("/", 1)[1] if "/" in key else ""
    score = 0.6 + 0.3 * (sim - 80) / 20 + (0.1 if lures else 0.0)
    reasons: list[str] = [
        lazy_gettext(
            "Tên trang giống '%(matched)s' (%(label)s) nhưng địa chỉ không thuộc danh sách trang chính thức",
            matched=matched,
            label=official.label,
            name=official.name,
        )
    ]
    if lures:
        words = ", ".join(lures)
        reasons.append(lazy_gettext("Tên trang thêm từ hay gặp ở trang mạo danh (%(words)s)", words=words))
    if handle and any(ch.isdigit() for ch in handle):
        score += 0.05
        reasons.append(lazy_gettext("Địa chỉ trang có số, kiểu tên tạo hàng loạt"))
    if not url:
        reasons.append(lazy_gettext("Không có đường dẫn để đối chiếu — hãy kiểm tra trang có dấu tích xanh"))
        score = min(score, 0.6)
    score = round(min(score, 0.99), 3)
    verdict = "scam" if score >= 0.75 else "suspicious"
    return PageWarning(name, url, verdict, score, official.name, reasons)
