"""Claim clustering: a new check-worthy sentence joins the Claim stating the same fact, or starts one.

Similarity of two statements mixes a dense cosine (E5 ``query:`` embeddings, the symmetric setting)
with a lexical overlap of folded syllables, because numbers and names decide "same fact" more often
than topic does ("27 ca mắc" vs "72 ca mắc"):

    >>> lib = ClaimLibrary(embedder=None)
    >>> lib.add([7], ["Hà Nội cấm xe máy từ năm 2030"], None)
    >>> [a.claim_id for a in cluster(["ha noi cam xe may tu nam 2030", "Giá xăng tăng 500 đồng"], None, lib)]
    [7, None]

``cluster`` is a pure function of the batch and the library; the pipeline turns its output into
Claim/ClaimItem rows and adds new claims to the library.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kiemchung.engine.embed import Embedder
from kiemchung.text import fold, normalise

# Calibrated on paraphrase / no-diacritic / fragment pairs against the nearest same-topic
# different-fact pairs (bench/calibrate_clustering.py): at 0.8 about 3 in 4 rewordings join their
# claim while under 3 % of different facts are merged. Splits are cheap (editors merge), merges
# of different facts are not, hence the high bar.
DENSE_WEIGHT = 0.7
SAME_CLAIM = 0.8  # similarity at or above which two statements are one claim
LEXICAL_ONLY_SAME = 0.6  # lexical overlap that alone means "same claim" (posts without diacritics)

_SYL = re.compile(r"[^\W_]+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
EMBED_BATCH = 256
# A picture without readable words stands in as "[words] #" and 12 hex digits of its content hash
# (``media.tips.unreadable_text``, in any language). Its words say nothing about the picture.
_STAND_IN = re.compile(r"\A\[[^\]\n]{1,80}\] #[0-9a-f]{12}\Z")


def is_stand_in(text: str) -> bool:
    """Is ``text`` the stand-in of a picture without readable words?

    >>> is_stand_in("[Image without readable text] #0123456789ab"), is_stand_in("Ảnh này thật không?")
    (True, False)
    """
    return bool(_STAND_IN.match(text))


def tokens(text: str) -> frozenset[str]:
    """Folded syllables and numbers of a statement.

    >>> sorted(tokens("Hà Nội: 1.200 ca"))
    ['1.200', 'ca', 'ha', 'noi']
    """
    f = fold(text)
    return frozenset(_SYL.findall(_NUM.sub(" ", f)) + _NUM.findall(f))


def lexical_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient softened towards Jaccard: a short sentence inside a longer one scores high,
    but a numbers mismatch costs (numbers count double)."""
    if not a or not b:
        return 0.0
    inter = a & b
    w_inter = sum(2.0 if t[0].isdigit() else 1.0 for t in inter)
    w_a = sum(2.0 if t[0].isdigit() else 1.0 for t in a)
    w_b = sum(2.0 if t[0].isdigit() else 1.0 for t in b)
    overlap = w_inter / min(w_a, w_b)
    jaccard = w_inter / (w_a + w_b - w_inter)
    return 0.5 * overlap + 0.5 * jaccard


def combine(dense: float | None, lex: float) -> float:
    """One similarity: the dense/lexical mix, or the lexical overlap rescaled so that
    ``LEXICAL_ONLY_SAME`` lands on ``SAME_CLAIM`` (whichever is higher)."""
    lex_scaled = min(1.0, lex * SAME_CLAIM / LEXICAL_ONLY_SAME)
    if dense is None:
        return lex_scaled
    return max(DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lex, lex_scaled)


def embed_sorted(
    fn: Callable[[list[str]], np.ndarray],
    texts: list[str],
    dim: int,
    progress: Callable[[int, int], None] | None = None,
    batch: int = EMBED_BATCH,
) -> np.ndarray:
    """``fn`` over ``texts`` in batches of similar length (less padding), rows in input order.

    Batches of mixed lengths pad every text to the longest one; sorting first keeps the stage as
    fast as handing the model the whole list, while still reporting progress per batch.
    """
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda k: len(texts[k]))
    for start in range(0, len(order), batch):
        rows = order[start : start + batch]
        out[rows] = fn([texts[k] for k in rows])
        if progress:
            progress(min(start + batch, len(order)), len(order))
    return out


