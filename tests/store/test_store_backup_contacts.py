"""Backups and personal data: contacts left out by default, included only encrypted with a
passphrase; deleted contacts leave tombstones (no personal data) that a restore applies, so an
older backup does not bring them back; password hashes can be left out. SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from kiemchung.public.tipline import delete_contact
from kiemchung.store.backup import DISABLED_PASSWORD, BackupError, backup, restore
from kiemchung.store.db import session_scope
from kiemchung.store.models import (
    ChannelContact,
    ContactTombstone,
    Outbox,
    Role,
    Tip,
    TipContact,
    User,
)
from kiemchung.store.tombstones import tip_contact_key

PASS = "một câu mật khẩu đủ dài"
SECRETS = ("an.nguyen@vi.du", "0987 000 111", "gAAAA-platform-user-ref", "pbkdf2-hash-of-editor")


def populate(url: str) -> None:
    with session_scope(url) as s:
        s.add(User(email="bt@kc.vn", password_hash=SECRETS[3], role=Role.editor))
        tips = [Tip(text=f"Tin số {i}", channel="web") for i in range(3)]
        s.add_all(tips)
        s.flush()
        s.add(TipContact(tip_id=tips[0].id, contact=SECRETS[0], delete_token="tok-0"))
        s.add(TipContact(tip_id=tips[1].id, contact=SECRETS[1], delete_token="tok-1"))
        s.add(TipContact(tip_id=tips[2].id, contact="ba@vi.du", delete_token="tok-2"))
        chat = ChannelContact(platform="zalo", sender_key="k" * 64, user_ref=SECRETS[2])
        s.add(chat)
        s.flush()
        s.add(Outbox(channel="zalo", contact_id=chat.id, payload={"text": "Đã nhận"}, dedupe_key="o1"))


def contacts(url: str) -> tuple[list[str], list[str]]:
    with session_scope(url) as s:
        return (
            sorted(s.scalars(select(TipContact.contact))),
            sorted(s.scalars(select(ChannelContact.user_ref))),
        )


def raw(file: Path) -> str:
    return gzip.decompress(file.read_bytes()).decode()


def test_contacts_left_out_by_default(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    file = tmp_path / "kc.jsonl.gz"
    counts = backup(file, url=db_url)
    text = raw(file)
    header = json.loads(text.splitlines()[0])
    assert header["contacts"] == "excluded" and header["password_hashes"] == "included"
    assert "tip_contact" not in counts and "channel_contact" not in counts
    for secret in SECRETS[:3]:
        assert secret not in text
    restore(file, url=db_url, force=True)
    assert contacts(db_url) == ([], [])
    with session_scope(db_url) as s:  # the pending chat reply survives without its recipient
        assert s.scalars(select(Outbox.contact_id)).one() is None
        assert s.scalars(select(Tip)).all() and s.scalars(select(User.password_hash)).one() == SECRETS[3]


def test_contacts_encrypted_with_a_passphrase(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    before = contacts(db_url)
    file = tmp_path / "kc.jsonl.gz"
    with pytest.raises(BackupError, match="mật khẩu"):
        backup(file, url=db_url, include_contacts=True, passphrase="ngắn")
    counts = backup(file, url=db_url, include_contacts=True, passphrase=PASS)
    assert counts["tip_contact"] == 3 and counts["channel_contact"] == 1
    text = raw(file)
    assert json.loads(text.splitlines()[0])["contacts"] == "encrypted"
    for secret in SECRETS[:3]:
        assert secret not in text  # nothing readable without the passphrase

    with pytest.raises(BackupError, match="Sai mật khẩu"):
        restore(file, url=db_url, force=True, passphrase="một mật khẩu khác hẳn")
    notes: dict[str, int] = {}
    restore(file, url=db_url, force=True, notes=notes)  # no passphrase: contacts skipped
    assert contacts(db_url) == ([], []) and notes["skipped_encrypted"] == 4
    restore(file, url=db_url, force=True, passphrase=PASS)
    assert contacts(db_url) == before
    with session_scope(db_url) as s:
        assert s.scalars(select(Outbox.contact_id)).one() is not None


def test_deleted_contacts_stay_deleted(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    old = tmp_path / "old.jsonl.gz"
    backup(old, url=db_url, include_contacts=True, passphrase=PASS)
    with session_scope(db_url) as s:
        assert delete_contact(s, "tok-0")  # the tipster's own deletion link (bulk delete)
        s.delete(s.scalars(select(ChannelContact)).one())  # unfollow (ORM delete)
        s.execute(delete(Tip).where(Tip.text == "Tin số 1"))  # a tip purged with its contact
    with session_scope(db_url) as s:
        stones = s.scalars(select(ContactTombstone)).all()
        assert sorted(t.kind for t in stones) == ["channel_contact", "tip_contact", "tip_contact"]
        assert tip_contact_key("tok-0") in {t.key for t in stones}
    # Tombstones hold no personal data.
    newer = tmp_path / "newer.jsonl.gz"
    backup(newer, url=db_url)
    tomb_lines = [ln for ln in raw(newer).splitlines() if '"contact_tombstone"' in ln and '"t"' in ln]
    assert len(tomb_lines) == 3
    for line in tomb_lines:
        for secret in (*SECRETS, "tok-0", "k" * 64):
            assert secret not in line

    notes: dict[str, int] = {}
    restore(old, url=db_url, force=True, passphrase=PASS, notes=notes)  # the older backup
    assert contacts(db_url) == (["ba@vi.du"], [])
    assert notes["tombstoned_contacts"] == 3
    # The restored tip whose contact was purged is back (it was in the backup), its contact is not.
    with session_scope(db_url) as s:
        assert s.scalars(select(Tip.id).where(Tip.text == "Tin số 1")).all()
        assert len(s.scalars(select(ContactTombstone)).all()) == 3  # kept through the wipe

    # A fresh database given the newer backup (which carries the tombstones) then the old one's
    # contacts: still none of the deleted ones.
    restore(newer, url=db_url, force=True)
    assert contacts(db_url) == ([], [])


def test_password_hashes_can_be_left_out(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    file = tmp_path / "kc.jsonl.gz"
    backup(file, url=db_url, without_password_hashes=True)
    text = raw(file)
    assert SECRETS[3] not in text and json.loads(text.splitlines()[0])["password_hashes"] == "excluded"
    restore(file, url=db_url, force=True)
    with session_scope(db_url) as s:
        assert s.scalars(select(User.password_hash)).one() == DISABLED_PASSWORD
