"""A week of asks for the "what people are asking" tests (analytics and public page): three claims
asked this week, one asked only once, one dismissed, one asked only the month before."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiemchung.store import models, session_scope
from kiemchung.store.models import ClaimStatus, FactCheckStatus, ItemKind, TipStatus, Verdict

NOW = datetime(2026, 11, 25, 9, 0)  # a Wednesday, 16:00 in Vietnam


def seed(url: str, now: datetime = NOW) -> dict[str, int]:
    """Three claims asked this week, one asked once, one dismissed, one asked only last month."""
    with session_scope(url) as s:
        src = models.Source(name="Mạng xã hội (thử)")
        s.add(src)
        s.flush()
        n = 0

        def claim(text: str, topic: str | None, status: ClaimStatus = ClaimStatus.new) -> models.Claim:
            c = models.Claim(text=text, topic=topic, status=status)
            s.add(c)
            s.flush()
            return c

        def posts(c: models.Claim, k: int, at: datetime) -> None:
            nonlocal n
            for _ in range(k):
                n += 1
                it = models.Item(
                    source_id=src.id, text=c.text, content_hash=f"h{n}", kind=ItemKind.post, published_at=at
                )
                s.add(it)
                s.flush()
                s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))

        def tips(c: models.Claim, k: int, at: datetime) -> None:
            nonlocal n
            for _ in range(k):
                n += 1
                # A tip's own item must not count as a post as well.
                it = models.Item(source_id=src.id, text=c.text, content_hash=f"t{n}", kind=ItemKind.tip)
                s.add(it)
                s.flush()
                s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
                s.add(
                    models.Tip(
                        text=c.text, received_at=at, claim_id=c.id, item_id=it.id, status=TipStatus.received
                    )
                )

        flood = claim("Đà Nẵng sắp ngập sâu 3 mét, người dân phải sơ tán ngay", "thien-tai")
        tips(flood, 4, now - timedelta(hours=5))
        posts(flood, 3, now - timedelta(days=1))
        posts(flood, 9, now - timedelta(days=20))  # last month: not this week
        water = claim("Nước máy ở Hà Nội nhiễm asen, gọi 0912 345 678 để mua máy lọc", "y-te")
        tips(water, 2, now - timedelta(days=2))
        fc = models.FactCheck(
            slug="nuoc-may-ha-noi",
            claim_reviewed="Nước máy Hà Nội nhiễm asen",
            verdict=Verdict.false,
            status=FactCheckStatus.published,
            claim_id=water.id,
            published_at=now - timedelta(days=1),
        )
        s.add(fc)
        price = claim("Giá điện tăng gấp đôi từ tháng sau", "dien", ClaimStatus.checked)
        posts(price, 2, now - timedelta(days=3))
        other = models.FactCheck(
            slug="gia-dien",
            claim_reviewed="Giá điện không tăng gấp đôi",
            verdict=Verdict.false,
            status=FactCheckStatus.published,
            published_at=now - timedelta(days=10),
        )
        s.add(other)
        s.flush()
        price.best_match_id, price.best_match_level = other.id, "answer"
        lone = claim("Một tin chỉ một người hỏi", "xa-hoi")
        tips(lone, 1, now - timedelta(hours=1))
        spam = claim("Tin rác bị loại", "xa-hoi", ClaimStatus.dismissed)
        tips(spam, 5, now - timedelta(hours=1))
        old = claim("Tin cũ của tháng trước", "xa-hoi")
        tips(old, 6, now - timedelta(days=30))
        return {"flood": flood.id, "water": water.id, "price": price.id, "lone": lone.id}
