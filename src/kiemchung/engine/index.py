"""The search index: derived from the store, persisted with LanceDB, served from memory.

Three LanceDB tables under ``settings.resolved_index_dir``:

- ``fact_checks`` {id, text, stamp, vector}: published fact-checks (claim_reviewed + claim_text),
- ``passages`` {id, document_id, text, vector}: evidence passages of reference documents,
- ``claims`` {id, text, vector}: claim clusters (for clustering new sentences and "similar claims").

At load the persisted vectors go straight into in-memory Matchers (hybrid dense + lexical), with no
re-embedding. Web code uses the process-wide accessor::

    from kiemchung.engine.index import get_index
    get_index().match_fact_checks(["Uống nước ấm diệt được virus corona?"], top=5)
    get_index().evidence("Hà Nội có thêm 27 ca mắc", k=5)      # [(passage_id, score), ...]
    get_index().similar_claims("Hà Nội có thêm 27 ca mắc", top=5)  # [(claim_id, score), ...]

Another process (the background worker) may write the tables; ``get_index`` notices a newer table
version (checked at most every few seconds) and reloads. ``reindex`` rebuilds everything.

One state for every process: publishing, correcting or retracting a fact-check bumps the
``index_state`` row in the same transaction (``mark_fact_checks_changed``). Each process compares
that version with the one its in-memory index last synced (at most every ``STATE_CHECK_SECONDS``,
and at its first use, so a restart after a crash catches up) and brings its in-memory fact-checks
in line with the store; the durable reindex job writes the persisted tables
(``persist_fact_checks``), so web processes never write LanceDB.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung import cache
from kiemchung.engine.claims import ClaimLibrary, embed_sorted
from kiemchung.engine.embed import Embedder, get_embedder
from kiemchung.engine.evidence import split_passages
from kiemchung.engine.match import Matcher, MatchResult, Mode
from kiemchung.store.models import Claim, Document, FactCheck, FactCheckStatus, Passage
from kiemchung.text import normalise

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
TABLES = ("fact_checks", "passages", "claims")
EMBED_BATCH = 256
RELOAD_CHECK_SECONDS = 3.0
STATE_CHECK_SECONDS = 0.5  # how often a process looks at ``index_state`` (one indexed SELECT)
STATE_NAME = "fact_checks"

Progress = Callable[[str, int, int], None]  # (table, done, total)


def fact_check_text(claim_reviewed: str, claim_text: str) -> str:
    """What a fact-check is matched on: the short claim, then its fuller wording when different."""
    a, b = (claim_reviewed or "").strip(), (claim_text or "").strip()
    if not b or b == a:
        return a
    if not a:
        return b
    return f"{a}\n{b}"


def _stamp(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _in_list(ids: Iterable[str]) -> str:
    return ", ".join("'" + i.replace("'", "''") + "'" for i in ids)


class SearchIndex:
    """Matchers for fact-checks and passages plus the claim library, mirrored to LanceDB."""

    def __init__(self, path: Path, embedder: Embedder | None) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.lock = threading.RLock()
        self.fact_checks = Matcher(embedder)
        self.passages = Matcher(embedder)
        self.claims = ClaimLibrary(embedder)
        self.fc_stamps: dict[str, str] = {}  # what this process serves
        self.fc_disk: dict[str, str] = {}  # what the persisted table holds (as far as we know)
        self.passage_docs: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self._db: Any = None
        self._checked_at = time.monotonic()
        self.state_version: int | None = None  # ``index_state.version`` last synced; None: never
        self._state_checked_at = 0.0

    # LanceDB plumbing ----------------------------------------------------------------------
    @property
    def db(self) -> Any:
        if self._db is None:
            # Lance logs a warning for every table it creates; the first index build is routine.
            os.environ.setdefault("LANCEDB_LOG", "error")
            import lancedb

            self.path.mkdir(parents=True, exist_ok=True)
            self._db = lancedb.connect(str(self.path))
        return self._db

    @property
    def embedder_name(self) -> str:
        if self.embedder is None:
            return "none"
        return str(getattr(self.embedder, "name", type(self.embedder).__name__))

    def _meta_path(self) -> Path:
        return self.path / "meta.json"

    def _write_meta(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "embedder": self.embedder_name}
        self._meta_path().write_text(json.dumps(meta), encoding="utf-8")

    def _meta_ok(self) -> bool:
        try:
            meta = json.loads(self._meta_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(meta.get("format") == FORMAT_VERSION and meta.get("embedder") == self.embedder_name)

    def _table_names(self) -> set[str]:
        db = self.db
        names = db.list_tables() if hasattr(db, "list_tables") else db.table_names()
        # lancedb >= 0.2x returns a response object with a .tables attribute
        return set(getattr(names, "tables", names))

    def _arrow(self, table: str, columns: dict[str, list[Any]], vectors: np.ndarray | None) -> pa.Table:
        data: dict[str, Any] = dict(columns)
        if vectors is not None and self.embedder is not None:
            flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
            data["vector"] = pa.FixedSizeListArray.from_arrays(flat, self.embedder.dim)
        return pa.table(data)

    def _write(self, table: str, ids: Sequence[str], data: pa.Table | None) -> None:
        """Delete ``ids`` from ``table`` then append ``data`` (the table is created when missing)."""
        if table not in self._table_names():
            if data is None or data.num_rows == 0:
                return
            tbl = self.db.create_table(table, data=data, mode="overwrite")
        else:
            tbl = self.db.open_table(table)
            for start in range(0, len(ids), 500):
                tbl.delete(f"id IN ({_in_list(ids[start : start + 500])})")
            if data is not None and data.num_rows:
                tbl.add(data)
        self.versions[table] = int(tbl.version)

    def _overwrite(self, table: str, data: pa.Table) -> None:
        tbl = self.db.create_table(table, data=data, mode="overwrite")
        self.versions[table] = int(tbl.version)

    def _disk_versions(self) -> dict[str, int]:
        out = {}
        names = self._table_names()
        for t in TABLES:
            if t in names:
                out[t] = int(self.db.open_table(t).version)
        return out

    # embedding -----------------------------------------------------------------------------
    def _embed(
        self, texts: list[str], *, query: bool = False, progress: Progress | None = None, table: str = ""
    ) -> np.ndarray | None:
        if self.embedder is None:
            return None
        fn = self.embedder.query if query else self.embedder.passage

        def report(done: int, total: int) -> None:
            if progress:
                progress(table, done, total)

        return embed_sorted(fn, texts, self.embedder.dim, report, EMBED_BATCH)

    # loading -------------------------------------------------------------------------------
    def load(self) -> bool:
        """Fill the in-memory structures from LanceDB; False when there is nothing usable on disk."""
        if not self._meta_ok():
            return False
        names = self._table_names()
        if not names & set(TABLES):
            return False
        with self.lock:
            self.fact_checks = Matcher(self.embedder)
            self.passages = Matcher(self.embedder)
            self.claims = ClaimLibrary(self.embedder)
            self.fc_stamps, self.fc_disk, self.passage_docs = {}, {}, {}
            self.state_version = None  # the tables may lag the store: sync at next use
            self._state_checked_at = 0.0
            for t in TABLES:
                if t not in names:
                    continue
                tbl = self.db.open_table(t)
                self.versions[t] = int(tbl.version)
                at = tbl.to_arrow()
                if at.num_rows == 0:
                    continue
                ids = [str(x) for x in at.column("id").to_pylist()]
                texts = [str(x) for x in at.column("text").to_pylist()]
                vecs = self._vectors(at)
                if t == "fact_checks":
                    self.fact_checks.add(ids, texts, vecs)
                    self.fc_stamps = dict(zip(ids, at.column("stamp").to_pylist(), strict=True))
                    self.fc_disk = dict(self.fc_stamps)
                elif t == "passages":
                    self.passages.add(ids, texts, vecs)
                    self.passage_docs = dict(zip(ids, at.column("document_id").to_pylist(), strict=True))
                else:
                    self.claims.add([int(i) for i in ids], texts, vecs)
        self._checked_at = time.monotonic()
        return True

    def _vectors(self, at: pa.Table) -> np.ndarray | None:
        if self.embedder is None or "vector" not in at.column_names:
            return None
        col = at.column("vector").combine_chunks()
        return np.asarray(col.values.to_numpy(zero_copy_only=False), dtype=np.float32).reshape(
            len(col), self.embedder.dim
        )

    def refresh_if_stale(self) -> None:
        """Reload when another process wrote newer table versions (checked every few seconds)."""
        now = time.monotonic()
        if now - self._checked_at < RELOAD_CHECK_SECONDS:
            return
        self._checked_at = now
        try:
            disk = self._disk_versions()
        except Exception:  # a half-written directory: keep serving what we have
            return
        if any(disk.get(t) != self.versions.get(t) for t in disk):
            log.info("search index changed on disk; reloading")
            self.load()

    # queries -------------------------------------------------------------------------------
    def match_fact_checks(self, texts: list[str], top: int = 10, mode: Mode = "hybrid") -> list[MatchResult]:
        """Published fact-checks for each text (ids are ``str(FactCheck.id)``)."""
        with self.lock:
            return self.fact_checks.match(texts, top=top, mode=mode)

    def evidence(self, text: str, k: int = 5) -> list[tuple[int, float]]:
        """Top ``k`` evidence passages for a claim: ``[(passage_id, score), ...]``."""
        res = self.evidence_match(text, k=k)
        return [] if res is None else [(int(c.id), float(c.score)) for c in res.results[:k]]

    def evidence_match(self, text: str, k: int = 5) -> MatchResult | None:
        """The passages' match result (ranking and decision); None when there are no passages."""
        with self.lock:
            if len(self.passage_docs) == 0:
                return None
            return self.passages.match([text], top=k)[0]

    def similar_claims(
        self, text: str, top: int = 5, *, exclude: int | None = None, min_score: float = 0.0
    ) -> list[tuple[int, float]]:
        """Claims most similar to ``text``: ``[(claim_id, score), ...]``, best first."""
        with self.lock:
            hits = self.claims.search([text], top=top + (1 if exclude is not None else 0))[0]
        return [(cid, s) for cid, s in hits if cid != exclude and s >= min_score][:top]

    # mutation: fact-checks -----------------------------------------------------------------
    def upsert_fact_checks(
        self, rows: Sequence[tuple[int, str]], progress: Progress | None = None, *, persist: bool = True
    ) -> int:
        """Index (or re-index) ``[(fact_check_id, text), ...]``; ``persist=False``: in memory only."""
        if not rows:
            return 0
        ids = [str(i) for i, _ in rows]
        stamps = [_stamp(t) for _, t in rows]  # of the store's text, as ``sync`` compares
        texts = [normalise(t) for _, t in rows]
        vecs = self._embed(texts, progress=progress, table="fact_checks")
        with self.lock:
            known = [i for i in ids if i in self.fc_stamps]
            if known:
                self.fact_checks.remove(known)
            self.fact_checks.add(ids, texts, vecs)
            self.fc_stamps.update(zip(ids, stamps, strict=True))
            if persist:
                cols = {"id": ids, "text": texts, "stamp": stamps}
                self._write("fact_checks", ids, self._arrow("fact_checks", cols, vecs))
                self.fc_disk.update(zip(ids, stamps, strict=True))
        return len(ids)

    def remove_fact_checks(self, ids: Iterable[int | str], *, persist: bool = True) -> int:
        """Drop fact-checks from memory and (``persist``) from the table; returns how many were there."""
        wanted = {str(i) for i in ids}
        with self.lock:
            mem = [i for i in wanted if i in self.fc_stamps]
            if mem:
                self.fact_checks.remove(mem)
                for i in mem:
                    del self.fc_stamps[i]
            disk = [i for i in wanted if i in self.fc_disk] if persist else []
            if disk:
                self._write("fact_checks", disk, None)
                for i in disk:
                    del self.fc_disk[i]
        return len(set(mem) | set(disk))

    def _published(self, session: Session) -> dict[str, str]:
        """``{id: matched text}`` of every published fact-check in the store."""
        q = select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text).where(
            FactCheck.status == FactCheckStatus.published
        )
        return {str(i): fact_check_text(cr, ct) for i, cr, ct in session.execute(q)}

    def sync_fact_checks_memory(self, session: Session) -> int:
        """Serve exactly the store's published fact-checks, without writing the persisted table.

        Every web process does this when ``index_state`` moved; returns how many entries changed.
        """
        published = self._published(session)
        gone = [i for i in self.fc_stamps if i not in published]
        changed = [(int(i), t) for i, t in published.items() if self.fc_stamps.get(i) != _stamp(t)]
        n = self.remove_fact_checks(gone, persist=False)
        return n + self.upsert_fact_checks(changed, persist=False)

    def persist_fact_checks(self, session: Session, ids: Iterable[int] | None = None) -> int:
        """Write these fact-checks (all when ``None``) to the persisted table as the store has them.

        Idempotent: compared with what the table holds, so a second run writes nothing.
        """
        published = self._published(session)
        wanted = set(published) | set(self.fc_disk) if ids is None else {str(i) for i in ids}
        gone = [i for i in wanted if i not in published and i in self.fc_disk]
        changed = [
            (int(i), published[i])
            for i in sorted(wanted)
            if i in published and self.fc_disk.get(i) != _stamp(published[i])
        ]
        n = self.remove_fact_checks(gone)
        return n + self.upsert_fact_checks(changed)

    def index_fact_checks(self, session: Session, ids: Iterable[int] | None = None) -> int:
        """(Re)index these fact-checks if published, drop them if not (retracted, unpublished)."""
        q = select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text, FactCheck.status)
        if ids is not None:
            wanted = list(ids)
            q = q.where(FactCheck.id.in_(wanted))
        rows = session.execute(q).all()
        live = [
            (r.id, fact_check_text(r.claim_reviewed, r.claim_text))
            for r in rows
            if r.status == FactCheckStatus.published
        ]
        gone = {str(r.id) for r in rows if r.status != FactCheckStatus.published}
        if ids is not None:
            gone |= {str(i) for i in wanted} - {str(r.id) for r in rows}  # deleted rows
        changed = [(i, t) for i, t in live if self.fc_disk.get(str(i)) != _stamp(t)]
        self.remove_fact_checks(gone)
        return self.upsert_fact_checks(changed)

    # mutation: documents and passages ------------------------------------------------------
    def upsert_passages(self, rows: Sequence[tuple[int, int, str]], progress: Progress | None = None) -> int:
        """Index ``[(passage_id, document_id, text), ...]``."""
        if not rows:
            return 0
        ids = [str(p) for p, _, _ in rows]
        docs = [d for _, d, _ in rows]
        texts = [normalise(t) for _, _, t in rows]
        vecs = self._embed(texts, progress=progress, table="passages")
        with self.lock:
            known = [i for i in ids if i in self.passage_docs]
            if known:
                self.passages.remove(known)
            self.passages.add(ids, texts, vecs)
            self.passage_docs.update(zip(ids, docs, strict=True))
            self._write(
                "passages",
                ids,
                self._arrow("passages", {"id": ids, "document_id": docs, "text": texts}, vecs),
            )
        return len(ids)

    def remove_passages(self, ids: Iterable[int | str]) -> int:
        with self.lock:
            sids = [str(i) for i in ids if str(i) in self.passage_docs]
            if sids:
                self.passages.remove(sids)
                for i in sids:
                    del self.passage_docs[i]
                self._write("passages", sids, None)
        return len(sids)

    def index_documents(
        self, session: Session, ids: Iterable[int] | None = None, progress: Progress | None = None
    ) -> int:
        """Split these documents into Passages when they have none yet, then index their passages."""
        q = select(Document.id, Document.text).where(~Document.passages.any())
        if ids is not None:
            q = q.where(Document.id.in_(list(ids)))
        for doc_id, text in session.execute(q).all():
            for pos, ptext in enumerate(split_passages(text)):
                session.add(Passage(document_id=doc_id, position=pos, text=ptext))
        session.flush()
        pq = select(Passage.id, Passage.document_id, Passage.text)
        if ids is not None:
            pq = pq.where(Passage.document_id.in_(list(ids)))
        rows = [
            (r.id, r.document_id, r.text) for r in session.execute(pq) if str(r.id) not in self.passage_docs
        ]
        return self.upsert_passages(rows, progress)

    # mutation: claims ----------------------------------------------------------------------
    def add_claims(self, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray | None) -> None:
        with self.lock:
            self.claims.add(list(ids), list(texts), vectors)
            sids = [str(i) for i in ids]
            self._write("claims", sids, self._arrow("claims", {"id": sids, "text": list(texts)}, vectors))

    def remove_claims(self, ids: Iterable[int]) -> None:
        with self.lock:
            gone = [i for i in ids if i in self.claims]
            if gone:
                self.claims.remove(gone)
                self._write("claims", [str(i) for i in gone], None)

    # whole-store operations ----------------------------------------------------------------
    def sync(self, session: Session) -> dict[str, int]:
        """Bring the index in line with the store: new/changed/retracted fact-checks, new documents,
        deleted passages and claims, and rows whose content changed under the same id. Cheap when
        nothing changed (ids, document ids and claim texts; no embedding)."""
        stats = {"fact_checks": 0, "passages": 0, "claims": 0, "removed": 0}
        published = {
            str(i): (cr, ct)
            for i, cr, ct in session.execute(
                select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text).where(
                    FactCheck.status == FactCheckStatus.published
                )
            )
        }
        stale = [i for i in set(self.fc_stamps) | set(self.fc_disk) if i not in published]
        stats["removed"] += self.remove_fact_checks(stale)
        changed = [
            (int(i), fact_check_text(cr, ct))
            for i, (cr, ct) in published.items()
            if self.fc_disk.get(i) != _stamp(fact_check_text(cr, ct))
            or self.fc_stamps.get(i) != _stamp(fact_check_text(cr, ct))
        ]
        stats["fact_checks"] = self.upsert_fact_checks(changed)
        # Ids alone are not enough: after a restore the same id can name another row. Passages are
        # compared by their document, claims by their text (fetched anyway).
        live_passages = {str(i): d for i, d in session.execute(select(Passage.id, Passage.document_id))}
        stats["removed"] += self.remove_passages(
            [i for i, d in self.passage_docs.items() if live_passages.get(i) != d]
        )
        stats["passages"] = self.index_documents(session)
        live_claims: dict[int, str] = {i: t for i, t in session.execute(select(Claim.id, Claim.text))}
        self.remove_claims([i for i in self.claims.ids if i not in live_claims])
        indexed = dict(zip(self.claims.ids, self.claims.texts, strict=True))
        missing = [(i, t) for i, t in live_claims.items() if indexed.get(i) != t]
        if missing:
            vecs = self.claims.embed([t for _, t in missing])
            self.add_claims([i for i, _ in missing], [t for _, t in missing], vecs)
            stats["claims"] = len(missing)
        return stats

    def rebuild(self, session: Session, progress: Progress | None = None) -> dict[str, int]:
        """Drop everything and re-derive the three tables from the store."""
        with self.lock:
            self.fact_checks = Matcher(self.embedder)
            self.passages = Matcher(self.embedder)
            self.claims = ClaimLibrary(self.embedder)
            self.fc_stamps, self.fc_disk, self.passage_docs = {}, {}, {}
            self.path.mkdir(parents=True, exist_ok=True)
            for t in TABLES:
                if t in self._table_names():
                    self.db.drop_table(t)
            self._write_meta()
            fcs = [
                (i, fact_check_text(cr, ct))
                for i, cr, ct in session.execute(
                    select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.claim_text)
                    .where(FactCheck.status == FactCheckStatus.published)
                    .order_by(FactCheck.id)
                )
            ]
            n_fc = self.upsert_fact_checks(fcs, progress)
            n_p = self.index_documents(session, None, progress)
            claims = [(i, t) for i, t in session.execute(select(Claim.id, Claim.text).order_by(Claim.id))]
            texts = [t for _, t in claims]
            vecs = self.claims.embed(
                texts, progress=(lambda d, n: progress("claims", d, n)) if progress else None
            )
            self.add_claims([i for i, _ in claims], texts, vecs)
        return {"fact_checks": n_fc, "passages": n_p, "claims": len(claims)}


