"""The claim pipeline: pending Items -> dedup -> claim extraction -> clusters -> fact-check matches.

    from kiemchung.engine.pipeline import process_pending
    with session_scope() as s:
        stats = process_pending(s)      # idempotent: only Items with processed=False are touched

It also keeps the search index in step with the store (published fact-checks in, retracted ones
out; new reference Documents split into Passages and indexed), so loaders only insert rows and then
call ``process_pending``. Each stage is a pure function over a batch (``dedup``, ``checkworthy``,
``claims.cluster``); this module is the I/O edge that reads and writes rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiemchung import cache
from kiemchung.engine import tips
from kiemchung.engine.checkworthy import (
    CLAIM_THRESHOLD,
    CLAIMS_PER_ITEM,
    ClaimCandidate,
    extract_claims,
    top_claims,
)
from kiemchung.engine.claims import cluster
from kiemchung.engine.dedup import Deduper, DedupHit
from kiemchung.engine.index import SearchIndex, get_index
from kiemchung.engine.match import MatchResult
from kiemchung.engine.tips import item_text, tip_candidates
from kiemchung.engine.topics import model_for as topic_model
from kiemchung.engine.topics import predict as predict_topics
from kiemchung.store.models import (
    AuditEvent,
    Claim,
    ClaimItem,
    ClaimStatus,
    FactCheck,
    FactCheckStatus,
    Item,
    ItemKind,
    MatchFeedback,
    Tip,
)
from kiemchung.text import fold, normalise
from kiemchung.web.i18n import _

log = logging.getLogger(__name__)

BATCH = 500
DEDUP_SAVE_SECONDS = 30.0
REMATCH_LIMIT = 5000  # open claims re-matched when new fact-checks are published
OPEN_STATUSES = (ClaimStatus.new, ClaimStatus.triaged, ClaimStatus.in_progress)


@dataclass
class PipelineStats:
    items: int = 0
    duplicates: int = 0
    exact_duplicates: int = 0
    claims_new: int = 0
    claims_updated: int = 0
    links: int = 0
    matched_answer: int = 0
    matched_suggest: int = 0
    fact_checks_indexed: int = 0
    passages_indexed: int = 0
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# dedup state, one per database ------------------------------------------------------------------
_DEDUP = cache.register(
    "engine.dedup",
    ttl=None,
    doc="The near-duplicate state (a Deduper) per database URL, caught up with the store on each "
    "pass; an entry's age is the time since it was last saved to dedup.pkl (DEDUP_SAVE_SECONDS).",
)
# held for a whole pass: two passes in one process must not feed the same Deduper at once
_DEDUP_LOCK = threading.Lock()


def _dedup_path() -> Path:
    from kiemchung.settings import get_settings

    return get_settings().data_dir / "dedup.pkl"


def _deduper(session: Session) -> Deduper:
    url = str(session.get_bind().engine.url)
    dd: Deduper | None = _DEDUP.get(url)
    if dd is None:
        return _DEDUP.set(url, Deduper.from_store(session, _dedup_path()))
    dd.catch_up(session)  # items another process finished since our last run
    return dd


def save_dedup(force: bool = False) -> None:
    """Persist the dedup state (lazily: at most every ``DEDUP_SAVE_SECONDS`` unless forced)."""
    for url, dd, age in _DEDUP.entries():
        if force or age >= DEDUP_SAVE_SECONDS:
            try:
                dd.save(_dedup_path())
            except OSError as exc:  # the state is rebuildable; never fail the batch over it
                log.warning("cannot save dedup state: %s", exc)
            _DEDUP.set(url, dd)  # re-stamped: the age counts from this save


def reset_state() -> None:
    """Forget in-memory dedup state (tests; after a restore)."""
    with _DEDUP_LOCK:
        _DEDUP.invalidate()


# helpers ----------------------------------------------------------------------------------------
def _seen(item: Item) -> datetime:
    return item.published_at or item.ingested_at


@contextmanager
def _bar(enabled: bool, total: int) -> Iterator[Any]:
    if not enabled or total == 0:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(_("[bold]Xử lý")), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as p:
        yield (p, p.add_task("items", total=total))


def refresh_spread(session: Session, claim_ids: Sequence[int]) -> None:
    """Recompute item_count, engagement (over distinct items) and first/last seen from the links."""
    if not claim_ids:
        return
    seen = func.coalesce(Item.published_at, Item.ingested_at)
    rows = session.execute(
        select(
            ClaimItem.claim_id,
            func.count(Item.id),
            func.coalesce(func.sum(Item.likes + Item.comments + Item.shares + Item.reactions), 0),
            func.min(seen),
            func.max(seen),
        )
        .join(Item, Item.id == ClaimItem.item_id)
        .where(ClaimItem.claim_id.in_(list(claim_ids)))
        .group_by(ClaimItem.claim_id)
    ).all()
    for cid, n, eng, first, last in rows:
        claim = session.get(Claim, cid)
        if claim is None:
            continue
        claim.item_count = int(n)
        claim.engagement = int(eng)
        if first is not None:
            claim.first_seen = min(claim.first_seen, first) if claim.first_seen else first
        if last is not None:
            claim.last_seen = max(claim.last_seen, last) if claim.last_seen else last


def match_claims(session: Session, index: SearchIndex, claims: Sequence[Claim]) -> tuple[int, int]:
    """Store each claim's best published fact-check (level "answer" or "suggest", else none).

    A claim the engine *answers* with a published fact-check is settled: a new or triaged one
    becomes "checked" (audited, by the engine), so it leaves the open queue. A claim without a
    topic gets one from the fact-checks it resembles (:func:`claim_topic`), else from the topic
    classifier trained on the fact-checks' topics (``engine.topics``), else none. A claim whose
    topic an editor set or cleared is never touched again.
    """
    if not claims:
        return 0, 0
    if len(index.fact_checks) == 0:
        for c in claims:
            c.best_match_id = c.best_match_score = c.best_match_level = None
        return 0, 0
    answers = suggests = 0
    results: list[tuple[Claim, MatchResult]] = []
    for start in range(0, len(claims), 64):
        chunk = claims[start : start + 64]
        for claim, res in zip(chunk, index.match_fact_checks([c.text for c in chunk], top=3), strict=True):
            results.append((claim, res))
            best = res.answer or res.suggest
            if best is None:
                claim.best_match_id = claim.best_match_score = claim.best_match_level = None
                continue
            claim.best_match_id = int(best)
            claim.best_match_score = round(float(res.confidence), 4)
            claim.best_match_level = "answer" if res.answer else "suggest"
            if res.answer:
                answers += 1
            else:
                suggests += 1
    _settle_answered_and_topics(session, index, results)
    return answers, suggests


def claim_topic(res: MatchResult, topics: dict[int, list[str]]) -> str | None:
    """The topic of a claim, learnt from the fact-checks' own topics (nearest neighbours).

    The matched fact-check's first topic when there is a match; else a topic shared by at least two
    of the three nearest fact-checks; else none (an honest "no topic" beats a guess).

    >>> from kiemchung.engine.match import Candidate
    >>> r = MatchResult([Candidate("1", 0.9), Candidate("2", 0.8), Candidate("3", 0.7)], None, None, 0.2)
    >>> claim_topic(r, {1: ["Y tế"], 2: ["Lừa đảo"], 3: ["Y tế", "Giáo dục"]})
    'Y tế'
    >>> claim_topic(r, {1: ["Y tế"], 2: ["Lừa đảo"], 3: ["Giáo dục"]}) is None
    True
    >>> claim_topic(MatchResult([Candidate("2", 0.9)], None, "2", 0.6), {2: ["Lừa đảo"]})
    'Lừa đảo'
    """
    best = res.answer or res.suggest
    if best is not None and topics.get(int(best)):
        return topics[int(best)][0]
    votes: dict[str, int] = {}
    for cand in res.results[:3]:
        for t in topics.get(int(cand.id), [])[:2]:
            votes[t] = votes.get(t, 0) + 1
    if not votes:
        return None
    topic, n = max(votes.items(), key=lambda kv: (kv[1], -len(kv[0])))
    return topic if n >= 2 else None


def editor_topics(session: Session, claim_ids: Iterable[int]) -> set[int]:
    """The claims whose topic an editor set or cleared (the engine never records "claim.topic")."""
    ids = list(claim_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity_type == Claim.__tablename__,
                AuditEvent.entity_id.in_(ids),
                AuditEvent.action == "claim.topic",
            )
        )
    )


def classify_topics(session: Session, index: SearchIndex, claims: Sequence[Claim]) -> int:
    """Give each of ``claims`` the topic the classifier is sure of (see ``engine.topics``).

    Returns how many got one. Nothing without an embedder (no vectors to compare).
    """
    if not claims or getattr(index, "embedder", None) is None:
        return 0
    labels = {
        i: list(t or [])
        for i, t in session.execute(
            select(FactCheck.id, FactCheck.topics).where(FactCheck.status == FactCheckStatus.published)
        )
    }
    model = topic_model(index, labels)
    vectors = (
        index.claims.vectors_for([c.id for c in claims], [c.text for c in claims])
        if model is not None
        else None
    )
    if vectors is None:
        return 0
    n = 0
    for claim, topic in zip(claims, predict_topics(model, vectors), strict=True):
        if topic:
            claim.topic = topic[:80]
            n += 1
    return n


def _settle_answered_and_topics(
    session: Session, index: SearchIndex, results: list[tuple[Claim, MatchResult]]
) -> None:
    from kiemchung.store.db import audit

    ids = {int(c.id) for _claim, res in results for c in res.results[:3]}
    ids |= {int(x) for _claim, res in results for x in (res.answer, res.suggest) if x is not None}
    rows = (
        session.execute(
            select(FactCheck.id, FactCheck.topics, FactCheck.status).where(FactCheck.id.in_(ids))
        ).all()
        if ids
        else []
    )
    topics = {i: list(t or []) for i, t, st in rows if st == FactCheckStatus.published}
    untopiced = [claim for claim, _res in results if not claim.topic]
    kept = editor_topics(session, [c.id for c in untopiced if c.id is not None])
    unsure: list[Claim] = []
    # A tipster who said "not what I asked" of this answer keeps the claim in front of the desk.
    refused = set(
        session.execute(
            select(Tip.claim_id, MatchFeedback.fact_check_id)
            .join(Tip, Tip.id == MatchFeedback.tip_id)
            .where(Tip.claim_id.in_([claim.id for claim, _res in results]))
        ).all()
    )
    for claim, res in results:
        if not claim.topic and claim.id not in kept:
            topic = claim_topic(res, topics)
            if topic:
                claim.topic = topic[:80]
            else:
                unsure.append(claim)
        if res.answer is not None and claim.status in (ClaimStatus.new, ClaimStatus.triaged):
            if int(res.answer) not in topics or (claim.id, int(res.answer)) in refused:
                continue  # only a published fact-check settles a claim, and only one not refused
            audit(
                session,
                "claim.status",
                claim,
                user_id=None,
                data={
                    "old": claim.status.value,
                    "new": "checked",
                    "by": "engine",
                    "fact_check_id": int(res.answer),
                },
            )
            claim.status = ClaimStatus.checked
    classify_topics(session, index, unsure)


# the pipeline -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Triaged:
    """One post after triage: its normalised text, duplicate status and claim sentences."""

    key: int
    norm: str
    dup: DedupHit
    claims: list[ClaimCandidate]


def triage(dd: Deduper, rows: Iterable[tuple[int, str]]) -> list[Triaged]:
    """Normalise, dedup and extract claims for a batch of ``(key, raw text)``, no embedding.

    Duplicates get no claims of their own (they share their root's).

        >>> out = triage(Deduper(), [(1, "Hôm qua Hà Nội ghi nhận 27 ca mắc mới."), (2, "hôm qua hà nội ghi nhận 27 ca mắc mới.")])
        >>> [(t.dup.duplicate_of, len(t.claims)) for t in out]
        [(None, 1), (1, 0)]
    """
    out = []
    for key, text in rows:
        norm = normalise(text)
        hit = dd.check(key, norm, normalised=True)
        cands = (
            []
            if hit.duplicate_of is not None
            else top_claims(
                extract_claims(norm, normalised=True), threshold=CLAIM_THRESHOLD, limit=CLAIMS_PER_ITEM
            )
        )
        out.append(Triaged(key, norm, hit, cands))
    return out


def process_pending(
    session: Session, *, progress: bool = False, commit_every: int | None = None, backlog: bool = True
) -> PipelineStats:
    """Process every Item with ``processed=False`` (see module docstring). Idempotent.

    ``commit_every``: commit after the index sync and after each chunk of that many items, so a
    long backlog holds SQLite's write lock for one small chunk at a time instead of the whole pass
    (tips and ingests beside it wait milliseconds, not minutes). Only for callers that own the
    session (CLI, worker, background tasks), never inside a web request.
    ``backlog=False`` only brings the index in line with the store (published fact-checks, new
    documents) and re-matches open claims, leaving pending items to the worker or the next run.
    """
    t0 = time.perf_counter()
    stats = PipelineStats()
    index = get_index(session)
    synced = index.sync(session)
    stats.fact_checks_indexed = synced["fact_checks"]
    stats.passages_indexed = synced["passages"]
    if commit_every:
        session.commit()
    batch = commit_every or BATCH

    tips.enqueue_orphans(session)  # tips stored without an item (older data, a failed intake)
    pending_ids = (
        list(session.scalars(select(Item.id).where(Item.processed.is_(False)).order_by(Item.id)))
        if backlog
        else []
    )
    touched: set[int] = set()
    created: set[int] = set()
    with _DEDUP_LOCK:
        dd = _deduper(session) if pending_ids else None
        with _bar(progress, len(pending_ids)) as bar:
            for start in range(0, len(pending_ids), batch):
                chunk_ids = pending_ids[start : start + batch]
                items = list(
                    session.scalars(
                        select(Item)
                        .where(Item.id.in_(chunk_ids), Item.processed.is_(False))
                        .order_by(Item.id)
                    )
                )
                assert dd is not None
                _process_chunk(session, index, dd, items, stats, touched, created)
                if commit_every:
                    session.commit()
                if bar is not None:
                    bar[0].update(bar[1], advance=len(chunk_ids))
        if dd is not None:
            save_dedup()

    refresh_spread(session, sorted(touched))
    to_match = [c for c in (session.get(Claim, i) for i in sorted(touched)) if c is not None]
    if synced["fact_checks"] or synced["removed"]:
        # the library changed: open claims may now have (or have lost) a match
        extra = session.scalars(
            select(Claim)
            .where(Claim.status.in_(OPEN_STATUSES), Claim.id.not_in(touched or {0}))
            .order_by(Claim.last_seen.desc())
            .limit(REMATCH_LIMIT)
        ).all()
        to_match.extend(extra)
    # every tip whose item is processed ends linked to a claim (joining one or starting one)
    tip_new, tip_touched = tips.settle(session, index)
    extra_ids = sorted(tip_touched - touched)
    refresh_spread(session, extra_ids)
    to_match.extend(c for c in (session.get(Claim, i) for i in extra_ids) if c is not None)
    created |= tip_new
    touched |= tip_touched
    stats.matched_answer, stats.matched_suggest = match_claims(session, index, to_match)
    stats.claims_new = len(created)
    stats.claims_updated = len(touched - created)
    session.flush()
    stats.seconds = round(time.perf_counter() - t0, 3)
    if stats.items:
        log.info("pipeline: %s", stats.as_dict())
    return stats


def _process_chunk(
    session: Session,
    index: SearchIndex,
    dd: Deduper,
    items: list[Item],
    stats: PipelineStats,
    touched: set[int],
    created: set[int],
) -> None:
    originals: list[tuple[Item, list[ClaimCandidate]]] = []
    duplicates: list[tuple[Item, int, float]] = []
    for item in items:
        norm = item_text(item)
        if not item.norm_text:
            item.norm_text = norm
        folded = fold(norm)
        hit = dd.check(item.id, norm, folded=folded)
        root = hit.duplicate_of
        if root is not None and root != item.id and session.get(Item, root) is not None:
            item.duplicate_of_id = root
            duplicates.append((item, root, hit.similarity))
            stats.duplicates += 1
            stats.exact_duplicates += int(hit.exact)
        else:
            item.duplicate_of_id = None
            if item.kind == ItemKind.tip:
                cands = tip_candidates(norm)
            else:
                cands = top_claims(
                    extract_claims(norm, normalised=True), threshold=CLAIM_THRESHOLD, limit=CLAIMS_PER_ITEM
                )
            originals.append((item, cands))
        item.processed = True
        stats.items += 1

    # claims of original items: cluster against the library, then within the batch
    pairs = [(item, c) for item, cands in originals for c in cands]
    texts = [c.text for _, c in pairs]
    vectors = index.claims.embed(texts) if texts else None
    with index.lock:
        assignments = cluster(texts, vectors, index.claims)
    new_claims: dict[int, Claim] = {}
    new_rows: dict[int, int] = {}  # group -> batch row that founded it
    linked: set[tuple[int, int]] = set()
    pending_links: list[tuple[Claim, Item, str, float]] = []
    for row, ((item, cand), a) in enumerate(zip(pairs, assignments, strict=True)):
        if a.claim_id is not None:
            claim = session.get(Claim, a.claim_id)
            if claim is None:  # deleted since the library was built
                continue
            if cand.score > claim.checkworthiness:
                claim.checkworthiness, claim.features = cand.score, dict(cand.features)
        else:
            assert a.new is not None
            claim = new_claims.get(a.new)  # type: ignore[assignment]
            if claim is None:
                claim = Claim(
                    text=cand.text,
                    norm_text=fold(cand.text),
                    checkworthiness=cand.score,
                    features=dict(cand.features),
                    status=ClaimStatus.new,
                    first_seen=_seen(item),
                    last_seen=_seen(item),
                )
                session.add(claim)
                new_claims[a.new] = claim
                new_rows[a.new] = row
            elif cand.score > claim.checkworthiness:
                claim.checkworthiness, claim.features = cand.score, dict(cand.features)
        pending_links.append((claim, item, cand.text, a.similarity))
    session.flush()  # ids for the new claims
    for claim, item, sentence, sim in pending_links:
        if (claim.id, item.id) in linked or session.get(ClaimItem, (claim.id, item.id)) is not None:
            continue
        linked.add((claim.id, item.id))
        session.add(ClaimItem(claim_id=claim.id, item_id=item.id, sentence=sentence, similarity=sim))
        touched.add(claim.id)
        stats.links += 1
    if new_claims:
        groups = sorted(new_claims)
        ids = [new_claims[g].id for g in groups]
        created.update(ids)
        rows = [new_rows[g] for g in groups]
        index.add_claims(
            ids, [new_claims[g].text for g in groups], vectors[rows] if vectors is not None else None
        )
    session.flush()

    # duplicates share the claims of their root: that is how reposts add to a claim's spread
    if duplicates:
        roots = {r for _, r, _ in duplicates}
        root_links: dict[int, list[tuple[int, str]]] = {}
        for cid, iid, sentence in session.execute(
            select(ClaimItem.claim_id, ClaimItem.item_id, ClaimItem.sentence).where(
                ClaimItem.item_id.in_(roots)
            )
        ):
            root_links.setdefault(iid, []).append((cid, sentence))
        for item, root, sim in duplicates:
            for cid, sentence in root_links.get(root, []):
                if (cid, item.id) in linked or session.get(ClaimItem, (cid, item.id)) is not None:
                    continue
                linked.add((cid, item.id))
                session.add(ClaimItem(claim_id=cid, item_id=item.id, sentence=sentence, similarity=sim))
                touched.add(cid)
                stats.links += 1
        session.flush()
