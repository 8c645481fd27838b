"""Salient slots of a claim: the places, countries, diseases, remedies and organisations it names.

Two claims built on one template ("X chữa khỏi Y", "Z cấm xe máy") are different claims when a slot
differs. Retrieval and the learned verifier see mostly the shared template; this module names the
slots so that a swap vetoes an automatic answer (the fact-check is still *suggested*)::

    >>> slots("Uống nước lá ổi chữa khỏi sốt xuất huyết")["disease"]
    frozenset({'sốt xuất huyết'})
    >>> conflicts(slots("Ăn tỏi sống chữa cao huyết áp"), slots("Lá đu đủ chữa sốt xuất huyết"))
    [('disease', ('cao huyết áp',), ('sốt xuất huyết',)), ('remedy', ('tỏi',), ('lá đu đủ',))]
    >>> conflicts(slots("Gạo nhựa bán ở Lào"), slots("Gạo nhựa trộn vào gạo thật bán ở chợ"))
    [('country', ('Lào',), ())]
    >>> conflicts(slots("ha noi cam xe may tu 2030"), slots("Hà Nội cấm xe máy từ năm 2030"))
    []

The lexicon lives in ``engine/data/slots.json`` (with its provenance). Entries of two or more
syllables match on the folded form, so text typed without diacritics still matches; one-syllable
entries ("tỏi", "Lào") only on their exact diacritic form, because their folded forms collide with
everyday words ("toi" = tôi). A capitalised entry ("Hòa Bình") must be capitalised in mixed-case
text, so the common noun ("hòa bình", peace) is not a place.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from kiemchung.text import fold, is_vn_syllable, normalise
from kiemchung.web.i18n import N_

MAX_PHRASE = 7  # syllables in the longest lexicon entry
_TOKEN = re.compile(r"[^\W_]+")
_COMMA = re.compile(r"\s*,\s*")
_JOIN = re.compile(r"\s+|\s*[.\-'’–&/]\s*")  # what may stand between two syllables of one name


@dataclass(frozen=True)
class _Entry:
    kind: str
    value: str
    exact: str  # lower-case diacritic form (checked for one-syllable entries)
    proper: bool  # written with a capital: must be capitalised in mixed-case text
    cased: tuple[bool, ...] = ()  # a "cased" form: which syllables must be written with a capital
    comma: bool = False  # the form itself runs across a comma ("London, Anh")


@cache
def _data() -> dict[str, Any]:
    """The bundled ``engine/data/slots.json``, read once for the lexicon and the polarity words."""
    raw: dict[str, Any] = json.loads(
        resources.files("kiemchung.engine").joinpath("data/slots.json").read_text("utf-8")
    )
    return raw


@cache
def lexicon() -> dict[tuple[str, ...], list[_Entry]]:
    """Folded syllable tuples -> entries, from the bundled data file (checked on load)."""
    raw = _data()
    out: dict[tuple[str, ...], list[_Entry]] = {}
    for kind, spec in raw["types"].items():
        if not spec.get("note"):
            raise ValueError(f"slots.json: type {kind!r} has no provenance note")
        # "cased" forms name the value only written with their capitals ("người Anh" is English
        # people, "người anh" an elder brother), even in all-lower-case text
        cased = [(v, f, True) for v, forms in spec.get("cased", {}).items() for f in forms]
        plain = [(v, f, False) for v, forms in spec["values"].items() for f in forms]
        for value, form, is_cased in plain + cased:
            if value not in spec["values"]:
                raise ValueError(f"slots.json: cased form {form!r} of an unknown {kind} {value!r}")
            toks = _TOKEN.findall(normalise(form))
            if not toks or len(toks) > MAX_PHRASE:
                raise ValueError(f"slots.json: bad form {form!r} of {kind}/{value}")
            key = tuple(fold(t).lower() for t in toks)
            caps = tuple(t[:1].isupper() for t in toks) if is_cased else ()
            entry = _Entry(kind, value, " ".join(toks).lower(), form[:1].isupper(), caps, "," in form)
            bucket = out.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)
    return out


def _same_marks(toks: list[str], entry: _Entry) -> bool:
    """Each syllable typed with its marks is the entry's own; one typed without any may be anything.

    A one-syllable entry needs its exact form ("toi" is tôi, not tỏi); in a longer one a syllable
    typed without marks matches its folded form ("ha noi"), one typed with marks must be the
    entry's ("đó là" is not "đô la", "sửa chữa" not "sữa chua"). Longer names (places, countries)
    must be capitalised instead, and a screenshot's OCR often misreads a mark, so one of their
    syllables may differ, not most ("Hà Tính" is Hà Tĩnh, "Diễn biến" is not Điện Biên).

    >>> dola = _Entry("commodity", "đô la", "đô la", proper=False)
    >>> _same_marks(["đó", "là"], dola), _same_marks(["do", "la"], dola)
    (False, True)
    >>> dien_bien = _Entry("place", "Điện Biên", "điện biên", proper=True)
    >>> _same_marks(["Diễn", "biến"], dien_bien), _same_marks(["Điện", "Biện"], dien_bien)
    (False, True)
    """
    if len(toks) == 1:
        return toks[0].lower() == entry.exact
    pairs = list(zip(toks, entry.exact.split(), strict=False))
    if entry.proper:
        differ = sum(not t.isascii() and t.lower() != x for t, x in pairs)
        return differ <= len(pairs) // 2
    return all(t.isascii() or t.lower() == x for t, x in pairs)


@cache
def bare_ambiguous() -> frozenset[tuple[str, ...]]:
    """Folded entry forms that are also everyday words when typed without diacritics ("bac bo":
    Bắc Bộ or bác bỏ); :func:`slots` names them only when ``loose``.

    >>> ("bac", "bo") in bare_ambiguous(), ("ha", "noi") in bare_ambiguous()
    (True, False)
    """
    spec = _data()["bare_ambiguous"]
    if not spec.get("note"):
        raise ValueError("slots.json: bare_ambiguous has no provenance note")
    forms = frozenset(tuple(f.split()) for f in spec["forms"])
    if unknown := sorted(" ".join(f) for f in forms - lexicon().keys()):
        raise ValueError(f"slots.json: bare_ambiguous forms no entry has: {unknown}")
    return forms


def _longest_first(n_toks: int, longest: int, take: Callable[[int, int], bool]) -> None:
    """Walk ``n_toks`` tokens left to right offering ``take(start, length)`` the longest span first;
    a span it takes (returns True for) is consumed, otherwise shorter ones, then the next token."""
    i = 0
    while i < n_toks:
        for n in range(min(longest, n_toks - i), 0, -1):
            if take(i, n):
                i += n
                break
        else:
            i += 1


@dataclass(frozen=True)
class Named:
    """One slot value named in a text, at tokens ``start:stop`` of its folded syllables."""

    kind: str
    value: str
    start: int
    stop: int


@lru_cache(maxsize=4096)
def named(text: str, *, loose: bool = False) -> tuple[tuple[str, ...], tuple[Named, ...]]:
    """(folded syllables, slot values named at them, in order): what :func:`slots` sums up.

    >>> named("Hàn Quốc hủy tập trận với Mỹ")[1][1]
    Named(kind='country', value='Hoa Kỳ', start=6, stop=7)
    """
    norm = normalise(text)
    spans = [m.span() for m in _TOKEN.finditer(norm)]
    toks = [norm[a:b] for a, b in spans]
    if not toks:
        return (), ()
    # a name never runs across a comma, a full stop followed by a space, a bracket or a quote
    # ("Lê Trọng Tấn, Bình Tân" names Bình Tân, not Tân Bình); "TP.HCM" and "Hồ-Chí-Minh" join
    gaps = [norm[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    joined = [bool(_JOIN.fullmatch(g)) for g in gaps]
    comma = [j or bool(_COMMA.fullmatch(g)) for j, g in zip(joined, gaps, strict=True)]
    folded = [fold(t).lower() for t in toks]
    caps = sum(1 for t in toks if t[:1].isupper())
    # case only tells names apart in ordinary mixed-case writing (not in all-lower chat or ALL CAPS)
    mixed = 0 < caps < 0.8 * len(toks)
    lex = lexicon()
    found: list[Named] = []

    ambiguous = bare_ambiguous()

    def names(i: int, n: int) -> tuple[list[_Entry], bool]:
        """The entries the span names, and whether it is taken (a name, or an ambiguous form)."""
        key = tuple(folded[i : i + n])
        entries = lex.get(key)
        if not entries:
            return [], False
        if not all(joined[i : i + n - 1]):
            entries = [e for e in entries if e.comma and all(comma[i : i + n - 1])]
            if not entries:
                return [], False
        span = toks[i : i + n]
        if not loose and key in ambiguous and all(t.isascii() for t in span):
            return [], True  # "bac bo" may be bác bỏ: consumed, naming nothing (but see ``loose``)
        ok = [
            e
            for e in entries
            if (loose or _same_marks(span, e))
            and (not e.proper or not mixed or span[0][:1].isupper())
            and all(t[:1].isupper() for t, c in zip(span, e.cased, strict=False) if c)
            # a country of one syllable, alone or closing a cased form ("ở Mỹ"; a place such as
            # "Huế" before another, "Huế Đà Nẵng", stays a place)
            and not (
                e.kind == "country"
                and ((e.proper and n == 1) or (e.cased[-1:] == (True,) and sum(e.cased) == 1))
                and inside_name(i + n - 1)
            )
        ]
        return ok, bool(ok)

    def inside_name(i: int) -> bool:
        """A one-syllable Vietnamese country name before a capitalised Vietnamese word is part of
        another name ("Mỹ Khê", "Mỹ Tho", "Đức Phật"), unless that word opens a country ("Mỹ Trung")."""
        # (any text not written all in capitals or title case: names crowd a short one)
        if caps == len(toks) or i + 1 >= len(toks) or not gaps[i].isspace():
            return False
        nxt = toks[i + 1]
        return (
            is_vn_syllable(folded[i])  # "Apple Tim Cook": a foreign name is a name of its own
            and nxt[:1].isupper()
            and is_vn_syllable(folded[i + 1])
            and folded[i + 1] not in _country_heads()
        )

    def overlap(i: int, n: int, cap: int = 0) -> tuple[int, bool] | None:
        """Where an entry starts inside the span and runs past it, and whether it is a proper name
        in one run of names with the span ("Đầm Thượng Hải Phòng"; from the span's syllable ``cap``
        on, for a cased form: "ở Mỹ Tho"); None when none does."""
        for j in range(i + 1, i + n):
            for m in range(min(MAX_PHRASE, len(toks) - j), i + n - j, -1):
                later = names(j, m)[0]
                if later:
                    one_run = all(joined[i + cap : j + m - 1]) and (
                        not mixed or all(t[:1].isupper() for t in toks[i + cap : j + m])
                    )
                    return j, one_run and any(e.proper for e in later)
        return None

    def take(i: int, n: int) -> bool:
        got, taken = names(i, n)
        # a cased form ("ở Mỹ") is a name from its first capital on
        cap = min((e.cased.index(True) for e in got if True in e.cased), default=0)
        over = overlap(i, n, cap) if got else None
        if over is not None:
            j, later_name = over
            # an address goes from the small place to the large: the later name is meant
            if later_name and all(e.proper or e.cased for e in got):
                return False
            # "bằng lái xe máy": "bằng lái" is the licence, "xe máy" the vehicle, when the shorter
            # span names what the longer one did
            shorter = {(e.kind, e.value) for e in names(i, j - i)[0]}
            if shorter >= {(e.kind, e.value) for e in got}:
                return False
        for e in got:
            # a cased form's own words ("tại Đức") are not the name: it stands at its capitals
            at = [k for k, c in enumerate(e.cased) if c] or [0, n - 1]
            found.append(Named(e.kind, e.value, i + at[0], i + at[-1] + 1))
        return taken

    _longest_first(len(toks), MAX_PHRASE, take)
    return tuple(folded), tuple(found)


@cache
def _country_heads() -> frozenset[str]:
    """First folded syllables of the country entries ("trung" of Trung Quốc, "nga")."""
    return frozenset(key[0] for key, es in lexicon().items() if any(e.kind == "country" for e in es))


# Words that join two names without giving either a role ("Mỹ và Trung Quốc", "Hà Nội với Huế").
_JOINERS = frozenset({"va", "voi", "cung", "hoac", "hay", "lan", "den", "toi"})


def roles_swapped(query: str, claim: str) -> tuple[str, str] | None:
    """Two values of one kind that trade places between the texts: (value, value) or None.

    "Nước A cấm hàng của nước B" is not "nước B cấm hàng của nước A": the same names, the same
    words, other roles. Each value must stand in the other's words (the syllable before or after
    it), not in its own; names only joined by "và", "với" or a comma have no roles to trade.

    >>> roles_swapped("Lào cấm nhập gạo từ Thái Lan", "Thái Lan cấm nhập gạo từ Lào")
    ('Lào', 'Thái Lan')
    >>> roles_swapped("Thái Lan bị Lào cấm nhập gạo", "Lào cấm nhập gạo từ Thái Lan")  # reworded
    >>> roles_swapped("Lào và Thái Lan cấm nhập gạo", "Thái Lan và Lào cấm nhập gạo")
    """
    qf, qn = named(query)
    cf, cn = named(claim)
    for kind in sorted({x.kind for x in qn}):
        q_at, c_at = _once(qn, kind), _once(cn, kind)
        for a, b in itertools.combinations(sorted(q_at.keys() & c_at.keys()), 2):
            qa, qb, ca, cb = q_at[a], q_at[b], c_at[a], c_at[b]
            if (qa.start < qb.start) == (ca.start < cb.start):
                continue
            if _joined(qf, qa, qb) or _joined(cf, ca, cb):
                continue
            if (
                _same_place(qf, qa, cf, cb)
                and _same_place(qf, qb, cf, ca)
                and not _same_place(qf, qa, cf, ca)
            ):
                return a, b
    return None


def _once(found: tuple[Named, ...], kind: str) -> dict[str, Named]:
    """The values of ``kind`` named exactly once, where."""
    values = [x.value for x in found if x.kind == kind]
    return {x.value: x for x in found if x.kind == kind and values.count(x.value) == 1}


def _joined(folded: tuple[str, ...], x: Named, y: Named) -> bool:
    first, last = (x, y) if x.start < y.start else (y, x)
    between = folded[first.stop : last.start]
    return len(between) <= 1 and all(w in _JOINERS for w in between)


def _same_place(f1: tuple[str, ...], x: Named, f2: tuple[str, ...], y: Named) -> bool:
    """``x`` in ``f1`` and ``y`` in ``f2`` have the same syllable before them, or after them."""

    def around(f: tuple[str, ...], n: Named) -> tuple[str, str]:
        return (f[n.start - 1] if n.start else "^", f[n.stop] if n.stop < len(f) else "$")

    (p1, n1), (p2, n2) = around(f1, x), around(f2, y)
    return p1 == p2 or n1 == n2


def slots(text: str, *, loose: bool = False) -> dict[str, frozenset[str]]:
    """Canonical slot values named in ``text``, by kind (longest match first, no overlaps).

    ``loose``: one-syllable entries match on their folded form too ("uc" for Úc), for text typed
    without diacritics; their folded forms collide with common words, so use only to spot a swap
    against a claim that names another value of the same kind.

    >>> sorted(slots("Sài Gòn và TP.HCM, Lào Cai chứ không phải Lào").get("place", ()))
    ['Lào Cai', 'TP Hồ Chí Minh']
    >>> slots("Chủ nhật tôi đi cập nhật tin tức hòa bình")
    {}
    >>> slots("khach ve tu uc", loose=True)["country"]
    frozenset({'Úc'})
    >>> slots("Cháy ở đường Lê Trọng Tấn, Bình Tân")["place"]
    frozenset({'Bình Tân'})
    >>> slots("Bãi cọc ở Đầm Thượng Hải Phòng"), slots("Ở Thượng Hải Trung Quốc")["place"]
    ({'place': frozenset({'Hải Phòng'})}, frozenset({'Thượng Hải'}))
    >>> slots("trump bac bo tin do"), slots("trump bac bo tin do", loose=True)
    ({}, {'region': frozenset({'miền Bắc'})})
    """
    found: dict[str, set[str]] = {}
    for x in named(text, loose=loose)[1]:
        found.setdefault(x.kind, set()).add(x.value)
    return {k: frozenset(v) for k, v in found.items()}


def conflicts(
    query: dict[str, frozenset[str]],
    candidate: dict[str, frozenset[str]],
    headline: dict[str, frozenset[str]] | None = None,
    *,
    swaps_only: bool = False,
) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Kinds where the query names what the candidate does not: (kind, query values, candidate values).

    A conflict is a value of the query that the candidate never names (another place, one more
    country), or a swap against the candidate's ``headline`` (its short claim): each names a value
    the other lacks (``swaps_only``: only the latter, for one sentence of a long post, whose other
    sentences name places and topics of their own). A slot the query leaves open ("sắp cấm xe máy" vs "Hà Nội cấm xe máy") is not a
    conflict, nor is Việt Nam, the default setting of every claim here.

    >>> conflicts({"place": frozenset({"Huế"})}, {})
    [('place', ('Huế',), ())]
    >>> conflicts({"remedy": frozenset({"tỏi"})}, {"remedy": frozenset({"tỏi", "gừng"})})
    []
    >>> vn, iran = {"country": frozenset({"Việt Nam"})}, {"country": frozenset({"Iran"})}
    >>> conflicts(vn, {}), conflicts(vn, iran), conflicts(vn, iran, swaps_only=True)
    ([], [('country', ('Việt Nam',), ('Iran',))], [])
    >>> conflicts({"country": frozenset({"Nga", "Úc"})}, {"country": frozenset({"Nga", "Việt Nam"})}, swaps_only=True)
    []
    """
    headline = candidate if headline is None else headline
    out = []
    for kind in sorted(query):
        said = query[kind]
        q = said - IMPLICIT.get(kind, frozenset())
        c, h = candidate.get(kind, frozenset()), headline.get(kind, frozenset())
        # Việt Nam adds nothing, but said by a one-claim text where the claim names another country
        # it is a swap (one sentence of a long post says Việt Nam for its own reasons)
        swap = said if not swaps_only else q
        # (and then not named by the claim either: a list "từ Lào, Úc…" lacks no Việt Nam)
        theirs = h if not swaps_only else h - IMPLICIT.get(kind, frozenset())
        if (not swaps_only and kind not in swap_kinds() and q - c) or (swap - theirs and theirs - swap):
            out.append((kind, tuple(sorted(q or swap)), tuple(sorted(c))))
    return out