@dataclass(slots=True)
class Assignment:
    """Where one sentence goes: an existing claim, or new group ``new`` (index into the batch's new claims)."""

    claim_id: int | None
    similarity: float
    new: int | None = None


class ClaimLibrary:
    """Claim texts, their token sets and (optionally) their embeddings, in memory."""

    def __init__(self, embedder: Embedder | None) -> None:
        self.embedder = embedder
        self.ids: list[int] = []
        self.texts: list[str] = []
        self._tokens: list[frozenset[str]] = []
        self._pos: dict[int, int] = {}
        self._postings: dict[str, list[int]] = {}  # token -> positions (lexical shortlist without vectors)
        dim = embedder.dim if embedder is not None else 0
        self._vec = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._pos

    def embed(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray | None:
        """``query:`` embeddings of normalised texts (None without an embedder)."""
        if self.embedder is None:
            return None
        return embed_sorted(self.embedder.query, [normalise(t) for t in texts], self.embedder.dim, progress)

    def add(self, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray | None) -> None:
        if not ids:
            return
        self.remove([i for i in ids if i in self._pos])
        start = len(self.ids)
        for k, (i, t) in enumerate(zip(ids, texts, strict=True)):
            self.ids.append(int(i))
            self.texts.append(t)
            self._tokens.append(tokens(t))
            self._pos[int(i)] = start + k
            if self.embedder is None:
                for tok in self._tokens[-1]:
                    self._postings.setdefault(tok, []).append(start + k)
        if self.embedder is not None:
            vecs = np.asarray(vectors, dtype=np.float32) if vectors is not None else self.embed(texts)
            assert vecs is not None
            self._vec = np.concatenate([self._vec, vecs.reshape(len(ids), self.embedder.dim)])

    def remove(self, ids: Sequence[int]) -> None:
        drop = {self._pos[i] for i in ids if i in self._pos}
        if not drop:
            return
        keep = [k for k in range(len(self.ids)) if k not in drop]
        self.ids = [self.ids[k] for k in keep]
        self.texts = [self.texts[k] for k in keep]
        self._tokens = [self._tokens[k] for k in keep]
        if self.embedder is not None:
            self._vec = self._vec[keep]
        self._pos = {i: k for k, i in enumerate(self.ids)}
        self._postings = {}
        if self.embedder is None:
            for k, toks in enumerate(self._tokens):
                for tok in toks:
                    self._postings.setdefault(tok, []).append(k)

    def text_of(self, claim_id: int) -> str:
        return self.texts[self._pos[claim_id]]

    def vectors_for(self, ids: Sequence[int | None], texts: Sequence[str]) -> np.ndarray | None:
        """``embed(texts)``, taking the stored vector of each claim held here under the same text
        (clustering embedded it already) and embedding only the others; None without an embedder."""
        if self.embedder is None:
            return None
        out = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        todo = []
        for k, (i, t) in enumerate(zip(ids, texts, strict=True)):
            pos = self._pos.get(i) if i is not None else None
            if pos is not None and self.texts[pos] == t:
                out[k] = self._vec[pos]
            else:
                todo.append(k)
        if todo:
            fresh = self.embed([texts[k] for k in todo])
            assert fresh is not None
            out[todo] = fresh
        return out

    def candidates(
        self, vectors: np.ndarray | None, toks: Sequence[frozenset[str]], pool: int = 20
    ) -> list[list[tuple[int, float]]]:
        """For each statement, up to ``pool`` claims as ``(claim_id, combined similarity)``, best first.

        The dense cosine shortlists (one matrix product); the lexical overlap is computed only on the
        shortlist, so the cost stays flat as the library grows. Without an embedder, claims sharing
        the most tokens are the shortlist.
        """
        if not self.ids:
            return [[] for _ in toks]
        out: list[list[tuple[int, float]]] = []
        dense = None
        if self.embedder is not None and vectors is not None:
            dense = np.asarray(vectors, dtype=np.float32) @ self._vec.T
        for r, t in enumerate(toks):
            if dense is not None:
                row = dense[r]
                k = min(pool, len(row))
                short = np.argpartition(-row, k - 1)[:k]
                scored = [
                    (
                        self.ids[int(j)],
                        DENSE_WEIGHT * float(row[j])
                        + (1 - DENSE_WEIGHT) * lexical_similarity(t, self._tokens[int(j)]),
                    )
                    for j in short
                ]
            else:
                counts: dict[int, int] = {}
                for tok in t:
                    for j in self._postings.get(tok, ()):
                        counts[j] = counts.get(j, 0) + 1
                short_l = sorted(counts, key=lambda j: -counts[j])[:pool]
                scored = [
                    (self.ids[j], combine(None, lexical_similarity(t, self._tokens[j]))) for j in short_l
                ]
            scored.sort(key=lambda x: -x[1])
            out.append(scored)
        return out

    def search(self, texts: Sequence[str], top: int = 5) -> list[list[tuple[int, float]]]:
        """Most similar claims for each text: ``[[(claim_id, similarity), ...], ...]``."""
        if not self.ids:
            return [[] for _ in texts]
        cands = self.candidates(self.embed(texts), [tokens(t) for t in texts], pool=max(20, top))
        return [[(i, round(s, 4)) for i, s in row[:top]] for row in cands]


def cluster(
    texts: Sequence[str],
    vectors: np.ndarray | None,
    library: ClaimLibrary,
    *,
    threshold: float | None = None,
) -> list[Assignment]:
    """Assign each statement to an existing claim or to a new group; later statements of the batch
    can join new groups started earlier in the same batch.

    A picture's stand-in (:func:`is_stand_in`) joins only the very same stand-in (the tipline gives
    a copy of a picture its original's); stand-ins look alike whatever the pictures show, so they
    are never compared by similarity, with each other or with statements:

    >>> lib = ClaimLibrary(embedder=None)
    >>> lib.add([3], ["[Ảnh không đọc được chữ] #aaaaaaaaaaaa"], None)
    >>> batch = ["[Ảnh không đọc được chữ] #aaaaaaaaaaaa", "[Ảnh không đọc được chữ] #bbbbbbbbbbbb",
    ...          "[Ảnh không đọc được chữ] #bbbbbbbbbbbb", "Ảnh không đọc được chữ #cccccccccccc"]
    >>> [(a.claim_id, a.new) for a in cluster(batch, None, lib)]
    [(3, None), (None, 0), (None, 0), (None, 1)]
    """
    th = SAME_CLAIM if threshold is None else threshold
    toks = [tokens(t) for t in texts]
    cands = library.candidates(vectors, toks, pool=10)
    out: list[Assignment] = []
    new_rows: list[int] = []  # batch rows that started a new group
    for r in range(len(texts)):
        stand_in = is_stand_in(texts[r])
        if stand_in:
            same = next((cid for cid, _ in cands[r] if library.text_of(cid) == texts[r]), None)
            group = next((g for g, row in enumerate(new_rows) if texts[row] == texts[r]), None)
            if same is not None:
                out.append(Assignment(same, 1.0))
            elif group is not None:
                out.append(Assignment(None, 1.0, group))
            else:
                out.append(Assignment(None, 1.0, len(new_rows)))
                new_rows.append(r)
            continue
        best_id, best = None, -1.0
        for cid, sim in cands[r]:
            if not is_stand_in(library.text_of(cid)):
                best_id, best = cid, sim
                break
        new_best, new_sim = None, -1.0
        for g, row in enumerate(new_rows):
            if is_stand_in(texts[row]):
                continue
            lex = lexical_similarity(toks[r], toks[row])
            dense = (
                float(vectors[r] @ vectors[row])
                if library.embedder is not None and vectors is not None
                else None
            )
            s = combine(dense, lex)
            if s > new_sim:
                new_best, new_sim = g, s
        if best >= th and best >= new_sim:
            out.append(Assignment(best_id, round(best, 4)))
        elif new_best is not None and new_sim >= th:
            out.append(Assignment(None, round(new_sim, 4), new_best))
        else:
            out.append(Assignment(None, 1.0, len(new_rows)))
            new_rows.append(r)
    return out
