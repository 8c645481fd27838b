"""Where a tip stands, for its sender (status page, ``GET /api/v1/tips/{token}``) and for the desk.

    view = tip_view(session, find_tip(session, token))
    view.status        # "received" | "in_progress" | "answered" | "warned" | "closed"
    view.fact_check    # the published fact-check that answers it, once there is one

Answered tips count as demand on their claim: ``demand(session, claim_id)`` is how many tips asked
about it (linked to it, or answered at once with one of its fact-checks) and how many senders are
still waiting for a reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from kiemchung.public import queries
from kiemchung.public.tipline import status_url
from kiemchung.store.models import (
    Claim,
    ClaimStatus,
    FactCheck,
    FactCheckStatus,
    Outbox,
    OutboxStatus,
    Tip,
    TipContact,
    TipStatus,
)
from kiemchung.web.i18n import N_, _, translate_in

STATUS_LABELS = {
    "received": N_("Đã nhận, đang chờ biên tập viên xem"),
    "in_progress": N_("Đang được kiểm chứng"),
    "answered": N_("Đã có kết quả kiểm chứng"),
    "warned": N_("Đã cảnh báo lừa đảo"),
    "closed": N_("Đã xem xét, không làm bài kiểm chứng riêng"),
}


def claim_fact_check(session: Session, claim: Claim | None) -> FactCheck | None:
    """The published fact-check that answers ``claim``: one written for it, or one an editor attached."""
    if claim is None:
        return None
    fc = session.scalars(
        select(FactCheck)
        .where(FactCheck.claim_id == claim.id, FactCheck.status == FactCheckStatus.published)
        .order_by(FactCheck.published_at.desc(), FactCheck.id.desc())
        .limit(1)
    ).first()
    if fc is None and claim.status == ClaimStatus.checked and claim.best_match_level == "answer":
        fc = session.scalars(
            select(FactCheck).where(
                FactCheck.id == (claim.best_match_id or 0), FactCheck.status == FactCheckStatus.published
            )
        ).first()
    return fc


@dataclass
class TipView:
    token: str
    status: str
    text: str
    received_at: datetime
    fact_check: FactCheck | None = None
    suggestion: FactCheck | None = None
    warning: dict[str, Any] | None = None
    answered_at_once: bool = False  # answered automatically: "Không phải điều tôi hỏi" applies
    not_my_question: bool = False  # the sender already said it was not
    wants_reply: bool = False
    delete_token: str | None = None

    def label(self, lang: str | None = None) -> str:
        return (
            _(STATUS_LABELS[self.status]) if lang is None else translate_in(lang, STATUS_LABELS[self.status])
        )

    @property
    def status_url(self) -> str:
        return status_url(self.token)

    @property
    def delete_url(self) -> str | None:
        return queries.absolute_url(f"/gui-tin/xoa/{self.delete_token}") if self.delete_token else None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_label": self.label("vi"),
            "status_label_en": self.label("en"),
            "status_url": self.status_url,
            "received_at": self.received_at,
            "url": queries.fact_check_url(self.fact_check) if self.fact_check is not None else None,
            "fact_check_id": self.fact_check.id if self.fact_check is not None else None,
            "suggest_url": queries.fact_check_url(self.suggestion) if self.suggestion is not None else None,
            "not_my_question_url": (
                queries.absolute_url(f"/api/v1/tips/{self.token}/not-answered")
                if self.answered_at_once and not self.not_my_question
                else None
            ),
            "wants_reply": self.wants_reply,
        }


def _published(session: Session, fc_id: Any) -> FactCheck | None:
    if not isinstance(fc_id, int):
        return None
    return session.scalars(
        select(FactCheck).where(FactCheck.id == fc_id, FactCheck.status == FactCheckStatus.published)
    ).first()


def tip_view(session: Session, tip: Tip) -> TipView:
    answer = dict(tip.answer or {})
    contact = session.scalars(select(TipContact).where(TipContact.tip_id == tip.id)).first()
    view = TipView(
        token=tip.status_token or "",
        status="received",
        text=tip.text,
        received_at=tip.received_at,
        not_my_question=bool(answer.get("not_my_question")),
        wants_reply=contact is not None,
        delete_token=contact.delete_token if contact is not None else None,
    )
    if isinstance(answer.get("scam"), dict):
        view.warning = answer["scam"]  # also kept for an answer about a scam: the advice still applies
    if tip.status == TipStatus.answered:
        view.status, view.answered_at_once = "answered", True
        view.fact_check = _published(session, tip.fact_check_id)
        if view.fact_check is None:  # retracted since: the desk looks again
            view.status, view.answered_at_once = "received", False
        return view
    if tip.status == TipStatus.warned:
        view.status = "warned"
        return view
    claim = session.get(Claim, tip.claim_id) if tip.claim_id is not None else None
    view.fact_check = claim_fact_check(session, claim)
    if view.fact_check is not None and view.fact_check.id == answer.get("answered_fact_check_id"):
        view.fact_check = None  # the sender said this one was not what they asked

    if view.fact_check is not None:
        view.status = "answered"
    elif claim is not None and claim.status == ClaimStatus.dismissed:
        view.status = "closed"
    elif claim is not None and claim.status in (ClaimStatus.in_progress, ClaimStatus.checked):
        view.status = "in_progress"
    if view.fact_check is None and not view.not_my_question:
        view.suggestion = _published(session, answer.get("suggest_id"))
    return view


def demand(session: Session, claim_id: int) -> tuple[int, int]:
    """(tips that asked about the claim, senders still waiting for a reply) for the desk.

    Asked: tips linked to the claim plus tips answered at once with a fact-check of the claim.
    Waiting: tips linked to the claim whose sender left a contact and has not been replied to.
    """
    fc_ids = select(FactCheck.id).where(FactCheck.claim_id == claim_id)
    asked = session.scalar(
        select(func.count(Tip.id)).where(
            or_(
                Tip.claim_id == claim_id,
                (Tip.status == TipStatus.answered) & Tip.fact_check_id.in_(fc_ids),
            )
        )
    )
    # NOT IN over a NULL matches nothing: feedback answers sit in the same outbox without a tip
    sent = select(Outbox.tip_id).where(Outbox.status == OutboxStatus.sent, Outbox.tip_id.is_not(None))
    waiting = session.scalar(
        select(func.count(Tip.id))
        .join(TipContact, TipContact.tip_id == Tip.id)
        .where(Tip.claim_id == claim_id, Tip.id.not_in(sent))
    )
    return int(asked or 0), int(waiting or 0)


def asked_about(session: Session, fc: FactCheck) -> int:
    """How many tips asked about what this fact-check answers (shown on its public page)."""
    conds: list[ColumnElement[bool]] = [(Tip.status == TipStatus.answered) & (Tip.fact_check_id == fc.id)]
    if fc.claim_id is not None:
        conds.append(Tip.claim_id == fc.claim_id)
    return int(session.scalar(select(func.count(Tip.id)).where(or_(*conds))) or 0)
