"""Fitting the matching models on development sets (a development tool, not shipped at run time).

    python bench/eval_matching.py --cv            # 2-fold cross-validated figures (refit per fold)
    python bench/eval_matching.py --fit --write   # refit on all dev data, write engine/data/matching-model.json

``fit`` learns the re-ranker and the per-mode verifiers (scikit-learn's logistic regression, the
``train`` extra) and reads the answer/suggest thresholds off out-of-fold scores; ``cross_validate``
reports 2-fold figures over query ids so the shipped numbers are not only in-sample.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiemchung.engine import verify as V
from kiemchung.engine.evaluate import Metrics, metrics
from kiemchung.engine.match import Candidate, Matcher, MatchResult, Mode, rank_scores, verify_vector

MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")
MODEL_PATH = Path(__file__).resolve().parents[1] / "src" / "kiemchung" / "engine" / V.MODEL_FILE
PROVENANCE = (
    "Logistic re-ranker and per-mode verifiers fitted by bench/matching_fit.py on the development "
    "matching sets (tipline questions and monitored posts), thresholds read off out-of-fold scores; "
    "regenerate with `python bench/eval_matching.py --fit --write`. Coefficients apply to standardised "
    "features: z = (x - mean) / scale."
)


@dataclass
class Collected:
    """Prepared candidates of one dev set, per mode, with gold labels (for fitting thresholds)."""

    name: str
    qids: list[str]
    golds: list[list[str]]
    prepared: dict[str, list[Any]]
    ids: list[str | None]


def collect(name: str, matcher: Matcher, queries: list[dict[str, Any]]) -> Collected:
    prepared: dict[str, list[Any]] = {}
    for mode in MODES:
        prepared[mode] = matcher.prepare([q["query"] for q in queries], mode)
    return Collected(
        name,
        [str(q["qid"]) for q in queries],
        [list(q.get("gold") or []) for q in queries],
        prepared,
        matcher._ids,
    )


def _labels(c: Collected, mode: str, idx: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, groups = [], [], []
    for i in idx:
        p = c.prepared[mode][i]
        if len(p.slots) == 0:
            continue
        gold = set(c.golds[i])
        xs.append(p.feats)
        ys.append(np.asarray([c.ids[int(s)] in gold for s in p.slots], dtype=float))
        groups.append(np.full(len(p.slots), i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(groups)


def _fit_logistic(
    x: np.ndarray, y: np.ndarray, names: list[str], c_reg: float, weight: np.ndarray | None = None
) -> V.Logistic:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=c_reg, max_iter=2000)
    lr.fit((x - mean) / scale, y, sample_weight=weight)
    return V.Logistic(
        tuple(names),
        tuple(round(float(v), 5) for v in lr.coef_[0]),
        round(float(lr.intercept_[0]), 5),
        tuple(round(float(v), 5) for v in mean),
        tuple(round(float(v), 5) for v in scale),
    )


@dataclass
class Fitted:
    rerank: V.Logistic
    verify: dict[str, V.Logistic]
    thresholds: dict[str, dict[str, float]]


# False-answer budget of each development set, used to calibrate the one "answer" threshold: the
# tipline answers citizens directly (product target ≤ 2 % wrong answers), monitored posts feed the
# desk (target ≤ 5 %). Budgets sit below the targets so unseen data has room; the threshold is the
# smallest that keeps every set within its budget. "suggest" may fire on 30 % of no-match queries.
# The verifier sees a few hundred queries: much stronger L2 regularisation than the re-ranker.
C_VERIFY = 0.01
ANSWER_BUDGET = {"tipline": 0.01, "posts": 0.035}
DEFAULT_BUDGET = 0.02
SUGGEST_BUDGET = 0.30
# The answer threshold never goes below this verifier probability, whatever the budget allows: with
# 50 and 100 no-match queries, one query the vetoes happen to catch moves the budget's quantile, and
# an answer on a 0,65 confidence is a guess. (With the December vetoes one cross-validation fold
# otherwise fell to 0,65 and answered 2 no-match posts at 0,71-0,74.)
ANSWER_FLOOR = 0.75
# Thresholds are read off out-of-fold verifier scores of the training queries (INNER_FOLDS-fold):
# in-sample scores of no-match queries are optimistic, which let through twice the budgeted false
# answers on held-out posts. SHIFTS: offsets of the "long" (several claim units) term tried so that
# one threshold fits one-sentence tips and long posts alike. The inner split is repeated
# (INNER_REPEATS) because a threshold read off a few dozen no-match queries is itself noisy.
INNER_FOLDS = 4
INNER_REPEATS = 3
SHIFTS = tuple(x / 4 for x in range(-12, 13))


def _verify_rows(
    c: Collected, mode: Mode, idx: list[int], rerank: V.Logistic
) -> tuple[np.ndarray, np.ndarray, list[int], list[bool]]:
    xs, ys, kept, vetoed = [], [], [], []
    for i in idx:
        p = c.prepared[mode][i]
        if len(p.slots) == 0:
            continue
        logits = rerank.logit(p.feats) if mode == "hybrid" else rank_scores(p.feats, mode)
        order = np.argsort(-logits, kind="stable")
        xs.append(verify_vector(p, logits, order))
        ys.append(float(c.ids[int(p.slots[order[0]])] in set(c.golds[i])))
        kept.append(i)
        vetoed.append(V.veto(p.pair[int(order[0])], bool(p.view.units)))
    return np.asarray(xs).reshape(len(xs), len(V.VERIFY_FEATURES)), np.asarray(ys), kept, vetoed


def _fit_models(
    sets: list[Collected], idx: list[list[int]], c_reg: float, c_verify: float
) -> tuple[V.Logistic, dict[str, V.Logistic]]:
    """Re-ranker and per-mode verifiers on the queries ``idx[k]`` of each set (equal weight per set)."""
    parts = [_labels(c, "hybrid", ix) for c, ix in zip(sets, idx, strict=True)]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    w = np.concatenate([np.full(len(p[1]), 1.0 / len(p[1])) for p in parts]) * len(y)
    rerank = _fit_logistic(x, y, V.FEATURES, c_reg, w)
    verify: dict[str, V.Logistic] = {}
    for mode in MODES:
        rows = [_verify_rows(c, mode, ix, rerank) for c, ix in zip(sets, idx, strict=True)]
        vx = np.concatenate([r[0] for r in rows])
        vy = np.concatenate([r[1] for r in rows])
        vw = np.concatenate([np.full(len(r[1]), 1.0 / len(r[1])) for r in rows]) * len(vy)
        verify[mode] = _fit_logistic(vx, vy, V.VERIFY_FEATURES, c_verify, vw)
    return rerank, verify


@dataclass
class _Scored:
    """Out-of-fold verifier logit of one training query and what an answer to it would be."""

    logit: float
    long: float
    correct: bool  # the top candidate is a gold id
    vetoed: bool
    no_match: bool


def _shifted(m: V.Logistic, shift: float) -> V.Logistic:
    """``m`` with ``shift`` added to the logit of long queries (folded into the "long" coefficient)."""
    k = m.names.index("long")
    coef = list(m.coef)
    coef[k] = round(coef[k] + shift * m.scale[k], 5)
    return V.Logistic(m.names, tuple(coef), round(m.intercept + shift * m.mean[k], 5), m.mean, m.scale)


def _threshold(scored: list[list[_Scored]], names: list[str], shift: float, key: str) -> float:
    """Smallest logit threshold keeping every set's no-match queries within its budget."""
    need = -math.inf
    for name, rows in zip(names, scored, strict=True):
        n_neg = sum(r.no_match for r in rows)
        # vetoed queries are never answered, so they do not constrain the answer threshold
        neg = sorted(
            (r.logit + shift * r.long for r in rows if r.no_match and not (r.vetoed and key == "answer")),
            reverse=True,
        )
        budget = ANSWER_BUDGET.get(name, DEFAULT_BUDGET) if key == "answer" else SUGGEST_BUDGET
        allowed = int(np.floor(budget * n_neg))
        if len(neg) > allowed:
            need = max(need, neg[allowed] + 1e-6)
    return need


