"""Retention of chat data: an encrypted platform id nothing is owed to any more, and the processed
events holding message text, are deleted once older than ``contact_retention_days``; whatever is
still owed keeps its contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_channels_conversation import NEW, Chat, world  # noqa: F401  (``world`` is a fixture)

from kiemchung.channels import crypto
from kiemchung.desk.replies import purge_contacts
from kiemchung.settings import get_settings
from kiemchung.store import session_scope
from kiemchung.store.models import (
    AuditEvent,
    ChannelContact,
    ChannelEvent,
    ContactTombstone,
    Outbox,
    OutboxStatus,
    Tip,
    TipContact,
    utcnow,
)
from kiemchung.store.tombstones import channel_contact_key

NOW = datetime(2031, 3, 14, 9, 30)  # the purge's clock, frozen


def _contact(user: str, *, created_days: int, seen_days: int) -> tuple[int, str]:
    with session_scope() as s:
        key = crypto.sender_key("telegram", user)
        c = ChannelContact(
            platform="telegram",
            sender_key=key,
            user_ref=crypto.encrypt(user),
            created_at=NOW - timedelta(days=created_days),
            last_seen_at=NOW - timedelta(days=seen_days),
        )
        s.add(c)
        s.flush()
        return c.id, key


def _event(n: int, status: str, days: int, contact_id: int | None = None) -> None:
    with session_scope() as s:
        s.add(
            ChannelEvent(
                platform="telegram",
                event_id=str(700000 + n),
                kind="text",
                contact_id=contact_id,
                text=f"tin nhắn số {n} về giá vàng",
                status=status,
                received_at=NOW - timedelta(days=days),
                processed_at=NOW - timedelta(days=days) if status == "done" else None,
            )
        )


def test_purge_deletes_old_chat_contacts_nothing_is_owed_to(configured: str) -> None:
    keep = get_settings().contact_retention_days
    old = keep + 5
    idle, idle_key = _contact("610000001", created_days=old, seen_days=old)
    pending, _ = _contact("610000002", created_days=old, seen_days=old)
    waiting, waiting_key = _contact("610000003", created_days=old, seen_days=old)
    recent, _ = _contact("610000004", created_days=old, seen_days=keep - 5)  # wrote again lately
    unread, _ = _contact("610000005", created_days=old, seen_days=old)
    answered, answered_key = _contact("610000006", created_days=old, seen_days=old)
    with session_scope() as s:
        s.add(
            Outbox(
                channel="telegram",
                contact_id=pending,
                payload={"text": "Đang gửi", "buttons": []},
                status=OutboxStatus.pending,
                next_attempt_at=NOW,
            )
        )
        tips = [Tip(text="Có đúng xăng giảm 3.000 đồng từ mai?", channel="telegram") for _ in range(2)]
        s.add_all(tips)
        s.flush()
        # a tip contact younger than the period still names its sender: the id stays for the reply
        s.add(
            TipContact(
                tip_id=tips[0].id,
                contact=f"telegram:{waiting_key}",
                delete_token="tok-waiting",
                created_at=NOW - timedelta(days=2),
            )
        )
        # an automatic answer's contact, as old as the period: it goes first, then the id with it
        s.add(
            TipContact(
                tip_id=tips[1].id,
                contact=f"telegram:{answered_key}",
                delete_token="tok-answered",
                created_at=NOW - timedelta(days=old),
            )
        )
    _event(1, "pending", old, unread)  # not processed yet: the sender is still owed an answer
    _event(2, "done", old, idle)
    _event(3, "done", keep - 1)
    _event(4, "processing", old)

    with session_scope() as s:
        assert purge_contacts(s, now=NOW - timedelta(days=10)) == 0  # ten days earlier: nothing is due
    with session_scope() as s:
        assert purge_contacts(s, now=NOW) == 3  # the old tip contact, then two encrypted ids
    with session_scope() as s:
        left = set(s.scalars(select(ChannelContact.id)))
        assert left == {pending, waiting, recent, unread}
        assert idle not in left and answered not in left
        assert list(s.scalars(select(TipContact.delete_token))) == ["tok-waiting"]
        events = {e.event_id: e.status for e in s.scalars(select(ChannelEvent))}
        assert events == {"700001": "pending", "700003": "done", "700004": "processing"}
        tombstones = set(s.scalars(select(ContactTombstone.key)))
        assert {channel_contact_key("telegram", k) for k in (idle_key, answered_key)} <= tombstones
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "channel.retention_purged")).one()
        assert audit.data == {"contacts": 2, "events": 1}
        assert s.scalar(select(Outbox.contact_id)) == pending


def test_a_received_tip_keeps_the_chat_id_only_for_the_retention_period(
    world: None,  # noqa: F811
    client: TestClient,
    channels_on: FakePlatform,
) -> None:
    chat = Chat(client, channels_on, "zalo")
    chat.say(NEW)  # "received": the tip waits for a fact-check, so its sender stays reachable
    keep = get_settings().contact_retention_days
    with session_scope() as s:
        assert len(list(s.scalars(select(ChannelContact)))) == 1
        assert len(list(s.scalars(select(TipContact)))) == 1
        assert [e.status for e in s.scalars(select(ChannelEvent))] == ["done"]
        assert purge_contacts(s, now=utcnow() + timedelta(days=keep - 1)) == 0
    with session_scope() as s:
        assert purge_contacts(s, now=utcnow() + timedelta(days=keep + 1)) == 2
    with session_scope() as s:
        assert list(s.scalars(select(ChannelContact))) == []
        assert list(s.scalars(select(TipContact))) == []
        assert list(s.scalars(select(ChannelEvent))) == []  # the message text is gone too
