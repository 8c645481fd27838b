"""Scam indicators on the desk: the list of active entries and an editor's additions and removals.

The block/allow entries themselves (normalising values, provenance, the lookup snapshot) belong
to :mod:`kiemchung.scam.blocklist`; this module is what the desk page needs from it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kiemchung.scam import blocklist
from kiemchung.store import models
from kiemchung.web.i18n import _


def indicator_page(db: Session, q: str, kind: str, list_kind: str) -> dict[str, Any]:
    """Up to 300 active indicators matching the filters, desk-added ones first, and the total."""
    stmt = select(models.Indicator).where(models.Indicator.active.is_(True))
    if kind in models.IndicatorKind._value2member_map_:
        stmt = stmt.where(models.Indicator.kind == models.IndicatorKind(kind))
    if list_kind in models.ListKind._value2member_map_:
        stmt = stmt.where(models.Indicator.list_kind == models.ListKind(list_kind))
    if q.strip():
        stmt = stmt.where(models.Indicator.value.contains(q.strip().lower()))
    # Manually added ones first: those are the desk's own decisions.
    stmt = stmt.order_by(models.Indicator.feed_id.is_not(None), models.Indicator.last_seen.desc()).limit(300)
    total = db.scalar(select(func.count(models.Indicator.id)).where(models.Indicator.active.is_(True))) or 0
    return {
        "indicators": list(db.scalars(stmt.options(selectinload(models.Indicator.feed)))),
        "total": total,
        "users": {u.id: u for u in db.scalars(select(models.User))},
    }


def add(db: Session, kind: str, value: str, list_kind: str, reason: str, user: models.User) -> None:
    """List ``value``; ValueError (bilingual) for an empty reason or a value that is not a ``kind``."""
    if not reason.strip():
        raise ValueError(_("Cần ghi lý do"))
    try:
        blocklist.add_indicator(db, kind, value, list_kind, reason.strip(), user.id)
    except KeyError as exc:  # an unknown kind or list
        raise ValueError(str(exc)) from exc


def remove(db: Session, ind_id: int, reason: str, user: models.User) -> bool:
    """Deactivate the entry and its duplicates from feeds; False when there is no such indicator."""
    ind = db.get(models.Indicator, ind_id)
    if ind is None:
        return False
    if not reason.strip():
        raise ValueError(_("Cần ghi lý do"))
    try:
        blocklist.remove_indicator(
            db, ind.kind.value, ind.value, ind.list_kind.value, reason.strip(), user.id
        )
    except KeyError as exc:
        raise ValueError(str(exc)) from exc
    return True
