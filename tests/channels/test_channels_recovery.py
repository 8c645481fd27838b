"""A crash loses nothing and repeats nothing: an event acknowledged but never drained, an event
whose processing died holding its lease, and an outbox row whose sender died holding its lease
are each answered exactly once by the worker's next rounds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fake_platform import FakePlatform
from fastapi.testclient import TestClient
from payloads import sent_text
from sqlalchemy import select
from test_channels_contract import PLATFORMS, hello, post

from kiemchung.channels import service
from kiemchung.desk.replies import deliver_due, run_replies
from kiemchung.store import session_scope
from kiemchung.store.models import ChannelEvent, Outbox, OutboxStatus, utcnow


class Crash(Exception):
    """The process dies here."""


def _events() -> list[str]:
    with session_scope() as s:
        return [e.status for e in s.scalars(select(ChannelEvent))]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_event_stored_but_never_drained_is_answered_once_later(
    client: TestClient, channels_on: FakePlatform, memory_queue: Any, platform: str
) -> None:
    # the webhook stores and acknowledges; its drain job is queued where nothing runs it (the crash)
    assert post(client, hello(platform, 21)) == 200
    assert _events() == ["pending"] and channels_on.calls == []
    run_replies()  # the worker's round after the restart
    sent = channels_on.delivered(platform)
    assert len(sent) == 1 and "Bàn Kiểm Chứng" in sent_text(sent[0].body)
    assert _events() == ["done"]
    service.drain()  # the drain that was queued before the crash runs late: nothing twice
    run_replies()
    assert len(channels_on.delivered(platform)) == 1
    with session_scope() as s:
        assert [r.status for r in s.scalars(select(Outbox))] == [OutboxStatus.sent]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_event_left_processing_is_picked_up_once_its_lease_expires(
    client: TestClient, channels_on: FakePlatform, memory_queue: Any, platform: str
) -> None:
    assert post(client, hello(platform, 22)) == 200
    with session_scope() as s:  # a process leased it a minute ago, then died before committing
        ev = s.scalars(select(ChannelEvent)).one()
        ev.status, ev.processed_at = "processing", utcnow() - timedelta(minutes=1)
    assert service.process_pending() == 0  # the lease still holds: nobody else takes it
    run_replies()
    assert channels_on.calls == [] and _events() == ["processing"]
    with session_scope() as s:  # the lease runs out
        s.scalars(select(ChannelEvent)).one().processed_at = utcnow() - service.LEASE - timedelta(seconds=1)
    run_replies()
    assert len(channels_on.delivered(platform)) == 1 and _events() == ["done"]
    run_replies()
    assert len(channels_on.delivered(platform)) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_outbox_row_leased_by_a_crashed_sender_is_sent_once_after_the_lease(
    client: TestClient,
    channels_on: FakePlatform,
    memory_queue: Any,
    monkeypatch: pytest.MonkeyPatch,
    platform: str,
) -> None:
    assert post(client, hello(platform, 23)) == 200
    assert service.process_pending() == 1  # the reply is in the outbox

    def dies(*args: object) -> None:
        raise Crash

    adapter = service.ADAPTERS[platform]
    real = adapter.send
    monkeypatch.setattr(adapter, "send", dies)
    t0 = utcnow()
    with pytest.raises(Crash), session_scope() as s:  # nothing after the lease is committed
        deliver_due(s, now=t0)  # leased, then the process dies in the middle of the send
    monkeypatch.setattr(adapter, "send", real)
    with session_scope() as s:
        row = s.scalars(select(Outbox)).one()
        assert row.status == OutboxStatus.pending and row.next_attempt_at == t0 + service.LEASE
        # another process (or the restarted one) right away: the lease still holds
        assert deliver_due(s, now=t0 + timedelta(minutes=1)).sent == 0
    assert channels_on.calls == []
    with session_scope() as s:
        assert deliver_due(s, now=t0 + service.LEASE + timedelta(seconds=1)).sent == 1
        assert deliver_due(s, now=t0 + 3 * service.LEASE).sent == 0
        row = s.scalars(select(Outbox)).one()
        assert row.status == OutboxStatus.sent and row.attempts == 1
    assert len(channels_on.delivered(platform)) == 1 and len(channels_on.calls) == 1
