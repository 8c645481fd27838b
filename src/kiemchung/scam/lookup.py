"""One look-up for everything: a link, domain, phone, account number or a whole message.

    >>> r = check("vietcombank-hotro.com")
    >>> r.kind, r.verdict
    ('domain', 'scam')
    >>> check("Chuyển tiền vào STK 0123456789 VCB rồi vào shopee-vn.vip nhận quà").verdict
    'scam'

Without a session the configured database is used when it exists (its feeds and editor entries on
top of the bundled blocklist); otherwise the bundled data alone, so it works on a fresh install.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from kiemchung.scam.blocklist import Snapshot, get_snapshot, normalise_url
from kiemchung.scam.domains import clean_host, registered_domain
from kiemchung.scam.impersonation import check_page, page_key
from kiemchung.scam.indicators import Indicator, defang, extract_indicators
from kiemchung.scam.lookalike import Assessment, assess_domain
from kiemchung.scam.registry import Registry, registry_for
from kiemchung.web.i18n import Message, lazy_gettext

RANK = {"scam": 3, "suspicious": 2, "unknown": 1, "ok": 0}
WARN_VERDICTS = ("scam", "suspicious")  # verdicts a citizen is warned about
KIND_VI = {
    "url": lazy_gettext("Liên kết"),
    "domain": lazy_gettext("Tên miền"),
    "phone": lazy_gettext("Số điện thoại"),
    "bank_account": lazy_gettext("Số tài khoản"),
    "ewallet": lazy_gettext("Ví điện tử"),
}
NOT_LISTED = lazy_gettext("Chưa có trong danh sách cảnh báo — chưa có nghĩa là an toàn")


@dataclass
class CheckResult:
    input: str
    kind: str  # url | domain | phone | bank_account | ewallet | text | empty
    verdict: str  # scam | suspicious | ok | unknown
    score: float
    reasons: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_indicator(ind: Indicator, snap: Snapshot, reg: Registry) -> Assessment:
    if ind.kind in ("url", "domain"):
        if ind.kind == "url":
            hit = snap.value_hit("url", normalise_url(ind.value))
            if hit is not None and hit[0] == "block":
                return Assessment(
                    ind.value,
                    "scam",
                    0.99,
                    [
                        lazy_gettext(
                            "Liên kết có trong danh sách lừa đảo — nguồn %(feed)s", feed=hit[1]["feed"]
                        )
                    ],
                    [hit[1]],
                )
            page = _check_social_page(ind.value, reg)
            if page is not None:
                return page
        a = assess_domain(clean_host(ind.value), snap, reg)
        a.host = ind.value
        return a
    hit = snap.value_hit(ind.kind, ind.value)
    label = KIND_VI.get(ind.kind, ind.kind)
    extra = f" {ind.value}" + (f" ({ind.detail})" if ind.detail else "")
    if hit is None:
        return Assessment(ind.value, "unknown", 0.0, [f"{label}{extra}: {NOT_LISTED}"])
    list_kind, prov = hit
    if list_kind == "allow":
        return Assessment(
            ind.value,
            "ok",
            0.0,
            [
                lazy_gettext(
                    "%(label)s%(extra)s có trong danh sách tin cậy (%(feed)s)",
                    label=label,
                    extra=extra,
                    feed=prov["feed"],
                )
            ],
            [prov],
        )
    return Assessment(
        ind.value,
        "scam",
        0.99,
        [
            lazy_gettext(
                "%(label)s%(extra)s đã bị báo cáo lừa đảo — nguồn %(feed)s",
                label=label,
                extra=extra,
                feed=prov["feed"],
            )
        ],
        [prov],
    )


# Platforms where anyone can open a page: the platform's own domain being genuine says nothing
# about the page, so a link to a page is judged against the official pages in the registry.
SOCIAL_PLATFORMS = frozenset(
    {
        "facebook.com",
        "fb.com",
        "fb.me",
        "messenger.com",
        "zalo.me",
        "tiktok.com",
        "youtube.com",
        "instagram.com",
        "threads.net",
        "t.me",
        "telegram.me",
        "x.com",
        "twitter.com",
    }
)
_GENERIC_PATHS = frozenset(
    {"watch", "share", "sharer.php", "story.php", "permalink.php", "photo.php", "reel", "login"}
)


def _check_social_page(url: str, reg: Registry) -> Assessment | None:
    """A link to a page on a social platform: official page, impostor, or simply not known."""
    host = clean_host(url)
    platform = registered_domain(host) if host else ""
    if platform not in SOCIAL_PLATFORMS:
        return None
    key = page_key(url)
    handle = key.split("/", 1)[1] if "/" in key else ""
    if not handle or handle.split("/")[0] in _GENERIC_PATHS:
        return None
    name = re.sub(r"[\W_]+", " ", handle.split("/")[-1]).strip()
    warning = check_page(name, url, reg)
    if warning.verdict != "unknown":
        return Assessment(url, warning.verdict, warning.score, warning.reasons, official=warning.official)
    return Assessment(
        url,
        "unknown",
        0.0,
        [
            lazy_gettext(
                "Trang '%(handle)s' trên %(platform)s không có trong danh bạ kênh chính thức — nền tảng là thật nhưng ai cũng lập được trang",
                handle=handle,
                platform=platform,
            )
        ],
    )


def _single(q: str) -> Indicator | None:
    """``q`` as one indicator when the whole input is a link, domain, phone or account number."""
    clean = defang(q)[0].strip()
    if not clean or (
        re.search(r"\s", clean.split("://", 1)[-1]) and not re.fullmatch(r"[\d\s.+()-]+", clean)
    ):
        return None
    if re.fullmatch(r"\+?[\d\s.()-]{6,24}", clean):
        digits = re.sub(r"\D", "", clean)
        try:
            num = phonenumbers.parse(clean, "VN")
            if phonenumbers.is_valid_number(num):
                e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
                return Indicator("phone", e164, q, (0, len(q)))
        except phonenumbers.NumberParseException:
            pass
        if 6 <= len(digits) <= 19:
            return Indicator("bank_account", digits, q, (0, len(q)))
        return None
    host = clean_host(clean)
    if not host:
        return None
    has_path = "://" in clean or bool(re.search(r"^[^/]+/.", clean))
    return Indicator(
        "url" if has_path else "domain", normalise_url(clean) if has_path else host, q, (0, len(q))
    )


def check(q: str, session: Session | None = None, *, snapshot: Snapshot | None = None) -> CheckResult:
    """Verdict, score 0..1, bilingual reasons and provenance for any user input."""
    q = (q or "").strip()[:5000]
    if not q:
        return CheckResult(q, "empty", "unknown", 0.0, [lazy_gettext("Chưa nhập nội dung")])
    snap = snapshot if snapshot is not None else get_snapshot(session)
    reg = registry_for(session)
    single = _single(q)
    if single is not None:
        a = _check_indicator(single, snap, reg)
        one = {
            "kind": single.kind,
            "value": single.value,
            "raw": single.raw,
            "detail": single.detail,
            "verdict": a.verdict,
            "score": a.score,
        }
        return CheckResult(q, single.kind, a.verdict, a.score, a.reasons, a.provenance, [one])
    found = extract_indicators(q)
    if not found:
        return CheckResult(
            q,
            "text",
            "unknown",
            0.0,
            [lazy_gettext("Không tìm thấy liên kết, số điện thoại hay số tài khoản để kiểm tra")],
        )
    result = CheckResult(q, "text", "ok", 0.0)
    seen: set[tuple[str, str]] = set()
    for ind in found:
        if (ind.kind, ind.value) in seen:
            continue
        seen.add((ind.kind, ind.value))
        a = _check_indicator(ind, snap, reg)
        result.indicators.append(
            {
                "kind": ind.kind,
                "value": ind.value,
                "raw": ind.raw,
                "detail": ind.detail,
                "verdict": a.verdict,
                "score": a.score,
            }
        )
        if RANK[a.verdict] > RANK[result.verdict]:
            result.verdict = a.verdict
        result.score = max(result.score, a.score)
        label = KIND_VI.get(ind.kind, ind.kind)
        if ind.kind in ("url", "domain"):
            result.reasons.extend(Message.concat(label, f" {ind.value}: ", r) for r in a.reasons)
        else:
            result.reasons.extend(a.reasons)
        for p in a.provenance:
            if p not in result.provenance:
                result.provenance.append(p)
    return result
