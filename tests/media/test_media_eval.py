"""``kiemchung eval matching`` with picture queries: read by OCR, matched, scored like text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from media_render import screenshot

from kiemchung.engine.evaluate import load_queries, run_matching
from kiemchung.media.ocr import available
from kiemchung.settings import get_settings

LIBRARY = [
    {"id": "L1", "text": "Phường Bến Thành thu phí đi bộ 20.000 đồng mỗi lượt"},
    {"id": "L2", "text": "Trường học ở Cần Thơ cho học sinh nghỉ cả tuần vì nắng nóng"},
    {"id": "L3", "text": "Uống nước dừa mỗi sáng chữa khỏi bệnh tiểu đường"},
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.skipif(not available(), reason="Tesseract with Vietnamese data is not installed")
def test_image_queries_are_read_and_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    (tmp_path / "pics").mkdir()
    screenshot(["Nghe nói uống nước dừa mỗi sáng", "chữa khỏi bệnh tiểu đường"]).save(
        tmp_path / "pics" / "a.png"
    )
    screenshot(["Trường học ở Cần Thơ cho học", "sinh nghỉ cả tuần vì nắng nóng"]).save(
        tmp_path / "pics" / "b.png"
    )
    lib = _write(tmp_path / "lib.jsonl", LIBRARY)
    queries = _write(
        tmp_path / "q.jsonl",
        [
            {"qid": "img-a", "image": "pics/a.png", "gold": ["L3"]},
            {"qid": "img-b", "image": "pics/b.png", "gold": ["L2"]},
            {"qid": "txt", "query": "Bến Thành thu phí đi bộ", "gold": ["L1"]},
        ],
    )
    rows = run_matching(lib, queries, tmp_path / "out.jsonl")
    assert rows["lexical"].recall1 == 1.0
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["qid"] for o in out] == ["img-a", "img-b", "txt"]
    assert out[0]["ocr_confidence"] > 0.5 and "ocr_confidence" not in out[2]


def test_a_missing_picture_names_its_line(tmp_path: Path) -> None:
    queries = _write(tmp_path / "q.jsonl", [{"qid": "x", "image": "khong-co.png", "gold": []}])
    with pytest.raises(ValueError, match=r"q.jsonl:1: .*khong-co.png"):
        load_queries(queries)
