"""The audit log page: recent events, filtered, with field diffs for edits."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.desk import factchecks
from kiemchung.store import models


def audit_page(db: Session, action: str, entity: str, user_id: str, date_from: str) -> dict[str, Any]:
    """The 300 newest events matching the filters, each with its diffs; and the filter choices."""
    stmt = (
        select(models.AuditEvent)
        .order_by(models.AuditEvent.at.desc(), models.AuditEvent.id.desc())
        .limit(300)
    )
    if action:
        stmt = stmt.where(models.AuditEvent.action.startswith(action))
    if entity:
        stmt = stmt.where(models.AuditEvent.entity_type == entity)
    if user_id.isdigit():
        stmt = stmt.where(models.AuditEvent.user_id == int(user_id))
    if date_from:
        with contextlib.suppress(ValueError):
            stmt = stmt.where(models.AuditEvent.at >= datetime.strptime(date_from, "%Y-%m-%d"))
    rows = []
    for ev in db.scalars(stmt):
        changes = ev.data.get("changes") if isinstance(ev.data, dict) else None
        diffs = (
            [(k, factchecks.FieldDiff(k, v.get("old"), v.get("new"))) for k, v in changes.items()]
            if isinstance(changes, dict)
            else []
        )
        extra = {k: v for k, v in (ev.data or {}).items() if k != "changes"}
        rows.append({"ev": ev, "diffs": diffs, "extra": extra})
    return {
        "rows": rows,
        "users": {u.id: u for u in db.scalars(select(models.User))},
        "actions": sorted({a.split(".")[0] for a in db.scalars(select(models.AuditEvent.action).distinct())}),
        "entities": sorted(e for e in db.scalars(select(models.AuditEvent.entity_type).distinct()) if e),
    }
