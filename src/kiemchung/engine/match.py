"""Match incoming claims (tips, posts) against published fact-checks.

    >>> m = Matcher(embedder=None)
    >>> m.add(["fc1", "fc2"], ["Hà Nội cấm xe máy từ năm 2030", "Uống nước ấm không diệt được virus corona"])
    >>> r = m.match(["ha noi cam xe may tu 2030 co that ko"], mode="lexical")[0]
    >>> r.results[0].id
    'fc1'

Pipeline per query (all queries of a call are batched):

1. claim units: the whole text, plus its sentences when it has several (a long post's claim is one
   sentence among chatter);
2. retrieval: BM25 (``lexical.BM25Index``) and exact cosine over the fact-check vectors, each for the
   whole text and for the best unit — four rankings;
3. re-ranking: a logistic model over the pooled top candidates, mixing the retrieval scores with
   agreement features (numbers, names, word coverage; see ``verify``);
4. verification: a second logistic model on the top candidate (its re-rank logit, margin to the
   runner-up, whether lexical and dense agree, number/name conflicts) gives ``confidence``; two
   calibrated thresholds turn it into ``suggest`` (show editors) and ``answer`` (reply automatically);
   a one-claim query whose numbers are swapped against the match is never answered (``verify.veto``).

``mode="lexical"`` / ``"dense"`` rank by one retriever alone (the baselines of the evaluation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from kiemchung.engine import verify as V
from kiemchung.engine.embed import Embedder
from kiemchung.engine.lexical import BM25Index
from kiemchung.text import normalise, sentences
from kiemchung.web.i18n import lazy_gettext

Mode = Literal["hybrid", "lexical", "dense"]
POOL = 20  # candidates taken from each ranking before re-ranking
RRF_K = 10
MAX_UNITS = 24  # sentences of one post scored separately (longer posts: the first ones)
MIN_UNIT_CHARS = 20
CHECKED = 5  # top candidates given the alignment checks of the answer decision (``verify.add_checks``)


@dataclass
class Candidate:
    id: str
    score: float


@dataclass
class MatchResult:
    results: list[Candidate]
    answer: str | None
    suggest: str | None
    confidence: float
    reasons: list[str] = field(default_factory=list)


def claim_units(text: str) -> list[str]:
    """Sentences worth matching on their own; empty when the text is one sentence.

    >>> claim_units("Nóng!!! Bộ Y tế vừa công bố thêm 5 ca mắc mới. Mọi người chia sẻ giúp nhé 😢")
    ['Bộ Y tế vừa công bố thêm 5 ca mắc mới.', 'Mọi người chia sẻ giúp nhé 😢']
    """
    sents = [s for s in sentences(text) if len(s) >= MIN_UNIT_CHARS]
    if len(sents) <= 1:
        return []
    return sents[:MAX_UNITS]


@dataclass
class _Prepared:
    """Retrieval output for one query: candidate slots and their feature rows."""

    slots: np.ndarray
    feats: np.ndarray  # (len(slots), len(V.FEATURES))
    pair: list[dict[str, float]]
    first_lex: int  # top slot of whole-query BM25 (-1 if none)
    first_den: int
    view: V.QueryView
    firsts: tuple[int, ...] = ()  # top slot of each of the four rankings (-1 if none)


class Matcher:
    """An in-memory index of fact-check claims: incremental, persistable through ``ids/texts/vectors``."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self._lex = BM25Index()
        self._ids: list[str | None] = []
        self._texts: list[str] = []
        self._views: list[V.TextView | None] = []
        self._slot: dict[str, int] = {}
        dim = embedder.dim if embedder is not None else 0
        self._vec = np.zeros((0, dim), dtype=np.float32)
        self._n_vec = 0

    # -- index maintenance -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._slot)

    @property
    def ids(self) -> list[str]:
        return [i for i in self._ids if i is not None]

    @property
    def texts(self) -> list[str]:
        return [t for i, t in zip(self._ids, self._texts, strict=True) if i is not None]

    @property
    def vectors(self) -> np.ndarray | None:
        """(len(self), dim) float32 rows aligned with ``ids`` (``None`` without an embedder)."""
        if self.embedder is None:
            return None
        alive = np.fromiter((i is not None for i in self._ids), dtype=bool, count=len(self._ids))
        return self._vec[: self._n_vec][alive]

    def add(self, ids: list[str], texts: list[str], vectors: np.ndarray | None = None) -> None:
        """Add (or replace) claims; ``vectors`` are passage embeddings if already computed."""
        if len(ids) != len(texts):
            raise ValueError(lazy_gettext("ids và texts phải cùng độ dài"))
        if not ids:
            return
        if len(set(ids)) != len(ids):
            raise ValueError(lazy_gettext("id bị trùng"))
        self.remove([i for i in ids if i in self._slot])
        norm = [normalise(t) for t in texts]
        if self.embedder is not None:
            if vectors is None:
                vectors = self.embedder.passage(norm)
            vectors = np.asarray(vectors, dtype=np.float32)
            if vectors.shape != (len(ids), self.embedder.dim):
                raise ValueError(f"vectors must have shape ({len(ids)}, {self.embedder.dim})")
            need = self._n_vec + len(ids)
            if need > len(self._vec):  # grow geometrically so one-at-a-time adds stay linear
                grown = np.zeros((max(need, 2 * len(self._vec), 64), self.embedder.dim), dtype=np.float32)
                grown[: self._n_vec] = self._vec[: self._n_vec]
                self._vec = grown
            self._vec[self._n_vec : need] = vectors
            self._n_vec = need
        slots = self._lex.add(norm)
        for i, t, s in zip(ids, norm, slots, strict=True):
            self._ids.append(i)
            self._texts.append(t)
            self._views.append(None)
            self._slot[i] = s

    def remove(self, ids: list[str]) -> None:
        """Forget claims (unknown ids are ignored)."""
        slots = [self._slot.pop(i) for i in ids if i in self._slot]
        for s in slots:
            self._ids[s] = None
            self._views[s] = None
            if self.embedder is not None:
                self._vec[s] = 0.0
        self._lex.remove(slots)
        if len(self._ids) > 256 and len(self._slot) < len(self._ids) // 2:
            self._compact()

    def _compact(self) -> None:
        ids, texts, vecs = self.ids, self.texts, self.vectors
        self.__init__(self.embedder)  # type: ignore[misc]
        self.add(ids, texts, vecs)

    def _view(self, slot: int) -> V.TextView:
        v = self._views[slot]
        if v is None:
            v = self._views[slot] = V.TextView.of(self._texts[slot])
        return v

    # -- matching ----------------------------------------------------------------------------
    def _idf(self, syl: set[str]) -> dict[str, float]:
        return {s: self._lex.idf("f:" + s) for s in syl}

    def prepare(self, queries: list[str], mode: Mode = "hybrid", pool: int = POOL) -> list[_Prepared]:
        """Retrieve and featurise candidates for each query (used by ``match`` and for fitting)."""
        use_dense = mode != "lexical" and self.embedder is not None and self._n_vec > 0
        use_lex = mode != "dense" or not use_dense
        norm = [normalise(q) for q in queries]
        units = [claim_units(q) for q in norm]
        flat: list[str] = []
        owner: list[int] = []
        for qi, (q, us) in enumerate(zip(norm, units, strict=True)):
            flat.append(q)
            owner.append(qi)
            for u in us:
                flat.append(u)
                owner.append(qi)
        owner_arr = np.asarray(owner)
        n = len(self._ids)
        alive = np.fromiter((i is not None for i in self._ids), dtype=bool, count=n)
        dense_all: np.ndarray | None = None
        if use_dense:
            assert self.embedder is not None
            qv = self.embedder.query(flat)
            dense_all = qv @ self._vec[: self._n_vec].T
            dense_all[:, ~alive] = -1.0
        out: list[_Prepared] = []
        # BM25 in chunks of queries keeps the dense score block small on big libraries
        for start in range(0, len(queries), 32):
            stop = min(start + 32, len(queries))
            rows = np.nonzero((owner_arr >= start) & (owner_arr < stop))[0]
            lex_block = (
                self._lex.scores([flat[r] for r in rows]) if use_lex else np.zeros((len(rows), n), np.float32)
            )
            for qi in range(start, stop):
                local = np.nonzero(owner_arr[rows] == qi)[0]
                lw = lex_block[local[0]]
                lu_rows = lex_block[local[1:]] if len(local) > 1 else lex_block[local[:1]]
                if dense_all is not None:
                    drows = dense_all[rows[local]]
                    dw = drows[0]
                    du_rows = drows[1:] if len(local) > 1 else drows[:1]
                else:
                    dw = np.zeros(n, np.float32)
                    du_rows = np.zeros((1, n), np.float32)
                out.append(self._featurise(norm[qi], units[qi], lw, lu_rows, dw, du_rows, mode, pool))
        return out

    def _featurise(
        self,
        query: str,
        units: list[str],
        lw: np.ndarray,
        lu_rows: np.ndarray,
        dw: np.ndarray,
        du_rows: np.ndarray,
        mode: Mode,
        pool: int,
    ) -> _Prepared:
        # lu_rows / du_rows: BM25 / cosine of each claim unit (the whole text when there are none)
        lu, lu_arg = lu_rows.max(axis=0), lu_rows.argmax(axis=0)
        du, du_arg = du_rows.max(axis=0), du_rows.argmax(axis=0)
        rankings = []
        for vec, on in (
            (lw, mode != "dense"),
            (lu, mode != "dense"),
            (dw, mode != "lexical"),
            (du, mode != "lexical"),
        ):
            if not on or not vec.any():
                rankings.append(np.zeros(0, np.int64))
                continue
            k = min(pool, len(vec))
            top = np.argpartition(-vec, k - 1)[:k]
            rankings.append(top[np.argsort(-vec[top])])
        slots = (
            np.unique(np.concatenate(rankings)) if any(len(r) for r in rankings) else np.zeros(0, np.int64)
        )
        slots = np.asarray([s for s in slots if self._ids[s] is not None], dtype=np.int64)
        view = V.QueryView.of(query, units)
        firsts = tuple(int(r[0]) if len(r) else -1 for r in rankings)
        first_lex, first_den = firsts[0], firsts[2]
        if len(slots) == 0:
            return _Prepared(slots, np.zeros((0, len(V.FEATURES))), [], first_lex, first_den, view, firsts)
        rank_of = [{int(s): r for r, s in enumerate(rk)} for rk in rankings]
        idf = self._idf(set(view.syl) | {s for sl in slots for s in self._view(int(sl)).syl})
        lw_max, lu_max = max(float(lw.max()), 1e-6), max(float(lu.max()), 1e-6)
        dw_max, du_max = float(dw[slots].max()), float(du[slots].max())
        log_qlen = math.log1p(len(query)) / 8
        feats = np.zeros((len(slots), len(V.FEATURES)))
        pairs = []
        cand_units: list[int | None] = []
        for j, s in enumerate(slots):
            s = int(s)
            unit = None
            if units:
                # the unit that retrieved this candidate best (dense if available, else lexical)
                unit = int(du_arg[s]) if mode != "lexical" and dw.any() else int(lu_arg[s])
            f = V.pair_features(view, self._view(s), idf, unit, checks=False)
            cand_units.append(unit)
            f["lex_w"] = float(lw[s]) / lw_max
            f["lex_u"] = float(lu[s]) / lu_max
            f["den_w"] = float(dw[s])
            f["den_u"] = float(du[s])
            f["den_w_gap"] = float(dw[s]) - dw_max
            f["den_u_gap"] = float(du[s]) - du_max
            f["rrf"] = sum(RRF_K / (RRF_K + r[s]) if s in r else 0.0 for r in rank_of)
            f["log_qlen"] = log_qlen
            f.update(_spread_features(du_rows[:, s], lu_rows[:, s] / lu_max))
            feats[j] = [f[name] for name in V.FEATURES]
            pairs.append(f)
        # the alignment checks only matter for the candidate that may be answered: the first few
        # by this mode's ranking (a refitted re-ranker, when fitting, rarely puts another first)
        for j in np.argsort(-rank_scores(feats, mode), kind="stable")[:CHECKED]:
            V.add_checks(pairs[j], view, self._view(int(slots[j])), cand_units[j])
        return _Prepared(slots, feats, pairs, first_lex, first_den, view, firsts)

    def match(self, queries: list[str], top: int = 10, mode: Mode = "hybrid") -> list[MatchResult]:
        """Ranked candidates plus the answer/suggest decision for each query."""
        if mode == "hybrid" and (self.embedder is None or self._n_vec == 0):
            mode = "lexical"
        return [self._decide(p, top, mode) for p in self.prepare(queries, mode)]

    def _decide(self, p: _Prepared, top: int, mode: Mode) -> MatchResult:
        if len(p.slots) == 0:
            return MatchResult([], None, None, 0.0, [lazy_gettext("Không tìm thấy")])
        logits = rank_scores(p.feats, mode)
        order = np.argsort(-logits, kind="stable")
        results = [Candidate(str(self._ids[int(p.slots[j])]), float(logits[j])) for j in order[:top]]
        j0 = int(order[0])
        x = verify_vector(p, logits, order)
        model = V.VERIFY[mode]
        conf = float(model.prob(x[None, :])[0])
        best = results[0].id
        th = V.THRESHOLDS[mode]
        vetoed = V.veto(p.pair[j0], bool(p.view.units))
        # hardly a word in common: not even worth suggesting (the confidence is relative, and in a
        # small library the only fact-check may look "confident" for anything)
        unrelated = p.pair[j0].get("cov_c", 1.0) < V.MIN_SHARED
        return MatchResult(
            results=results,
            answer=best if conf >= th["answer"] and not vetoed else None,
            suggest=best if conf >= th["suggest"] and not unrelated else None,
            confidence=conf,
            reasons=V.reasons(p.pair[j0], self._view(int(p.slots[j0])), p.view),
        )


