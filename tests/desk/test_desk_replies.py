"""The reply loop on the desk side: publishing a fact-check owes a reply to each tipster waiting
on its claim; the outbox sends it once through a real local SMTP server, retries with backoff,
audits each attempt and deletes the contact afterwards; the claim page shows the demand."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from test_desk_workflow import act, create

from kiemchung.channels import service
from kiemchung.desk import replies
from kiemchung.public.tipline import handle_tip, process_tip_queue
from kiemchung.settings import get_settings
from kiemchung.store import models, session_scope
from kiemchung.store.models import AuditEvent, Outbox, OutboxStatus, Tip, TipContact, utcnow


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("KIEMCHUNG_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    get_settings.cache_clear()
    try:
        yield inbox
    finally:
        controller.stop()


def _tip(text: str, contact: str | None) -> tuple[int, int]:
    with session_scope() as s:
        r = handle_tip(s, text, "web", contact)
        tip_id = r.tip_id
    process_tip_queue()
    with session_scope() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None and tip.claim_id is not None
        return tip.id, tip.claim_id


def _body(msg: EmailMessage) -> str:
    return str(msg.get_content())


TEXT = "Nghe nói từ tháng 7 thành phố Vinh thu phí 20.000 đồng mỗi xe máy đi vào trung tâm."


def test_publish_replies_once_by_email_and_deletes_the_contact(client_for, smtp: Inbox) -> None:  # type: ignore[no-untyped-def]
    tip_id, claim_id = _tip(TEXT, "ban.doc@example.org")
    other_id, _ = _tip(TEXT + " Có thật không?", "0901 234 567")  # joins the claim; not an e-mail
    silent_id, _ = _tip(TEXT + " Xin kiểm tra.", None)
    ed, et = client_for("editor")
    rv, rt = client_for("reviewer")
    page = ed.get(f"/desk/claims/{claim_id}").text
    assert "hỏi 3 lần" in page and "2 người chờ phản hồi" in page

    fid = create(ed, et, claim_id=str(claim_id), claim_reviewed="Vinh thu phí xe máy vào trung tâm")
    act(ed, et, fid, "submit")
    act(rv, rt, fid, "approve")
    assert act(rv, rt, fid, "publish").status_code == 200  # the background task delivers after the reply

    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["To"] == "ban.doc@example.org" and "Kết quả kiểm chứng" in str(msg["Subject"])
    body = _body(msg)
    assert (
        "Vinh thu phí xe máy vào trung tâm" in body
        and "/kiem-chung/" in body
        and "/gui-tin/trang-thai/" in body
    )
    with session_scope() as s:
        rows = {r.tip_id: r for r in s.scalars(select(Outbox))}
        assert set(rows) == {tip_id, other_id}
        assert rows[tip_id].status == OutboxStatus.sent and rows[tip_id].attempts == 1
        assert rows[other_id].status == OutboxStatus.no_channel
        # the contact is deleted once the reply is sent; the tip stays
        assert [c.tip_id for c in s.scalars(select(TipContact))] == [other_id]
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "tip.reply")))
        assert {(e.entity_id, e.data["result"]) for e in events} == {
            (tip_id, "sent"),
            (other_id, "no_channel"),
        }
        assert all("example.org" not in str(e.data) for e in events)
        fc = s.get(models.FactCheck, fid)
        assert fc is not None
        # idempotent per (tip, fact-check): enqueueing or delivering again sends nothing
        assert replies.enqueue_replies(s, fc) == 0
        replies.deliver_due(s, now=utcnow() + timedelta(days=1))
    assert len(smtp.messages) == 1
    # the status page of every tip on the claim now links the fact-check
    for t in (tip_id, other_id, silent_id):
        with session_scope() as s:
            token = s.get(Tip, t).status_token  # type: ignore[union-attr]
        st = ed.get(f"/api/v1/tips/{token}").json()
        assert st["status"] == "answered" and st["url"].endswith(f"/kiem-chung/{fc.slug}")
    # the one left is the phone contact: no channel sends to it, an editor may still call back
    assert "1 người chờ phản hồi" in ed.get(f"/desk/claims/{claim_id}").text


def test_failed_delivery_is_retried_with_backoff_then_given_up(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIEMCHUNG_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")  # nobody listens
    get_settings.cache_clear()
    tip_id, claim_id = _tip(TEXT, "ban.doc@example.org")
    with session_scope() as s:
        fc = models.FactCheck(
            slug="vinh-thu-phi",
            claim_id=claim_id,
            claim_reviewed="Vinh thu phí xe máy",
            verdict=models.Verdict.false,
            status=models.FactCheckStatus.published,
            published_at=utcnow(),
        )
        s.add(fc)
        s.flush()
        assert replies.enqueue_replies(s, fc) == 1
    now = utcnow()
    with session_scope() as s:
        replies.deliver_due(s, now=now)
        row = s.scalars(select(Outbox)).one()
        assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
        waits = [(row.next_attempt_at - now).total_seconds()]
        assert 45 <= waits[0] <= 75 and row.last_error  # 60 s, give or take the jitter
        # not due yet: nothing is tried
        replies.deliver_due(s, now=now + timedelta(seconds=30))
        assert s.scalars(select(Outbox)).one().attempts == 1
        for _ in range(2, replies.MAX_ATTEMPTS + 1):
            t = s.scalars(select(Outbox)).one().next_attempt_at
            replies.deliver_due(s, now=t)
            row = s.scalars(select(Outbox)).one()
            if row.status == OutboxStatus.pending:
                waits.append((row.next_attempt_at - t).total_seconds())
        row = s.scalars(select(Outbox)).one()
        for n, wait in enumerate(waits, 1):  # each wait doubles, within the jitter
            assert 0.75 * 60 * 2 ** (n - 1) <= wait <= 1.25 * 60 * 2 ** (n - 1)
        assert (row.status, row.attempts) == (OutboxStatus.failed, replies.MAX_ATTEMPTS)
        attempts = s.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "tip.reply", AuditEvent.entity_id == tip_id
            )
        )
        assert attempts == replies.MAX_ATTEMPTS


class _Edge(random.Random):
    """Draws always the lowest or the highest value ``uniform`` can give."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