def _calibrate(scored: list[list[_Scored]], names: list[str]) -> tuple[float, float, float]:
    """(shift, answer logit, suggest logit): the shift that answers most matching queries correctly."""
    best: tuple[float, float, float] | None = None
    best_ca = -1.0
    floor = math.log(ANSWER_FLOOR / (1.0 - ANSWER_FLOOR))
    for shift in sorted(SHIFTS, key=abs):  # ties go to the smallest shift
        th = max(_threshold(scored, names, shift, "answer"), floor)
        ca = sum(
            sum(r.correct and not r.vetoed and r.logit + shift * r.long >= th for r in rows)
            / max(sum(not r.no_match for r in rows), 1)
            for rows in scored
        )
        if ca > best_ca + 1e-9:
            best_ca, best = ca, (shift, th, _threshold(scored, names, shift, "suggest"))
    assert best is not None
    return best


def fit(
    sets: list[Collected],
    splits: list[list[int]] | None = None,
    c_reg: float = 1.0,
    c_verify: float = C_VERIFY,
    inner: int = INNER_FOLDS,
) -> Fitted:
    """Fit re-ranker, per-mode verifiers and one pair of thresholds over all ``sets`` together.

    ``splits[k]`` restricts set ``k`` to those query indices (cross-validation). Each set gets equal
    total weight so the small tipline set is not drowned by the posts set. Thresholds come from
    out-of-fold scores (``inner`` folds over the training queries), not from the fitted data.
    """
    idx = [splits[k] if splits else list(range(len(c.qids))) for k, c in enumerate(sets)]
    rerank, verify = _fit_models(sets, idx, c_reg, c_verify)
    rng = np.random.default_rng(0)
    scored: dict[str, list[list[_Scored]]] = {mode: [[] for _ in sets] for mode in MODES}
    long_col = V.VERIFY_FEATURES.index("long")
    folds: list[tuple[int, list[np.ndarray]]] = []
    for _ in range(INNER_REPEATS):
        assign = [rng.permutation(len(ix)) % inner for ix in idx]
        folds.extend((k, assign) for k in range(inner))
    for k, assign in folds:
        train = [
            [i for i, a in zip(ix, asg, strict=True) if a != k] for ix, asg in zip(idx, assign, strict=True)
        ]
        held = [
            [i for i, a in zip(ix, asg, strict=True) if a == k] for ix, asg in zip(idx, assign, strict=True)
        ]
        rr_k, ver_k = _fit_models(sets, train, c_reg, c_verify)
        for mode in MODES:
            for si, (c, ix) in enumerate(zip(sets, held, strict=True)):
                vx, vy, kept, vetoed = _verify_rows(c, mode, ix, rr_k)
                logits = ver_k[mode].logit(vx) if len(kept) else np.zeros(0)
                for i, lg, x, ok, v in zip(kept, logits, vx, vy, vetoed, strict=True):
                    scored[mode][si].append(
                        _Scored(float(lg), float(x[long_col]), bool(ok), v, not c.golds[i])
                    )
    thresholds: dict[str, dict[str, float]] = {}
    names = [c.name for c in sets]
    for mode in MODES:
        shift, th_answer, th_suggest = _calibrate(scored[mode], names)
        verify[mode] = _shifted(verify[mode], shift)

        def prob(logit: float) -> float:
            return round(min(max(1.0 / (1.0 + math.exp(-min(max(logit, -50.0), 50.0))), 0.05), 0.999), 4)

        thresholds[mode] = {"answer": prob(th_answer), "suggest": min(prob(th_suggest), prob(th_answer))}
    return Fitted(rerank, verify, thresholds)


