"""process_pending end to end on a migrated SQLite store with the real embedder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select

from kiemchung.engine import index as index_mod
from kiemchung.engine import pipeline
from kiemchung.engine.pipeline import process_pending
from kiemchung.store import session_scope
from kiemchung.store.models import (
    Claim,
    ClaimItem,
    Document,
    FactCheck,
    FactCheckStatus,
    Item,
    Passage,
    Source,
    Verdict,
)
from kiemchung.text import content_hash

WARM_WATER = (
    "Bộ Y tế khuyến cáo: uống nước ấm 50 độ mỗi ngày sẽ diệt được virus corona trong cổ họng, "
    "theo thông tin lan truyền ngày 3/2."
)
REPOST = "  bộ y tế khuyến cáo: uống nước ấm 50 độ mỗi ngày sẽ diệt được virus corona trong cổ họng, theo thông tin lan truyền ngày 3/2.  "
NEAR = "CHIA SẺ GẤP!!! " + WARM_WATER + " Mọi người làm theo nhé."
PARAPHRASE = (
    "Theo tin lan truyền ngày 3/2, Bộ Y tế nói uống nước ấm 50 độ mỗi ngày diệt được virus corona ở cổ họng."
)
DENGUE = "Ngày 10/5, Sở Y tế TP.HCM cho biết quận 7 ghi nhận thêm 12 ca mắc sốt xuất huyết mới."
CHATTER = "Buồn quá mọi người ơi!"


@pytest.fixture()
def fresh_engine(configured: str) -> Iterator[str]:
    """The engine on a fresh store: SQLite, and the real PostgreSQL (``configured`` runs both)."""
    index_mod.reset_index()
    pipeline.reset_state()
    yield configured
    index_mod.reset_index()
    pipeline.reset_state()


def _item(source: Source, text: str, likes: int, day: int) -> Item:
    return Item(
        source=source,
        text=text,
        content_hash=content_hash(text),
        likes=likes,
        shares=1,
        published_at=datetime(2020, 2, day, 9, 0),
    )


def _setup(s) -> dict[str, int]:  # type: ignore[no-untyped-def]
    a, b = Source(name="Nhóm A"), Source(name="Nhóm B")
    fc = FactCheck(
        slug="nuoc-am-diet-virus",
        claim_reviewed="Uống nước ấm 50 độ diệt được virus corona",
        claim_text="Uống nước ấm 50 độ mỗi ngày diệt được virus corona trong cổ họng",
        verdict=Verdict.false,
        status=FactCheckStatus.published,
        published_at=datetime(2020, 2, 5),
    )
    doc = Document(
        title="Khuyến cáo của Bộ Y tế",
        text="Bộ Y tế khẳng định nước ấm không tiêu diệt được virus corona. Virus chỉ bị bất hoạt ở nhiệt độ "
        "trên 56 độ C trong 30 phút. Người dân nên rửa tay bằng xà phòng. Đeo khẩu trang nơi công cộng.",
        content_hash="doc1",
    )
    items = [
        _item(a, WARM_WATER, 100, 3),
        _item(b, REPOST, 10, 4),
        _item(a, NEAR, 5, 4),
        _item(a, PARAPHRASE, 7, 6),
        _item(a, DENGUE, 3, 10),
        _item(a, CHATTER, 1, 11),
    ]
    others = [
        FactCheck(
            slug=f"khac-{k}",
            claim_reviewed=t,
            verdict=Verdict.false,
            status=FactCheckStatus.published,
            published_at=datetime(2020, 1, 20),
        )
        for k, t in enumerate(
            [
                "Hà Nội cấm xe máy hoàn toàn từ năm 2025",
                "Ăn tỏi sống phòng được bệnh COVID-19",
                "Ngân hàng Nhà nước phát hành tờ tiền mệnh giá 1 triệu đồng",
                "Xăng RON 95 tăng giá 3.000 đồng mỗi lít từ ngày 1/3",
            ]
        )
    ]
    s.add_all([a, b, fc, doc, *others, *items])
    s.flush()
    return {"fc": fc.id, "doc": doc.id, **{f"i{k}": it.id for k, it in enumerate(items)}}


def test_pipeline_collapses_clusters_and_matches(fresh_engine: str) -> None:
    with session_scope() as s:
        ids = _setup(s)
    with session_scope() as s:
        stats = process_pending(s)
    assert stats.items == 6
    assert stats.duplicates == 2 and stats.exact_duplicates == 1
    assert len(index_mod.get_index().fact_checks) == 5 and len(index_mod.get_index().passage_docs) >= 1

    with session_scope() as s:
        items = {i.id: i for i in s.scalars(select(Item))}
        assert all(i.processed for i in items.values())
        assert items[ids["i1"]].duplicate_of_id == ids["i0"]  # exact repost from another source
        assert items[ids["i2"]].duplicate_of_id == ids["i0"]  # near-duplicate with chatter around it
        assert items[ids["i3"]].duplicate_of_id is None  # a paraphrase is a new item, same claim

        claim_of = {iid: cid for cid, iid in s.execute(select(ClaimItem.claim_id, ClaimItem.item_id)).all()}
        warm = s.get(Claim, claim_of[ids["i0"]])
        assert warm is not None
        assert claim_of[ids["i1"]] == claim_of[ids["i2"]] == claim_of[ids["i3"]] == warm.id
        assert claim_of[ids["i4"]] != warm.id  # the dengue report is another claim
        assert ids["i5"] not in claim_of  # chatter states nothing checkable
        assert warm.item_count == 4
        assert warm.engagement == (100 + 1) + (10 + 1) + (5 + 1) + (7 + 1)
        assert warm.first_seen == datetime(2020, 2, 3, 9, 0) and warm.last_seen == datetime(2020, 2, 6, 9, 0)
        assert warm.best_match_id == ids["fc"] and warm.best_match_level in ("answer", "suggest")
        assert warm.features and 0.5 <= warm.checkworthiness <= 1
        dengue = s.get(Claim, claim_of[ids["i4"]])
        assert dengue is not None and dengue.best_match_level is None
        assert s.scalar(select(func.count(Passage.id))) >= 1
        n_claims = s.scalar(select(func.count(Claim.id)))

    # idempotent: nothing pending, nothing changes
    with session_scope() as s:
        again = process_pending(s)
        assert again.items == 0 and again.links == 0
        assert s.scalar(select(func.count(Claim.id))) == n_claims

    # a fresh process loads the persisted LanceDB tables (no store rebuild needed)
    index_mod.reset_index()
    idx = index_mod.get_index()
    assert len(idx.fact_checks) == 5 and len(idx.claims) == n_claims
    res = idx.match_fact_checks(["uong nuoc am 50 do diet duoc virus corona co that khong"], top=3)[0]
    assert res.results and res.results[0].id == str(ids["fc"])
    with session_scope() as s:
        passage_doc = dict(s.execute(select(Passage.id, Passage.document_id)).all())
    ev = idx.evidence("Nước ấm có diệt được virus corona không?", k=2)
    assert ev and passage_doc[ev[0][0]] == ids["doc"]
    assert idx.similar_claims(PARAPHRASE, top=1)[0][0] == warm.id


def test_retracted_fact_check_leaves_the_index_and_claims_lose_the_match(fresh_engine: str) -> None:
    with session_scope() as s:
        ids = _setup(s)
    with session_scope() as s:
        process_pending(s)
    with session_scope() as s:
        fc = s.get(FactCheck, ids["fc"])
        assert fc is not None
        fc.status = FactCheckStatus.retracted
    with session_scope() as s:
        stats = process_pending(s)
        assert stats.items == 0
        assert str(ids["fc"]) not in index_mod.get_index().fc_stamps
        assert all(c.best_match_id != ids["fc"] for c in s.scalars(select(Claim)))


def test_index_rebuilds_from_store_when_the_directory_is_missing(fresh_engine: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from kiemchung.settings import get_settings

    with session_scope() as s:
        _setup(s)
    with session_scope() as s:
        process_pending(s)
    shutil.rmtree(get_settings().resolved_index_dir)
    index_mod.reset_index()
    idx = index_mod.get_index()
    assert len(idx.fact_checks) == 5 and len(idx.claims) >= 2 and len(idx.passage_docs) >= 1