def test_email_backoff_has_bounded_jitter() -> None:
    for n in range(1, 25):
        base = min(replies.BACKOFF_SECONDS * 2 ** (n - 1), replies.BACKOFF_CAP_SECONDS)
        low, high = replies.backoff(n, _Edge(False)), replies.backoff(n, _Edge(True))
        assert (low.total_seconds(), high.total_seconds()) == (0.75 * base, 1.25 * base)
        drawn = [replies.backoff(n, random.Random(seed)).total_seconds() for seed in range(50)]
        assert all(0.75 * base <= d <= 1.25 * base for d in drawn)
        assert len(set(drawn)) > 40  # spread out: rows that failed together do not return together
    assert replies.backoff(40, _Edge(True)) == timedelta(hours=15)  # the cap, plus its jitter
    # the same function as the chat outbox, with the chat's own base and cap
    assert service.backoff(3, rng=_Edge(False)) == 0.75 * 8 and service.backoff(3, 60, _Edge(True)) == 60


def test_contacts_are_purged_after_the_retention_period(configured: str) -> None:
    old_id, _ = _tip(TEXT, "cu@example.org")
    new_id, _ = _tip("Có tin chợ Bến Thành đóng cửa sửa chữa suốt năm 2031.", "moi@example.org")
    with session_scope() as s:
        s.scalars(select(TipContact).where(TipContact.tip_id == old_id)).one().created_at = (
            utcnow() - timedelta(days=get_settings().contact_retention_days + 1)
        )
    with session_scope() as s:
        assert replies.purge_contacts(s) == 1
    with session_scope() as s:
        assert [c.tip_id for c in s.scalars(select(TipContact))] == [new_id]
        assert s.get(Tip, old_id) is not None


