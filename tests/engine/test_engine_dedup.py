"""Exact and near-duplicate detection."""

from __future__ import annotations

from pathlib import Path

from kiemchung.engine.dedup import Deduper, exact_key
from kiemchung.text import content_hash, fold, normalise

POST = (
    "Sáng 12/3, Sở Y tế TP.HCM thông báo quận 7 ghi nhận 2 ca dương tính với COVID-19. Hai bệnh nhân "
    "đã được chuyển tới Bệnh viện Bệnh Nhiệt đới để cách ly và điều trị."
)
OTHER = "Giá xăng RON 95 tăng 1.200 đồng mỗi lít từ 15 giờ chiều nay theo điều chỉnh của liên bộ Công Thương - Tài chính."


def test_exact_duplicates_ignore_case_spacing_and_diacritic_form() -> None:
    d = Deduper()
    assert d.check(1, POST).duplicate_of is None
    hit = d.check(2, "  " + POST.upper().replace(" ", "  ") + " ")
    assert hit.duplicate_of == 1 and hit.exact
    hit = d.check(3, fold(POST))  # typed without diacritics
    assert hit.duplicate_of == 1 and hit.exact


def test_exact_key_agrees_with_content_hash() -> None:
    a, b = "Hoà  Bình ", "hòa bình"
    assert (content_hash(a) == content_hash(b)) == (
        exact_key(fold(normalise(a))) == exact_key(fold(normalise(b)))
    )
    assert exact_key(fold(normalise(POST))) != exact_key(fold(normalise(OTHER)))


def test_near_duplicates_collapse_onto_the_root_not_a_chain() -> None:
    d = Deduper()
    d.check(10, POST)
    repost = "CHIA SẺ GẤP!!! " + POST + " Mọi người cẩn thận nhé."
    hit = d.check(11, repost)
    assert hit.duplicate_of == 10 and not hit.exact and hit.similarity >= 0.7
    # a repost of the repost still points at the first item
    assert d.check(12, repost + " 🙏").duplicate_of == 10


def test_different_posts_and_short_texts_stay_apart() -> None:
    d = Deduper()
    d.check(1, POST)
    assert d.check(2, OTHER).duplicate_of is None
    d.check(3, "Thật!")
    assert d.check(4, "Thật không?").duplicate_of is None  # too short for near-duplicate matching
    assert d.check(5, "thật!").duplicate_of == 3  # ... but exact duplicates still collapse


def test_batch_and_rechecking_the_same_key() -> None:
    d = Deduper()
    hits = d.check_batch([(1, POST), (2, POST), (3, OTHER)])
    assert [h.duplicate_of for h in hits] == [None, 1, None]
    assert d.check(1, POST).duplicate_of is None  # an item is never its own duplicate


def test_state_is_bounded_and_persisted(tmp_path: Path) -> None:
    d = Deduper(max_items=2)
    d.check(1, POST)
    d.check(2, OTHER)
    third = "Hà Nội cấm xe máy ở các quận nội thành từ năm 2030, theo nghị quyết của HĐND thành phố."
    d.check(3, third)
    assert len(d) == 2
    assert d.check(4, POST).duplicate_of is None  # the oldest original was evicted
    path = tmp_path / "dedup.pkl"
    d.save(path)
    loaded = Deduper.load(path)
    assert loaded is not None and len(loaded) == len(d) and loaded.max_key == 4
    assert loaded.check(5, third).duplicate_of == 3  # POST (4) pushed OTHER (2) out in turn
    path.write_bytes(b"garbage")
    assert Deduper.load(path) is None
