"""Judge a domain: block/allow lists, official registry, then lookalike and scam-pattern signals.

    >>> assess_domain("ibanking.vietcombank.com.vn").verdict
    'ok'
    >>> a = assess_domain("vietcombank-hotro.com")
    >>> a.verdict, a.reasons[0].startswith("Tên miền chứa thương hiệu")
    ('scam', True)

Signals, each a weight in [0, 1], combine as 1 - Π(1 - w): ≥ 0.75 is ``scam``, ≥ 0.5
``suspicious``, anything else ``unknown``. Official domains (and their subdomains) and allow-listed
ones are ``ok`` before any heuristic runs; so are .gov.vn / .edu.vn names, which only public bodies
and schools can register.

Homoglyphs: Unicode TR39 confusables (Cyrillic "а" -> "a") are applied after the Vietnamese fold
(NFD, drop marks, đ -> d), because TR39 alone keeps "ạ" distinct from "a" and real phishing uses it
("ạdmin.vn", "nạpthẻ.vn").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from confusable_homoglyphs import confusables
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kiemchung.scam.blocklist import Snapshot, get_snapshot
from kiemchung.scam.domains import clean_host, is_ip, registered_domain, site_unit, split_host
from kiemchung.scam.registry import Official, Registry, default_registry
from kiemchung.scam.wordlists import WORDS
from kiemchung.text import VN_SYLLABLE, fold
from kiemchung.web.i18n import Message, lazy_gettext, translate_in

SCAM, SUSPICIOUS = 0.75, 0.5

# Suffixes only public bodies / schools can register in Viet Nam (VNNIC rules).
RESTRICTED_SUFFIXES = WORDS.restricted_suffixes
VN_SUFFIXES = ("vn",)
CLASSIC_TLDS = frozenset(["com", "net", "org"])
MONEY_CATEGORIES = frozenset(["bank", "ewallet", "finance", "securities"])

# TLDs heavily abused for throw-away scam sites, and ones often abused (data/wordlists.json).
RISKY_TLDS_STRONG = WORDS.risky_tlds_strong
RISKY_TLDS = WORDS.risky_tlds
# Scam vocabulary: (keyword, weight, mode, reason); "sub" matches anywhere in the folded host,
# "tok" only as a whole token or token prefix.
KEYWORDS = WORDS.keywords
_SUB_KW = [(k, w, why) for k, w, m, why in KEYWORDS if m == "sub"]
_TOK_KW = {k: (w, why) for k, w, m, why in KEYWORDS if m == "tok"}
# Ticker-like keywords end ordinary names ("airbnb"): match them only at the start of a token.
_PREFIX_TOK_KW = WORDS.prefix_only_keywords
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a"})
_VOWELS = set("aeiouy")


@dataclass
class Assessment:
    host: str
    verdict: str  # scam | suspicious | ok | unknown
    score: float
    reasons: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    official: str | None = None


@lru_cache(maxsize=4096)
def _confusable_char(c: str) -> str:
    hits = confusables.confusables_data.get(c) or []
    for h in hits:
        t = str(h["c"])  # the package's data is untyped JSON
        if len(t) == 1 and t.isascii() and t.isalnum():
            return t.lower()
    return c


@lru_cache(maxsize=100_000)
def skeleton(label: str) -> str:
    """Vietnamese fold, then TR39-style confusable mapping, then NFKC; lower-case.

    >>> skeleton("ạdmin"), skeleton("vіetcombank"), skeleton("nạpthẻ")
    ('admin', 'vietcombank', 'napthe')
    """
    s = fold(unicodedata.normalize("NFKC", label))
    if s.isascii():
        return s
    return "".join(c if c.isascii() else _confusable_char(c) for c in s).lower()


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z]+", text) if t]


def _combine(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


@dataclass
class _Family:
    """Blocklisted registrable labels, for similarity to known scam sites."""

    labels: list[str]
    shapes: Counter[str]
    examples: dict[str, str]


_family_cache: dict[int, _Family] = {}


def _shape(label: str, suffix: str) -> str:
    return re.sub(r"\d+", "#", label) + "." + suffix


def _family(snap: Snapshot, registry: Registry) -> _Family:
    fam = _family_cache.get(id(snap))
    if fam is not None:
        return fam
    labels: set[str] = set()
    shapes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for unit in snap.units:
        if registry.owner(unit) is not None:
            continue
        _sub, label, suffix = split_host(unit)
        if not label:
            continue
        labels.add(label)
        if re.search(r"\d", label) and re.search(r"[a-z]", label):
            sh = _shape(label, suffix)
            shapes[sh] += 1
            examples.setdefault(sh, unit)
    fam = _Family(sorted(labels), shapes, examples)
    _family_cache.clear()
    _family_cache[id(snap)] = fam
    return fam


def _brand_hits(name: str, registry: Registry) -> list[tuple[str, Official]]:
    """Brand tokens of the registry present in a folded, skeletonised host name."""
    toks = _tokens(name)
    out = []
    for t, o in registry.tokens.items():
        if len(t) >= 5:
            if t in name and not all(_longer_acronym(tok, t) for tok in toks if t in tok):
                out.append((t, o))
        elif len(t) >= 3 and any(
            tok == t
            or (len(t) == 4 and (tok.startswith(t) or tok.endswith(t)))
            or (tok.startswith(t) and tok[len(t) :] in _BRAND_SUFFIXES)
            or (tok.endswith(t) and tok[: -len(t)] in _BRAND_SUFFIXES)
            for tok in toks
        ):
            out.append((t, o))
    # Keep the longest token per official ("vietcombank" over "vcb").
    best: dict[str, tuple[str, Official]] = {}
    for t, o in out:
        if o.name not in best or len(t) > len(best[o.name][0]):
            best[o.name] = (t, o)
    return list(best.values())


_BRAND_SUFFIXES = WORDS.brand_suffixes


def _longer_acronym(tok: str, brand: str) -> bool:
    """``tok`` names another organisation of the same form as a short-acronym brand.

    A brand of 2–3 letters before a shared word ("mb" + "bank") reads inside a longer acronym before
    the same word ("cimb" + "bank"): that is a different bank, not an impersonation. Letters glued
    on as a lure ("vn", "my"), longer words ("nganhang") or a single letter still count as the brand.

    >>> _longer_acronym("cimbbank", "mbbank"), _longer_acronym("vnmbbank", "mbbank")
    (True, False)
    >>> _longer_acronym("nganhangmbbank", "mbbank"), _longer_acronym("mymbbank", "mbbank")
    (False, False)
    >>> _longer_acronym("xmbbank", "mbbank"), _longer_acronym("mbbankvip", "mbbank")
    (False, False)
    """
    for part in GENERIC_PARTS:
        core = brand[: -len(part)]
        if brand.endswith(part) and 2 <= len(core) <= 3 and tok.endswith(brand):
            extra = tok[: -len(brand)]
            return 2 <= len(extra) <= 3 and extra.isalpha() and extra not in _BRAND_SUFFIXES
    return False


def assess_domain(
    value: str, snapshot: Snapshot | None = None, registry: Registry | None = None
) -> Assessment:
    """Verdict for one domain or URL. Pure given the snapshot and registry (defaults: bundled)."""
    host = clean_host(value)
    if not host:
        return Assessment(value.strip(), "unknown", 0.0, [lazy_gettext("Không phải tên miền hợp lệ")])
    snap = snapshot if snapshot is not None else get_snapshot(use_database=False)
    reg = registry if registry is not None else default_registry()
    if is_ip(host):
        return Assessment(
            host,
            "suspicious",
            0.6,
            [lazy_gettext("Liên kết dùng địa chỉ IP thay cho tên miền")],
        )

    owner = reg.owner(host)
    if owner is not None:
        return Assessment(
            host,
            "ok",
            0.0,
            [lazy_gettext("Tên miền chính thức của %(label)s", label=owner.label, name=owner.name)],
            official=owner.name,
        )

    hit = snap.host_hit(host)
    if hit is not None:
        list_kind, matched, prov = hit
        if list_kind == "allow":
            return Assessment(
                host,
                "ok",
                0.0,
                [lazy_gettext("Có trong danh sách tin cậy (%(feed)s)", feed=prov["feed"], matched=matched)],
                [prov],
            )
        where = "" if matched == host else f" ({matched})"
        return Assessment(
            host,
            "scam",
            0.99,
            [
                lazy_gettext(
                    "Có trong danh sách lừa đảo%(where)s — nguồn %(feed)s", where=where, feed=prov["feed"]
                )
            ],
            [prov],
        )

    sub, label, suffix = split_host(host)
    if not label or not suffix:
        return Assessment(host, "unknown", 0.0, [lazy_gettext("Đuôi tên miền không xác định")])

    unit = site_unit(host)
    fam_idx = snap.units.get(unit)
    if fam_idx is not None:
        prov = snap.provenance[fam_idx]
        return Assessment(
            host,
            "scam",
            0.9,
            [
                lazy_gettext(
                    "Cùng tên miền gốc '%(unit)s' với địa chỉ lừa đảo đã biết (nguồn %(feed)s)",
                    unit=unit,
                    feed=prov["feed"],
                )
            ],
            [prov],
        )

    if suffix in RESTRICTED_SUFFIXES or suffix.endswith(tuple("." + s for s in RESTRICTED_SUFFIXES)):
        return Assessment(
            host,
            "ok",
            0.05,
            [lazy_gettext("Đuôi .%(suffix)s chỉ cấp cho cơ quan, tổ chức được xác minh", suffix=suffix)],
        )

    return _heuristics(host, sub, label, suffix, snap, reg)


def _heuristics(host: str, sub: str, label: str, suffix: str, snap: Snapshot, reg: Registry) -> Assessment:
    weights: list[float] = []
    reasons: list[str] = []
    is_vn = suffix == "vn" or suffix.endswith(".vn")
    tld = suffix.rsplit(".", 1)[-1]
    skel = skeleton(label)
    sub_parts = [p for p in sub.split(".") if p and p not in ("www", "m", "www2")] if sub else []
    name = ".".join([*[skeleton(p) for p in sub_parts], skel])
    official_labels = reg.labels

    # 1. Homoglyphs / diacritics in the registrable label.
    if not label.isascii():
        target = official_labels.get(skel)
        if target is not None:
            altered = True
            weights.append(0.95)
            reasons.append(
                lazy_gettext(
                    "Tên miền giả '%(value)s' (%(label)s) bằng ký tự có dấu hoặc ký tự trông giống",
                    value=target.domains[0],
                    label=target.label,
                    name=target.name,
                )
            )
        else:
            mixed = _mixed_script(label)
            weights.append(0.8 if mixed else 0.55)
            reasons.append(
                lazy_gettext(
                    "Tên miền dùng ký tự %(value)s trông giống chữ thường: '%(label)s' đọc như '%(skel)s'",
                    value="của nhiều bảng chữ" if mixed else "có dấu",
                    label=label,
                    skel=skel,
                    value2="mixed-script" if mixed else "accented",
                )
            )

    # 2. Typosquats of an official label, or the official label under another suffix. Only
    # distinctive labels count: "guardian" or "timo" under another suffix is somebody else.
    deleet = skel.translate(_LEET).replace("rn", "m").replace("vv", "w")
    imitated = ""  # the official label this name copies, if any
    altered = False  # a deliberately altered copy (look-alike characters, "rn" for "m", a typo)
    for cand in dict.fromkeys([skel, deleet]):
        target = reg.distinctive.get(cand) or (reg.tokens.get(cand) if len(cand) >= 5 else None)
        if target is not None and len(cand) >= 4:
            w = 0.9 if len(cand) >= 6 else 0.6
            if cand != skel:
                altered = True  # "vietcornbank": a swap nobody registers by accident, whatever the suffix
            elif is_vn or target.category == "media":
                w = 0.45  # defensive .vn registrations and newsroom aliases are common
            elif tld in CLASSIC_TLDS and cand == skel:
                # Organisations hold their own name under .com/.net/.org too (not all of which we
                # list); warn outright only where a lookalike costs money at once. Digit or "rn"
                # swaps ("vietcornbank") are deliberate and keep the full weight.
                w = 0.6 if target.category in MONEY_CATEGORIES else 0.45
            weights.append(w)
            imitated = cand
            shown = _official_domain(target, cand)
            reasons.append(
                lazy_gettext(
                    "Tên miền giống '%(shown)s' (%(label)s) nhưng không phải tên miền chính thức",
                    shown=shown,
                    label=target.label,
                    name=target.name,
                )
            )
            break
    else:
        if len(skel) >= 5:
            for off_label, target in reg.distinctive.items():
                if len(off_label) < 5 or abs(len(off_label) - len(skel)) > 2:
                    continue
                if not _typo_of(skel, off_label) and not _typo_of(deleet, off_label):
                    continue
                weights.append(0.85 if len(off_label) >= 7 and not is_vn else 0.45)
                imitated = off_label
                # "vletcombank": a letter swapped for one that looks the same is a deliberate copy;
                # "vietbank" vs "vietabank" is a different name and stays a weak signal.
                altered = _visual(skel) == _visual(off_label) or _visual(deleet) == _visual(off_label)
                shown = _official_domain(target, off_label)
                reasons.append(
                    lazy_gettext(
                        "Tên miền gần giống '%(shown)s' (%(label)s) — lỗi chính tả cố ý",
                        shown=shown,
                        label=target.label,
                        name=target.name,
                    )
                )
                break

    # 3. Brand + anything else (combosquatting), including brands placed in subdomains.
    brands = _brand_hits(name.replace(".", "-"), reg)
    brand_w = 0.0
    imitations = ("Typo-squat", "Looks like", "Imitates")  # the English of the look-alike reasons
    if brands and not any(k in translate_in("en", r) for r in reasons for k in imitations):
        t, o = brands[0]
        brand_w = 0.45 if is_vn else 0.6
        weights.append(brand_w)
        reasons.append(
            lazy_gettext(
                "Tên miền chứa thương hiệu '%(t)s' (%(label)s) nhưng không thuộc %(name)s",
                t=t,
                label=o.label,
                name=o.name,
            )
        )

    # 4. Scam vocabulary, outside the brand itself ("bank" in "agribank" is no lure).
    kw_name = name
    for t, _o in brands:
        kw_name = kw_name.replace(t, "|")
    kw_hits: list[tuple[str, float, str]] = []
    flat = kw_name.replace(".", "").replace("-", "")
    for k, w, why in _SUB_KW:
        if k in flat:
            kw_hits.append((k, w, why))
    for tok in _tokens(kw_name):
        for k, (w, why) in _TOK_KW.items():
            if tok == k or (
                len(k) >= 3
                and (tok.startswith(k) or (tok.endswith(k) and k not in _PREFIX_TOK_KW))
                and len(tok) - len(k) <= 4
            ):
                kw_hits.append((k, w, why))
    # Words of the copied official name ("bank" of "vietabank") are part of the copy, already counted.
    kw_hits = _dedupe_keywords([h for h in kw_hits if h[0] not in imitated])
    if kw_hits:
        top = sorted(kw_hits, key=lambda h: -h[1])[:2]
        damp = 0.6 if is_vn else 1.0
        for _k, w, _why in top:
            weights.append(w * damp if not brands else max(w, 0.6))
        words = ", ".join(f"'{k}'" for k, _w, _y in top)
        reasons.append(
            lazy_gettext(
                "Tên miền chứa từ khóa lừa đảo thường gặp (%(label)s): %(words)s",
                label=Message(top[0][2]),  # the group's reason, a message id of the word lists
                words=words,
            )
        )

    # 5. Risky TLD.
    if tld in RISKY_TLDS_STRONG or tld in RISKY_TLDS:
        w = 0.5 if tld in RISKY_TLDS_STRONG else 0.35
        weights.append(w)
        reasons.append(lazy_gettext("Đuôi tên miền .%(tld)s thường bị dùng cho trang lừa đảo", tld=tld))

    # 6. Number-heavy or random-looking names (mass-registered gambling and phishing clones).
    digits = sum(c.isdigit() for c in label)
    letters = re.sub(r"[^a-z]", "", skel)
    shape_w = 0.0
    if digits >= 3 and digits == len(label.replace("-", "")):
        shape_w = 0.55
    elif re.search(r"(\d)\1\1", label) or digits >= 4 or (digits >= 2 and 0 < len(letters) <= 4):
        shape_w = 0.5
    elif digits >= 2 and len(letters) <= 6:
        shape_w = 0.3
    odd = _unpronounceable(letters)
    if len(letters) >= 5 and (_vowel_ratio(letters) < 0.2 or odd):
        # Brand acronyms ("bidv", "vnpt", "fpt") explain their own consonant runs, and short
        # leftovers are acronyms too ("vnpayqr", "evnnpc"): judge what is left ("bidvmetlife" ->
        # "metlife"). Only when that leaves nothing odd: "vcbqxtrmplk" stays random.
        parts = _without_brands(letters, reg)
        rest = "".join(parts)
        explained = not any(_unpronounceable(x) for x in parts if len(x) > 3) and (
            len(rest) < 5 or _vowel_ratio(rest) >= 0.2
        )
        if not explained:
            shape_w = max(shape_w, 0.35 + 0.1 * min(odd, 2)) + (0.15 if digits else 0.0)
    if shape_w and not (imitated and not digits):
        # A copied brand name reads as "random" only because it is misspelt: the copy is the reason.
        weights.append(shape_w * (0.5 if is_vn else 1.0))
        reasons.append(
            lazy_gettext("Tên miền toàn số hoặc chuỗi ngẫu nhiên, kiểu trang được đăng ký hàng loạt")
        )
    if label.startswith(("com-", "www-", "vn-")) or label.endswith(("-vn", "-com")) or label.count("-") >= 3:
        weights.append(0.35)
        reasons.append(lazy_gettext("Tên miền ghép gạch nối bất thường (vd. 'com-', '-vn')"))

    # 7. Similar to known scam domains (scam families: abc-vn1.com, abc-vn2.com).
    fam = _family(snap, reg)
    sh = _shape(label, suffix)
    if digits and fam.shapes.get(sh, 0) >= 2:
        weights.append(0.6)
        reasons.append(
            lazy_gettext(
                "Cùng mẫu tên với %(value)s tên miền lừa đảo đã biết (vd. %(value2)s)",
                value=fam.shapes[sh],
                value2=fam.examples[sh],
            )
        )
    elif len(label) >= 7 and fam.labels:
        best = process.extractOne(label, fam.labels, scorer=fuzz.ratio, score_cutoff=88)
        # A scam label that merely adds characters to this one ("dienmayxanhh") imitates *this*
        # name, which is then more likely the genuine site than a sibling of the scam.
        if best is not None and not _is_subsequence(label, best[0]) and _family_match(label, best[0]):
            weights.append(0.5 if not is_vn else 0.2)
            reasons.append(lazy_gettext("Rất giống tên miền lừa đảo đã biết '%(value)s'", value=best[0]))

    score = round(_combine(weights), 3)
    if altered:
        score = max(score, SUSPICIOUS)  # imitating a registered brand is never "unknown"
    verdict = "scam" if score >= SCAM else "suspicious" if score >= SUSPICIOUS else "unknown"
    if not reasons:
        reasons.append(lazy_gettext("Không có trong danh sách nào và không thấy dấu hiệu bất thường"))
    return Assessment(host, verdict, score, reasons)


_VISUAL = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("1", "l"), ("!", "l"), ("i", "l"), ("0", "o"))


def _visual(label: str) -> str:
    """``label`` with letters that look alike in a browser's address bar made equal.

    >>> _visual("vletcombank") == _visual("vietcombank"), _visual("vietbank") == _visual("vietabank")
    (True, False)
    """
    for a, b in _VISUAL:
        label = label.replace(a, b)
    return label


def _without_brands(letters: str, reg: Registry) -> list[str]:
    """``letters`` cut at every brand token of 3+ letters.

    >>> _without_brands("vnptsmart", default_registry()), _without_brands("pxrotwdkal", default_registry())
    (['smart'], ['pxrotwdkal'])
    """
    parts = [letters]
    for t in sorted((t for t in reg.tokens if len(t) >= 3 and t in letters), key=len, reverse=True):
        parts = [x for p in parts for x in p.split(t)]
    return [x for x in parts if x]


@lru_cache(maxsize=20_000)
def _vn_words(letters: str) -> bool:
    """``letters`` splits into Vietnamese syllables written without marks ('thegioididong').

    >>> _vn_words("thegioididong"), _vn_words("thegioididonq"), _vn_words("vietnamworks")
    (True, False, False)
    """
    ok = [True] + [False] * len(letters)
    for i in range(len(letters)):
        if ok[i]:
            for m in range(i + 1, min(len(letters), i + 9) + 1):
                if not ok[m] and VN_SYLLABLE.fullmatch(letters, i, m):
                    ok[m] = True
    return ok[-1]


def _family_match(label: str, scam: str) -> bool:
    """Whether a fuzzy hit on a known scam label is evidence, not coincidence.

    Scam families vary digits, hyphens and affixes ("lazada66", "lazada888"; "quatangff", "quatangffvn";
    "shopnapgame", "shopnapgamevip"). A long, clean, pronounceable name (letters only,
    reads like words) is different: a listed letters-only label a few letters away from it is more
    often a typo-squat *of* it ("vietnamoks" of "vietnamworks") than its sibling. Such a name needs
    the listed label plus an affix, or a one-letter swap of it that does not turn Vietnamese words
    into a non-word ("thegioididonq" is the fake, "thegioididong" the original).

    >>> _family_match("vietnamworks", "vietnamoks"), _family_match("tintuc365vn", "tintuc365")
    (False, True)
    """
    clean = (
        label.isalpha() and len(label) >= 8 and not _unpronounceable(label) and _vowel_ratio(label) >= 0.25
    )
    if not clean or not scam.isalpha() or label.startswith(scam) or label.endswith(scam):
        return True
    if len(label) != len(scam) or OSA.distance(label, scam) > 1:
        return False
    return not (_vn_words(label) and not _vn_words(scam))


def _official_domain(o: Official, label: str) -> str:
    """The official domain whose label is ``label`` (for the reason text), else the first one."""
    for d in o.domains:
        if split_host(d)[1] == label:
            return d
    return o.domains[0] if o.domains else o.name


# Words that many names share: two labels that differ only before "bank" or "express" name two
# organisations ("gpbank" / "vpbank", "jtexpress" / "vnexpress"), not a typo of one of them.
GENERIC_PARTS = WORDS.generic_parts


def _typo_of(label: str, official: str) -> bool:
    """``label`` is a deliberate misspelling of ``official`` (edit distance 1, 2 for long names).

    >>> _typo_of("vietcornbank", "vietcombank"), _typo_of("gpbank", "vpbank")
    (True, False)
    """
    for part in GENERIC_PARTS:
        if label.endswith(part) and official.endswith(part):
            a, b = label[: -len(part)], official[: -len(part)]
        elif label.startswith(part) and official.startswith(part):
            a, b = label[len(part) :], official[len(part) :]
        else:
            continue
        if min(len(a), len(b)) <= 3:
            return False  # a different short acronym in front of a shared word
        return OSA.distance(a, b) <= (1 if min(len(a), len(b)) < 6 else 2)
    return OSA.distance(label, official) <= (1 if len(official) < 9 else 2)


def _dedupe_keywords(hits: list[tuple[str, float, str]]) -> list[tuple[str, float, str]]:
    """Drop keywords contained in a longer hit ('cuoc' inside 'cacuoc')."""
    keys = {k for k, _w, _y in hits}
    out, seen = [], set()
    for k, w, why in hits:
        if k in seen or any(k != o and k in o for o in keys):
            continue
        seen.add(k)
        out.append((k, w, why))
    return out


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


# Consonant clusters that Vietnamese (folded) or English words start or end with; a run of
# consonants that cannot be split into "end of one word + start of the next" reads as random.
_INITIALS = WORDS.initials
_FINALS = WORDS.finals


def _unpronounceable(letters: str) -> int:
    """How many consonant runs in ``letters`` no word boundary can explain ('pxrotwdkal' -> 2)."""
    bad = 0
    runs = list(re.finditer(r"[^aeiouy]+", letters))
    for m in runs:
        run = m.group(0)
        if len(run) < 2:
            continue
        at_start, at_end = m.start() == 0, m.end() == len(letters)
        if at_start:
            ok = run in _INITIALS
        elif at_end:
            ok = run in _FINALS or any(
                run[:i] in _FINALS and run[i:] in _INITIALS for i in range(len(run) + 1)
            )
        else:
            ok = any(run[:i] in _FINALS and run[i:] in _INITIALS for i in range(len(run) + 1))
        bad += not ok
    return bad


def _vowel_ratio(letters: str) -> float:
    return sum(c in _VOWELS for c in letters) / max(1, len(letters))


def _mixed_script(label: str) -> bool:
    scripts = set()
    for c in label:
        if c.isalpha():
            name = unicodedata.name(c, "")
            scripts.add(name.split(" ")[0])
    return len(scripts) > 1


__all__ = ["Assessment", "assess_domain", "registered_domain", "skeleton"]