@cache
def swap_kinds() -> frozenset[str]:
    """Kinds a tip may add to a claim that leaves them unsaid: only another value is a conflict."""
    return frozenset(k for k, spec in _data()["types"].items() if spec.get("swaps_only"))


# Named so often without being the point of a claim that naming it adds nothing.
IMPLICIT = {"country": frozenset({"Việt Nam"})}

KIND_LABELS = {
    "place": N_("Địa danh"),
    "region": N_("Vùng miền"),
    "country": N_("Quốc gia"),
    "disease": N_("Bệnh"),
    "remedy": N_("Phương thuốc, thực phẩm"),
    "organisation": N_("Tổ chức"),
    "commodity": N_("Hàng hóa, giá cả"),
    "vehicle": N_("Phương tiện"),
    "document": N_("Giấy tờ"),
    "school": N_("Cấp học, môn thi"),
    "hazard": N_("Thiên tai, sự cố"),
    "fire": N_("Đám cháy"),
    "technology": N_("Công nghệ"),
    "sport": N_("Môn thể thao"),
    "energy": N_("Nguồn điện"),
    "insurance": N_("Loại bảo hiểm"),
    "outcome": N_("Loại số liệu"),
    "group": N_("Nhóm người"),
    "rank": N_("Cấp bậc hàm"),
    "specialty": N_("Chuyên khoa"),
    "product": N_("Sản phẩm"),
    "animal": N_("Loài vật"),
}


