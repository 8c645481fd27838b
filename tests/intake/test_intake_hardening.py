"""Intake edge cases from the probe: arrays on the first line, 1e400, mid-file BOMs, big ids,
open CSV quotes, and two ingests of a new file at once."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from kiemchung.intake import ingest_path, ingest_records
from kiemchung.intake.ingest import get_or_create_source
from kiemchung.store import session_scope
from kiemchung.store.models import Item, Source


def _ingest(configured: str, path: Path, fmt: str | None = None):  # type: ignore[no-untyped-def]
    return ingest_path(str(path), fmt, progress=False, run_engine=False)


def test_jsonl_whose_first_line_is_an_array_keeps_the_good_records(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "xuat.jsonl"
    path.write_text(
        '["tiêu đề", "xuất từ công cụ"]\n'
        '{"text": "Phường 3 cắt nước sáng thứ Bảy"}\n'
        '{"text": "Chợ đêm mở lại từ tuần sau"}\n',
        encoding="utf-8",
    )
    report = _ingest(configured, path)
    assert report.stored == 2
    assert [n for n, _ in report.rejected] == [1]


def test_bad_number_and_mid_file_bom_only_warn(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "ghep.jsonl"
    path.write_bytes(
        b'{"text": "Tin thu nhat ve gia gao", "likes": 1e400}\n'
        b'\xef\xbb\xbf{"text": "Tin thu hai ve gia ca phe", "shares": 4}\n'
    )
    report = _ingest(configured, path)
    assert report.stored == 2 and report.rejected == []
    reasons = dict(report.warnings)
    assert "likes" in reasons[1]
    assert "BOM" in reasons[2]
    with session_scope() as s:
        assert s.scalar(select(Item.likes).where(Item.text.like("%gia gao%"))) == 0
        assert s.scalar(select(Item.shares).where(Item.text.like("%ca phe%"))) == 4


def test_integer_ids_beyond_double_precision_are_kept_exactly(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    big = "123456789012345678901"  # past 2^64 as well as 2^53
    mid = "9007199254740993"  # 2^53 + 1
    path.write_text(
        f'{{"text": "Bài có mã rất dài", "id": {big}}}\n{{"text": "Bài có mã vừa", "id": {mid}}}\n',
        encoding="utf-8",
    )
    assert _ingest(configured, path).stored == 2
    with session_scope() as s:
        assert set(s.scalars(select(Item.external_id))) == {big, mid}


def test_api_body_keeps_big_ids_too(configured: str) -> None:
    from kiemchung.intake.api import _parse

    _, items = _parse(b'{"items": [{"text": "x", "id": 123456789012345678901, "likes": 1e400}]}')
    assert items[0]["id"] == "123456789012345678901"


def test_unbalanced_csv_quote_is_reported_and_the_next_records_kept(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "hong.csv"
    path.write_text(
        'id,text\n1,"Giá điện tăng từ tháng sau\n2,Trường nghỉ học do mưa lớn\n3,"Xe buýt đổi lộ trình"\n'
        "4,Bệnh viện mở thêm khoa cấp cứu\n",
        encoding="utf-8",
    )
    report = _ingest(configured, path)
    assert [n for n, _ in report.rejected] == [2]
    assert "dấu ngoặc kép không khớp" in report.rejected[0][1]
    assert report.stored == 3
    with session_scope() as s:
        texts = set(s.scalars(select(Item.text)))
    assert texts == {"Trường nghỉ học do mưa lớn", "Xe buýt đổi lộ trình", "Bệnh viện mở thêm khoa cấp cứu"}


def test_quoted_multiline_fields_still_work(configured: str, tmp_path: Path) -> None:
    path = tmp_path / "dung.csv"
    path.write_text(
        'id,text\n1,"Dòng một, có dấu phẩy\ndòng hai"\n2,Tin khác\n',
        encoding="utf-8",
    )
    report = _ingest(configured, path)
    assert report.stored == 2 and report.rejected == []


def test_two_parallel_ingests_of_a_new_source_both_succeed(db_url: str) -> None:
    """Both create-or-get the same new Source; neither fails on its unique name."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    stored: list[int] = []

    def run(offset: int) -> None:
        try:
            with session_scope(db_url) as s:
                barrier.wait(timeout=10)
                recs = [{"text": f"Tin song song số {i}"} for i in range(offset, offset + 300)]
                stored.append(ingest_records(s, recs, source_name="import:song-song.jsonl").stored)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k * 150,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with session_scope(db_url) as s:
        assert (
            s.scalar(select(func.count()).select_from(Source).where(Source.name == "import:song-song.jsonl"))
            == 1
        )
        assert s.scalar(select(func.count()).select_from(Item)) == 450
    assert sum(stored) == 450


def test_get_or_create_source_returns_the_existing_row(db_url: str) -> None:
    with session_scope(db_url) as s:
        a = get_or_create_source(s, "nguon-x")
    with session_scope(db_url) as s:
        assert get_or_create_source(s, "nguon-x").id == a.id
