"""Feedback mail through the shared outbox: the department gets the thread, contacts get the answer
(then their address is deleted), a non-e-mail contact reads it on the page, SMTP failures retry."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from kiemchung.desk.replies import deliver_due, purge_contacts
from kiemchung.feedback import service
from kiemchung.feedback.cluster import Similarity
from kiemchung.settings import get_settings
from kiemchung.store import models, session_scope
from kiemchung.store.models import Outbox, OutboxStatus, TipContact

TEXT = "Cống thoát nước trên phố Ví Dụ bị tắc, mưa xuống là ngập trước số nhà 15."


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
def smtp(fb_users: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("KIEMCHUNG_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    get_settings.cache_clear()
    try:
        yield inbox
    finally:
        controller.stop()


def _answered_thread(fb_users: dict[str, int], contacts: list[str]) -> int:
    with session_scope() as s:
        editor, editor2 = s.get(models.User, fb_users["editor"]), s.get(models.User, fb_users["editor2"])
        assert editor and editor2
        thread = None
        for c in contacts:
            r = service.submit(
                s,
                kind="issue",
                topic="moi-truong",
                province_code=1,
                ward_code=None,
                text=TEXT,
                contact=c,
                sim=Similarity(method="lexical"),
            )
            thread = r.thread
        assert thread is not None
        service.route(s, thread.id, editor, "so-xay-dung")
        ans = service.save_answer(
            s, thread.id, editor, body="Công ty thoát nước sẽ thông cống trong tuần này."
        )
        service.review_answer(s, thread.id, ans.id, "submit", editor)
        service.review_answer(s, thread.id, ans.id, "approve", editor2)
        return thread.id


def test_department_and_contacts_are_mailed_then_addresses_deleted(
    fb_users: dict[str, int], smtp: Inbox
) -> None:
    thread_id = _answered_thread(fb_users, ["an@example.vn", "0912 345 678"])
    with session_scope() as s:
        stats = deliver_due(s)
    assert (stats.sent, stats.no_channel) == (2, 1)
    to = sorted(str(m["To"]) for m in smtp.messages)
    assert to == ["an@example.vn", "xaydung@example.gov.vn"]
    forward = next(m for m in smtp.messages if m["To"] == "xaydung@example.gov.vn")
    assert "0912" not in forward.get_content() and "an@example.vn" not in forward.get_content()
    answer = next(m for m in smtp.messages if m["To"] == "an@example.vn")
    assert "thông cống trong tuần này" in answer.get_content() and "/gop-y/y-kien/" in answer.get_content()
    with session_scope() as s:
        left = s.scalars(select(TipContact.contact).where(TipContact.feedback_id.is_not(None))).all()
        assert left == ["0912 345 678"]  # the phone cannot be mailed; it waits for its deletion or purge
        assert s.scalars(select(Outbox).where(Outbox.status == OutboxStatus.pending)).all() == []
        events = s.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "feedback.reply")
        ).all()
        assert {e.entity_id for e in events} == {thread_id} and all("@" not in str(e.data) for e in events)
        assert deliver_due(s).sent == 0  # sent once only
        assert purge_contacts(s, now=models.utcnow() + timedelta(days=365)) == 1


def test_a_joiner_after_the_answer_is_owed_it_at_once(fb_users: dict[str, int], smtp: Inbox) -> None:
    _answered_thread(fb_users, [""])
    with session_scope() as s:
        deliver_due(s)
        smtp.messages.clear()
        service.submit(
            s,
            kind="issue",
            topic="moi-truong",
            province_code=1,
            ward_code=None,
            text=TEXT,
            contact="binh@example.vn",
            sim=Similarity(method="lexical"),
        )
    with session_scope() as s:
        deliver_due(s)
    assert [m["To"] for m in smtp.messages] == ["binh@example.vn"]


def test_smtp_failure_is_retried(fb_users: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIEMCHUNG_SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")  # nobody listens
    get_settings.cache_clear()
    _answered_thread(fb_users, ["an@example.vn"])
    with session_scope() as s:
        stats = deliver_due(s)
        assert stats.retried == 2 and stats.sent == 0
        rows = s.scalars(select(Outbox)).all()
        assert all(r.status == OutboxStatus.pending and r.attempts == 1 and r.last_error for r in rows)


def test_report_command_writes_markdown_and_html(fb_users: dict[str, int], tmp_path: Path) -> None:
    from kiemchung.cli import app

    _answered_thread(fb_users, [""])
    out = tmp_path / "gop-y.md"
    r = CliRunner().invoke(app, ["report", "feedback", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Sở Xây dựng" in out.read_text("utf-8") and "<table>" in out.with_suffix(".html").read_text(
        "utf-8"
    )
    en = CliRunner().invoke(app, ["report", "feedback", "--lang", "en"])
    assert "Department of Construction" in en.output
    assert CliRunner().invoke(app, ["report", "feedback", "--month", "2026-13"]).exit_code == 2
