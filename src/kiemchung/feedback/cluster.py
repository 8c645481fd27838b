"""Group near-identical feedback (same issue, same place) into one thread.

The similarity reuses the claim engine's pieces: the bundled e5-small embedding (``engine.embed``)
and the normalised, folded text (``kiemchung.text``), personal data masked first. On the labelled set
the embedding alone cannot tell one street's pothole from another's (every pair of short civic
complaints scores ≈ 0.85–0.95), so the score is a hybrid: ``0.7 × lexical + 0.3 × dense``, where
lexical is the cosine of folded words and word pairs (people type without diacritics) and dense the
e5 cosine rescaled from [0.8, 1] to [0, 1]. Without an embedder (``KIEMCHUNG_EMBEDDER=none``) the
lexical score alone is used, with its own thresholds. A new item's score for a thread is its best
score with one of the thread's items (of the same province).

- score ≥ ``JOIN[method]`` and the same place (same province, and the same ward when both name
  one) → the item joins that thread automatically;
- score ≥ ``SUGGEST[method]`` → it starts its own thread, with the other offered to the editor;
- below → a new thread.

The thresholds were picked with ``bench/eval_feedback_clusters.py --sweep`` on the labelled set in
``tests/feedback/data/clusters.jsonl``: one step above the lowest threshold with pairwise precision
1.0 (a wrong automatic join hides a citizen's distinct issue; a missed one costs an editor a click).

>>> lexical_similarity("Đèn đường hỏng ở ngõ 12", "den duong hong o ngo 12")
1.0
>>> same_place(1, 70, 1, None), same_place(1, 70, 1, 73), same_place(1, None, 79, None)
(True, False, False)
>>> decide(0.9, True, "hybrid"), decide(0.9, False, "hybrid"), decide(0.1, True, "hybrid")
('join', 'suggest', 'new')
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from kiemchung.feedback.mask import mask
from kiemchung.text import fold, normalise

# Calibrated on tests/feedback/data/clusters.jsonl with bench/eval_feedback_clusters.py --sweep
# ("dense", the embedding alone, is kept for that comparison only).
JOIN = {"hybrid": 0.375, "lexical": 0.35, "dense": 0.93}
SUGGEST = {"hybrid": 0.25, "lexical": 0.2, "dense": 0.88}
LEXICAL_WEIGHT = 0.7
DENSE_FLOOR = 0.8

_WORD = re.compile(r"\w+")


def clean(text: str) -> str:
    """The text compared: normalised, personal data masked (two people's phone numbers differ)."""
    return normalise(mask(text))


def lexical_features(text: str) -> Counter[str]:
    """Folded words and word pairs (people often type without diacritics).

    >>> sorted(lexical_features("Ổ gà")) == sorted(["o", "ga", "o ga"])
    True
    """
    words = _WORD.findall(fold(clean(text)))
    feats: Counter[str] = Counter(words)
    feats.update(f"{a} {b}" for a, b in pairwise(words))
    return feats


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return round(dot / (na * nb), 6) if na and nb else 0.0


def lexical_similarity(a: str, b: str) -> float:
    return _cosine(lexical_features(a), lexical_features(b))


def same_place(p1: int | None, w1: int | None, p2: int | None, w2: int | None) -> bool:
    """Same province, and the same ward when both items name one."""
    return p1 == p2 and (w1 is None or w2 is None or w1 == w2)


def decide(score: float, place: bool, method: str) -> str:
    """``join`` | ``suggest`` | ``new`` for a thread's best score and whether the place matches."""
    if score >= JOIN[method] and place:
        return "join"
    return "suggest" if score >= SUGGEST[method] else "new"


def dense_score(a: Any, b: Any) -> float:
    """The e5 cosine rescaled: ``DENSE_FLOOR`` and below → 0, identical → 1."""
    cos = float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))
    return max(0.0, (cos - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))


class Similarity:
    """Vectors and scores: ``hybrid`` with the engine's embedder, ``lexical`` without one.

    A vector is ``(embedding or None, lexical features)``; ``dense`` (the embedding's plain cosine)
    exists for the benchmark's comparison.
    """

    def __init__(self, embedder: Any | None = None, *, method: str | None = None) -> None:
        if embedder is None and method != "lexical":
            from kiemchung.engine.embed import get_embedder

            embedder = get_embedder()
        self.embedder = embedder
        self.method = method or ("hybrid" if embedder is not None else "lexical")
        if self.method != "lexical" and embedder is None:
            raise ValueError("an embedder is needed for " + self.method)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if self.embedder is None or not texts:
            return [[] for _ in texts]
        return [[round(float(x), 5) for x in v] for v in self.embedder.query([clean(t) for t in texts])]

    def vectors(self, texts: Sequence[str], embeddings: Sequence[Any] | None = None) -> list[Any]:
        """One vector per text; ``embeddings`` already stored are reused instead of embedding again."""
        if self.method == "lexical":
            return [(None, lexical_features(t)) for t in texts]
        embs = list(embeddings) if embeddings is not None else self.embed(texts)
        return [(e, lexical_features(t)) for e, t in zip(embs, texts, strict=True)]

    def score(self, a: Any, b: Any) -> float:
        if self.method == "lexical":
            return _cosine(a[1], b[1])
        if self.method == "dense":
            return float(np.dot(np.asarray(a[0], dtype=np.float32), np.asarray(b[0], dtype=np.float32)))
        return LEXICAL_WEIGHT * _cosine(a[1], b[1]) + (1 - LEXICAL_WEIGHT) * dense_score(a[0], b[0])


@dataclass
class Group:
    """A thread as the clustering sees it: its place and its items' vectors."""

    key: int
    province: int | None
    ward: int | None
    vectors: list[Any] = field(default_factory=list)


def best_group(sim: Similarity, vector: Any, groups: Sequence[Group]) -> tuple[Group | None, float]:
    """The group with the highest best-item score, and that score (0.0 when there is none)."""
    best: Group | None = None
    best_score = 0.0
    for g in groups:
        s = max((sim.score(vector, v) for v in g.vectors), default=0.0)
        if s > best_score:
            best, best_score = g, s
    return best, best_score


def assign(
    sim: Similarity, vector: Any, province: int | None, ward: int | None, groups: Sequence[Group]
) -> tuple[str, Group | None, float]:
    """(decision, group, score) for a new item among ``groups`` of the same province.

    Auto-join only considers groups in the same place; a better-scoring group elsewhere in the
    province is offered as a suggestion.
    """
    here = [g for g in groups if same_place(province, ward, g.province, g.ward)]
    g_here, s_here = best_group(sim, vector, here)
    if g_here is not None and decide(s_here, True, sim.method) == "join":
        return "join", g_here, s_here
    g_any, s_any = best_group(sim, vector, [g for g in groups if g.province == province])
    if g_any is not None and decide(s_any, False, sim.method) == "suggest":
        return "suggest", g_any, s_any
    return "new", None, max(s_here, s_any)