def apply(c: Collected, mode: Mode, fitted: Fitted, idx: list[int], top: int = 10) -> list[MatchResult]:
    """Decisions for the queries ``idx`` of ``c`` with the given (possibly cross-validated) models."""
    out = []
    for i in idx:
        p = c.prepared[mode][i]
        if len(p.slots) == 0:
            out.append(MatchResult([], None, None, 0.0))
            continue
        logits = fitted.rerank.logit(p.feats) if mode == "hybrid" else rank_scores(p.feats, mode)
        order = np.argsort(-logits, kind="stable")
        results = [Candidate(str(c.ids[int(p.slots[j])]), float(logits[j])) for j in order[:top]]
        conf = float(fitted.verify[mode].prob(verify_vector(p, logits, order)[None, :])[0])
        th = fitted.thresholds[mode]
        best = results[0].id
        ok = conf >= th["answer"] and not V.veto(p.pair[int(order[0])], bool(p.view.units))
        out.append(MatchResult(results, best if ok else None, best if conf >= th["suggest"] else None, conf))
    return out


def cross_validate(sets: list[Collected], folds: int = 2, seed: int = 0) -> dict[str, dict[str, Metrics]]:
    """``folds``-fold CV over query ids (each set split on its own); metrics per set and mode."""
    rng = np.random.default_rng(seed)
    assign = [rng.permutation(len(c.qids)) % folds for c in sets]
    results: dict[str, dict[str, list[tuple[int, MatchResult]]]] = {
        c.name: {m: [] for m in MODES} for c in sets
    }
    for k in range(folds):
        train = [[i for i in range(len(c.qids)) if a[i] != k] for c, a in zip(sets, assign, strict=True)]
        test = [[i for i in range(len(c.qids)) if a[i] == k] for c, a in zip(sets, assign, strict=True)]
        fitted = fit(sets, train)
        for c, ix in zip(sets, test, strict=True):
            for mode in MODES:
                results[c.name][mode].extend(zip(ix, apply(c, mode, fitted, ix), strict=True))
    out: dict[str, dict[str, Metrics]] = {}
    for c in sets:
        out[c.name] = {}
        for mode in MODES:
            pairs = sorted(results[c.name][mode], key=lambda t: t[0])
            out[c.name][mode] = metrics([r for _, r in pairs], [c.golds[i] for i, _ in pairs])
    return out


def write_model(f: Fitted, path: Path = MODEL_PATH) -> None:
    """Write the fitted models as the JSON file ``verify.load_model`` reads (checked by loading it)."""
    raw = V.model_json(f.rerank, f.verify, f.thresholds, PROVENANCE)
    V.load_model(raw)
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