# process-wide accessor ------------------------------------------------------------------------
_INDEXES = cache.register(
    "engine.index",
    ttl=None,
    doc="The process-wide SearchIndex of the configured index directory; it reloads itself when "
    "another process writes the tables (checked every RELOAD_CHECK_SECONDS), so it never expires by age.",
)
_INDEX_LOCK = threading.Lock()


def open_index(session: Session | None = None, *, path: Path | None = None) -> SearchIndex:
    """Load the persisted index, or rebuild it from the store when missing, empty or outdated."""
    from kiemchung.settings import get_settings

    settings = get_settings()
    idx = SearchIndex(path or settings.resolved_index_dir, get_embedder(settings.embedder))
    if not idx.load():
        if session is not None:
            idx.rebuild(session)
        else:
            from kiemchung.store import session_scope

            with session_scope() as s:
                idx.rebuild(s)
    return idx


def get_index(session: Session | None = None) -> SearchIndex:
    """The process-wide search index (thread-safe; reloads when another process changed it).

    ``session`` is only used when the index has to be rebuilt from the store (first use)."""
    path = _settings_index_dir()
    with _INDEX_LOCK:  # one caller loads or refreshes at a time
        idx: SearchIndex | None = _INDEXES.get(path)
        if idx is None:
            _INDEXES.invalidate()  # one index per process: the one of the configured directory
            return _INDEXES.set(path, open_index(session))
        idx.refresh_if_stale()
    sync_with_state(idx)
    return idx