@cache
def filler_words() -> frozenset[str]:
    """Lower-case words that state no fact of their own: function words, negators and the words
    between them, and the ``substitution`` section's (causal verbs, a tipster's filler, numbers).

    >>> {"khiến", "không", "của"} <= filler_words(), "măng" in filler_words()
    (True, False)
    """
    spec = _data()["substitution"]
    if not spec.get("note"):
        raise ValueError("slots.json: substitution has no provenance note")
    neg, between, function = _polarity_words()
    return neg | between | function | frozenset(w.lower() for w in spec["function"])


@cache
def name_heads() -> frozenset[str]:
    """Words that say what the name after them is ("tỉnh", "bang", "chợ"; ``slots.json`` "name_heads").

    >>> "tỉnh" in name_heads(), "sơn" in name_heads()
    (True, False)
    """
    spec = _data()["name_heads"]
    if not spec.get("note"):
        raise ValueError("slots.json: name_heads has no provenance note")
    return frozenset(w.lower() for w in spec["words"])


@cache
def short_names() -> dict[str, tuple[str, str]]:
    """The word by which the "cased" forms of a value name it, -> (kind, value): "Pháp" in "người
    Pháp", "tại Pháp"; "Nhật" in "sang Nhật" (the capitalised last word most of its forms end on).

    >>> short_names()["Nhật"], short_names()["Pháp"]
    (('country', 'Nhật Bản'), ('country', 'Pháp'))
    """
    out: dict[str, tuple[str, str]] = {}
    for kind, spec in _data()["types"].items():
        for value, forms in spec.get("cased", {}).items():
            lasts = [t[-1] for t in (_TOKEN.findall(f) for f in forms) if t and t[-1][:1].isupper()]
            if lasts:
                out[max(sorted(set(lasts)), key=lasts.count)] = (kind, value)
    return out


