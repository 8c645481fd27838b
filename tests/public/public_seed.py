"""Fixtures for the public site: a seeded store (one published fact-check per verdict, a
retracted one, a draft) and a fresh app per test, so rate limits never leak between tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kiemchung.store import session_scope
from kiemchung.store.models import (
    Citation,
    Correction,
    Document,
    FactCheck,
    FactCheckStatus,
    Source,
    SourceKind,
    Verdict,
)

CLAIMS = {
    Verdict.true: ("Hà Nội cấm xe máy ở quận Hoàn Kiếm từ năm 2030", ["Giao thông"]),
    Verdict.mostly_true: ("Giá xăng RON95 tăng 500 đồng từ ngày 1/3", ["Kinh tế"]),
    Verdict.misleading: ("Ảnh lũ lụt ở Huế năm nay thực ra chụp từ năm 2020", ["Thiên tai"]),
    Verdict.false: ("Uống nước chanh nóng chữa khỏi ung thư", ["Sức khỏe"]),
    Verdict.unproven: ("Thêm một loại vắc-xin mới được tiêm miễn phí cho trẻ em", ["Sức khỏe"]),
    Verdict.scam: ("Ngân hàng gửi tin nhắn yêu cầu cập nhật sinh trắc học qua đường link", ["Lừa đảo"]),
}
RETRACTED_CLAIM = "Bộ Giáo dục bỏ kỳ thi tốt nghiệp trung học phổ thông"
DRAFT_CLAIM = "Bản nháp chưa duyệt về giá điện tăng gấp đôi"
BASE = datetime(2026, 3, 1, 8, 0)


@dataclass
class Seed:
    ids: dict[Verdict, int]
    slugs: dict[Verdict, str]
    retracted_id: int
    retracted_slug: str
    draft_id: int
    draft_slug: str


def seed(url: str) -> Seed:
    with session_scope(url) as s:
        moh = Source(
            name="Bộ Y tế (thử)",
            kind=SourceKind.official,
            registered=True,
            verified=True,
            domains=["moh.gov.vn"],
            url="https://moh.gov.vn/",
        )
        s.add(moh)
        doc = Document(
            title="Thông cáo báo chí của Bộ Y tế",
            url="https://moh.gov.vn/thong-cao",
            publisher="Bộ Y tế",
            text="Không có bằng chứng nước chanh chữa ung thư.",
            content_hash="doc-hash-1",
            published_at=BASE - timedelta(days=3),
        )
        s.add(doc)
        s.flush()
        ids: dict[Verdict, int] = {}
        slugs: dict[Verdict, str] = {}
        for n, (verdict, (claim, topics)) in enumerate(CLAIMS.items()):
            fc = FactCheck(
                slug=f"kiem-chung-{verdict.value.replace('_', '-')}",
                claim_reviewed=claim,
                claim_text=claim,
                verdict=verdict,
                summary=f"Tóm tắt: {claim.lower()} — kết luận dựa trên nguồn chính thức.",
                body=f"## Bối cảnh\n\nNhận định «{claim}» lan truyền trên mạng.\n\n**Kết luận** rõ ràng.",
                topics=topics,
                status=FactCheckStatus.published,
                published_at=BASE + timedelta(days=n),
                updated_at=BASE + timedelta(days=n),
                views=10 * n,
            )
            if verdict is Verdict.false:
                fc.claim_source_id = moh.id
                fc.claim_appearance_url = "https://moh.gov.vn/bai-viet-goc"
                fc.citations = [
                    Citation(
                        document_id=doc.id, quote="Không có bằng chứng nước chanh chữa ung thư.", position=0
                    ),
                    Citation(url="https://who.int/cancer", title="WHO: Cancer", position=1),
                ]
            s.add(fc)
            s.flush()
            ids[verdict], slugs[verdict] = fc.id, fc.slug
            if verdict is Verdict.mostly_true:
                s.add(
                    Correction(
                        fact_check_id=fc.id,
                        note="Sửa mức tăng giá: 500 đồng, không phải 5.000 đồng.",
                        version=2,
                        created_at=BASE + timedelta(days=10),
                    )
                )
        retracted = FactCheck(
            slug="bai-rut-lai",
            claim_reviewed=RETRACTED_CLAIM,
            claim_text=RETRACTED_CLAIM,
            verdict=Verdict.false,
            summary="Bài này đã bị rút lại.",
            body="Nội dung cũ.",
            topics=["Giáo dục"],
            status=FactCheckStatus.retracted,
            published_at=BASE,
            retracted_at=BASE + timedelta(days=20),
            retraction_note="Kết luận dựa trên một văn bản đã bị thay thế.",
        )
        draft = FactCheck(
            slug="ban-nhap",
            claim_reviewed=DRAFT_CLAIM,
            claim_text=DRAFT_CLAIM,
            verdict=Verdict.false,
            topics=["Kinh tế"],
            status=FactCheckStatus.draft,
        )
        s.add_all([retracted, draft])
        s.flush()
        return Seed(ids, slugs, retracted.id, retracted.slug, draft.id, draft.slug)


@pytest.fixture()
def seeded(configured: str) -> Iterator[Seed]:
    from kiemchung.engine.index import reset_index

    data = seed(configured)
    reset_index()  # the index is derived from this test's store on first use
    yield data
    reset_index()


@pytest.fixture()
def client(seeded: Seed) -> Iterator[TestClient]:
    from kiemchung.web.app import create_app

    with TestClient(create_app(), base_url="http://testserver") as c:
        yield c