def _read_state(session: Session) -> tuple[int, int]:
    from kiemchung.store.models import IndexState

    row = session.get(IndexState, STATE_NAME, populate_existing=True)
    return (row.version, row.done) if row is not None else (0, 0)


def index_state() -> tuple[int, int]:
    """``(version, done)`` of the fact-check index state: bumped by publications, reached by the job."""
    from kiemchung.store import session_scope

    with session_scope() as s:
        return _read_state(s)


def sync_with_state(idx: SearchIndex, *, force: bool = False) -> bool:
    """Bring ``idx``'s fact-checks in line with the store when ``index_state`` moved; True if it did.

    Checked at most every ``STATE_CHECK_SECONDS`` (``force`` skips the wait). A database error is
    logged and the index keeps serving what it has.
    """
    now = time.monotonic()
    if not force and now - idx._state_checked_at < STATE_CHECK_SECONDS:
        return False
    idx._state_checked_at = now
    from kiemchung.store import session_scope

    try:
        with session_scope() as s:
            version, _ = _read_state(s)
            if version == idx.state_version:
                return False
            changed = idx.sync_fact_checks_memory(s)
    except Exception:
        log.warning("index state check failed; serving the index as it is", exc_info=True)
        return False
    with idx.lock:
        idx.state_version = version
    if changed:
        log.info("index state %s: %s fact-check(s) synced in memory", version, changed)
    return True