@cache
def head_alias() -> dict[str, str]:
    """Head words compared as one ("tại" as "ở"; ``slots.json`` "name_heads" "alias").

    >>> head_alias()["tại"]
    'ở'
    """
    return {k.lower(): v.lower() for k, v in _data()["name_heads"].get("alias", {}).items()}


@cache
def person_heads() -> frozenset[str]:
    """The :func:`name_heads` that are titles before a person's name ("ông", "HLV").

    >>> "thầy" in person_heads(), "phố" in person_heads()
    (True, False)
    """
    return frozenset(w.lower() for w in _data()["name_heads"]["people"])


@cache
def place_heads() -> frozenset[str]:
    """The :func:`name_heads` that say a place follows ("phố", "xã"; ``slots.json`` "name_heads").

    >>> "phố" in place_heads(), "ông" in place_heads()
    (True, False)
    """
    return frozenset(w.lower() for w in _data()["name_heads"]["places"])


@cache
def folded_filler_words() -> frozenset[str]:
    """:func:`filler_words` typed without diacritics, for a tip typed so.

    >>> {"khien", "khong", "cua"} <= folded_filler_words()
    True
    """
    return frozenset(fold(w) for w in filler_words())


# --- polarity -------------------------------------------------------------------------------------


@cache
def _polarity_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(negators, words allowed between a negator and its word, function words).

    Function words are compared with their diacritics: folded, "bạn" (you) would hide "bán" (sell).
    """
    spec = _data()["polarity"]
    if not spec.get("note"):
        raise ValueError("slots.json: polarity has no provenance note")
    return (
        frozenset(spec["negators"]),
        frozenset(spec["between"]),
        frozenset(w.lower() for w in spec["function"]),
    )


_CLAUSE_BREAK = re.compile(r"[.!?;:…\n]")


def _clause_tokens(text: str) -> tuple[list[str], list[int]]:
    """Lower-cased tokens, and for each the index of the first token of its sentence or clause
    (a negator or a time marker never reaches across a full stop, a question mark or a colon).

    >>> _clause_tokens("Thật không? Bộ cấm")
    (['thật', 'không', 'bộ', 'cấm'], [0, 0, 2, 2])
    """
    norm = normalise(text)
    toks: list[str] = []
    starts: list[int] = []
    start, last = 0, 0
    for m in _TOKEN.finditer(norm):
        if _CLAUSE_BREAK.search(norm[last : m.start()]):
            start = len(toks)
        starts.append(start)
        toks.append(m.group(0).lower())
        last = m.end()
    return toks, starts


def _word_before(toks: list[str], starts: list[int], i: int, between: frozenset[str]) -> int:
    """Index of the word that governs ``toks[i]``: the one before it, past at most two ``between``
    words, inside its clause; -1 when the clause starts first.

    >>> _word_before(["không", "thể", "chữa"], [0, 0, 0], 2, frozenset({"thể"})), _word_before(["a", "b"], [0, 1], 1, frozenset())
    (0, -1)
    """
    j, gap = i - 1, 0
    while j >= starts[i] and toks[j] in between and gap < 2:
        j, gap = j - 1, gap + 1
    return j if j >= starts[i] else -1


def polarity(text: str) -> dict[str, bool]:
    """Content words (folded) of ``text`` -> negated there or not; a word seen both ways is left out.

    A negator counts for the word right after it, or after one or two softeners ("không thể",
    "chưa được", "không hề gây"). A question's closing "không" negates nothing.

    >>> p = polarity("Vắc-xin HPV không gây vô sinh")
    >>> p["gay"], p["vo"], p["hpv"]
    (True, True, False)
    >>> polarity("Uống nước chanh có chữa được ung thư không?")["chua"]
    False
    >>> polarity("Hãng từ chối bồi thường")["boi"]
    True
    >>> polarity("Có thật không? Bộ cấm bán")["bo"]  # the question's "không" ends there
    False
    """
    negators, between, function = _polarity_words()
    toks, starts = _clause_tokens(text)
    # a negator of two words ("từ chối") is read as one token
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(toks)} & negators
    neg = [
        tok in negators
        or (i > 0 and f"{toks[i - 1]} {tok}" in pairs)
        or (i + 1 < len(toks) and f"{tok} {toks[i + 1]}" in pairs)
        for i, tok in enumerate(toks)
    ]
    seen: dict[str, set[bool]] = {}
    for i, tok in enumerate(toks):
        word = fold(tok)
        if neg[i] or tok in function or word.isdigit() or len(word) < 2:
            continue
        j = _word_before(toks, starts, i, between)
        seen.setdefault(word, set()).add(j >= 0 and neg[j])
    return {w: next(iter(v)) for w, v in seen.items() if len(v) == 1}


def polarity_flips(query: dict[str, bool], claim: dict[str, bool]) -> list[str]:
    """Words one text asserts and the other negates: the opposite claim, not the same one.

    >>> polarity_flips(polarity("Nước chanh không chữa được ung thư"), polarity("Nước chanh chữa khỏi ung thư"))
    ['chua']
    >>> polarity_flips(polarity("Có phải nước chanh chữa ung thư không"), polarity("Nước chanh chữa khỏi ung thư"))
    []
    """
    return sorted(w for w in query.keys() & claim.keys() if query[w] != claim[w])


# --- done or to come ------------------------------------------------------------------------------


@cache
def _tense_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(markers of a done act, of one to come, words allowed between a marker and its verb)."""
    spec = _data()["tense"]
    if not spec.get("note"):
        raise ValueError("slots.json: tense has no provenance note")
    neg, between, _ = _polarity_words()
    return frozenset(spec["done"]), frozenset(spec["to_come"]), neg | between | frozenset(spec["between"])


