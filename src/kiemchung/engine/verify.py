"""Does a candidate fact-check state the SAME fact as the query? Pairwise features + logistic models.

Retrieval finds topically close claims; verification has to notice that "phạt 4 triệu" is not
"phạt 6 triệu" and that the chairman of Bình Định is not the chairman of Quảng Ngãi.

    >>> f = pair_features(QueryView.of("Có phải ĐH Bách khoa học phí 80 triệu không?"),
    ...                   TextView.of("Học phí ĐH Bách khoa 60 triệu một năm"), {})
    >>> f["num_conflict"], f["num_q_miss"]
    (1.0, 1.0)

``FEATURES`` lists the per-candidate features (used by the re-ranker), ``VERIFY_FEATURES`` the
features of the top candidate (used for the answer decision). The coefficients of both logistic
models are learned on development data by ``kiemchung.engine.evaluate.fit`` and shipped here as
constants, so no data is needed at run time.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from kiemchung.engine.lexical import folded_syllables, numbers
from kiemchung.text import fold, normalise

# Number words that rarely mean anything else (note "năm" = five/year and "ba" = three/father are left out).
_NUMBER_WORDS = {"hai": "2", "bốn": "4", "sáu": "6", "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}
_WORD_SPAN = re.compile(r"[^\W_]+")
_FOLD_WORDS = re.compile(r"[^\W_]+")


def _is_title(tok: str) -> bool:
    return tok[0].isupper() and (len(tok) == 1 or tok[1:].islower())


def _is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 7 and tok.isupper() and tok[0].isalpha()


def entities(text: str) -> set[str]:
    """Folded names: runs of ≥ 2 capitalised syllables, and short acronyms (UBND, QL10).

    >>> sorted(entities("Chủ tịch UBND tỉnh Quảng Ngãi Trần Ngọc Căng nộp đơn"))
    ['quang ngai tran ngoc cang', 'ubnd']
    """
    out: set[str] = set()
    toks = list(_WORD_SPAN.finditer(text))
    all_caps = sum(1 for m in toks if m.group(0).isupper()) > 0.6 * max(len(toks), 1)
    run: list[str] = []
    last_end = -1

    def flush() -> None:
        if len(run) >= 2:
            out.add(fold(" ".join(run)))
        run.clear()

    for m in toks:
        tok = m.group(0)
        if not all_caps and _is_acronym(tok):
            flush()
            out.add(fold(tok))
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

    >>> sorted(_number_words("mười hai bị cáo , hai mươi lăm người , mười năm".split()))
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


def _number_set(text: str) -> set[str]:
    """Numbers of a text, from digits and words; a bare "1" ("một" = one/a) says nothing.

    >>> sorted(_number_set("Một nhà thờ có 1 ca, mười hai bị cáo, 16 nghìn tỷ"))
    ['12', '16000000000000']
    """
    found = set(numbers(text)) | _number_words(_FOLD_WORDS.findall(text.lower()))
    found.discard("1")
    return found


@dataclass
class TextView:
    """What verification needs from one text, computed once."""

    text: str
    folded: str
    syl: list[str]
    bigrams: set[str]
    nums: set[str]
    ents: set[str]

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
            ents=entities(norm),
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


def _present(entity: str, folded_text: str) -> bool:
    return f" {entity} " in folded_text


def _cov(tokens: list[str], other: set[str], idf: dict[str, float]) -> float:
    uniq = set(tokens)
    if not uniq:
        return 0.0
    tot = sum(idf.get(t, 3.0) for t in uniq)
    return sum(idf.get(t, 3.0) for t in uniq if t in other) / tot if tot else 0.0


def pair_features(
    q: QueryView, c: TextView, idf: dict[str, float], unit: int | None = None
) -> dict[str, float]:
    """Agreement features of query ``q`` (or its unit ``unit``) and candidate ``c``; all in about 0..1.

    ``idf`` maps folded syllables to IDF (unknown syllables count as rare).
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
    return f


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


def reasons(f: dict[str, float], c: TextView, q: TextView) -> list[str]:
    """Human-readable agreement notes (Vietnamese / English) for editors."""
    out = []
    if c.nums:
        shared = sorted(c.nums & q.nums)
        if shared:
            out.append(f"Số liệu khớp / numbers agree: {', '.join(shared)}")
        if f.get("num_conflict") or f.get("num_q_miss", 0) > 0:
            missing = sorted(q.nums - c.nums)
            if missing:
                out.append(
                    f"Số liệu khác / numbers differ: {', '.join(missing)} ≠ {', '.join(sorted(c.nums))}"
                )
    ents_ok = sorted(e for e in c.ents if _present(e, q.folded))
    if ents_ok:
        out.append(f"Tên riêng khớp / names agree: {', '.join(ents_ok)}")
    ents_bad = sorted(e for e in q.ents if not _present(e, c.folded))
    if ents_bad:
        out.append(f"Tên riêng không có trong kết quả / names not in the match: {', '.join(ents_bad)}")
    out.append(f"Độ phủ từ / word overlap: {f.get('cov_c', 0.0):.0%}".replace(".", ","))
    return out


