"""Exact and near-duplicate detection, so reposts collapse into one story.

Exact: the content hash of the normalised, folded text. Near: MinHash LSH (``datasketch``) over
folded 3-syllable shingles, confirmed by the MinHash Jaccard estimate.

    >>> d = Deduper()
    >>> d.check(1, "Bộ Y tế: thêm 27 ca mắc COVID-19 tại Hà Nội trong ngày 3/4, đều đã được cách ly.")
    DedupHit(duplicate_of=None, similarity=0.0, exact=False)
    >>> d.check(2, "bo y te: them 27 ca mac covid-19 tai ha noi trong ngay 3/4, deu da duoc cach ly.").exact
    True
    >>> d.check(3, "Chia sẻ: Bộ Y tế: thêm 27 ca mắc COVID-19 tại Hà Nội trong ngày 3/4, đều đã được cách ly!")
    DedupHit(duplicate_of=1, similarity=0.91, exact=False)

Duplicates always point at the first item (the root), never at another duplicate. The state is in
memory, bounded to the ``max_items`` most recent originals (oldest evicted first; ~3 KiB each, so
the default 150.000 stays well under 1 GiB — reposts come within days, not years), pickled lazily under the data
directory and rebuildable from the store (``Deduper.from_store``).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from kiemchung.text import fold, normalise

NUM_PERM = 64
THRESHOLD = 0.7
SHINGLE = 3
MIN_SHINGLES = 4  # shorter texts ("Thật!", "<URL>") only collapse when exactly equal
MAX_SYLLABLES = 400  # the opening of a long post identifies it; bounds the cost per post
STATE_VERSION = 1

_SYL = re.compile(r"[^\W_]+")
_PLACEHOLDER = re.compile(r"<(?:url|phone|email)>", re.I)


def _crc32(b: bytes) -> int:
    # Stable across processes (unlike hash()), so a pickled index stays valid.
    return zlib.crc32(b)


@dataclass(frozen=True, slots=True)
class DedupHit:
    duplicate_of: int | None
    similarity: float
    exact: bool


def exact_key(folded: str) -> int:
    """64-bit key of ``content_hash`` from ``fold(normalised text)`` (8 bytes instead of a hex string)."""
    key = " ".join(folded.split())
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def shingles(folded: str) -> list[bytes]:
    """3-syllable shingles of folded text, placeholders dropped.

    >>> shingles(fold("Hà Nội mưa to"))
    [b'ha noi mua', b'noi mua to']
    """
    syl = _SYL.findall(_PLACEHOLDER.sub(" ", folded))[:MAX_SYLLABLES]
    if len(syl) < SHINGLE:
        return []
    return list({" ".join(syl[i : i + SHINGLE]).encode("utf-8"): None for i in range(len(syl) - SHINGLE + 1)})


_PERMUTATIONS: dict[int, Any] = {}


def minhash(sh: Sequence[bytes], num_perm: int = NUM_PERM) -> MinHash:
    # datasketch draws the permutations for every MinHash; they depend only on (seed, num_perm)
    ref = _PERMUTATIONS.get(num_perm)
    if ref is None:
        ref = _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm)
    m = MinHash(num_perm=num_perm, hashfunc=_crc32, permutations=ref.permutations, scheme=ref.scheme)
    m.update_batch(sh)
    return m


def signature(folded: str, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """MinHash values of a folded text (None when too short for near-duplicate detection)."""
    sh = shingles(folded)
    return minhash(sh, num_perm).hashvalues.copy() if len(sh) >= MIN_SHINGLES else None


def _from_values(values: np.ndarray, num_perm: int) -> MinHash:
    ref = _PERMUTATIONS.get(num_perm)
    if ref is None:
        ref = _PERMUTATIONS[num_perm] = MinHash(num_perm=num_perm)
    return MinHash(
        num_perm=num_perm,
        hashfunc=_crc32,
        hashvalues=np.asarray(values),
        permutations=ref.permutations,
        scheme=ref.scheme,
    )


class Deduper:
    """In-memory exact + near-duplicate index over item keys (``Item.id``)."""

    def __init__(self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, max_items: int = 150_000):
        self.threshold = threshold
        self.num_perm = num_perm
        self.max_items = max_items
        self.exact: dict[int, int] = {}  # exact key -> root item
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.signatures: dict[int, np.ndarray] = {}  # root item -> minhash values (for the Jaccard check)
        self.order: deque[tuple[int, int]] = deque()  # (item, exact key), oldest first, for eviction
        self.max_key = 0  # highest item id seen: the store catch-up starts after it

    def __len__(self) -> int:
        return len(self.order)

    def check(self, key: int, text: str, *, normalised: bool = False, folded: str | None = None) -> DedupHit:
        """Is ``text`` a duplicate of an earlier item? If not, remember it as an original.

        ``folded`` is ``fold(normalise(text))`` when the caller already has it."""
        if folded is None:
            folded = fold(text if normalised else normalise(text))
        ek = exact_key(folded)
        self.max_key = max(self.max_key, key)
        root = self.exact.get(ek)
        if root is not None and root != key:
            return DedupHit(root, 1.0, True)
        if root == key:
            return DedupHit(None, 0.0, False)
        sh = shingles(folded)
        mh = minhash(sh, self.num_perm) if len(sh) >= MIN_SHINGLES else None
        return self._check_near(key, ek, mh)

    def check_signature(self, key: int, ek: int, signature: np.ndarray | None) -> DedupHit:
        """``check`` from a precomputed exact key and MinHash values (``signature(folded)``), so the
        costly part can run elsewhere (the backfill's parallel stage) and only this runs in order.

        >>> d, f = Deduper(), fold("Bộ Y tế: thêm 27 ca mắc COVID-19 tại Hà Nội trong ngày 3/4")
        >>> d.check_signature(1, exact_key(f), signature(f)), d.check_signature(2, exact_key(f), signature(f)).exact
        (DedupHit(duplicate_of=None, similarity=0.0, exact=False), True)
        """
        self.max_key = max(self.max_key, key)
        root = self.exact.get(ek)
        if root is not None and root != key:
            return DedupHit(root, 1.0, True)
        if root == key:
            return DedupHit(None, 0.0, False)
        return self._check_near(
            key, ek, None if signature is None else _from_values(signature, self.num_perm)
        )

    def _check_near(self, key: int, ek: int, mh: MinHash | None) -> DedupHit:
        if mh is not None:
            best, best_sim = None, 0.0
            for cand in self.lsh.query(mh):
                sig = self.signatures.get(cand)
                if sig is None:
                    continue
                sim = float(np.mean(sig == mh.hashvalues))
                if sim >= self.threshold and (
                    sim > best_sim or (sim == best_sim and best is not None and cand < best)
                ):
                    best, best_sim = cand, sim
            if best is not None:
                return DedupHit(int(best), round(best_sim, 2), False)
        self._remember(key, ek, mh)
        return DedupHit(None, 0.0, False)

    def check_batch(self, rows: Iterable[tuple[int, str]], *, normalised: bool = False) -> list[DedupHit]:
        """``check`` over a batch in order: later rows of the batch can be duplicates of earlier ones."""
        return [self.check(k, t, normalised=normalised) for k, t in rows]

    def _remember(self, key: int, ek: int, mh: MinHash | None) -> None:
        self.exact[ek] = key
        if mh is not None:
            self.lsh.insert(key, mh, check_duplication=False)
            self.signatures[key] = mh.hashvalues.astype(np.uint32)
        self.order.append((key, ek))
        while len(self.order) > self.max_items:
            old, old_ek = self.order.popleft()
            if self.exact.get(old_ek) == old:
                del self.exact[old_ek]
            if self.signatures.pop(old, None) is not None:
                self.lsh.remove(old)

    def forget(self, key: int) -> None:
        """Drop an item (deleted from the store)."""
        if self.signatures.pop(key, None) is not None:
            self.lsh.remove(key)
        for ek, root in list(self.exact.items()):
            if root == key:
                del self.exact[ek]

    # persistence ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump((STATE_VERSION, self.__dict__), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deduper | None:
        """The pickled state, or None when absent, unreadable or of another version."""
        try:
            with path.open("rb") as fh:
                version, state = pickle.load(fh)
        except Exception:
            return None
        if version != STATE_VERSION:
            return None
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj

    def catch_up(self, session: Any) -> int:
        """Add processed originals of the store newer than this state (another process stored them)."""
        from sqlalchemy import select

        from kiemchung.store.models import Item

        rows = session.execute(
            select(Item.id, Item.norm_text, Item.text)
            .where(Item.id > self.max_key, Item.processed.is_(True), Item.duplicate_of_id.is_(None))
            .order_by(Item.id)
            .execution_options(yield_per=2000)
        )
        n = 0
        for item_id, norm, text in rows:
            self.check(item_id, norm or text, normalised=bool(norm))
            n += 1
        return n

    @classmethod
    def from_store(cls, session: Any, path: Path | None = None) -> Deduper:
        """Load the pickled state if any, then catch up with the store."""
        dd = cls.load(path) if path is not None else None
        if dd is None:
            dd = cls()
        dd.catch_up(session)
        return dd