def rank_scores(feats: np.ndarray, mode: Mode) -> np.ndarray:
    """Ranking score of each candidate row: the re-ranker logit, or one retriever's own score."""
    if mode == "lexical":
        # whole-query BM25; the best unit breaks ties for long posts
        return feats[:, V.FEATURES.index("lex_w")] + 1e-3 * feats[:, V.FEATURES.index("lex_u")]
    if mode == "dense":
        return feats[:, V.FEATURES.index("den_w")] + 1e-3 * feats[:, V.FEATURES.index("den_u")]
    return V.RERANK.logit(feats)


def verify_vector(p: _Prepared, logits: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The ``VERIFY_FEATURES`` row of the top candidate."""
    j0 = int(order[0])
    top_logit = float(logits[j0])
    second = float(logits[order[1]]) if len(order) > 1 else top_logit - 5.0
    f = dict(p.pair[j0])
    f["logit"] = top_logit
    f["margin"] = top_logit - second
    f["agree"] = 1.0 if p.first_lex >= 0 and p.first_lex == p.first_den else 0.0
    top = int(p.slots[j0])
    f["agree4"] = sum(1 for s in p.firsts if s == top) / 4
    # how clearly each retriever alone singles out one fact-check (gap to its own runner-up)
    for name, col in (
        ("lex_margin", "lex_w"),
        ("den_margin", "den_w"),
        ("lexu_margin", "lex_u"),
        ("denu_margin", "den_u"),
    ):
        vals = np.sort(p.feats[:, V.FEATURES.index(col)])[::-1]
        f[name] = float(vals[0] - vals[1]) if len(vals) > 1 else float(vals[0]) if len(vals) else 0.0
    # a long post (several claim units) and a one-sentence tip call for different weights: each
    # feature also enters multiplied by the "long" indicator (one model, one threshold)
    long = 1.0 if p.view.units else 0.0
    base = [f[name] for name in V.BASE_VERIFY_FEATURES]
    return np.asarray([*base, long, *(long * x for x in base)], dtype=np.float64)


def _spread_features(du: np.ndarray, lu: np.ndarray) -> dict[str, float]:
    """Where in a post a candidate matches: its opening (the headline, usually the claim) or deeper.

    ``du`` / ``lu``: its cosine / relative BM25 against each claim unit (one entry for a short text,
    where all three features are 0).
    """
    best = int(du.argmax())
    return {
        "den_first": float(du[0]) - float(du[best]),  # the opening vs the best unit
        "lex_first": float(lu[0]) - float(lu.max()),
        "unit_pos": best / max(len(du) - 1, 1),
    }
