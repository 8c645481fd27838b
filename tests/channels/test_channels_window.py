"""Platform reply windows: Messenger takes a ``RESPONSE`` only within 24 hours of the person's last
message, Zalo a customer-service message only within 7 days, Telegram has no limit. A reply owed
when a fact-check is published later than that is never sent: the fake platform (which refuses
such sends as the real APIs do) receives nothing, the row is marked undeliverable with the reason,
audited, listed on ``/desk/channels``, and the tipster keeps the status page their "received"
reply linked to."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import sent_buttons, sent_text
from sqlalchemy import select
from test_channels_conversation import NEW, Chat, world  # noqa: F401  (``world`` is a fixture)

from kiemchung.channels import service
from kiemchung.channels.base import OUTSIDE_WINDOW, OutgoingMessage, SendError
from kiemchung.desk.replies import deliver_due, enqueue_replies
from kiemchung.public import queries
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import (
    AuditEvent,
    ChannelContact,
    FactCheck,
    FactCheckStatus,
    Outbox,
    OutboxStatus,
    Tip,
    TipContact,
    Verdict,
    utcnow,
)

HOUR = 3600.0
DAY = 24 * HOUR
LIMITS = {"zalo": 2000, "messenger": 2000, "telegram": 4096}
# longer than every platform's text limit: the link must still reach the phone
SUMMARY = "Sở Giao thông vận tải cho biết chưa có quy định nào như vậy. " * 80


def _received(client: TestClient, fake: FakePlatform, platform: str, idle: float) -> tuple[Chat, str, int]:
    """A tip answered "received" on ``platform``; then the person says nothing for ``idle`` seconds
    (the contact's last message, and what the fake platform knows, moved back)."""
    chat = Chat(client, fake, platform)
    received = sent_text(chat.say(NEW))
    with session_scope() as s:
        tip = s.scalars(select(Tip).where(Tip.text == NEW)).one()
        token = tip.status_token or ""
        assert token and f"/gui-tin/trang-thai/{token}" in received  # the status link, in their chat
        contact = s.scalars(select(ChannelContact)).one()
        contact.last_seen_at = utcnow() - timedelta(seconds=idle)
        claim_id = tip.claim_id
    fake.interacted(platform, chat.user, time.time() - idle)
    assert claim_id is not None
    return chat, token, claim_id


def _publish(claim_id: int) -> FactCheck:
    """A fact-check on the tip's claim is published: the reply is owed and the outbox runs."""
    with session_scope() as s:
        fc = FactCheck(
            slug="xe-khach-ve-dien-tu",
            claim_id=claim_id,
            claim_reviewed="Xe khách liên tỉnh bắt buộc vé điện tử từ tuần sau",
            claim_text=NEW,
            verdict=Verdict.false,
            summary=SUMMARY,
            body="## Kết luận\n\nChưa có quy định.",
            topics=["Giao thông"],
            status=FactCheckStatus.published,
            published_at=utcnow(),
        )
        s.add(fc)
        s.flush()
        assert enqueue_replies(s, fc) == 1
        s.commit()
        deliver_due(s)
        s.expunge(fc)
        return fc


@pytest.mark.parametrize(
    ("platform", "idle"),
    [("zalo", 6 * DAY), ("messenger", 20 * HOUR), ("telegram", 60 * DAY)],
)
def test_a_reply_within_the_window_is_sent_with_its_link(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
    platform: str,
    idle: float,
) -> None:
    chat, _, claim_id = _received(client, channels_on, platform, idle)
    before = len(channels_on.delivered(platform))
    fc = _publish(claim_id)
    later = channels_on.delivered(platform)[before:]
    assert len(later) == 1 and chat.user in str(later[0].body)
    text = sent_text(later[0].body)
    # the summary alone is longer than the platform allows: it is shortened, the link is whole
    assert len(text) <= LIMITS[platform] and text.startswith("Tin bạn gửi đã được kiểm chứng")
    assert text.rstrip().endswith(queries.fact_check_url(fc)) and "Kết luận: SAI" in text
    assert [t for t, _ in sent_buttons(later[0].body)] == ["Kiểm tra một tin"]
    with session_scope() as s:
        row = s.scalars(select(Outbox).where(Outbox.fact_check_id == fc.id)).one()
        assert row.status == OutboxStatus.sent


@pytest.mark.parametrize(("platform", "idle"), [("zalo", 8 * DAY), ("messenger", 25 * HOUR)])
def test_a_reply_after_the_window_is_never_attempted(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
    desk_admin: TestClient,
    platform: str,
    idle: float,
) -> None:
    chat, token, claim_id = _received(client, channels_on, platform, idle)
    calls = len(channels_on.calls)
    fc = _publish(claim_id)
    assert channels_on.calls[calls:] == []  # not even tried
    with session_scope() as s:
        row = s.scalars(select(Outbox).where(Outbox.fact_check_id == fc.id)).one()
        assert (row.status, row.last_error, row.attempts) == (OutboxStatus.no_channel, OUTSIDE_WINDOW, 0)
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "channel.reply").order_by(AuditEvent.id.desc())
        ).first()
        assert audit is not None and audit.data["result"] == "outside_window"
        assert audit.data["window_hours"] == {"zalo": 168, "messenger": 24}[platform]
        assert audit.data["idle_hours"] >= idle / HOUR
        # nothing can reach them on this chat any more: the contact and the encrypted id are gone
        assert list(s.scalars(select(TipContact))) == []
        assert list(s.scalars(select(ChannelContact))) == []
        assert deliver_due(s, now=utcnow() + timedelta(days=1)).sent == 0  # and it stays unsent
    assert channels_on.calls[calls:] == []
    # the tipster still reads the answer on the status page their "received" reply linked to
    status = client.get(f"/api/v1/tips/{token}").json()
    assert status["status"] == "answered" and status["url"].endswith(f"/kiem-chung/{fc.slug}")
    page = desk_admin.get("/desk/channels").text
    assert "Tin trả lời quá thời hạn của nền tảng" in page and f"#{row.id}" in page

    # the fake refuses such a send exactly as the platform does, so the silence above is ours
    adapter = service.ADAPTERS[platform]
    with pytest.raises(SendError) as refused:
        adapter.send(get_settings(), chat.user, OutgoingMessage("Kết quả kiểm chứng"))
    assert refused.value.outside_window and not refused.value.retryable
    assert {"zalo": "Zalo error -230", "messenger": "HTTP 400 code 10"}[platform] in str(refused.value)
    assert [c.status for c in channels_on.calls[calls:]] == [{"zalo": 299, "messenger": 400}[platform]]


