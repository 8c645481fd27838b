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


def _number_set(text: str) -> set[str]:
    found = set(numbers(text))
    for w in _FOLD_WORDS.findall(text.lower()):
        if w in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[w])
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
        0.85036,
        0.54517,
        0.96782,
        -1.13372,
        1.40824,
        -1.04799,
        0.83327,
        1.95541,
        -0.85067,
        1.05277,
        -0.31524,
        -0.31014,
        0.41569,
        -0.5687,
        0.21265,
        0.30547,
        0.24444,
        -0.23353,
        -0.09086,
        0.33362,
        -0.01093,
        -0.544,
        -0.53155,
    ),
    intercept=-10.16735,
    mean=(
        0.34336,
        0.3228,
        0.86466,
        0.87162,
        -0.0502,
        -0.05149,
        0.99004,
        0.31213,
        0.10684,
        0.22083,
        0.08791,
        0.50686,
        0.13544,
        0.44333,
        0.20665,
        0.15133,
        0.29782,
        0.49763,
        0.30844,
        0.65557,
        0.62301,
        0.69909,
        0.59267,
    ),
    scale=(
        0.23616,
        0.23427,
        0.02627,
        0.02879,
        0.03026,
        0.0307,
        0.70077,
        0.20652,
        0.13529,
        0.16152,
        0.12288,
        0.49995,
        0.30755,
        0.47679,
        0.4049,
        0.30977,
        0.35905,
        0.47427,
        0.46185,
        0.19069,
        0.18744,
        0.13255,
        0.06,
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
        ),
        coef=(
            0.95703,
            0.47898,
            -0.11565,
            1.04308,
            0.44362,
            -0.15355,
            0.30348,
            0.2571,
            0.31587,
            -0.23922,
            -0.22534,
            0.17113,
            -0.03202,
            -0.30827,
            0.16522,
            -0.10948,
            0.14904,
            0.1125,
            0.33857,
            0.20765,
            -0.0034,
            -0.01922,
            -0.13204,
            0.08963,
            0.12496,
            -0.03377,
            -1.06625,
            0.2399,
            0.04555,
            -0.28943,
            -0.02455,
            0.28105,
            -0.01672,
            0.19497,
            0.12851,
        ),
        intercept=2.08023,
        mean=(
            1.32565,
            5.97389,
            0.65538,
            0.38288,
            0.02406,
            0.91127,
            0.91423,
            0.65798,
            0.57438,
            0.21531,
            0.06923,
            0.2,
            0.26847,
            0.16923,
            0.54424,
            0.4804,
            0.67404,
            0.47385,
            0.61855,
            2.31676,
            0.29846,
            0.14596,
            0.00848,
            0.43244,
            0.4354,
            0.37196,
            0.25494,
            0.10572,
            0.03077,
            0.05795,
            0.12892,
            0.06308,
            0.26632,
            0.201,
            0.36875,
        ),
        scale=(
            2.55233,
            4.00672,
            0.47524,
            0.23974,
            0.02296,
            0.03528,
            0.03654,
            0.23143,
            0.22639,
            0.36284,
            0.25385,
            0.30326,
            0.37551,
            0.37496,
            0.23025,
            0.21299,
            0.12966,
            0.49932,
            1.7797,
            3.55306,
            0.45758,
            0.21396,
            0.01498,
            0.456,
            0.4592,
            0.40961,
            0.30739,
            0.27379,
            0.17269,
            0.16608,
            0.28629,
            0.2431,
            0.32227,
            0.26616,
            0.39472,
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
        ),
        coef=(
            0.08605,
            0.87724,
            0.0,
            0.87739,
            0.0,
            0.0,
            0.0,
            0.8141,
            0.47247,
            -0.53658,
            -0.34477,
            0.18797,
            -0.18672,
            -0.3687,
            0.28775,
            -0.20312,
            -0.29697,
            0.0796,
            0.07962,
            0.02524,
            0.0,
            0.02542,
            0.0,
            0.0,
            0.0,
            0.05167,
            -1.05286,
            0.05342,
            0.12724,
            -0.24684,
            0.07657,
            0.06523,
            0.24384,
            0.43898,
            -0.08332,
        ),
        intercept=1.51972,
        mean=(
            1.00098,
            0.38327,
            0.0,
            0.38288,
            0.0,
            0.0,
            0.0,
            0.6463,
            0.57772,
            0.23721,
            0.08308,
            0.22718,
            0.27932,
            0.20615,
            0.54673,
            0.49706,
            0.67404,
            0.47385,
            0.4743,
            0.14611,
            0.0,
            0.14596,
            0.0,
            0.0,
            0.0,
            0.36558,
            0.25787,
            0.11674,
            0.03846,
            0.07692,
            0.13587,
            0.09077,
            0.26688,
            0.21091,
            0.36875,
        ),
        scale=(
            8e-05,
            0.23998,
            1.0,
            0.23974,
            1.0,
            1.0,
            1.0,
            0.24213,
            0.22901,
            0.38492,
            0.276,
            0.31733,
            0.38463,
            0.40454,
            0.23487,
            0.22527,
            0.12966,
            0.49932,
            0.49979,
            0.21418,
            1.0,
            0.21396,
            1.0,
            1.0,
            1.0,
            0.40745,
            0.31291,
            0.29466,
            0.19231,
            0.19802,
            0.29562,
            0.28728,
            0.32624,
            0.28247,
            0.39472,
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
        ),
        coef=(
            0.02575,
            0.90359,
            0.0,
            0.0,
            0.90141,
            0.0258,
            -0.02422,
            1.42056,
            0.71838,
            -0.46098,
            -0.23203,
            0.15064,
            -0.31559,
            -0.14959,
            0.36833,
            -0.07628,
            -0.62848,
            0.11543,
            0.03511,
            0.11787,
            0.0,
            0.0,
            0.11455,
            0.03512,
            0.03184,
            0.30102,
            -1.00992,
            0.01153,
            0.16122,
            -0.1935,
            0.21427,
            0.21104,
            0.11178,
            0.05946,
            -0.11455,
        ),
        intercept=1.12932,
        mean=(
            0.91719,
            0.02409,
            0.0,
            0.0,
            0.02406,
            0.91627,
            0.91737,
            0.57906,
            0.50114,
            0.2738,
            0.10615,
            0.20359,
            0.3118,
            0.18769,
            0.55635,
            0.51826,
            0.67404,
            0.47385,
            0.43486,
            0.00849,
            0.0,
            0.0,
            0.00848,
            0.43443,
            0.43552,
            0.33474,
            0.23011,
            0.13601,
            0.04923,
            0.06256,
            0.14673,
            0.07231,
            0.26852,
            0.22446,
            0.36875,
        ),
        scale=(
            0.02813,
            0.02298,
            1.0,
            1.0,
            0.02296,
            0.0281,
            0.03022,
            0.28095,
            0.273,
            0.40993,
            0.30803,
            0.31009,
            0.40344,
            0.39047,
            0.22445,
            0.22188,
            0.12966,
            0.49932,
            0.45844,
            0.01499,
            1.0,
            1.0,
            0.01498,
            0.45798,
            0.45927,
            0.38869,
            0.29702,
            0.31743,
            0.21635,
            0.18448,
            0.31025,
            0.259,
            0.32247,
            0.2925,
            0.39472,
        ),
    ),
}
THRESHOLDS: dict[str, dict[str, float]] = {
    "hybrid": {"answer": 0.8233, "suggest": 0.2126},
    "lexical": {"answer": 0.8503, "suggest": 0.2748},
    "dense": {"answer": 0.8295, "suggest": 0.1834},
}
