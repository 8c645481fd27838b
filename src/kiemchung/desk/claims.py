"""One claim on the desk: its page (items, spread, matches, evidence) and the edits editors make.

Every function takes the request's session and leaves committing to the caller; each change
leaves an AuditEvent. A missing row raises :class:`NotFound`, a refused change :class:`Refused`
(bilingual message).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiemchung.desk import engine_link, replies
from kiemchung.desk.auth import WRITE
from kiemchung.desk.queue import DESK_ROLES, ClaimStats, priority, timeline_buckets, timeline_svg
from kiemchung.public import tipstatus
from kiemchung.store import models
from kiemchung.store.db import NotFound, audit
from kiemchung.store.models import ClaimStatus, FactCheckStatus, utcnow
from kiemchung.web.i18n import _

EDITABLE_STATUSES = ("new", "triaged", "in_progress", "dismissed")
PAGE_STATUSES = [ClaimStatus.triaged, ClaimStatus.in_progress, ClaimStatus.dismissed, ClaimStatus.new]


class Refused(ValueError):
    """A change the desk does not allow; ``str(exc)`` is bilingual."""


def _get(db: Session, model: type[Any], obj_id: int) -> Any:
    obj = db.get(model, obj_id)
    if obj is None:
        raise NotFound(f"{model.__name__} {obj_id}")
    return obj


def _match_rows(db: Session, claim: models.Claim) -> tuple[list[Any], bool]:
    """(match view, fact-check) pairs from the engine, else the stored best match; and engine_ok."""
    matches = engine_link.match_fact_checks(claim.text)
    if matches:
        ids = [m.fact_check_id for m in matches]
        fcs = {f.id: f for f in db.scalars(select(models.FactCheck).where(models.FactCheck.id.in_(ids)))}
        return [(m, fcs[m.fact_check_id]) for m in matches if m.fact_check_id in fcs], True
    rows: list[Any] = []
    if claim.best_match_id:
        fc = db.get(models.FactCheck, claim.best_match_id)
        if fc is not None:
            view = engine_link.MatchView(fc.id, claim.best_match_score or 0.0, claim.best_match_level)
            rows = [(view, fc)]
    return rows, matches is not None


def _evidence_rows(db: Session, text: str) -> tuple[list[tuple[models.Passage, str | None]], bool]:
    """(passage, the engine's level for it) pairs, best first; and whether the index answered."""
    ev = engine_link.evidence(text)
    if not ev:
        return [], ev is not None
    passages = {
        p.id: p
        for p in db.scalars(
            select(models.Passage)
            .where(models.Passage.id.in_([e.passage_id for e in ev]))
            .options(selectinload(models.Passage.document))
        )
    }
    return [(passages[e.passage_id], e.level) for e in ev if e.passage_id in passages], True


def claim_page(db: Session, claim_id: int, now: datetime | None = None) -> dict[str, Any]:
    """What the claim page shows: items and their timeline, priority, engine matches and evidence,
    the published fact-checks it may be attached to, assignable editors and linked fact-checks."""
    claim: models.Claim = _get(db, models.Claim, claim_id)
    links = list(
        db.scalars(
            select(models.ClaimItem)
            .where(models.ClaimItem.claim_id == claim.id)
            .options(selectinload(models.ClaimItem.item))
        )
    )
    items = sorted((ci.item for ci in links), key=lambda it: it.published_at or it.ingested_at)
    times = [it.published_at or it.ingested_at for it in items]
    unit, buckets = timeline_buckets(times)
    now = now or utcnow()
    recent = sum(1 for t in times if t >= now - timedelta(hours=24))
    prio = priority(
        ClaimStats(claim.checkworthiness or 0.0, recent, claim.engagement or 0, claim.last_seen), now
    )
    matches, engine_ok = _match_rows(db, claim)
    evidence, evidence_ok = _evidence_rows(db, claim.text)
    attachable = list(
        db.scalars(
            select(models.FactCheck)
            .where(models.FactCheck.status == FactCheckStatus.published)
            .order_by(models.FactCheck.published_at.desc())
            .limit(200)
        )
    )
    editors = list(
        db.scalars(select(models.User).where(models.User.active.is_(True), models.User.role.in_(DESK_ROLES)))
    )
    linked = list(db.scalars(select(models.FactCheck).where(models.FactCheck.claim_id == claim.id)))
    asked, waiting = tipstatus.demand(db, claim.id)
    return {
        "claim": claim,
        "items": items,
        "links": {ci.item_id: ci for ci in links},
        "timeline": timeline_svg(unit, buckets),
        "timeline_unit": unit,
        "priority": prio,
        "items_24h": recent,
        "matches": matches,
        "engine_ok": engine_ok,
        "evidence": evidence,
        "evidence_ok": evidence_ok,
        "attachable": attachable,
        "editors": editors,
        "linked": linked,
        "asked": asked,  # tips about this claim ("hỏi N lần")
        "waiting": waiting,  # tipsters waiting for a reply
        "statuses": PAGE_STATUSES,
        "topic_choices": topic_choices(db),
    }


def topic_choices(db: Session) -> list[str]:
    """Topics already in use on fact-checks and claims, for the claim page's topic field."""
    seen: dict[str, str] = {}
    for topics in db.scalars(select(models.FactCheck.topics)):
        for t in topics or []:
            seen.setdefault(t.casefold(), t)
    for ct in db.scalars(select(models.Claim.topic).where(models.Claim.topic.is_not(None)).distinct()):
        if ct:
            seen.setdefault(ct.casefold(), ct)
    return sorted(seen.values(), key=str.casefold)


def set_topic(db: Session, claim_id: int, topic: str, user: models.User) -> bool:
    """An editor's topic for the claim (empty: none); False when it was already that."""
    claim: models.Claim = _get(db, models.Claim, claim_id)
    new = " ".join(topic.split())[:80] or None
    if new == claim.topic:
        return False
    audit(db, "claim.topic", claim, user_id=user.id, data={"old": claim.topic, "new": new})
    claim.topic = new
    return True


def set_status(db: Session, claim_id: int, status: str, user: models.User) -> bool:
    """Move the claim to ``status``; False when it already had it."""
    claim: models.Claim = _get(db, models.Claim, claim_id)
    if status not in EDITABLE_STATUSES:
        raise Refused(_("Trạng thái không hợp lệ"))
    if claim.status.value == status:
        return False
    audit(db, "claim.status", claim, user_id=user.id, data={"old": claim.status.value, "new": status})
    claim.status = ClaimStatus(status)
    return True


def assign(db: Session, claim_id: int, assignee_id: int | None, user: models.User) -> None:
    """Give the claim to an active editor, reviewer or admin (``None``: nobody)."""
    claim: models.Claim = _get(db, models.Claim, claim_id)
    if assignee_id is not None:
        target = db.get(models.User, assignee_id)
        if target is None or target.role not in WRITE or not target.active:
            raise Refused(_("Người được giao không hợp lệ"))
    audit(db, "claim.assign", claim, user_id=user.id, data={"old": claim.assignee_id, "new": assignee_id})
    claim.assignee_id = assignee_id


def attach(db: Session, claim_id: int, fact_check_id: int, user: models.User) -> None:
    """Attach the claim to an existing published fact-check: it is answered, status checked."""
    claim: models.Claim = _get(db, models.Claim, claim_id)
    fc: models.FactCheck = _get(db, models.FactCheck, fact_check_id)
    if fc.status != FactCheckStatus.published:
        raise Refused(_("Chỉ gắn vào bài đã xuất bản"))
    audit(
        db,
        "claim.attach",
        claim,
        user_id=user.id,
        data={"fact_check_id": fc.id, "old": claim.status.value, "new": "checked"},
    )
    claim.best_match_id = fc.id
    claim.best_match_level = "answer"
    claim.best_match_score = max(claim.best_match_score or 0.0, 1.0) if claim.best_match_id == fc.id else 1.0
    claim.status = ClaimStatus.checked
    replies.enqueue_for_claim(db, claim, fc)  # tipsters waiting on the claim get their reply
