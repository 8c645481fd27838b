"""Pictures sent in chat (Zalo ``user_send_image``, Messenger image attachments, Telegram
``photo``) are fetched from the platform through ``safe_fetch`` and answered as image tips; with
the default address guard the local fake is out of reach and the sender is asked for words."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import TELEGRAM_TOKEN, messenger, sent_text, telegram, zalo
from sqlalchemy import select
from test_channels_conversation import KNOWN, USERS, world

from kiemchung.channels import media as chat_media
from kiemchung.media import ocr
from kiemchung.net import Allowance
from kiemchung.store import session_scope
from kiemchung.store.models import MediaImage, Tip, TipImage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

from media_render import encode, screenshot

__all__ = ["world"]
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="Tesseract with Vietnamese data is not installed")
CARD = ["Ăn tỏi sống mỗi sáng giúp miễn nhiễm", "hoàn toàn với bệnh sốt xuất huyết"]


def replies_of(fake: FakePlatform, platform: str) -> list[Any]:
    """Messages the user got (not the picture downloads or Telegram's getFile)."""
    return [c for c in fake.delivered(platform) if c.body and not c.path.endswith("/getFile")]


def send_picture(client: TestClient, fake: FakePlatform, platform: str, n: int) -> str:
    """Post one picture message; the text of the one reply the user got."""
    name = f"anh{n}"
    fake.files[name] = encode(screenshot(CARD), "JPEG", quality=90)
    user = USERS[platform]
    if platform == "zalo":
        req = zalo(user, f"zi{n}", event="user_send_image", image=f"{fake.base}/cdn/{name}?p=zalo")
    elif platform == "messenger":
        req = messenger(user, f"m_i{n}", image=f"{fake.base}/cdn/{name}?p=messenger")
    else:
        req = telegram(user, 9000 + n, photo=name)
    before = len(replies_of(fake, platform))
    path, body, headers = req
    assert client.post(path, content=body, headers=headers).status_code == 200
    replies = replies_of(fake, platform)[before:]
    assert len(replies) == 1, replies
    return sent_text(replies[0].body)


@pytest.fixture()
def fake_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: let ``safe_fetch`` reach the fake platform on 127.0.0.1."""
    monkeypatch.setattr(chat_media, "ALLOW", Allowance.of(["127.0.0.1"]))


@needs_ocr
@pytest.mark.parametrize("platform", ["zalo", "messenger", "telegram"])
def test_a_picture_is_answered_like_an_image_tip(
    world: None,
    client: TestClient,
    channels_on: FakePlatform,
    fake_reachable: None,
    platform: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = send_picture(client, channels_on, platform, 1)
    assert "Thông tin này đã được kiểm chứng" in reply and KNOWN in reply
    downloads = [c for c in channels_on.calls if c.path.startswith(("/cdn/", "/file/"))]
    assert len(downloads) == 1 and downloads[0].status == 200
    if platform == "telegram":  # the biggest PhotoSize, looked up with getFile first
        assert any(c.path.endswith("/getFile") and c.body == {"file_id": "anh1"} for c in channels_on.calls)
        assert TELEGRAM_TOKEN not in caplog.text
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.channel == platform)).one()
        image = s.scalars(
            select(MediaImage)
            .join(TipImage, TipImage.image_id == MediaImage.id)
            .where(TipImage.tip_id == tip.id)
        ).one()
        assert tip.status.value == "answered" and "tỏi" in tip.text
        assert image.ocr_text and image.ocr_confidence and len(image.pdq) == 64
        assert tip.answer["image"]["id"] == image.id


def test_private_addresses_stay_refused_by_default(
    world: None, client: TestClient, channels_on: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for n, platform in enumerate(["zalo", "messenger", "telegram"]):
        reply = send_picture(client, channels_on, platform, 10 + n)
        assert "Chúng tôi đã nhận ảnh của bạn" in reply
    assert not [c for c in channels_on.calls if c.path.startswith(("/cdn/", "/file/"))]  # never fetched
    with session_scope() as s:
        assert s.scalars(select(TipImage)).all() == []
    assert "picture not read (address)" in caplog.text and TELEGRAM_TOKEN not in caplog.text


def test_a_missing_picture_falls_back(
    world: None, client: TestClient, channels_on: FakePlatform, fake_reachable: None
) -> None:
    path, body, headers = zalo(
        USERS["zalo"], "zi99", event="user_send_image", image=f"{channels_on.base}/cdn/x"
    )
    assert client.post(path, content=body, headers=headers).status_code == 200
    replies = replies_of(channels_on, "zalo")
    assert "Chúng tôi đã nhận ảnh của bạn" in sent_text(replies[-1].body)
