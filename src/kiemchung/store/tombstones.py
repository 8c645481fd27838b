"""Tombstones of deleted contacts: a deletion is remembered without the personal data it removed.

Every way a tip contact or a chat contact leaves the store — ``session.delete(contact)``, a bulk
``delete(TipContact).where(…)``, a tip deleted with its contact — leaves a ``contact_tombstone``
row holding only a SHA-256 of the contact's own key (a tip contact's deletion token, a chat
contact's platform and pseudonymous sender key). A restore applies the tombstones (those in the
backup and those already in the target database), so an older backup never brings a deleted
contact back.

    >>> len(tip_contact_key("abc")), tip_contact_key("abc") == tip_contact_key("abc")
    (64, True)
    >>> channel_contact_key("zalo", "k1") != channel_contact_key("telegram", "k1")
    True

The listeners are installed on every ORM session when ``kiemchung.store.db`` is imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session

from kiemchung.store.models import ChannelContact, ContactTombstone, Tip, TipContact, utcnow

TIP = "tip_contact"
CHANNEL = "channel_contact"


def tip_contact_key(delete_token: str) -> str:
    return hashlib.sha256(f"{TIP}\x1f{delete_token}".encode()).hexdigest()


def channel_contact_key(platform: str, sender_key: str) -> str:
    return hashlib.sha256(f"{CHANNEL}\x1f{platform}\x1f{sender_key}".encode()).hexdigest()


def record(conn: Connection | Session, rows: Iterable[tuple[str, str]]) -> None:
    """Insert ``(kind, key)`` tombstones, ignoring ones already there."""
    values = [{"kind": k, "key": key, "deleted_at": utcnow()} for k, key in set(rows)]
    if not values:
        return
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    dialect = bind.dialect.name
    ins: Any = pg_insert(ContactTombstone) if dialect == "postgresql" else sqlite_insert(ContactTombstone)
    conn.execute(ins.on_conflict_do_nothing(index_elements=["kind", "key"]), values)


def _keys_where(session: Session, entity: type[Any], where: Any) -> list[tuple[str, str]]:
    if entity is TipContact:
        stmt = select(TipContact.delete_token)
        tokens = session.execute(stmt.where(where) if where is not None else stmt).scalars()
        return [(TIP, tip_contact_key(t)) for t in tokens]
    if entity is ChannelContact:
        stmt2 = select(ChannelContact.platform, ChannelContact.sender_key)
        rows = session.execute(stmt2.where(where) if where is not None else stmt2)
        return [(CHANNEL, channel_contact_key(p, k)) for p, k in rows]
    if entity is Tip:  # a tip's contact goes with it (ON DELETE CASCADE)
        tips = select(Tip.id)
        tips = tips.where(where) if where is not None else tips
        tokens = session.execute(select(TipContact.delete_token).where(TipContact.tip_id.in_(tips))).scalars()
        return [(TIP, tip_contact_key(t)) for t in tokens]
    return []


@event.listens_for(Session, "do_orm_execute")
def _bulk_delete(state: ORMExecuteState) -> None:
    if not state.is_delete:
        return
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity not in (TipContact, ChannelContact, Tip):
        return
    stmt: Any = state.statement
    record(state.session, _keys_where(state.session, entity, stmt.whereclause))


@event.listens_for(Session, "before_flush")
def _orm_delete(session: Session, _ctx: Any, _instances: Any) -> None:
    rows: list[tuple[str, str]] = []
    for obj in session.deleted:
        if isinstance(obj, TipContact):
            rows.append((TIP, tip_contact_key(obj.delete_token)))
        elif isinstance(obj, ChannelContact):
            rows.append((CHANNEL, channel_contact_key(obj.platform, obj.sender_key)))
        elif isinstance(obj, Tip) and obj.id is not None:
            rows += _keys_where(session, TipContact, TipContact.tip_id == obj.id)
    if rows:
        record(session, rows)


def apply(conn: Connection) -> int:
    """Delete every contact that has a tombstone; the number deleted (used by restore)."""
    dead = {(k, key) for k, key in conn.execute(select(ContactTombstone.kind, ContactTombstone.key))}
    if not dead:
        return 0
    tip_ids = [
        i
        for i, token in conn.execute(select(TipContact.id, TipContact.delete_token))
        if (TIP, tip_contact_key(token)) in dead
    ]
    chat_ids = [
        i
        for i, p, k in conn.execute(
            select(ChannelContact.id, ChannelContact.platform, ChannelContact.sender_key)
        )
        if (CHANNEL, channel_contact_key(p, k)) in dead
    ]
    if tip_ids:
        conn.execute(delete(TipContact).where(TipContact.id.in_(tip_ids)))
    if chat_ids:
        conn.execute(delete(ChannelContact).where(ChannelContact.id.in_(chat_ids)))
    return len(tip_ids) + len(chat_ids)
