"""Each adapter against its webhook contract and the fake send API: good and bad signatures,
replays and stale events, a retry storm, 429 then success, dead letters, a channel switched off."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import MESSENGER_VERIFY, messenger, sent_buttons, sent_text, telegram, zalo
from sqlalchemy import func, select

from kiemchung.channels import service
from kiemchung.desk.replies import deliver_due
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import AuditEvent, ChannelContact, ChannelEvent, Outbox, OutboxStatus, utcnow

PLATFORMS = ["zalo", "messenger", "telegram"]
USERS = {"zalo": "8426193057712345601", "messenger": "27411956830020001", "telegram": "583920117"}


def hello(platform: str, n: int = 1, **kw: object):  # type: ignore[no-untyped-def]
    user = str(kw.pop("user", USERS[platform]))
    if platform == "zalo":
        return zalo(user, f"zmid{n:04d}", text=str(kw.pop("text", "xin chào")), **kw)  # type: ignore[arg-type]
    if platform == "messenger":
        return messenger(user, f"m_mid{n:04d}", text=str(kw.pop("text", "xin chào")), **kw)  # type: ignore[arg-type]
    return telegram(user, 900000 + n, text=str(kw.pop("text", "xin chào")), **kw)  # type: ignore[arg-type]


def post(client: TestClient, req) -> int:  # type: ignore[no-untyped-def]
    path, body, headers = req
    return client.post(path, content=body, headers=headers).status_code


def count(model) -> int:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_good_signature_gets_the_menu_once(
    client: TestClient, channels_on: FakePlatform, platform: str
) -> None:
    assert post(client, hello(platform)) == 200
    sent = channels_on.delivered(platform)
    assert len(sent) == 1
    assert "Bàn Kiểm Chứng" in sent_text(sent[0].body)
    titles = [t for t, _ in sent_buttons(sent[0].body)]
    assert titles[:2] == ["Kiểm tra một tin", "Link, số điện thoại"] and len(titles) == 4
    with session_scope() as s:
        row = s.scalars(select(Outbox)).one()
        assert row.status == OutboxStatus.sent and row.channel == platform and row.attempts == 1
        # nothing more is owed to this person: their encrypted id is gone already
        assert s.scalar(select(func.count(ChannelContact.id))) == 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_signature_is_refused_and_stores_nothing(
    client: TestClient, channels_on: FakePlatform, platform: str
) -> None:
    path, body, headers = hello(platform, secret="not-the-secret")
    assert client.post(path, content=body, headers=headers).status_code in (401, 403)
    if platform != "telegram":  # Telegram's secret token does not sign the body; the others do
        tampered = hello(platform)
        forged = tampered[1].replace(b"xin ch", b"xin xh")
        assert client.post(tampered[0], content=forged, headers=tampered[2]).status_code in (401, 403)
    no_header = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert no_header.status_code in (401, 403)
    assert count(ChannelEvent) == 0 and count(ChannelContact) == 0 and count(Outbox) == 0
    assert channels_on.calls == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_retry_storm_and_replay_are_processed_once(
    client: TestClient, channels_on: FakePlatform, platform: str
) -> None:
    req = hello(platform, 7)
    assert [post(client, req) for _ in range(5)] == [200] * 5
    assert count(ChannelEvent) == 1 and len(channels_on.delivered(platform)) == 1
    # the same event much later (a replay of a captured request) changes nothing either
    assert post(client, req) == 200
    assert count(ChannelEvent) == 1 and len(channels_on.delivered(platform)) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_stale_event_is_refused(client: TestClient, channels_on: FakePlatform, platform: str) -> None:
    old = time.time() - get_settings().channel_event_max_age - 60
    assert post(client, hello(platform, 8, at=old)) == 200  # acknowledged, so the platform stops retrying
    assert count(ChannelEvent) == 0 and channels_on.calls == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_429_then_success_honours_retry_after(
    client: TestClient, channels_on: FakePlatform, platform: str
) -> None:
    channels_on.plans[platform] = [429]
    channels_on.retry_after = "30"
    assert post(client, hello(platform, 9)) == 200
    with session_scope() as s:
        row = s.scalars(select(Outbox)).one()
        assert row.status == OutboxStatus.pending and row.attempts == 1 and "429" in (row.last_error or "")
        wait = (row.next_attempt_at - utcnow()).total_seconds()
        assert 25 <= wait <= 31  # Retry-After (30 s) wins over the 2 s backoff
        assert deliver_due(s).sent == 0  # not due yet
        assert deliver_due(s, now=utcnow() + timedelta(seconds=31)).sent == 1
        assert s.get(Outbox, row.id).status == OutboxStatus.sent  # type: ignore[union-attr]
        results = [
            e.data["result"]
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "channel.reply"))
        ]
        assert results == ["retried", "sent"]
    assert [c.status for c in channels_on.calls if c.platform == platform] == [429, 200]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_5xx_storm_dead_letters_with_the_reason_on_the_desk(
    client: TestClient, channels_on: FakePlatform, platform: str, desk_admin: TestClient
) -> None:
    channels_on.plans[platform] = [503] * 10
    assert post(client, hello(platform, 10)) == 200
    now = utcnow()
    with session_scope() as s:
        for _ in range(service.MAX_ATTEMPTS + 2):
            now += timedelta(seconds=service.BACKOFF_CAP_SECONDS * 1.3)
            deliver_due(s, now=now)
        row = s.scalars(select(Outbox)).one()
        assert row.status == OutboxStatus.failed and row.attempts == service.MAX_ATTEMPTS
        assert "503" in (row.last_error or "")
        assert s.scalar(select(func.count(ChannelContact.id))) == 0  # nothing owed any more
    assert len([c for c in channels_on.calls if c.platform == platform]) == service.MAX_ATTEMPTS
    page = desk_admin.get("/desk/channels").text
    assert "503" in page and "Tin trả lời không gửi được" in page


def test_channel_without_settings_is_off(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_TELEGRAM_SECRET_TOKEN", "")
    monkeypatch.setenv("KIEMCHUNG_MESSENGER_PAGE_TOKEN", "")
    get_settings.cache_clear()
    assert post(client, hello("telegram")) == 404
    assert post(client, hello("messenger")) == 404
    assert client.get("/webhooks/messenger", params={"hub.mode": "subscribe"}).status_code == 404
    assert post(client, hello("zalo")) == 200
    assert client.post("/webhooks/whatsapp", content=b"{}").status_code == 404


def test_messenger_handshake(client: TestClient) -> None:
    q = {"hub.mode": "subscribe", "hub.verify_token": MESSENGER_VERIFY, "hub.challenge": "1158201444"}
    r = client.get("/webhooks/messenger", params=q)
    assert (r.status_code, r.text) == (200, "1158201444")
    assert client.get("/webhooks/messenger", params=q | {"hub.verify_token": "wrong"}).status_code == 403


def test_zalo_expired_token_is_refreshed_once(client: TestClient, channels_on: FakePlatform) -> None:
    channels_on.zalo_token = "zalo-access-rotated"  # the configured token no longer works
    channels_on.zalo_refreshed = 0
    assert post(client, hello("zalo", 11)) == 200
    paths = [c.path for c in channels_on.calls]
    assert paths == ["/v3.0/oa/message/cs", "/oauth/v4/oa/access_token", "/v3.0/oa/message/cs"]
    refresh = channels_on.calls[1].body
    assert (
        refresh["grant_type"] == "refresh_token"
        and channels_on.calls[1].headers["secret_key"] == "zalo-app-secret"
    )
    assert len(channels_on.delivered("zalo")) == 1


def test_zalo_renewed_tokens_survive_a_restart(
    client: TestClient, channels_on: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiemchung.channels import zalo as zalo_adapter
    from kiemchung.store.models import ChannelToken

    channels_on.zalo_token = "zalo-access-rotated"  # the configured access token expired
    assert post(client, hello("zalo", 12)) == 200
    assert channels_on.zalo_refresh_ok == "r2"  # the configured "r1" is spent now
    with session_scope() as s:
        stored = s.scalars(select(ChannelToken)).one().value
    assert "zalo-access-2" not in stored and "r2" not in stored  # encrypted at rest

    monkeypatch.setattr(zalo_adapter, "_tokens", {})  # a restart: nothing in memory
    before = len(channels_on.calls)
    assert post(client, hello("zalo", 13)) == 200
    sent = channels_on.calls[before:]
    assert [(c.path, c.status) for c in sent] == [("/v3.0/oa/message/cs", 200)]
    assert sent[0].headers["access_token"] == "zalo-access-2"  # the stored token, no new refresh

    monkeypatch.setattr(zalo_adapter, "_tokens", {})  # another restart, and the token expires again
    channels_on.zalo_token = "zalo-access-expired-again"
    before = len(channels_on.calls)
    assert post(client, hello("zalo", 14)) == 200
    refresh = [c for c in channels_on.calls[before:] if "oauth" in c.path]
    assert [(c.body["refresh_token"], c.status) for c in refresh] == [("r2", 200)]  # not the spent r1
    assert channels_on.delivered("zalo")[-1].headers["access_token"] == "zalo-access-3"


def test_set_webhook_cli(channels_on: FakePlatform) -> None:
    from typer.testing import CliRunner

    from kiemchung.cli import app

    r = CliRunner().invoke(app, ["channels", "telegram", "set-webhook"])
    assert r.exit_code == 0, r.output
    call = channels_on.calls[-1]
    assert call.path.endswith("/setWebhook")
    assert call.body["url"].endswith("/webhooks/telegram") and call.body["secret_token"]
    assert call.body["secret_token"] not in r.output