def tense(text: str, *, loose: bool = False) -> dict[str, bool]:
    """Content words (folded) said as done (True: "đã", "vừa") or as to come (False: "sẽ", "sắp").

    Only words after a marker (or one or two words between, "đã chính thức tăng"); a word said
    both ways is left out. ``loose``: text typed without diacritics, markers read from their folded
    forms ("se", "da"; not the "se" of "chia sẻ"), to compare only with a claim that marks the
    same word.

    >>> tense("Giá điện đã tăng từ hôm qua"), tense("Giá điện sắp chính thức tăng")
    ({'tang': True}, {'tang': False})
    >>> tense("gia dien se tang"), tense("gia dien se tang", loose=True), tense("chia se tang", loose=True)
    ({}, {'tang': False}, {})
    """
    done, to_come, between = _tense_words()
    _, _, function = _polarity_words()
    toks, starts = _clause_tokens(text)
    if loose:
        toks = [fold(t) for t in toks]
        done, to_come = frozenset(map(fold, done)), frozenset(map(fold, to_come))
        between, function = frozenset(map(fold, between)), frozenset(map(fold, function))
    marker = [
        (tok in done or tok in to_come) and not (loose and tok == "se" and i > 0 and toks[i - 1] == "chia")
        for i, tok in enumerate(toks)
    ]
    seen: dict[str, set[bool]] = {}
    for i, tok in enumerate(toks):
        word = fold(tok)
        if marker[i] or tok in between or tok in function or word.isdigit() or len(word) < 2:
            continue
        j = _word_before(toks, starts, i, between)
        if j >= 0 and marker[j]:
            seen.setdefault(word, set()).add(toks[j] in done)
    return {w: next(iter(v)) for w, v in seen.items() if len(v) == 1}


