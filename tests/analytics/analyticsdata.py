"""Analytics test data: a handcrafted dataset whose every figure is known, and the desk login.

Imported by name (the test folders have no packages).

All times are relative to ``now`` so the same data works for the query tests (a fixed ``NOW``)
and the page tests (the clock). With ``NOW`` = Tuesday 24/11/2026 12:00 the 7-day period starts
on Wednesday 18/11 00:00 and the 30-day period on Monday 26/10 00:00.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from fastapi.testclient import TestClient

from kiemchung.store import models, session_scope
from kiemchung.store.models import ClaimStatus, FactCheckStatus, TipStatus, Verdict

NOW = datetime(2026, 11, 24, 12, 0)
PASSWORD = "mat-khau-dai-du-10"
ROLES = ("admin", "editor", "reviewer", "viewer")


def seed_dataset(url: str | None, now: datetime) -> dict[str, int]:
    """Claims, items, fact-checks, tips and channel posts; returns {name: id}."""
    h = lambda hours: now - timedelta(hours=hours)  # noqa: E731
    since_7d = datetime.combine(now.date() - timedelta(days=6), time())
    ids: dict[str, int] = {}
    with session_scope(url) as s:
        src = models.Source(name="Nguồn thử nghiệm")
        s.add(src)
        s.flush()

        def claim(
            name: str,
            text: str,
            first_seen: datetime,
            topic: str | None,
            status: ClaimStatus,
            items: list[datetime | None],
        ) -> models.Claim:
            c = models.Claim(
                text=text,
                topic=topic,
                status=status,
                first_seen=first_seen,
                last_seen=first_seen,
                item_count=len(items),
            )
            s.add(c)
            s.flush()
            for k, at in enumerate(items):
                it = models.Item(
                    source_id=src.id,
                    text=f"{text} ({k})",
                    content_hash=f"{name}-{k}",
                    published_at=at,
                    ingested_at=h(2) if at is None else at,
                )
                s.add(it)
                s.flush()
                s.add(models.ClaimItem(claim_id=c.id, item_id=it.id))
            ids[name] = c.id
            return c

        c1 = claim(
            "c1",
            "Uống nước chanh nóng chữa khỏi ung thư",
            h(1),
            "y tế",
            ClaimStatus.new,
            [h(1 - k / 10) for k in range(6)],  # six items in its first hour
        )
        c2 = claim(
            "c2", "Vắc-xin cúm gây vô sinh", h(48), "y tế", ClaimStatus.checked, [h(2), h(3), h(4), h(30)]
        )
        c3 = claim("c3", "Học sinh nghỉ Tết ba tuần", h(72), "giáo dục", ClaimStatus.triaged, [None])
        c4 = claim(
            "c4",
            "Ngân hàng khóa tài khoản chưa xác thực",
            h(20 * 24),
            None,
            ClaimStatus.dismissed,
            [h(20 * 24)],
        )
        c5 = claim("c5", "Tin cũ về giá vàng", h(100 * 24), "y tế", ClaimStatus.checked, [])
        claim("c6", "Giá xăng giảm một nửa", since_7d, "kinh tế", ClaimStatus.in_progress, [])

        def fc(
            name: str,
            claim: models.Claim | None,
            verdict: Verdict,
            published: datetime | None,
            views: int,
            status: FactCheckStatus = FactCheckStatus.published,
        ) -> models.FactCheck:
            f = models.FactCheck(
                slug=name,
                claim_id=claim.id if claim else None,
                claim_reviewed=f"Bài {name}",
                verdict=verdict,
                status=status,
                published_at=published,
                views=views,
            )
            s.add(f)
            s.flush()
            ids[name] = f.id
            return f

        fc1 = fc("fc1", c2, Verdict.false, h(24), 200)  # c2 answered after 24 h
        fc("fc1b", c2, Verdict.mostly_true, h(12), 50)  # a later answer: the first one counts
        fc3 = fc("fc3", c3, Verdict.true, h(70), 10)  # 2 h
        fc("fc5", c1, Verdict.false, h(3), 0)  # published before c1 was seen: 0 h
        fc2 = fc("fc2", c4, Verdict.scam, h(18 * 24), 4000)  # 48 h, in the 30-day period only
        fc("fc_old", c5, Verdict.false, h(150 * 24), 7)  # outside every period
        fc("fc_draft", c1, Verdict.false, None, 0, FactCheckStatus.draft)
        ret = fc("fc_ret", None, Verdict.true, h(48), 5, FactCheckStatus.retracted)

        for f, channel, at, reach, clicks in [
            (fc1, "Facebook", h(23), 1000, 50),
            (fc1, "Zalo OA", h(22), 500, 10),
            (fc3, "Facebook", h(69), 3000, 90),
            (fc2, "Zalo OA", h(18 * 24 - 1), 800, 8),
            (ret, "Facebook", h(47), 100, 1),
        ]:
            s.add(
                models.ChannelPost(
                    fact_check_id=f.id, channel=channel, posted_at=at, reach=reach, clicks=clicks
                )
            )

        for status, at in [
            (TipStatus.answered, h(2)),
            (TipStatus.warned, h(24)),
            (TipStatus.received, h(24)),
            (TipStatus.queued, h(48)),
            (TipStatus.closed, h(96)),
            (TipStatus.answered, h(23 * 24)),
            (TipStatus.received, h(40 * 24)),
        ]:
            s.add(models.Tip(text=f"tin {status.value} {at:%d%H}", status=status, received_at=at))
    return ids


def login(client: TestClient, role: str) -> None:
    html = client.get("/desk/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "no CSRF token on the login page"
    r = client.post(
        "/desk/login",
        data={"email": f"{role}@test.vn", "password": PASSWORD, "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
