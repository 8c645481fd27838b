"""Feedback in chat: a "Góp ý: ..." message reaches the feedback desk like the /gop-y form (sorted
into a thread by its job), the sender gets its follow-up link; once two editors approve the
official answer it goes back on the same chat through the platform's send API (the local fake),
and the sender's contact is deleted after it is sent."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import sent_buttons, sent_text, telegram, zalo
from sqlalchemy import select
from test_channels_conversation import USERS, Chat, _dump

from kiemchung.feedback import service

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))
from kiemchung.store import session_scope
from kiemchung.store.models import (
    ChannelContact,
    FeedbackAnswer,
    FeedbackItem,
    FeedbackKind,
    MediaImage,
    Outbox,
    OutboxStatus,
    TipContact,
)

FEEDBACK = "Đèn đường trong ngõ 7 phố Hàng Bông, Hà Nội hỏng cả tuần nay, buổi tối đi lại rất nguy hiểm."
ANSWER = "Công ty chiếu sáng đô thị sẽ thay bóng đèn ngõ 7 trong ngày 3/12."


@pytest.mark.parametrize("platform", ["telegram", "zalo", "messenger"])
def test_chat_feedback_reaches_the_desk_and_the_answer_comes_back(
    client: TestClient,
    channels_on: FakePlatform,
    desk_login: Callable[[str], tuple[TestClient, str]],
    platform: str,
) -> None:
    chat = Chat(client, channels_on, platform)
    prompt = sent_text(chat.say(payload="#feedback"))
    assert "bắt đầu bằng «Góp ý:»" in prompt  # no conversation state: the prefix is the rule

    got = chat.say(f"Góp ý: {FEEDBACK}")
    reply = sent_text(got)
    assert "Góp ý của bạn đã được tiếp nhận" in reply and "/gop-y/trang-thai/" in reply
    assert "/gui-tin/xoa/" in reply  # the contact is deletable, like the form's
    assert "Góp ý" in [t for t, _ in sent_buttons(got)]
    with session_scope() as s:
        item = s.scalars(select(FeedbackItem)).one()
        assert item.channel == platform and item.kind == FeedbackKind.issue
        assert item.text == FEEDBACK and item.province_code == 1 and item.topic == ""
        assert item.thread_id is not None  # the clustering job ran after the commit
        assert item.status_token in reply
        contact = s.scalars(select(TipContact).where(TipContact.feedback_id == item.id)).one()
        assert contact.contact.startswith(f"{platform}:") and USERS[platform] not in contact.contact
        rows = service.queue(s)  # the desk's feedback queue
        assert [r["thread"].id for r in rows] == [item.thread_id]
        tid = item.thread_id
    assert USERS[platform] not in _dump()

    editor, etok = desk_login("editor")
    admin, atok = desk_login("admin")
    assert f'href="/desk/gop-y/{tid}"' in editor.get("/desk/gop-y").text
    r = editor.post(
        f"/desk/gop-y/{tid}/answers",
        data={"body": ANSWER, "then": "submit", "csrf_token": etok},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with session_scope() as s:
        answer_id = s.scalars(select(FeedbackAnswer.id)).one()
    before = len(channels_on.delivered(platform))
    r = admin.post(
        f"/desk/gop-y/{tid}/answers/{answer_id}/approve", data={"csrf_token": atok}, follow_redirects=False
    )
    assert r.status_code == 303
    r = admin.post(
        f"/desk/gop-y/{tid}/publish",
        data={"csrf_token": atok, "title": "Đèn đường ngõ 7 phố Hàng Bông hỏng"},
        follow_redirects=False,
    )
    assert r.status_code == 303

    later = channels_on.delivered(platform)[before:]
    assert len(later) == 1
    body = sent_text(later[0].body)
    assert "Góp ý của bạn đã có trả lời chính thức" in body and ANSWER in body
    assert USERS[platform] in str(later[0].body)  # to this person, through the platform's send API
    with session_scope() as s:
        row = s.scalars(select(Outbox).where(Outbox.channel == platform, Outbox.payload.is_not(None))).all()
        answers = [o for o in row if (o.payload or {}).get("kind") == "feedback_answer"]
        assert len(answers) == 1 and answers[0].status == OutboxStatus.sent
        # the answer was sent: the contact and the encrypted platform id are gone
        assert s.scalars(select(TipContact)).all() == []
        assert s.scalars(select(ChannelContact)).all() == []
    assert USERS[platform] not in _dump()


def test_chat_feedback_refusals_rate_limit_and_unfollow(
    client: TestClient, channels_on: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_RATE_LIMIT_PER_MINUTE", "4")  # the form's budget, per chat sender
    get_settings.cache_clear()
    chat = Chat(client, channels_on, "zalo")
    assert "bắt đầu bằng «Góp ý:»" in sent_text(chat.say("Góp ý"))  # nothing said yet
    assert "Nội dung quá ngắn" in sent_text(chat.say("gop y: te qua"))  # no diacritics, too short
    assert "Nội dung quá dài" in sent_text(chat.say("Góp ý: " + "đường ngập " * 400))
    with session_scope() as s:
        assert s.scalars(select(FeedbackItem)).all() == []
    assert "đã được tiếp nhận" in sent_text(chat.say(f"Góp ý: {FEEDBACK}"))
    assert "Bạn gửi quá nhanh" in sent_text(chat.say(f"Góp ý: {FEEDBACK} Xin sửa sớm."))
    with session_scope() as s:
        item = s.scalars(select(FeedbackItem)).one()
        assert len(s.scalars(select(TipContact)).all()) == 1

    # unfollow: the contact goes at once (the feedback itself stays, without anyone to answer)
    path, body, headers = zalo(chat.user, "", event="unfollow")
    assert client.post(path, content=body, headers=headers).status_code == 200
    with session_scope() as s:
        assert s.scalars(select(TipContact)).all() == [] and s.scalars(select(ChannelContact)).all() == []
        assert s.get(FeedbackItem, item.id) is not None


def test_the_kind_and_the_ward_come_from_the_message(client: TestClient, channels_on: FakePlatform) -> None:
    from kiemchung import areas

    chat = Chat(client, channels_on, "telegram")
    said = "Phản ánh: Rác thải đổ trộm ven hồ ở phường Cửa Nam, Hà Nội suốt tuần qua chưa ai dọn."
    assert "đã được tiếp nhận" in sent_text(chat.say(said))
    idea = "hien ke: nen lam them lan duong cho xe dap tren cac pho quanh ho o xa Soc Son"
    assert "đã được tiếp nhận" in sent_text(Chat(client, channels_on, "zalo").say(idea))
    with session_scope() as s:
        report, plan = s.scalars(select(FeedbackItem).order_by(FeedbackItem.id)).all()
        assert report.kind == FeedbackKind.report and report.text.startswith("Rác thải")
        assert areas.area_label(report.province_code, report.ward_code) == "Phường Cửa Nam, Thành phố Hà Nội"
        # no province named: the commune's name is found in one province only
        assert plan.kind == FeedbackKind.idea and plan.province_code == 1
        assert areas.ward_name(1, plan.ward_code) == "Xã Sóc Sơn"


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
def test_a_picture_captioned_gop_y_is_feedback_with_its_picture(
    client: TestClient, channels_on: FakePlatform, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    from media_render import encode, screenshot

    from kiemchung.channels import media as chat_media
    from kiemchung.net import Allowance

    monkeypatch.setattr(chat_media, "ALLOW", Allowance.of(["127.0.0.1"]))  # test-only: reach the fake
    channels_on.files["ovoga"] = encode(screenshot(["Ổ gà trước số 12"]), "JPEG", quality=90)
    user = USERS[platform]
    if platform == "telegram":
        req = telegram(user, 9500, photo="ovoga", text=f"Góp ý: {FEEDBACK}")
    else:
        url = f"{channels_on.base}/cdn/ovoga?p=zalo"
        req = zalo(user, "zfb1", event="user_send_image", image=url, text=f"Góp ý: {FEEDBACK}")
    path, body, headers = req
    assert client.post(path, content=body, headers=headers).status_code == 200
    replies = [c for c in channels_on.delivered(platform) if c.body and not c.path.endswith("/getFile")]
    assert len(replies) == 1 and "Góp ý của bạn đã được tiếp nhận" in sent_text(replies[0].body)
    with session_scope() as s:
        item = s.scalars(select(FeedbackItem)).one()
        assert item.image_id is not None and item.text == FEEDBACK and item.thread_id is not None
        image = s.get(MediaImage, item.image_id)
        assert image is not None and len(image.pdq) == 64


def test_a_long_answer_keeps_its_link_within_the_chat_limits(configured: str) -> None:
    from kiemchung.channels.conversation import feedback_answer_reply
    from kiemchung.store.models import FeedbackThread

    t = FeedbackThread(slug="7-den-duong", title="Đèn đường " * 30, item_count=3)
    item = FeedbackItem(status_token="tok123")
    text = feedback_answer_reply(t, FeedbackAnswer(body="Sở Xây dựng trả lời. " * 500), item).text
    assert len(text) <= 2000 and text.count("…") == 1
    assert "/gop-y/trang-thai/tok123" in text and "3 người đã góp ý cùng vấn đề" in text