def tense_flips(query: dict[str, bool], claim: dict[str, bool]) -> list[str]:
    """Words one text says are done and the other says are to come: another claim.

    >>> tense_flips(tense("Chính phủ sẽ tăng lương cơ sở"), tense("Chính phủ đã tăng lương cơ sở"))
    ['tang']
    """
    return sorted(w for w in query.keys() & claim.keys() if query[w] != claim[w])


# --- opposites ------------------------------------------------------------------------------------


@cache
def _opposite_forms() -> tuple[dict[tuple[str, ...], tuple[int, int]], frozenset[tuple[str, ...]], int]:
    """(diacritic syllables of a form -> (pair, side), masking compounds, longest form in syllables)."""
    spec = _data()["opposites"]
    if not spec.get("note"):
        raise ValueError("slots.json: opposites has no provenance note")
    forms: dict[tuple[str, ...], tuple[int, int]] = {}
    for k, sides in enumerate(spec["pairs"]):
        if len(sides) != 2:
            raise ValueError(f"slots.json: opposites pair {k} must have two sides")
        for side, words in enumerate(sides):
            for w in words:
                forms[tuple(_TOKEN.findall(w.lower()))] = (k, side)
    mask = frozenset(tuple(_TOKEN.findall(w.lower())) for w in spec["mask"])
    longest = max(len(f) for f in [*forms, *mask])
    return forms, mask, longest


