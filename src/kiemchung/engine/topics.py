"""A claim's topic when no fact-check answers it: the nearest topic centroid of the fact-checks.

The training data are the published fact-checks' own topics, and the features the e5 vectors the
search index already holds for them, so there is no new model and nothing to ship: the centroids
are refitted (a mean per topic, milliseconds) whenever the indexed fact-checks or their topics
change. Vectors are compared after subtracting the library's mean vector: e5 puts every text in a
narrow cone (any two Vietnamese sentences have a cosine above 0,8), and what is left after the
common part is what tells topics apart, so a post about nothing in the library scores low. A claim
gets a topic only when it is close enough to one topic and clearly closer to it than to any other;
an unsure claim gets none, because a wrong topic misleads the desk more than a missing one.

>>> vecs = np.array([[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 1, 0, 0], [0, 0.9, 0.1, 0],
...                  [0, 0, 1, 0], [0.1, 0, 0.9, 0]], dtype=np.float32)
>>> labels = [["y-te"], ["y-te", "chinh-sach"], ["lua-dao"], ["lua-dao"], ["ngan-hang"], ["ngan-hang"]]
>>> model = fit(vecs, labels)
>>> model.topics, model.support.tolist()
(('lua-dao', 'ngan-hang', 'y-te'), [2, 2, 2])
>>> claims = np.array([[1, 0.1, 0, 0.2], [0, 1, 1, 0], [0.3, 0.3, 0.3, 1]], dtype=np.float32)
>>> predict(model, claims, min_sim=0.5, margin=0.1)
['y-te', None, None]

The first is clearly about health; the second sits between scams and banks (neither close enough
nor clearly ahead); the third resembles no topic at all. Thresholds come from a leave-one-out run over
the demo library (``bench/topic_classifier.py``, figures in docs/evaluation.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kiemchung import cache

# Chosen by leave-one-out over the demo library's published fact-checks, each held out and
# embedded as a claim would be (bench/topic_classifier.py; figures in docs/evaluation.md).
MIN_SIM = 0.30  # centred cosine of a claim to its topic's centroid
MARGIN = 0.05  # over the runner-up topic
MIN_SUPPORT = 2  # fact-checks a topic needs before it is learnt (one is an example, not a topic)


@dataclass(frozen=True)
class TopicModel:
    """One L2-normalised centroid per topic, in ``topics`` order (sorted), around ``mean``."""

    topics: tuple[str, ...]
    centroids: np.ndarray  # (len(topics), dim) float32, of the centred vectors
    support: np.ndarray  # fact-checks behind each centroid
    mean: np.ndarray  # (dim,) the library's mean vector, subtracted before comparing


def _unit(x: np.ndarray) -> np.ndarray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12), dtype=np.float32)


def fit(
    vectors: np.ndarray, labels: Sequence[Sequence[str]], *, min_support: int = MIN_SUPPORT
) -> TopicModel | None:
    """Centroids of the fact-checks' vectors per *first* topic (the one a matched claim inherits).

    ``labels[i]`` are the topics of row ``i`` of ``vectors``; rows without topics are skipped.
    None when fewer than two topics have ``min_support`` fact-checks (nothing to tell apart).

    >>> fit(np.eye(3, dtype=np.float32), [["a"], ["a"], []]) is None  # one topic: no choice to make
    True
    """
    groups: dict[str, list[int]] = {}
    for row, topics in enumerate(labels):
        if topics:
            groups.setdefault(topics[0], []).append(row)
    kept = sorted(t for t, rows in groups.items() if len(rows) >= min_support)
    if len(kept) < 2:
        return None
    vecs = np.asarray(vectors, dtype=np.float32)
    mean = vecs.mean(axis=0)
    centred = _unit(vecs - mean)
    cents = _unit(np.stack([centred[groups[t]].mean(axis=0) for t in kept]))
    support = np.asarray([len(groups[t]) for t in kept], dtype=np.int64)
    return TopicModel(tuple(kept), cents, support, mean)


def scores(model: TopicModel, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(best topic index, its centred cosine, the runner-up's)`` for each query row.

    >>> m = fit(np.eye(3, dtype=np.float32).repeat(2, axis=0), [["a"], ["a"], ["b"], ["b"], ["c"], ["c"]])
    >>> best, top, second = scores(m, np.array([[0.1, 1, 0]], dtype=np.float32))
    >>> m.topics[int(best[0])], round(float(top[0]), 2), round(float(second[0]), 2)
    ('b', 0.99, -0.42)
    """
    sims = _unit(np.asarray(queries, dtype=np.float32) - model.mean) @ model.centroids.T
    order = np.argsort(-sims, axis=1, kind="stable")
    rows = np.arange(len(sims))
    return order[:, 0], sims[rows, order[:, 0]], sims[rows, order[:, 1]]


def predict(
    model: TopicModel | None, queries: np.ndarray, *, min_sim: float = MIN_SIM, margin: float = MARGIN
) -> list[str | None]:
    """The topic of each query vector, or None when unsure (too far from every topic, or no margin)."""
    n = len(queries)
    if model is None or n == 0:
        return [None] * n
    best, top, second = scores(model, queries)
    return [
        model.topics[int(b)] if s >= min_sim and s - r >= margin else None
        for b, s, r in zip(best, top, second, strict=True)
    ]


# the fitted model of the index's fact-checks ------------------------------------------------------
_MODELS = cache.register(
    "engine.topics",
    ttl=None,
    doc="The topic centroids of the indexed fact-checks, keyed by a fingerprint of their ids, "
    "texts and topics: refitted (cheaply) whenever any of those changes.",
)


def fingerprint(ids: Sequence[str], stamps: Mapping[str, str], labels: Mapping[int, Sequence[str]]) -> str:
    """A key that changes when a fact-check enters or leaves, changes its text or its topics.

    >>> a = fingerprint(["1", "2"], {"1": "x", "2": "y"}, {1: ["y-te"], 2: ["lua-dao"]})
    >>> a == fingerprint(["2", "1"], {"1": "x", "2": "y"}, {1: ["y-te"], 2: ["lua-dao"]})
    True
    >>> a == fingerprint(["1", "2"], {"1": "x", "2": "y"}, {1: ["y-te"], 2: ["ngan-hang"]})
    False
    """
    h = hashlib.sha1()
    for i in sorted(ids):
        h.update(f"{i}\x00{stamps.get(i, '')}\x00{'|'.join(labels.get(int(i), ()))}\x01".encode())
    return h.hexdigest()


def model_for(index: Any, labels: Mapping[int, Sequence[str]]) -> TopicModel | None:
    """The topic model of ``index``'s fact-checks (a SearchIndex), given each one's topics.

    None without vectors (no embedder: ``KIEMCHUNG_EMBEDDER=none``) or without two learnt topics.
    """
    matcher = getattr(index, "fact_checks", None)
    if getattr(index, "embedder", None) is None or matcher is None:
        return None
    with index.lock:
        ids = matcher.ids
        key = f"{index.embedder_name}:{fingerprint(ids, getattr(index, 'fc_stamps', {}), labels)}"
        hit: tuple[TopicModel | None] | None = _MODELS.get(key)
        # the vectors are copied out only to refit: the fingerprint alone decides a hit
        vecs = matcher.vectors if hit is None and ids else None
    if hit is None:
        model = fit(vecs, [labels.get(int(i), []) for i in ids]) if vecs is not None else None
        _MODELS.invalidate()  # one library per process: keep only the current fit
        hit = _MODELS.set(key, (model,))
    return hit[0]
