"""Relational store: models, engine/session, migrations, backup."""

from kiemchung.store import tombstones  # noqa: F401  (records deleted contacts on every session)
from kiemchung.store.db import audit, get_engine, session_scope, upgrade

__all__ = ["audit", "get_engine", "session_scope", "upgrade"]