def _published_fc(slug: str, claim_id: int | None = None) -> int:
    with session_scope() as s:
        fc = models.FactCheck(
            slug=slug,
            claim_id=claim_id,
            claim_reviewed="Vinh thu phí xe máy vào trung tâm",
            verdict=models.Verdict.false,
            status=models.FactCheckStatus.published,
            published_at=utcnow(),
        )
        s.add(fc)
        s.flush()
        return fc.id


def test_attaching_a_claim_to_a_published_fact_check_replies(client_for, smtp: Inbox) -> None:  # type: ignore[no-untyped-def]
    _, claim_id = _tip(TEXT, "gan@example.org")
    fid = _published_fc("vinh-thu-phi-co-san")
    ed, et = client_for("editor")
    r = ed.post(f"/desk/claims/{claim_id}/attach", data={"fact_check_id": str(fid), "csrf_token": et})
    assert r.status_code == 200
    assert [m["To"] for m in smtp.messages] == ["gan@example.org"]


def test_a_tip_joining_an_already_answered_claim_is_owed_its_reply(configured: str, smtp: Inbox) -> None:
    _, claim_id = _tip(TEXT, None)
    fid = _published_fc("vinh-thu-phi", claim_id)
    with session_scope() as s:  # the claim was answered before the next tipster wrote in
        s.get(models.Claim, claim_id).status = models.ClaimStatus.checked  # type: ignore[union-attr]
        late = handle_tip(s, TEXT + " Mong được trả lời.", "web", "muon@example.org")
        late_id = late.tip_id
        assert late.status == "received"
    process_tip_queue()  # settles the tip onto the claim, then delivers what is owed
    with session_scope() as s:
        assert s.get(Tip, late_id).claim_id == claim_id  # type: ignore[union-attr]
        assert s.scalars(select(Outbox)).one().fact_check_id == fid
    assert [m["To"] for m in smtp.messages] == ["muon@example.org"]


class _Refuses(Inbox):
    """A mail server that refuses the recipient: the SMTP error quotes the address."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 mailbox unavailable"


def test_dead_email_replies_are_on_the_channels_page_with_the_address_masked(
    client_for,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    controller = Controller(_Refuses(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setenv("KIEMCHUNG_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        get_settings.cache_clear()
        tip_id, claim_id = _tip(TEXT, "ban.doc@example.org")
        fid = _published_fc("vinh-thu-phi-that-bai", claim_id)
        with session_scope() as s:
            assert replies.enqueue_replies(s, s.get(models.FactCheck, fid)) == 1  # type: ignore[arg-type]
            # a forward to a department that failed for good as well
            s.add(
                Outbox(
                    channel="email",
                    payload={
                        "kind": "feedback_forward",
                        "thread": 7,
                        "department": "xd",
                        "to": "vanthu@sxd.vn",
                    },
                    dedupe_key="feedback_forward:7:xd",
                    status=OutboxStatus.failed,
                    attempts=replies.MAX_ATTEMPTS,
                    last_error="SMTPDataError: (554, b'vanthu@sxd.vn: message rejected')",
                )
            )
        with session_scope() as s:
            now = utcnow()
            for _ in range(replies.MAX_ATTEMPTS):
                replies.deliver_due(s, now=now)
                now += timedelta(days=1)
            row = s.scalars(select(Outbox).where(Outbox.tip_id == tip_id)).one()
            assert (row.status, row.attempts) == (OutboxStatus.failed, replies.MAX_ATTEMPTS)
            assert "ban.doc@example.org" in (row.last_error or "")  # the server quoted it back
            total, dead = replies.dead_mail(s)
            assert total == 2 and {d.to for d in dead} == {"b•••@e•••.org", "v•••@s•••.vn"}
    finally:
        controller.stop()
    admin, _ = client_for("admin")
    page = admin.get("/desk/channels").text
    assert "Thư trả lời không gửi được" in page
    assert f"#{row.id}" in page and f"#{tip_id}" in page and "550" in page and "554" in page
    assert "b•••@e•••.org" in page and "v•••@s•••.vn" in page
    assert "example.org" not in page and "ban.doc" not in page and "vanthu" not in page
