"""A scripted conversation on each channel: the menu, an automatic answer and "Không phải điều tôi
hỏi", a scam warning, a "received" answered later on the same channel when an editor publishes
through the desk; then no raw platform id anywhere in the database or the logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import messenger, sent_buttons, sent_text, telegram, zalo
from sqlalchemy import select, text

from kiemchung.store import session_scope
from kiemchung.store.models import (
    Base,
    ChannelContact,
    FactCheck,
    FactCheckStatus,
    Tip,
    TipContact,
    Verdict,
    utcnow,
)

KNOWN = "Ăn tỏi sống mỗi sáng giúp miễn nhiễm hoàn toàn với bệnh sốt xuất huyết"
SCAM = (
    "Có người nhắn tin tự xưng nhân viên điện lực, bảo tôi chuyển 1,5 triệu qua số 0977 321 654 "
    "để khỏi bị cắt điện tối nay."
)
NEW = "Nghe nói từ tuần sau xe khách liên tỉnh phải mua vé điện tử trước mới được lên xe, có đúng không?"
OTHERS = [
    ("Thành phố Huế miễn phí vé tham quan Đại Nội cho học sinh trong tháng 6", Verdict.true),
    ("Giá điện sinh hoạt tăng 20% từ đầu tháng sau", Verdict.misleading),
    ("Ngân hàng Nhà nước phát hành tờ tiền mệnh giá 1 triệu đồng", Verdict.false),
    ("Học sinh tiểu học ở Cần Thơ được nghỉ học cả tuần vì nắng nóng", Verdict.unproven),
    ("Bệnh viện tuyến huyện được phép tiêm vắc-xin dại miễn phí cho mọi người", Verdict.mostly_true),
]
USERS = {"zalo": "8426193057712349911", "messenger": "27411956830029911", "telegram": "583929911"}


class Chat:
    """One person talking to the bot on one platform; each call is one webhook event."""

    def __init__(self, client: TestClient, fake: FakePlatform, platform: str) -> None:
        self.client, self.fake, self.platform, self.n = client, fake, platform, 0
        self.user = USERS[platform]

    def _req(self, text: str = "", payload: str = "", event: str = "") -> tuple[str, bytes, dict[str, str]]:
        self.n += 1
        if self.platform == "zalo":
            if event:
                return zalo(self.user, "", event=event)
            # a tapped oa.query button comes back as a text message holding the payload
            return zalo(self.user, f"zm{self.n}", text=payload or text)
        if self.platform == "messenger":
            return messenger(self.user, f"m_{self.n}", text=text or payload, payload=payload)
        return telegram(self.user, 4000 + self.n, text=text, callback=payload)

    def say(self, text: str = "", payload: str = "", event: str = "") -> dict[str, Any]:
        before = len(self.fake.delivered(self.platform))
        path, body, headers = self._req(text, payload, event)
        assert self.client.post(path, content=body, headers=headers).status_code == 200
        got = self.fake.delivered(self.platform)[before:]
        assert len(got) == 1, [sent_text(c.body) for c in got]
        return got[0].body


@pytest.fixture()
def world(configured: str) -> None:
    from kiemchung.engine.index import reset_index
    from kiemchung.scam.blocklist import add_indicator

    with session_scope() as s:
        # several published fact-checks: with a single one in the index the engine's scores are
        # not meaningful (every question looks close to it)
        for n, (claim, verdict) in enumerate([(KNOWN, Verdict.false), *OTHERS]):
            s.add(
                FactCheck(
                    slug=f"kiem-chung-{n}",
                    claim_reviewed=claim,
                    claim_text=claim,
                    verdict=verdict,
                    summary="Tóm tắt kết luận dựa trên nguồn chính thức.",
                    body="## Kết luận\n\nXem nguồn.",
                    topics=["Thử nghiệm"],
                    status=FactCheckStatus.published,
                    published_at=utcnow(),
                )
            )
        add_indicator(s, "phone", "0977 321 654", "block", "Giả danh nhân viên điện lực", None)
    reset_index()


def _dump() -> str:
    with session_scope() as s:
        parts = []
        for table in Base.metadata.sorted_tables:
            parts.extend(str(tuple(r)) for r in s.execute(text(f'SELECT * FROM "{table.name}"')))
        return "\n".join(parts)


@pytest.mark.parametrize("platform", ["zalo", "messenger", "telegram"])
def test_scripted_conversation(
    world: None,
    client: TestClient,
    channels_on: FakePlatform,
    desk_login: Callable[[str], tuple[TestClient, str]],
    platform: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from test_desk_workflow import act, create

    caplog.set_level(logging.DEBUG)
    chat = Chat(client, channels_on, platform)
    menu = chat.say("xin chào")
    assert "Kiểm tra một tin" in [t for t, _ in sent_buttons(menu)]
    assert "nguyên văn" in sent_text(chat.say(payload="#check"))

    answer = chat.say(KNOWN)
    assert "Thông tin này đã được kiểm chứng" in sent_text(answer) and KNOWN in sent_text(answer)
    buttons = dict(sent_buttons(answer))
    not_mine = (
        "Không phải ý tôi hỏi" if platform == "messenger" else "Không phải điều tôi hỏi"
    )  # 20 chars max
    assert not_mine in buttons
    back = chat.say(payload=buttons[not_mine])
    assert "chuyển tới biên tập viên" in sent_text(back)

    warning = chat.say(SCAM)
    assert sent_text(warning).startswith("Cảnh báo: CÓ DẤU HIỆU LỪA ĐẢO") and "0977 321 654" in sent_text(
        warning
    )

    received = chat.say(NEW)
    assert "Cảm ơn bạn đã gửi tin" in sent_text(received)
    assert len(sent_text(received)) <= {"zalo": 2000, "messenger": 2000, "telegram": 4096}[platform]
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.text == NEW)).one()
        assert tip.claim_id is not None and tip.channel == platform
        claim_id = tip.claim_id
        assert s.scalar(select(TipContact.contact).where(TipContact.tip_id == tip.id)).startswith(
            f"{platform}:"
        )
        assert len(list(s.scalars(select(ChannelContact)))) == 1  # one person, one encrypted id

    # an editor writes the fact-check, a reviewer publishes it: the answer comes back on this chat
    ed, et = desk_login("editor")
    rv, rt = desk_login("reviewer")
    fid = create(ed, et, claim_id=str(claim_id), claim_reviewed="Xe khách liên tỉnh bắt buộc vé điện tử")
    act(ed, et, fid, "submit")
    act(rv, rt, fid, "approve")
    before = len(channels_on.delivered(platform))
    assert act(rv, rt, fid, "publish").status_code == 200
    later = channels_on.delivered(platform)[before:]
    assert len(later) == 1
    body = sent_text(later[0].body)
    assert "Tin bạn gửi đã được kiểm chứng" in body and "Xe khách liên tỉnh bắt buộc vé điện tử" in body
    assert all(USERS[platform] in str(c.body) for c in channels_on.delivered(platform))  # to this person

    with session_scope() as s:  # the reply was sent: this tip's contact is gone
        assert s.scalar(select(TipContact.id).where(TipContact.tip_id == tip.id)) is None
    dump = _dump()
    assert USERS[platform] not in dump
    assert USERS[platform] not in caplog.text
    assert NEW in dump  # the scan sees the tables (the tip itself is stored)


def test_unfollow_deletes_the_contact_at_once(
    world: None, client: TestClient, channels_on: FakePlatform
) -> None:
    chat = Chat(client, channels_on, "zalo")
    chat.say(NEW)
    with session_scope() as s:
        assert len(list(s.scalars(select(ChannelContact)))) == 1
        assert len(list(s.scalars(select(TipContact)))) == 1
    path, body, headers = zalo(chat.user, "", event="unfollow")
    assert client.post(path, content=body, headers=headers).status_code == 200
    with session_scope() as s:
        assert list(s.scalars(select(ChannelContact))) == []
        assert list(s.scalars(select(TipContact))) == []
    assert chat.user not in _dump()
