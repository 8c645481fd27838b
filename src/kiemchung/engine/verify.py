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
VERIFY_FEATURES = [
    "logit",  # re-ranker logit of the top candidate
    "margin",  # its logit minus the runner-up's
    "agree",  # lexical and dense rankings put the same candidate first
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
        return 1.0 / (1.0 + np.exp(-self.logit(x)))


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


# --- fitted constants (kiemchung.engine.evaluate.fit on the development sets; regenerate with
# `python bench/eval_matching.py --fit`) --------------------------------------------------------
_Z = tuple(0.0 for _ in FEATURES)
_ONE = tuple(1.0 for _ in FEATURES)
RERANK = Logistic(tuple(FEATURES), tuple(1.0 if n == "rrf" else 0.0 for n in FEATURES), 0.0, _Z, _ONE)
VERIFY: dict[str, Logistic] = {
    m: Logistic(
        tuple(VERIFY_FEATURES),
        tuple(1.0 if n == "margin" else 0.0 for n in VERIFY_FEATURES),
        0.0,
        tuple(0.0 for _ in VERIFY_FEATURES),
        tuple(1.0 for _ in VERIFY_FEATURES),
    )
    for m in ("hybrid", "lexical", "dense")
}
THRESHOLDS: dict[str, dict[str, float]] = {
    m: {"answer": 0.9, "suggest": 0.6} for m in ("hybrid", "lexical", "dense")
}