def test_the_windows_are_settings_and_a_refusal_is_not_retried(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # set wider than Zalo's real 7 days: we try, Zalo refuses (-230), the row is settled the same way
    monkeypatch.setenv("KIEMCHUNG_ZALO_REPLY_WINDOW_HOURS", "240")
    get_settings.cache_clear()
    _, _, claim_id = _received(client, channels_on, "zalo", 8 * DAY)
    calls = len(channels_on.calls)
    fc = _publish(claim_id)
    assert [(c.path, c.status) for c in channels_on.calls[calls:]] == [("/v3.0/oa/message/cs", 299)]
    with session_scope() as s:
        row = s.scalars(select(Outbox).where(Outbox.fact_check_id == fc.id)).one()
        assert (row.status, row.last_error, row.attempts) == (OutboxStatus.no_channel, OUTSIDE_WINDOW, 1)
        deliver_due(s, now=utcnow() + timedelta(hours=1))
    assert len(channels_on.calls) == calls + 1  # not retried
    with session_scope() as s:
        assert list(s.scalars(select(ChannelContact))) == []


def test_a_narrower_window_setting_is_honoured(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIEMCHUNG_MESSENGER_REPLY_WINDOW_HOURS", "12")
    get_settings.cache_clear()
    _, _, claim_id = _received(client, channels_on, "messenger", 20 * HOUR)  # within Meta's 24 h
    calls = len(channels_on.calls)
    fc = _publish(claim_id)
    assert channels_on.calls[calls:] == []
    with session_scope() as s:
        row = s.scalars(select(Outbox).where(Outbox.fact_check_id == fc.id)).one()
        assert (row.status, row.last_error) == (OutboxStatus.no_channel, OUTSIDE_WINDOW)
