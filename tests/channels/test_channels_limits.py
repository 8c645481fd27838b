"""Platform text limits never cost the link: an answer longer than Zalo's or Messenger's 2000
characters or Telegram's 4096 is shortened in its words, while the fact-check link (and the status
link) stay whole and the «Không phải điều tôi hỏi» button stays on the message."""

from __future__ import annotations

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import sent_buttons, sent_text
from sqlalchemy import select
from test_channels_conversation import KNOWN, Chat, world  # noqa: F401  (``world`` is a fixture)

from kiemchung.channels import service
from kiemchung.channels.base import OutgoingMessage
from kiemchung.channels.conversation import _tip_reply, published_reply
from kiemchung.public import queries
from kiemchung.public.tipline import TipResult, answered_message, received_message, status_url
from kiemchung.store import session_scope
from kiemchung.store.models import FactCheck, Tip, Verdict

PLATFORMS = ["zalo", "messenger", "telegram"]
TITLE = "Bộ Y tế khuyến cáo uống nước chanh nóng mỗi sáng để phòng mọi bệnh truyền nhiễm " * 20
SUMMARY = "Không có nghiên cứu nào cho thấy nước chanh nóng phòng được bệnh truyền nhiễm. " * 70
NOT_MINE = {"zalo": "Không phải điều tôi hỏi", "messenger": "Không phải ý tôi hỏi"}


def _fc() -> FactCheck:
    return FactCheck(
        slug="nuoc-chanh-nong-phong-benh",
        claim_reviewed=TITLE,
        verdict=Verdict.false,
        summary=SUMMARY,
    )


def _text_and_buttons(platform: str, rendered: dict[str, object]) -> tuple[str, list[tuple[str, str]]]:
    body = {"message": rendered} if platform != "telegram" else rendered
    return sent_text(body), sent_buttons(body)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_overlong_answer_keeps_its_link_and_the_not_mine_button(configured: str, platform: str) -> None:
    adapter = service.ADAPTERS[platform]
    fc = _fc()
    message = answered_message(fc, "tok-chanh-nong")
    assert len(message) > 4096  # longer than every platform allows
    with session_scope() as s:
        (reply,), _ = _tip_reply(
            s, TipResult("answered", 1, message, fact_check=fc, status_token="tok-chanh-nong")
        )
    text, buttons = _text_and_buttons(platform, adapter.render(reply))
    assert len(text) <= adapter.max_text
    assert text.startswith("Thông tin này đã được kiểm chứng: «Bộ Y tế")
    assert queries.fact_check_url(fc) in text and "Xem chi tiết: " + queries.fact_check_url(fc) in text
    assert "…" in text  # the words were shortened, not the link
    assert (NOT_MINE.get(platform, "Không phải điều tôi hỏi"), "#notmine:tok-chanh-nong") in buttons


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_overlong_published_reply_keeps_its_link(configured: str, platform: str) -> None:
    adapter = service.ADAPTERS[platform]
    fc = _fc()
    tip = Tip(text="Uống nước chanh nóng mỗi sáng có phòng được cúm không? " * 10, channel=platform)
    text, buttons = _text_and_buttons(platform, adapter.render(published_reply(fc, tip)))
    assert len(text) <= adapter.max_text
    assert text.startswith("Tin bạn gửi đã được kiểm chứng.\nBạn hỏi: «Uống nước chanh")
    assert "Kết luận: SAI" in text
    assert text.endswith("\nĐọc bài: " + queries.fact_check_url(fc))
    assert buttons[0][0] == "Kiểm tra một tin"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_received_reply_keeps_both_links(configured: str, platform: str) -> None:
    """Two links (a related fact-check, then the status page), long words before and between."""
    adapter = service.ADAPTERS[platform]
    related = _fc()
    related.claim_reviewed = TITLE * 3
    message = received_message(42, "tok-theo-doi", related)
    assert len(message) > 4096
    text, _ = _text_and_buttons(platform, adapter.render(OutgoingMessage(message)))
    assert len(text) <= adapter.max_text and text.startswith("Cảm ơn bạn đã gửi tin (mã tin #42).")
    assert queries.fact_check_url(related) in text
    assert text.endswith("Theo dõi kết quả tại " + status_url("tok-theo-doi"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_overlong_automatic_answer_reaches_the_phone_with_its_link(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
    platform: str,
) -> None:
    with session_scope() as s:
        fc = s.scalars(select(FactCheck).where(FactCheck.claim_reviewed == KNOWN)).one()
        fc.summary = SUMMARY
        url = queries.fact_check_url(fc)
    answer = Chat(client, channels_on, platform).say(KNOWN)
    text = sent_text(answer)
    assert (
        text.startswith("Thông tin này đã được kiểm chứng")
        and len(text) <= service.ADAPTERS[platform].max_text
    )
    # the link as this request's host writes it: the same path, whole
    assert text.endswith(" Xem chi tiết: http://testserver/" + url.split("/", 3)[3]) and "…" in text
    assert NOT_MINE.get(platform, "Không phải điều tôi hỏi") in [t for t, _ in sent_buttons(answer)]
