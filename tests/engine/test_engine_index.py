"""The LanceDB-backed search index: incremental updates, persistence, reload across processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiemchung.engine import index as index_mod
from kiemchung.engine.index import SearchIndex, fact_check_text


def _fill(idx: SearchIndex) -> None:
    idx.upsert_fact_checks(
        [
            (1, "Hà Nội cấm xe máy hoàn toàn từ năm 2030"),
            (2, "Uống nước ấm diệt được virus corona"),
            (3, "Ăn tỏi sống phòng được COVID-19"),
        ]
    )
    idx.upsert_passages([(10, 7, "Bộ Y tế khẳng định nước ấm không diệt được virus corona.")])
    idx.add_claims([100], ["Uống nước ấm 50 độ diệt virus"], None)


def test_fact_check_text_joins_short_and_full_claim() -> None:
    assert fact_check_text("Nước ấm diệt virus", "") == "Nước ấm diệt virus"
    assert fact_check_text("Nước ấm diệt virus", "Uống nước ấm diệt virus corona") == (
        "Nước ấm diệt virus\nUống nước ấm diệt virus corona"
    )


def test_persisted_tables_reload_without_the_store(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "index", embedder=None)
    idx._write_meta()
    _fill(idx)
    assert idx.match_fact_checks(["ha noi cam xe may tu 2030"], top=1)[0].results[0].id == "1"

    again = SearchIndex(tmp_path / "index", embedder=None)
    assert again.load()
    assert sorted(again.fact_checks.ids) == ["1", "2", "3"] and again.passage_docs == {"10": 7}
    assert again.evidence("nuoc am co diet duoc virus khong", k=1) == [
        (10, again.evidence("nuoc am", 1)[0][1])
    ]
    assert again.similar_claims("uống nước ấm diệt virus", top=1)[0][0] == 100


def test_updates_and_retractions_are_incremental(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "index", embedder=None)
    idx._write_meta()
    _fill(idx)
    idx.upsert_fact_checks([(2, "Nước muối sinh lý không diệt được virus corona")])  # edited text
    idx.remove_fact_checks([3])
    assert sorted(idx.fact_checks.ids) == ["1", "2"]
    other = SearchIndex(tmp_path / "index", embedder=None)
    assert other.load()
    assert sorted(other.fact_checks.ids) == ["1", "2"]
    assert "muối" in other.fact_checks.texts[other.fact_checks.ids.index("2")]


def test_another_process_writing_triggers_a_reload(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(index_mod, "RELOAD_CHECK_SECONDS", 0.0)
    reader = SearchIndex(tmp_path / "index", embedder=None)
    writer = SearchIndex(tmp_path / "index", embedder=None)
    writer._write_meta()
    _fill(writer)
    assert reader.load()
    writer.upsert_fact_checks([(4, "Xăng RON 95 tăng 3.000 đồng mỗi lít")])
    reader.refresh_if_stale()
    assert "4" in reader.fact_checks.ids


def test_vectors_round_trip(tmp_path: Path) -> None:
    class Fake:
        dim = 4
        name = "fake"

        def _v(self, texts: list[str]) -> np.ndarray:
            out = np.array([[len(t), t.count("a"), t.count("o"), 1.0] for t in texts], dtype=np.float32)
            return out / np.linalg.norm(out, axis=1, keepdims=True)

        query = passage = _v

    idx = SearchIndex(tmp_path / "index", embedder=Fake())
    idx._write_meta()
    idx.upsert_fact_checks([(1, "Hà Nội cấm xe máy"), (2, "Nước ấm diệt virus")])
    before = idx.fact_checks.vectors
    again = SearchIndex(tmp_path / "index", embedder=Fake())
    assert again.load()
    assert before is not None and again.fact_checks.vectors is not None
    np.testing.assert_allclose(again.fact_checks.vectors, before, rtol=1e-6)
