"""JSONL intake: privacy, bad lines, idempotence, the library function on both back-ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, String, Text, select

from kiemchung.intake import ingest_path, ingest_records
from kiemchung.store.db import get_engine, session_scope
from kiemchung.store.models import Base, Item, Source

AUTHORS = ["389c669730cb6c54314a46be785cea42", "Nguyễn Văn Tác Giả", "an.nguyen.1990"]
POSTS = [
    {
        "id": "1",
        "user_name": AUTHORS[0],
        "text": "THĂNG CẤP BẬC HÀM ĐỐI VỚI 2 CÁN BỘ. Công an TP. Đà Nẵng nhận tin báo lúc 20h40.",
        "timestamp": "1585945439",
        "likes": "19477",
        "comments": "378",
        "shares": "173.0",
    },
    {
        "id": "2",
        "user_name": AUTHORS[1],
        "text": "Uống nước chanh ấm chữa khỏi Covid-19",
        "timestamp": "1588939166.0",
        "likes": "",
        "comments": "unknown",
        "shares": "1,2K",
        "profile_url": f"https://facebook.com/{AUTHORS[2]}",
        "url": f"https://www.facebook.com/{AUTHORS[2]}/posts/123",
        "author": {"name": AUTHORS[1], "id": AUTHORS[2]},
        "mood": AUTHORS[2],
    },
    {
        "id": "3",
        "user_name": AUTHORS[2],
        "text": "Ngân hàng nhắn tin yêu cầu cập nhật tài khoản tại vcb-hotro.com",
        "timestamp": "1591405213",
        "likes": "48",
        "comments": "5",
        "shares": "19.0",
    },
]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def all_strings(url: str) -> list[str]:
    """Every text/string/JSON value in every table of the store."""
    out: list[str] = []
    with get_engine(url).connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            if not cols:
                continue
            for row in conn.execute(select(*cols)):
                out.extend(
                    json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                    for v in row
                    if v is not None
                )
    return out


def test_ingest_records_drops_every_author_value(db_url: str) -> None:
    with session_scope(db_url) as s:
        report = ingest_records(s, POSTS, source_name="import:reintel-like.jsonl")
    assert (report.stored, report.duplicates, report.rejected) == (3, 0, [])
    values = all_strings(db_url)
    assert any("chanh ấm" in v for v in values)  # the scan does see stored text
    for author in AUTHORS:
        assert not any(author in v for v in values), author
    with session_scope(db_url) as s:
        item = s.scalars(select(Item).where(Item.external_id == "2")).one()
        assert item.url is None  # unregistered source: no post URL either
        assert (item.likes, item.comments, item.shares) == (0, 0, 1200)
        src = s.scalars(select(Source)).one()
        assert not src.registered


def test_privacy_file_on_disk_has_no_author_bytes(configured_sqlite: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "reintel-like.jsonl", POSTS)
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert report.stored == 3
    db_file = Path(configured_sqlite.split("///", 1)[1])
    get_engine(configured_sqlite).dispose()  # checkpoint the WAL so the main file holds everything
    blobs = [p.read_bytes() for p in db_file.parent.glob(db_file.name + "*")]
    assert any("chanh ấm".encode() in b for b in blobs)
    for author in AUTHORS:
        assert not any(author.encode() in b for b in blobs), author


def test_registered_source_keeps_item_url_but_never_profile_url(db_url: str) -> None:
    recs = [
        {"text": "Thông báo lịch nghỉ Tết", "url": "https://vnexpress.net/thong-bao-1.html"},
        {"text": "Bài khác", "url": f"https://www.facebook.com/{AUTHORS[2]}"},
    ]
    with session_scope(db_url) as s:
        report = ingest_records(s, recs, source_name="VnExpress", registered=True, kind="article")
        assert report.stored == 2
        urls = {t: u for t, u in s.execute(select(Item.text, Item.url))}
    assert urls == {"Thông báo lịch nghỉ Tết": "https://vnexpress.net/thong-bao-1.html", "Bài khác": None}


def test_bad_lines_are_reported_and_good_lines_kept(configured: str, tmp_path: Path) -> None:
    good = [
        json.dumps({"id": str(i), "user_name": f"u{i}", "text": f"Tin số {i} về giá xăng"}) for i in range(6)
    ]
    lines: list[bytes] = [
        good[0].encode(),  # 1
        b'{"id": "x", "text": "unterminated',  # 2 invalid JSON
        good[1].encode(),  # 3
        '{"id": "y", "text": "hỏng'.encode() + b"\xff\xfe" + b'"}',  # 4 invalid UTF-8
        good[2].encode(),  # 5
        b'{"id": "z", "likes": 3}',  # 6 missing text
        good[3].encode(),  # 7
        json.dumps({"id": "big", "text": "a" * 2_000_000}).encode(),  # 8: 2 MB line
        good[4].encode(),  # 9
        json.dumps({"id": "u", "text": "Tin có likes không rõ", "likes": "unknown"}).encode(),  # 10 kept
        b"[1, 2]",  # 11 not an object
        json.dumps({"id": "w", "text": 12345}).encode(),  # 12 wrong type
        json.dumps({"id": "e", "text": "   \u200b "}).encode(),  # 13 empty after normalising
        json.dumps({"id": "h", "text": "x" * 150_000}).encode(),  # 14 text > 100 KB
        b"",  # 15 blank: skipped silently
        good[5].encode(),  # 16
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest_path(str(path), progress=False, run_engine=False)
    assert report.stored == 7
    assert report.duplicates == 0
    rejected = dict(report.rejected)
    assert sorted(rejected) == [2, 4, 6, 8, 11, 12, 13, 14]
    assert "JSON không hợp lệ" in rejected[2]
    assert "UTF-8 không hợp lệ" in rejected[4]
    assert "thiếu nội dung" in rejected[6]
    assert "dòng quá dài" in rejected[8]
    assert "không phải đối tượng JSON" in rejected[11]
    assert "nội dung phải là chuỗi" in rejected[12]
    assert "nội dung trống" in rejected[13]
    assert "nội dung quá dài" in rejected[14]
    with session_scope(configured) as s:
        texts = set(s.scalars(select(Item.text)))
        unknown = s.scalars(select(Item).where(Item.external_id == "u")).one()
    assert {f"Tin số {i} về giá xăng" for i in range(6)} <= texts
    assert unknown.likes == 0


def test_bad_metadata_field_keeps_the_post_with_a_warning(db_url: str) -> None:
    recs = [
        {
            "text": "Bài có số liệu hỏng",
            "likes": " Solskjaer hạ knock-out",
            "timestamp": "Ronaldo lập cột mốc",
        },
        {"text": "Bài có số âm", "likes": -5, "shares": 10**12, "comments": [1, 2]},
        {"text": "Bài hợp lệ", "likes": "1 like", "comments": "2 bình luận", "timestamp": "03/04/2020 20:15"},
    ]
    with session_scope(db_url) as s:
        report = ingest_records(s, recs, source_name="t")
        rows = {i.text: i for i in s.scalars(select(Item))}
    assert report.stored == 3 and not report.rejected
    fields = sorted((line, reason.split(":")[0]) for line, reason in report.warnings)
    assert fields == [(1, "likes"), (1, "published_at"), (2, "comments"), (2, "likes"), (2, "shares")]
    assert not any("Solskjaer" in r or "Ronaldo" in r for _, r in report.warnings)  # values are never echoed
    assert rows["Bài có số âm"].likes == 0 and rows["Bài có số âm"].shares == 0
    ok = rows["Bài hợp lệ"]
    assert (ok.likes, ok.comments) == (1, 2)
    assert ok.published_at is not None and (ok.published_at.hour, ok.published_at.minute) == (13, 15)  # UTC+7


def test_rerun_is_idempotent_and_in_file_repeats_are_duplicates(configured: str, tmp_path: Path) -> None:
    # A repost under its own id is a distinct post (kept; the engine collapses it into the story);
    # the same id with the same text in another form is the same record.
    recs = [*POSTS, dict(POSTS[0], id="9"), dict(POSTS[1], text="  uống nước chanh ấm   chữa khỏi Covid-19 ")]
    path = write_jsonl(tmp_path / "posts.jsonl", recs)
    first = ingest_path(str(path), progress=False, run_engine=False)
    assert (first.stored, first.duplicates) == (4, 1)
    second = ingest_path(str(path), progress=False, run_engine=False)
    assert (second.stored, second.duplicates, second.rejected) == (0, 5, [])
    with session_scope(configured) as s:
        assert len(s.scalars(select(Item)).all()) == 4
        assert s.scalars(select(Source.name)).all() == ["import:posts.jsonl"]


def test_batches_across_boundaries_dedupe(db_url: str) -> None:
    recs = [{"text": f"Bài số {i % 700}"} for i in range(1500)]
    with session_scope(db_url) as s:
        report = ingest_records(s, recs, source_name="batchy", batch_size=100)
    assert (report.stored, report.duplicates) == (700, 800)


def test_json_array_file_and_gzip(configured: str, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "arr.json"
    path.write_text(json.dumps(POSTS, ensure_ascii=False), encoding="utf-8")
    assert ingest_path(str(path), progress=False, run_engine=False).stored == 3
    gz = tmp_path / "posts.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "Bài trong tệp nén"}) + "\n")
    assert ingest_path(str(gz), progress=False, run_engine=False).stored == 1


def test_missing_file_raises_intake_error(configured: str, tmp_path: Path) -> None:
    from kiemchung.intake import IntakeError

    with pytest.raises(IntakeError):
        ingest_path(str(tmp_path / "nope.jsonl"), progress=False)
