"""The process's caches, in one place: named, each with a time-to-live, each droppable by name.

Anything derived from the database or the data directory and kept in memory between requests is
a :class:`TTLCache` made with :func:`register`: the search index (``engine.index``), the
near-duplicate state (``engine.dedup``), the claim-topic centroids (``engine.topics``), the scam
snapshot (``scam.snapshot``), the registry of official channels (``scam.registry``) and the public
pages' caches. So each is documented where it
is made, listed by :func:`caches`, dropped with ``invalidate(name)`` after the data behind it
changes, and emptied all at once by ``clear_all()`` between tests and after a restore.
What cannot change while the process runs is not on the layer: ``functools.lru_cache`` over the
package's bundled files and over pure functions, memos of a pure function's result (a cipher per
key, the scam families of one snapshot) or of a file written once (the development contact key,
per path), and the settings (``get_settings``, read once at start).

>>> prices = register("demo.prices", ttl=30.0, doc="a cache for this example")
>>> prices.get_or_set("xang", lambda: 23_000)
23000
>>> prices.get_or_set("xang", lambda: 99_999)   # still fresh: the builder is not called
23000
>>> invalidate("demo.prices"); prices.get("xang") is None
True
>>> unregister("demo.prices")

A ``ttl`` of ``None`` keeps entries until they are invalidated (the search index reloads itself
when another process writes it, so it never expires by age). Time is ``time.monotonic`` unless a
``clock`` is given. ``revalidate`` is for data that is costly to rebuild but cheap to fingerprint:
once an entry is older than ``ttl`` it asks for a signature (say, a row count and the newest
timestamp) and keeps the entry, re-stamped, while the signature is unchanged.

>>> rows = [1, 2]
>>> totals = register("demo.totals", ttl=0.0)          # every read re-checks the signature
>>> totals.revalidate("all", lambda: len(rows), lambda: sum(rows))
3
>>> rows.append(4); totals.revalidate("all", lambda: len(rows), lambda: sum(rows))
7
>>> unregister("demo.totals")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """A small thread-safe dict whose entries expire ``ttl`` seconds after they were set."""

    def __init__(
        self, name: str, ttl: float | None, doc: str = "", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.ttl = ttl
        self.doc = doc
        self._clock = clock
        self._data: dict[Hashable, tuple[V, float]] = {}
        self._signatures: dict[Hashable, Hashable] = {}
        # Re-entrant: a builder may read another entry of the same cache.
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"TTLCache({self.name!r}, ttl={self.ttl}, entries={len(self)})"

    def __len__(self) -> int:
        return len(self._data)

    def _fresh(self, stamped: float) -> bool:
        return self.ttl is None or self._clock() - stamped < self.ttl

    def get(self, key: Hashable) -> V | None:
        """The entry if present and fresh, else None."""
        with self._lock:
            hit = self._data.get(key)
            return hit[0] if hit is not None and self._fresh(hit[1]) else None

    def peek(self, key: Hashable) -> tuple[V, float] | None:
        """``(value, age in seconds)`` whatever the age, or None."""
        with self._lock:
            hit = self._data.get(key)
            return None if hit is None else (hit[0], self._clock() - hit[1])

    def entries(self) -> list[tuple[Hashable, V, float]]:
        """``(key, value, age in seconds)`` of every entry whatever its age (to persist them)."""
        with self._lock:
            now = self._clock()
            return [(key, value, now - stamped) for key, (value, stamped) in self._data.items()]

    def set(self, key: Hashable, value: V) -> V:
        """Store (or re-stamp) an entry; returns ``value``."""
        with self._lock:
            self._data[key] = (value, self._clock())
        return value

    def get_or_set(self, key: Hashable, build: Callable[[], V]) -> V:
        """The fresh entry, or ``build()`` stored under ``key``.

        The lock is held while building, so concurrent callers build once and wait for it: meant
        for expensive builds (an index, a snapshot), not for caches read on every request while
        another key is slow to build.
        """
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and self._fresh(hit[1]):
                return hit[0]
            return self.set(key, build())

    def revalidate(self, key: Hashable, signature: Callable[[], Hashable], build: Callable[[], V]) -> V:
        """A fresh entry as is; a stale one kept (re-stamped) while ``signature()`` is unchanged;
        otherwise ``build()``. The signature and the build run outside the lock."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and self._fresh(hit[1]):
                return hit[0]
        sig = signature()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and key in self._signatures and self._signatures[key] == sig:
                return self.set(key, hit[0])
        value = build()
        with self._lock:
            self._signatures[key] = sig
            return self.set(key, value)

    def invalidate(self, key: Hashable | None = None) -> None:
        """Drop one entry, or all of them."""
        with self._lock:
            if key is None:
                self._data.clear()
                self._signatures.clear()
            else:
                self._data.pop(key, None)
                self._signatures.pop(key, None)


@dataclass(frozen=True)
class CacheInfo:
    name: str
    ttl: float | None
    entries: int
    doc: str


_caches: dict[str, TTLCache[Any]] = {}
_registry_lock = threading.Lock()


def register(
    name: str, ttl: float | None, doc: str = "", *, clock: Callable[[], float] = time.monotonic
) -> TTLCache[Any]:
    """The cache called ``name``, made on first use; re-registering must not change its ``ttl``."""
    with _registry_lock:
        cache = _caches.get(name)
        if cache is None:
            cache = _caches[name] = TTLCache(name, ttl, doc, clock)
        elif cache.ttl != ttl:
            raise ValueError(f"cache {name!r} already registered with ttl={cache.ttl}, not {ttl}")
        return cache


def unregister(name: str) -> None:
    """Forget a cache altogether (examples and tests that register their own)."""
    with _registry_lock:
        _caches.pop(name, None)


def get(name: str) -> TTLCache[Any]:
    """A registered cache; KeyError when nothing registered ``name``."""
    return _caches[name]


def invalidate(name: str, key: Hashable | None = None) -> None:
    """Drop one entry (or every entry) of a registered cache; unknown names are ignored, so
    callers can invalidate a cache whose module was never imported in this process."""
    cache = _caches.get(name)
    if cache is not None:
        cache.invalidate(key)


def clear_all() -> None:
    """Empty every cache (tests, or after restoring a backup)."""
    for cache in list(_caches.values()):
        cache.invalidate()


def caches() -> list[CacheInfo]:
    """What is cached in this process, by name."""
    return [CacheInfo(c.name, c.ttl, len(c), c.doc) for c in sorted(_caches.values(), key=lambda c: c.name)]
