"""Extract scam indicators (links, domains, phones, bank accounts, e-wallets) from any text.

    >>> [(i.kind, i.value) for i in extract_indicators("Vào vietcombank-hotro[.]com hoặc gọi 0912.345.678")]
    [('domain', 'vietcombank-hotro.com'), ('phone', '+84912345678')]
    >>> [(i.kind, i.value, i.detail) for i in extract_indicators("STK 0123456789 ngân hàng VCB")]
    [('bank_account', '0123456789', 'Vietcombank')]

Obfuscations undone before matching: ``hxxp``, ``[.]``, ``(.)``, `` dot ``, spaces around dots
before a common TLD, zero-width characters, full-width dots (``。``). Spans always point into the
original text. Values are normalised: hosts lower-case and Unicode (punycode decoded), URLs with a
lower-case scheme and host, phones in E.164, account numbers as digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from kiemchung.scam.domains import clean_host, registered_domain, split_host


@dataclass(frozen=True)
class Indicator:
    kind: str  # url | domain | phone | bank_account | ewallet
    value: str
    raw: str
    span: tuple[int, int]
    detail: str = ""  # bank or wallet name, "email" for a domain taken from an address


# Folded alias -> display name. Longer aliases first so "mb bank" wins over "mb".
BANKS: dict[str, str] = {
    "vietcombank": "Vietcombank",
    "vcb": "Vietcombank",
    "ngan hang ngoai thuong": "Vietcombank",
    "techcombank": "Techcombank",
    "techcom": "Techcombank",
    "tcb": "Techcombank",
    "ngan hang ky thuong": "Techcombank",
    "bidv": "BIDV",
    "ngan hang dau tu va phat trien": "BIDV",
    "agribank": "Agribank",
    "ngan hang nong nghiep": "Agribank",
    "vietinbank": "VietinBank",
    "vietin bank": "VietinBank",
    "vietin": "VietinBank",
    "ngan hang cong thuong": "VietinBank",
    "mbbank": "MB",
    "mb bank": "MB",
    "ngan hang quan doi": "MB",
    "mb": "MB",
    "acb": "ACB",
    "ngan hang a chau": "ACB",
    "tpbank": "TPBank",
    "tp bank": "TPBank",
    "tpb": "TPBank",
    "ngan hang tien phong": "TPBank",
    "vpbank": "VPBank",
    "vp bank": "VPBank",
    "vpb": "VPBank",
    "sacombank": "Sacombank",
    "sacom": "Sacombank",
    "stb": "Sacombank",
    "hdbank": "HDBank",
    "hd bank": "HDBank",
    "shb": "SHB",
    "vib": "VIB",
    "seabank": "SeABank",
    "ocb": "OCB",
    "msb": "MSB",
    "maritime bank": "MSB",
    "eximbank": "Eximbank",
    "lienvietpostbank": "LPBank",
    "lpbank": "LPBank",
    "lienviet": "LPBank",
    "scb": "SCB",
    "nam a bank": "Nam A Bank",
    "namabank": "Nam A Bank",
    "bac a bank": "Bac A Bank",
    "bacabank": "Bac A Bank",
    "abbank": "ABBANK",
    "pvcombank": "PVcomBank",
    "kienlongbank": "KienlongBank",
    "vietabank": "VietABank",
    "ncb": "NCB",
    "shinhan": "Shinhan Bank",
    "timo": "Timo",
}
WALLETS: dict[str, str] = {
    "momo": "MoMo",
    "zalopay": "ZaloPay",
    "zalo pay": "ZaloPay",
    "viettelpay": "Viettel Money",
    "viettel pay": "Viettel Money",
    "viettel money": "Viettel Money",
    "viettelmoney": "Viettel Money",
    "vnpay": "VNPay",
    "shopeepay": "ShopeePay",
    "shopee pay": "ShopeePay",
}


def _alias_re(names: dict[str, str]) -> re.Pattern[str]:
    alts = sorted(names, key=len, reverse=True)
    return re.compile(
        r"(?<![a-z0-9])(" + "|".join(re.escape(a).replace(r"\ ", r"\s*") for a in alts) + r")(?![a-z0-9])"
    )


_BANK_RE = _alias_re(BANKS)
_WALLET_RE = _alias_re(WALLETS)
_ACCOUNT_KW = re.compile(
    r"(?<![a-z0-9])(?:stk|so\s*tk|so\s*tai\s*khoan|tai\s*khoan|tk|account(?:\s*(?:no|number))?|acc|a/c)(?![a-z])"
)
_MONEY_AFTER = re.compile(r"^\s*(?:d\b|đ|vnd|dong|k\b|tr\b|trieu|nghin|ngan\b(?!\s*hang)|usd|\$|%)")
_DIGITS = re.compile(r"(?<![\w.,])\d(?:[ .-]?\d){5,22}(?![\w]|[.,]\d)")

_COMMON_TLDS = (
    "com|vn|net|org|info|biz|xyz|top|vip|online|site|club|cc|me|io|shop|store|live|fun|icu|tk|ml|ga|cf|gq"
    "|app|link|pro|asia|co|us|win|bet|click|life|cfd|buzz|sbs|website|space|tech|today|gov|edu"
)
# (pattern, replacement) pairs undoing common defanging; order matters.
_DEFANG: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\u180e\u202a-\u202e]"), ""),
    (re.compile(r"[。．｡]"), "."),
    (re.compile(r"\bh(?:xx|\*\*|XX)p(s?)(?=(?::|\[:\])//)", re.I), r"http\1"),
    (re.compile(r"\[:\]//"), "://"),
    (re.compile(r"\s*[\[\(\{]\s*(?:\.|dot|chấm|cham)\s*[\]\)\}]\s*", re.I), "."),
    (re.compile(r"(?<=[A-Za-z0-9])\s+(?:dot|DOT|chấm|cham)\s+(?=[A-Za-z0-9])"), "."),
    (re.compile(r"(?<=[A-Za-z0-9])\s+\.\s*(?=[A-Za-z0-9])"), "."),
    (re.compile(r"(?<=[a-z0-9])\.\s+(?=(?:" + _COMMON_TLDS + r")(?![\w]))"), "."),
]

_URL_RE = re.compile(r"(?i)\b(?:https?|ftp)://[^\s<>\"'“”‘’]+|\bwww\.[^\s<>\"'“”‘’]+")
_EMAIL_RE = re.compile(r"[\w.+-]+@((?:[^\W_][\w-]*\.)+[^\W\d_]{2,63})")
_BARE_RE = re.compile(
    r"(?<![\w@.-])((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63})(?![\w-])(/[^\s<>\"'“”]*)?"
)
_TRAIL = ".,;:!?)]}'\"”’>…"
# Suffixes that are far more often file extensions in chat text than web sites.
_FILEISH = {"py", "sh", "zip", "mov", "md", "rs", "pl", "js", "exe", "doc", "txt", "pdf", "jpg", "png", "mp4"}


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[0].lower()
    return base if len(base) == 1 else c


def _fold_same_length(text: str) -> str:
    """Lower-case, diacritic-free copy with exactly the same length (so spans carry over)."""
    return "".join(c.lower() if c.isascii() else _fold_char(c) for c in text)


def _rewrite(text: str, origin: list[int], pattern: re.Pattern[str], repl: str) -> tuple[str, list[int]]:
    """Apply ``pattern.sub(repl)`` while keeping, for each output char, its index in the original."""
    out: list[str] = []
    out_origin: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()])
        out_origin.extend(origin[last : m.start()])
        new = m.expand(repl)
        out.append(new)
        out_origin.extend([origin[m.start()] if m.start() < len(origin) else len(origin)] * len(new))
        last = m.end()
    out.append(text[last:])
    out_origin.extend(origin[last:])
    return "".join(out), out_origin


def defang(text: str) -> tuple[str, list[int]]:
    """Undo link obfuscation; returns the clean text and, per char, its index in ``text``.

    >>> defang("hxxps://abc[.]com")[0]
    'https://abc.com'
    """
    origin = list(range(len(text)))
    for pattern, repl in _DEFANG:
        text, origin = _rewrite(text, origin, pattern, repl)
    return text, origin


def _normal_url(url: str, host: str) -> str:
    m = re.match(r"(?i)^([a-z]+)://[^/?#]*(.*)$", url)
    scheme, rest = (
        (m.group(1).lower(), m.group(2)) if m else ("http", url.split("/", 1)[1] if "/" in url else "")
    )
    if rest and not rest.startswith(("/", "?", "#")):
        rest = "/" + rest
    return f"{scheme}://{host}{rest}"


def _domain_indicators(
    clean: str, span_of: Callable[[int, int], tuple[int, int]], raw_of: Callable[[int, int], str]
) -> tuple[list[Indicator], list[tuple[int, int]]]:
    found: list[Indicator] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in _URL_RE.finditer(clean):
        url = m.group(0).rstrip(_TRAIL)
        host = clean_host(url)
        if not host or not registered_domain(host):
            continue
        a, b = m.start(), m.start() + len(url)
        taken.append((a, b))
        has_path = bool(re.search(r"(?i)^(?:[a-z]+://)?[^/?#]+[/?#].", url))
        if has_path or "://" in url:
            found.append(Indicator("url", _normal_url(url, host), raw_of(a, b), span_of(a, b)))
        else:
            found.append(Indicator("domain", host, raw_of(a, b), span_of(a, b)))
    for m in _EMAIL_RE.finditer(clean):
        if not free(m.start(), m.end()):
            continue
        host = clean_host(m.group(1))
        taken.append((m.start(), m.end()))
        if host and registered_domain(host):
            found.append(
                Indicator("domain", host, raw_of(m.start(), m.end()), span_of(m.start(), m.end()), "email")
            )
    for m in _BARE_RE.finditer(clean):
        a = m.start()
        path = (m.group(2) or "").rstrip(_TRAIL)
        b = m.end(1) + len(path)
        if not free(a, b):
            continue
        host = clean_host(m.group(1))
        if not host:
            continue
        _sub, label, suffix = split_host(host)
        if not label or not suffix or (suffix in _FILEISH and not path):
            continue
        taken.append((a, b))
        if len(path) > 1:
            found.append(Indicator("url", _normal_url(m.group(1) + path, host), raw_of(a, b), span_of(a, b)))
        else:
            found.append(Indicator("domain", host, raw_of(a, b), span_of(a, b)))
    return found, taken


def _nearest(
    pattern: re.Pattern[str], names: dict[str, str], folded: str, a: int, b: int, before: int, after: int
) -> str:
    """Display name of the alias nearest to [a, b) within the window, or ''."""
    best, best_d = "", 10**9
    lo, hi = max(0, a - before), min(len(folded), b + after)
    for m in pattern.finditer(folded, lo, hi):
        d = a - m.end() if m.end() <= a else m.start() - b
        if d < best_d:
            best, best_d = names[re.sub(r"\s+", " ", m.group(1))], d
    return best


def extract_indicators(text: str) -> list[Indicator]:
    """All indicators in ``text``, in order of appearance. Never raises on any ``str``."""
    if not text:
        return []
    clean, origin = defang(text)
    n = len(text)

    def span_of(a: int, b: int) -> tuple[int, int]:
        start = origin[a] if a < len(origin) else n
        end = origin[b - 1] + 1 if 0 < b <= len(origin) else start
        return start, max(end, start)

    def raw_of(a: int, b: int) -> str:
        s, e = span_of(a, b)
        return text[s:e]

    found, taken = _domain_indicators(clean, span_of, raw_of)
    folded = _fold_same_length(clean)

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def window_before(a: int, width: int = 30) -> str:
        # A keyword only belongs to the nearest number: stop at the previous indicator.
        start = max([a - width, 0, *(y for _x, y in taken if y <= a)])
        return re.split(r"\d(?:[ .-]?\d){5,}", folded[start:a])[-1]

    def account_context(a: int, b: int) -> str | None:
        """Bank name when the number at [a, b) reads as a bank account, else None."""
        window = window_before(a)
        bank = _nearest(_BANK_RE, BANKS, folded, a, b, 40, 40)
        if _ACCOUNT_KW.search(window) or bank:
            return bank
        return None

    for pm in phonenumbers.PhoneNumberMatcher(clean, "VN", leniency=phonenumbers.Leniency.VALID):
        a, b = pm.start, pm.end
        if not free(a, b):
            continue
        e164 = phonenumbers.format_number(pm.number, phonenumbers.PhoneNumberFormat.E164)
        wallet = _nearest(_WALLET_RE, WALLETS, folded, a, b, 30, 15)
        bank = account_context(a, b)
        account_kw = bool(_ACCOUNT_KW.search(window_before(a)))
        taken.append((a, b))
        if wallet and bank is None:
            found.append(Indicator("ewallet", e164, raw_of(a, b), span_of(a, b), wallet))
        elif bank is not None and account_kw:
            found.append(
                Indicator("bank_account", re.sub(r"\D", "", pm.raw_string), raw_of(a, b), span_of(a, b), bank)
            )
        else:
            found.append(Indicator("phone", e164, raw_of(a, b), span_of(a, b)))
    for m in _DIGITS.finditer(clean):
        a, b = m.start(), m.end()
        if not free(a, b) or _MONEY_AFTER.match(folded[b : b + 16]):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", m.group(0)) or not 6 <= len(digits) <= 19:
            continue  # a grouped amount such as 5.000.000
        bank = account_context(a, b)
        if bank is None:
            continue
        taken.append((a, b))
        found.append(Indicator("bank_account", digits, raw_of(a, b), span_of(a, b), bank))
    found.sort(key=lambda i: i.span)
    return found