def mark_fact_checks_changed(session: Session) -> None:
    """Bump ``index_state.version`` in the caller's transaction (publish, correct, retract)."""
    from sqlalchemy import update

    from kiemchung.store.models import IndexState, utcnow

    res = session.execute(
        update(IndexState)
        .where(IndexState.name == STATE_NAME)
        .values(version=IndexState.version + 1, updated_at=utcnow())
    )
    if not getattr(res, "rowcount", 1):
        session.add(IndexState(name=STATE_NAME, version=1, done=0, updated_at=utcnow()))


def mark_fact_checks_done(session: Session, version: int) -> None:
    """Record that the persisted index holds every change up to ``version`` (never goes back)."""
    from sqlalchemy import update

    from kiemchung.store.models import IndexState, utcnow

    session.execute(
        update(IndexState)
        .where(IndexState.name == STATE_NAME, IndexState.done < version)
        .values(done=version, updated_at=utcnow())
    )


def _settings_index_dir() -> Path:
    from kiemchung.settings import get_settings

    return Path(get_settings().resolved_index_dir)


def reset_index() -> None:
    """Forget the process-wide index (tests, or after settings change)."""
    _INDEXES.invalidate()


def reindex(progress: bool = True) -> dict[str, int]:
    """Rebuild the whole index from the store, with a progress bar on the terminal."""
    from kiemchung.settings import get_settings
    from kiemchung.store import session_scope

    settings = get_settings()
    idx = SearchIndex(settings.resolved_index_dir, get_embedder(settings.embedder))
    with session_scope() as session:
        if not progress:
            stats = idx.rebuild(session)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            ) as bar:
                tasks: dict[str, Any] = {}

                def report(table: str, done: int, total: int) -> None:
                    if table not in tasks:
                        tasks[table] = bar.add_task(table, total=total)
                    bar.update(tasks[table], completed=done, total=total)

                stats = idx.rebuild(session, report)
    with _INDEX_LOCK:
        _INDEXES.invalidate()
        _INDEXES.set(Path(settings.resolved_index_dir), idx)
    return stats
