"""No lost tips: every tip ends answered, warned, or linked to a claim in the desk queue.

    >>> [p.tip_id for p in audit(session)]   # tips that break the rule (``kiemchung tips audit``)  # doctest: +SKIP
    []

The engine pass (``process_pending``) keeps the rule: ``enqueue_orphans`` gives an item to a
tip that has none, and ``settle`` links every tip whose item has been processed to a claim —
the claim its item states, the claim of the post it repeats, or a new claim made of its best
sentence even when the check-worthiness score rates it low. A tip whose item is still waiting
(the engine was down) is *pending*: the next pass settles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.engine.checkworthy import (
    CLAIM_THRESHOLD,
    CLAIMS_PER_ITEM,
    ClaimCandidate,
    extract_claims,
    score_sentence,
    top_claims,
)
from kiemchung.engine.claims import cluster
from kiemchung.engine.index import SearchIndex
from kiemchung.scam.lookup import WARN_VERDICTS
from kiemchung.store.models import Claim, ClaimItem, ClaimStatus, Item, Tip, TipStatus, utcnow
from kiemchung.text import fold, normalise
from kiemchung.web.i18n import _


def item_text(item: Item) -> str:
    """The normalised text a post is judged on: its title (if any) then its body."""
    if item.norm_text:
        return item.norm_text
    parts = [p for p in (item.title, item.text) if p]
    return normalise("\n".join(parts))


def tip_candidates(norm: str) -> list[ClaimCandidate]:
    """Claim sentences of a citizen's tip. A question sent to the desk is always worth a look, so a
    tip keeps its best sentence even when no sentence reaches ``CLAIM_THRESHOLD``.

    >>> [c.text for c in tip_candidates("Có thật không ạ?")]
    ['Có thật không ạ?']
    """
    cands = extract_claims(norm, normalised=True)
    good = top_claims(cands, threshold=CLAIM_THRESHOLD, limit=CLAIMS_PER_ITEM)
    if good:
        return good
    return top_claims(cands, threshold=0.0, limit=1) or [score_sentence(norm)]


DESK_STATUSES = (TipStatus.received, TipStatus.queued, TipStatus.closed)


def _waiting(session: Session) -> list[Tip]:
    return list(
        session.scalars(
            select(Tip).where(Tip.status.in_(DESK_STATUSES), Tip.claim_id.is_(None)).order_by(Tip.id)
        )
    )


def enqueue_orphans(session: Session) -> int:
    """Give an item (the engine's input) to each desk-bound tip without one; returns how many."""
    from kiemchung.public.tipline import enqueue

    n = 0
    for tip in _waiting(session):
        if tip.item_id is None or session.get(Item, tip.item_id) is None:
            enqueue(session, tip)
            n += 1
    session.flush()
    return n


def settle(session: Session, index: SearchIndex) -> tuple[set[int], set[int]]:
    """Link every waiting tip whose item is processed to a claim; returns (new, touched) claim ids."""
    from kiemchung.public.tipline import link_tips_to_claims

    link_tips_to_claims(session)
    created: set[int] = set()
    touched: set[int] = set()
    for tip in _waiting(session):
        item = session.get(Item, tip.item_id) if tip.item_id is not None else None
        if item is None or not item.processed:
            continue  # pending: the next pass processes its item first
        claim_id = session.scalar(select(ClaimItem.claim_id).where(ClaimItem.item_id == item.id).limit(1))
        sentence, sim = "", 1.0
        if claim_id is None and item.duplicate_of_id is not None:
            # a repeat of another post: it joins that post's claim
            row = session.execute(
                select(ClaimItem.claim_id, ClaimItem.sentence)
                .where(ClaimItem.item_id == item.duplicate_of_id)
                .limit(1)
            ).first()
            if row is not None:
                claim_id, sentence = row
        if claim_id is None:
            cand = tip_candidates(item_text(item))[0]
            vectors = index.claims.embed([cand.text])
            with index.lock:
                a = cluster([cand.text], vectors, index.claims)[0]
            claim = session.get(Claim, a.claim_id) if a.claim_id is not None else None
            if claim is None:
                seen = item.published_at or item.ingested_at
                claim = Claim(
                    text=cand.text,
                    norm_text=fold(cand.text),
                    checkworthiness=cand.score,
                    features=dict(cand.features),
                    status=ClaimStatus.new,
                    first_seen=seen,
                    last_seen=seen,
                )
                session.add(claim)
                session.flush()
                index.add_claims([claim.id], [claim.text], vectors)
                created.add(claim.id)
            claim_id, sentence, sim = claim.id, cand.text, a.similarity
        if session.get(ClaimItem, (claim_id, item.id)) is None:
            session.add(ClaimItem(claim_id=claim_id, item_id=item.id, sentence=sentence, similarity=sim))
        tip.claim_id, tip.status = claim_id, TipStatus.queued
        touched.add(claim_id)
        session.flush()
    link_tips_to_claims(session)  # repeats of a tip settled above share its item
    return created, touched


@dataclass(frozen=True)
class TipProblem:
    tip_id: int
    status: str
    problem: str  # in the language of the run (``_()``)
    pending: bool = False  # only waiting for the next engine pass (within the grace period)


def audit(session: Session, *, grace: timedelta = timedelta(minutes=10)) -> list[TipProblem]:
    """Tips that are not answered (with a fact-check), warned (with a scam verdict) or on a claim.

    A tip whose item has not been processed yet and arrived less than ``grace`` ago is reported
    as ``pending`` (the engine has not had its turn), not as a failure.
    """
    now = utcnow()
    out: list[TipProblem] = []
    for tip in session.scalars(select(Tip).order_by(Tip.id)):
        st = tip.status.value
        if tip.status == TipStatus.answered:
            if tip.fact_check_id is None:
                out.append(TipProblem(tip.id, st, _("Đã trả lời nhưng thiếu bài kiểm chứng")))
            continue
        if tip.status == TipStatus.warned:
            if (tip.answer or {}).get("scam_verdict") not in WARN_VERDICTS:
                out.append(TipProblem(tip.id, st, _("Đã cảnh báo nhưng thiếu kết luận lừa đảo")))
            continue
        if tip.claim_id is not None and session.get(Claim, tip.claim_id) is not None:
            continue
        item = session.get(Item, tip.item_id) if tip.item_id is not None else None
        if item is not None and not item.processed and now - tip.received_at < grace:
            out.append(TipProblem(tip.id, st, _("Chờ lượt xử lý tiếp theo"), True))
        elif item is None:
            out.append(TipProblem(tip.id, st, _("Chưa vào hàng đợi biên tập")))
        elif not item.processed:
            out.append(TipProblem(tip.id, st, _("Chờ xử lý quá lâu")))
        else:
            out.append(TipProblem(tip.id, st, _("Không gắn với nhận định nào")))
    return out