def opposite_sides(text: str) -> dict[tuple[int, int], str]:
    """(pair, side) -> the form ``text`` says, for each opposite-meaning word (longest form first).

    >>> opposite_sides("Giá vàng lao dốc")  # pair 0 (tăng / giảm), side 1
    {(0, 1): 'lao dốc'}
    >>> opposite_sides("Tăng cường kiểm tra"), opposite_sides("gia vang giam")
    ({}, {})
    """
    forms, mask, longest = _opposite_forms()
    return _sides([t.lower() for t in _TOKEN.findall(normalise(text))], forms, mask, longest)


def _sides(
    toks: list[str],
    forms: dict[tuple[str, ...], tuple[int, int]],
    mask: frozenset[tuple[str, ...]],
    longest: int,
) -> dict[tuple[int, int], str]:
    """(pair, side) -> form, scanning ``toks`` longest form first (shared by both readings)."""
    found: dict[tuple[int, int], str] = {}

    def take(i: int, n: int) -> bool:
        key = tuple(toks[i : i + n])
        if key in forms:
            found.setdefault(forms[key], " ".join(key))
        return key in forms or key in mask  # a masking compound is consumed, naming nothing

    _longest_first(len(toks), longest, take)
    return found


@cache
def _bare_opposite_forms() -> tuple[dict[tuple[str, ...], tuple[int, int]], frozenset[tuple[str, ...]], int]:
    """:func:`_opposite_forms` typed without diacritics; the first pair keeps a folded form two
    pairs share (folding keeps the number of syllables, so the longest form is the same)."""
    forms, mask, longest = _opposite_forms()
    bare: dict[tuple[str, ...], tuple[int, int]] = {}
    for key, where in forms.items():
        bare.setdefault(tuple(fold(w) for w in key), where)
    return bare, frozenset(tuple(fold(w) for w in key) for key in mask), longest


