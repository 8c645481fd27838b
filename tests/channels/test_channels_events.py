"""Events beyond plain messages: Zalo ``follow`` (a greeting, once per person even in the same
millisecond), Messenger ``messaging_postbacks``, Telegram's tapped buttons answered with
``answerCallbackQuery``, and the channels desk page never echoing a secret."""

from __future__ import annotations

import time

import pytest
from cryptography.fernet import Fernet
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import TELEGRAM_TOKEN, messenger, sent_buttons, sent_text, telegram, zalo
from sqlalchemy import select

from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import ChannelEvent

ZALO_USERS = ("8426193057718800001", "8426193057718800002")
MESSENGER_USERS = ("27411956830088001", "27411956830088002")


def post(client: TestClient, req: tuple[str, bytes, dict[str, str]]) -> int:
    path, body, headers = req
    return client.post(path, content=body, headers=headers).status_code


def _events() -> list[tuple[str, str]]:
    with session_scope() as s:
        return [(e.event_id, e.kind) for e in s.scalars(select(ChannelEvent).order_by(ChannelEvent.id))]


def test_zalo_follow_greets_each_follower_once(client: TestClient, channels_on: FakePlatform) -> None:
    at = time.time()  # both follow in the same millisecond
    first, second = (zalo(u, "", event="follow", at=at) for u in ZALO_USERS)
    assert post(client, first) == 200
    assert post(client, second) == 200
    assert post(client, first) == 200  # Zalo's retry of the first follow
    sent = channels_on.delivered("zalo")
    assert sorted(c.body["recipient"]["user_id"] for c in sent) == sorted(ZALO_USERS)
    for call in sent:
        assert "Bàn Kiểm Chứng" in sent_text(call.body)
        assert [t for t, _ in sent_buttons(call.body)][:1] == ["Kiểm tra một tin"]
    events = _events()
    assert [kind for _, kind in events] == ["follow", "follow"]
    assert len({eid for eid, _ in events}) == 2
    assert not any(u in eid for eid, _ in events for u in ZALO_USERS)  # no raw id in the event's id


def test_messenger_postback_is_answered_once(client: TestClient, channels_on: FakePlatform) -> None:
    user = MESSENGER_USERS[0]
    req = messenger(user, "m_pb0001", payload="#check", postback=True)
    assert post(client, req) == 200
    assert post(client, req) == 200  # the platform's retry
    sent = channels_on.delivered("messenger")
    assert len(sent) == 1 and sent[0].body["recipient"]["id"] == user
    assert "nguyên văn" in sent_text(sent[0].body)
    assert _events() == [("m_pb0001", "postback")]


def test_messenger_postbacks_without_mid_from_two_people_at_once(
    client: TestClient, channels_on: FakePlatform
) -> None:
    at = time.time()
    for user in MESSENGER_USERS:
        assert post(client, messenger(user, "", payload="#link", postback=True, at=at)) == 200
    sent = channels_on.delivered("messenger")
    assert sorted(c.body["recipient"]["id"] for c in sent) == sorted(MESSENGER_USERS)
    assert all("đường link" in sent_text(c.body) for c in sent)
    assert not any(u in eid for eid, _ in _events() for u in MESSENGER_USERS)


def test_telegram_tap_is_answered_so_the_spinner_stops(client: TestClient, channels_on: FakePlatform) -> None:
    req = telegram("583920455", 910001, callback="#check")
    assert post(client, req) == 200
    assert channels_on.taps_answered() == ["cb910001"]  # the update's callback_query id
    answer = next(c for c in channels_on.calls if c.path.endswith("/answerCallbackQuery"))
    assert answer.path == f"/bot{TELEGRAM_TOKEN}/answerCallbackQuery"
    paths = [c.path.rsplit("/", 1)[1] for c in channels_on.calls]
    assert paths == ["answerCallbackQuery", "sendMessage"]  # the spinner first, then the reply
    sent = channels_on.delivered("telegram")
    assert len(sent) == 1 and "nguyên văn" in sent_text(sent[0].body)
    assert post(client, req) == 200  # Telegram's retry of the same update: nothing more
    assert channels_on.taps_answered() == ["cb910001"] and len(channels_on.delivered("telegram")) == 1
    # a plain message has no button to answer
    assert post(client, telegram("583920455", 910002, text="xin chào")) == 200
    assert channels_on.taps_answered() == ["cb910001"]


SECRETS = {
    "KIEMCHUNG_ZALO_OA_SECRET": "zOaSecret-Quokka-7781-kiwi",
    "KIEMCHUNG_ZALO_ACCESS_TOKEN": "zAccess-Pangolin-2290-lime",
    "KIEMCHUNG_ZALO_APP_SECRET": "zAppSecret-Narwhal-4412-fig",
    "KIEMCHUNG_ZALO_REFRESH_TOKEN": "zRefresh-Axolotl-9034-plum",
    "KIEMCHUNG_MESSENGER_APP_SECRET": "mAppSecret-Okapi-5528-pear",
    "KIEMCHUNG_MESSENGER_VERIFY_TOKEN": "mVerify-Tapir-6643-date",
    "KIEMCHUNG_MESSENGER_PAGE_TOKEN": "mPageToken-Dugong-1187-yuzu",
    "KIEMCHUNG_TELEGRAM_BOT_TOKEN": "7123456789:AAH-Gharial-3359-quince",
    "KIEMCHUNG_TELEGRAM_SECRET_TOKEN": "tSecret-Saola-8821-guava",
    "KIEMCHUNG_CONTACT_KEY": Fernet.generate_key().decode(),
}


def test_channels_page_never_shows_a_secret(desk_admin: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    r = desk_admin.get("/desk/channels")
    assert r.status_code == 200
    page = r.text
    assert "/webhooks/telegram" in page and "/webhooks/zalo" in page  # the page itself rendered
    for name, value in SECRETS.items():
        assert value not in page, name
        assert value[:12] not in page, name  # nor a recognisable piece of it