def veto(f: dict[str, float], long: bool) -> bool:
    """Never answer automatically when a one-claim query states a number or a name the match lacks.

    The learned verifier sees few such cases in development data, but a wrong number is exactly
    the difference between two fact-checks ("phạt 4 triệu" vs "phạt 6 triệu"); the match is still
    ranked and may be suggested to editors.
    """
    if long:
        return False
    # a swap, not an addition: the query has a number the match lacks AND the match has one the query lacks
    num_swap = f.get("num_q_miss", 0.0) > 0 and f.get("num_c_has", 0.0) > 0 and f.get("num_c_hit", 0.0) < 1
    return bool(num_swap)


# --- fitted constants (kiemchung.engine.evaluate.fit on the development sets; regenerate with
# `python bench/eval_matching.py --fit`) --------------------------------------------------------
RERANK = Logistic(
    names=(
        "lex_w",
        "lex_u",
        "den_w",
        "den_u",
        "den_w_gap",
        "den_u_gap",
        "rrf",
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
    ),
    coef=(
        0.81819,
        0.6614,
        1.00353,
        -1.14236,
        1.45938,
        -1.21244,
        0.86459,
        1.84597,
        -0.89762,
        1.10186,
        -0.34098,
        -1.05723,
        0.74367,
        -0.58179,
        0.23018,
        0.35962,
        0.37475,
        -0.22384,
        -0.16891,
        0.3217,
        0.02212,
        -0.4409,
        -0.6138,
    ),
    intercept=-10.49252,
    mean=(
        0.34187,
        0.32144,
        0.86463,
        0.87159,
        -0.05024,
        -0.05154,
        0.98961,
        0.31219,
        0.10668,
        0.22091,
        0.08777,
        0.4061,
        0.0786,
        0.41812,
        0.18364,
        0.15033,
        0.29768,
        0.49901,
        0.30865,
        0.6536,
        0.62179,
        0.69918,
        0.5927,
    ),
    scale=(
        0.23607,
        0.23435,
        0.0263,
        0.02881,
        0.03031,
        0.03078,
        0.70091,
        0.20634,
        0.13499,
        0.16168,
        0.12266,
        0.4911,
        0.24243,
        0.48159,
        0.38719,
        0.30899,
        0.35891,
        0.47449,
        0.46193,
        0.18887,
        0.18598,
        0.13254,
        0.06002,
    ),
)
VERIFY: dict[str, Logistic] = {
    "hybrid": Logistic(
        names=(
            "logit",
            "margin",
            "agree",
            "lex_margin",
            "den_margin",
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
            "agree4",
            "lexu_margin",
            "denu_margin",
            "den_first",
            "lex_first",
            "unit_pos",
            "long",
            "long*logit",
            "long*margin",
            "long*agree",
            "long*lex_margin",
            "long*den_margin",
            "long*den_w",
            "long*den_u",
            "long*cov_c",
            "long*cov_q",
            "long*num_q_miss",
            "long*num_conflict",
            "long*ent_c_miss",
            "long*ent_q_miss",
            "long*ent_swap",
            "long*rare_q_miss",
            "long*rare_c_miss",
            "long*log_qlen",
            "long*agree4",
            "long*lexu_margin",
            "long*denu_margin",
            "long*den_first",
            "long*lex_first",
            "long*unit_pos",
        ),
        coef=(
            0.49956,
            0.37957,
            -0.00916,
            0.34834,
            0.15927,
            0.07972,
            0.03285,
            0.22234,
            0.09949,
            -0.16433,
            -0.11222,
            0.01218,
            -0.08024,
            -0.11139,
            0.03853,
            -0.06918,
            0.10339,
            0.24163,
            0.36338,
            0.17163,
            0.05553,
            0.03872,
            -0.08814,
            0.00201,
            0.18516,
            0.1204,
            -0.06522,
            0.04322,
            0.00161,
            -0.00098,
            -0.00453,
            0.0216,
            -0.2257,
            0.09035,
            0.03368,
            -0.0374,
            0.01853,
            0.02735,
            0.07015,
            0.01677,
            0.03254,
            0.05524,
            0.06553,
            0.02254,
            0.05553,
            0.03872,
            -0.08814,
        ),
        intercept=1.75713,
        mean=(
            1.45106,
            6.19097,
            0.65538,
            0.38471,
            0.02406,
            0.9109,
            0.9139,
            0.65986,
            0.57542,
            0.17693,
            0.04462,
            0.20359,
            0.26873,
            0.17231,
            0.5343,
            0.47328,
            0.67404,
            0.73077,
            0.38204,
            0.02354,
            -0.01501,
            -0.1883,
            0.1685,
            0.47385,
            0.64848,
            2.3772,
            0.3,
            0.14666,
            0.00848,
            0.43228,
            0.43528,
            0.3723,
            0.25505,
            0.09247,
            0.02462,
            0.06051,
            0.12759,
            0.06615,
            0.26246,
            0.19983,
            0.36875,
            0.31462,
            0.14399,
            0.00796,
            -0.01501,
            -0.1883,
            0.1685,
        ),
        scale=(
            2.72096,
            4.21133,
            0.47524,
            0.24052,
            0.02296,
            0.03574,
            0.03702,
            0.23057,
            0.23086,
            0.34665,
            0.20646,
            0.30732,
            0.37662,
            0.37765,
            0.22837,
            0.20576,
            0.12966,
            0.34027,
            0.24391,
            0.02309,
            0.03054,
            0.32504,
            0.3152,
            0.49932,
            1.83073,
            3.64838,
            0.45826,
            0.21502,
            0.01498,
            0.45585,
            0.4591,
            0.40981,
            0.30899,
            0.26313,
            0.15495,
            0.17176,
            0.28409,
            0.24855,
            0.31636,
            0.2609,
            0.39472,
            0.4091,
            0.2159,
            0.01463,
            0.03054,
            0.32504,
            0.3152,
        ),
    ),
    "lexical": Logistic(
        names=(
            "logit",
            "margin",
            "agree",
            "lex_margin",
            "den_margin",
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
            "agree4",
            "lexu_margin",
            "denu_margin",
            "den_first",
            "lex_first",
            "unit_pos",
            "long",
            "long*logit",
            "long*margin",
            "long*agree",
            "long*lex_margin",
            "long*den_margin",
            "long*den_w",
            "long*den_u",
            "long*cov_c",
            "long*cov_q",
            "long*num_q_miss",
            "long*num_conflict",
            "long*ent_c_miss",
            "long*ent_q_miss",
            "long*ent_swap",
            "long*rare_q_miss",
            "long*rare_c_miss",
            "long*log_qlen",
            "long*agree4",
            "long*lexu_margin",
            "long*denu_margin",
            "long*den_first",
            "long*lex_first",
            "long*unit_pos",
        ),
        coef=(
            0.09481,
            0.47286,
            0.0,
            0.47287,
            0.0,
            0.0,
            0.0,
            0.34408,
            0.18885,
            -0.30353,
            -0.21018,
            -0.0031,
            -0.14193,
            -0.16028,
            0.0957,
            -0.11166,
            -0.03581,
            0.06388,
            0.40907,
            0.0,
            0.0,
            0.15216,
            0.0,
            -0.13487,
            -0.01002,
            0.09762,
            0.0,
            0.09764,
            0.0,
            0.0,
            0.0,
            -0.00491,
            -0.24267,
            0.0345,
            -0.00104,
            -0.06874,
            0.04653,
            -0.02837,
            0.15516,
            0.08956,
            -0.02884,
            0.01125,
            0.0326,
            0.0,
            0.0,
            0.15216,
            0.0,
        ),
        intercept=1.14144,
        mean=(
            1.00098,
            0.3851,
            0.0,
            0.38471,
            0.0,
            0.0,
            0.0,
            0.64763,
            0.58081,
            0.20315,
            0.07385,
            0.22769,
            0.27834,
            0.20615,
            0.53727,
            0.49175,
            0.67404,
            0.47192,
            0.38204,
            0.0,
            0.0,
            -0.2031,
            0.0,
            0.47385,
            0.4743,
            0.14682,
            0.0,
            0.14666,
            0.0,
            0.0,
            0.0,
            0.36601,
            0.25887,
            0.10551,
            0.03692,
            0.07692,
            0.13618,
            0.09077,
            0.26286,
            0.20944,
            0.36875,
            0.20885,
            0.14399,
            0.0,
            0.0,
            -0.2031,
            0.0,
        ),
        scale=(
            8e-05,
            0.24075,
            1.0,
            0.24052,
            1.0,
            1.0,
            1.0,
            0.24172,
            0.23028,
            0.37545,
            0.26152,
            0.31777,
            0.38401,
            0.40454,
            0.23384,
            0.22167,
            0.12966,
            0.08015,
            0.24391,
            1.0,
            1.0,
            0.34196,
            1.0,
            0.49932,
            0.49979,
            0.21525,
            1.0,
            0.21502,
            1.0,
            1.0,
            1.0,
            0.40751,
            0.31405,
            0.28743,
            0.18857,
            0.19802,
            0.296,
            0.28728,
            0.32074,
            0.27847,
            0.39472,
            0.23233,
            0.2159,
            1.0,
            1.0,
            0.34196,
            1.0,
        ),
    ),
    "dense": Logistic(
        names=(
            "logit",
            "margin",
            "agree",
            "lex_margin",
            "den_margin",
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
            "agree4",
            "lexu_margin",
            "denu_margin",
            "den_first",
            "lex_first",
            "unit_pos",
            "long",
            "long*logit",
            "long*margin",
            "long*agree",
            "long*lex_margin",
            "long*den_margin",
            "long*den_w",
            "long*den_u",
            "long*cov_c",
            "long*cov_q",
            "long*num_q_miss",
            "long*num_conflict",
            "long*ent_c_miss",
            "long*ent_q_miss",
            "long*ent_swap",
            "long*rare_q_miss",
            "long*rare_c_miss",
            "long*log_qlen",
            "long*agree4",
            "long*lexu_margin",
            "long*denu_margin",
            "long*den_first",
            "long*lex_first",
            "long*unit_pos",
        ),
        coef=(
            0.17581,
            0.40673,
            0.0,
            0.0,
            0.40662,
            0.17591,
            0.06195,
            0.54079,
            0.37058,
            -0.2492,
            -0.14117,
            0.04114,
            -0.1509,
            -0.04785,
            0.10104,
            -0.11515,
            -0.11927,
            0.22549,
            0.0,
            0.34499,
            0.08225,
            0.0,
            -0.05581,
            -0.39111,
            -0.02386,
            0.13452,
            0.0,
            0.0,
            0.13436,
            -0.02385,
            -0.03047,
            0.10353,
            -0.20433,
            -0.00742,
            0.0332,
            -0.04654,
            0.08023,
            0.04558,
            0.12659,
            -0.03169,
            -0.0393,
            0.09705,
            0.0,
            0.04382,
            0.08225,
            0.0,
            -0.05581,
        ),
        intercept=0.57064,
        mean=(
            0.91719,
            0.02409,
            0.0,
            0.0,
            0.02406,
            0.91627,
            0.91737,
            0.58001,
            0.50355,
            0.23165,
            0.08923,
            0.20359,
            0.3118,
            0.18769,
            0.54917,
            0.51327,
            0.67404,
            0.44,
            0.0,
            0.02354,
            -0.01365,
            0.0,
            0.15667,
            0.47385,
            0.43486,
            0.00849,
            0.0,
            0.0,
            0.00848,
            0.43443,
            0.43552,
            0.33485,
            0.23103,
            0.1127,
            0.04308,
            0.06256,
            0.14673,
            0.07231,
            0.26512,
            0.22298,
            0.36875,
            0.17692,
            0.0,
            0.00796,
            -0.01365,
            0.0,
            0.15667,
        ),
        scale=(
            0.02813,
            0.02298,
            1.0,
            1.0,
            0.02296,
            0.0281,
            0.03022,
            0.28065,
            0.2741,
            0.39793,
            0.28508,
            0.31009,
            0.40344,
            0.39047,
            0.22319,
            0.21957,
            0.12966,
            0.10677,
            1.0,
            0.02309,
            0.02866,
            1.0,
            0.30584,
            0.49932,
            0.45844,
            0.01499,
            1.0,
            1.0,
            0.01498,
            0.45798,
            0.45927,
            0.3887,
            0.29775,
            0.2982,
            0.20303,
            0.18448,
            0.31025,
            0.259,
            0.31721,
            0.28913,
            0.39472,
            0.20533,
            1.0,
            0.01463,
            0.02866,
            1.0,
            0.30584,
        ),
    ),
}
THRESHOLDS: dict[str, dict[str, float]] = {
    "hybrid": {"answer": 0.81, "suggest": 0.334},
    "lexical": {"answer": 0.815, "suggest": 0.4065},
    "dense": {"answer": 0.7322, "suggest": 0.2428},
}