def bare_opposite_sides(folded: list[str]) -> dict[tuple[int, int], str]:
    """:func:`opposite_sides` of syllables typed without diacritics.

    Folded forms collide with common words ("tang": tăng, tầng, tặng; "chua": chữa, chưa), so use
    only where the claim says the other side of the pair in the same place.

    >>> bare_opposite_sides("gia xang giam manh".split()), bare_opposite_sides(["giam", "thieu"])
    ({(0, 1): 'giam manh'}, {})
    """
    return _sides(folded, *_bare_opposite_forms())


def opposite_flips(
    query: dict[tuple[int, int], str], claim: dict[tuple[int, int], str]
) -> list[tuple[str, str]]:
    """(query's word, claim's word) where one says only one side of a pair and the other the other.

    >>> opposite_flips(opposite_sides("Giá xăng giảm mạnh"), opposite_sides("Giá xăng tăng vọt từ mai"))
    [('giảm mạnh', 'tăng vọt')]
    >>> opposite_flips(opposite_sides("Giá xăng tăng hay giảm?"), opposite_sides("Giá xăng tăng"))
    []
    """
    out = []
    for k in sorted({p for p, _ in [*query, *claim]}):
        q = [w for (p, _), w in query.items() if p == k]
        c = [w for (p, _), w in claim.items() if p == k]
        if len(q) == 1 and len(c) == 1 and (k, 0) in query.keys() ^ claim.keys():
            out.append((q[0], c[0]))
    return out


@cache
def number_labels(bare: bool = False) -> frozenset[str]:
    """Lower-case words after which a digit "1" is a label or a rank ("phím 1"), not "một" (a/an);
    ``bare``: those that still are when typed without diacritics."""
    spec = _data()["number_labels"]
    if not spec.get("note"):
        raise ValueError("slots.json: number_labels has no provenance note")
    return frozenset(w.lower() for w in spec["bare" if bare else "words"])
