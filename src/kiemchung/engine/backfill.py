"""Backfills: millions of old posts through the claim stages, in-process or on Ray Data.

    kiemchung backfill posts.jsonl --out var/backfill/posts          # in-process
    kiemchung backfill posts.parquet --out ... --ray-address local   # a local Ray cluster
    kiemchung backfill --from-db --ray-address ray://head:10001      # pending store items

One implementation, two runners. The stages split in two:

* ``prepare_block`` — normalise, exact and MinHash dedup keys, check-worthiness, embedding of the
  claim sentences. Pure, per post, the costly part: the Ray runner maps it over one Ray Data
  dataset of all the pending blocks with a pool of actors (one CPU and one model each, loaded once
  per run), streamed back in block order; the in-process runner calls it in a loop. Embedding is
  most of the cost, so only what the ordered stage can use is embedded: not the sentences of exact
  reposts of earlier posts, each distinct sentence once.
* ``assign_block`` — dedup decisions and claim clustering. Each post's outcome depends on every
  earlier post (the first of two reposts is the original; a sentence joins the claim an earlier
  one started), so it runs in order, on the driver, over the prepared blocks. Embeddings are
  batch-invariant, so both runners give the same claims, post for post.

Results are written per block: with ``--out DIR`` one Parquet file of posts and one of new claims
per block (``blocks/000012.parquet`` is written last and marks the block done); with ``--from-db``
one transaction per block (items marked processed, claims and links inserted, the index updated).
A crashed run resumes where it stopped: the state of the ordered step is rebuilt from the block
files (or from the store), never recomputed.

>>> rows = [(1, "Hôm qua Hà Nội ghi nhận 27 ca mắc sốt xuất huyết mới."), (2, "hom qua ha noi ghi nhan 27 ca mac sot xuat huyet moi.")]
>>> state = BackfillState.empty(embedder=None)
>>> res = assign_block(state, prepare_block(rows, embedder=None), sink=MemorySink())
>>> [(p.key, p.duplicate_of, p.claim_ids) for p in res]
[(1, None, [1]), (2, 1, [1])]
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kiemchung.engine.checkworthy import CLAIM_THRESHOLD, CLAIMS_PER_ITEM, extract_claims, top_claims
from kiemchung.engine.claims import Assignment, ClaimLibrary, cluster, embed_sorted
from kiemchung.engine.dedup import Deduper, exact_key, signature
from kiemchung.engine.embed import Embedder, get_embedder
from kiemchung.text import fold, normalise
from kiemchung.web.i18n import gettext

log = logging.getLogger(__name__)

BLOCK = 500  # posts per block: the unit of parallel work, of writing and of resuming


# the parallel stage --------------------------------------------------------------------------
@dataclass(slots=True)
class PreparedPost:
    key: int
    norm: str
    exact: int
    signature: np.ndarray | None
    claims: list[tuple[str, float, dict[str, Any]]]  # (sentence, check-worthiness, features)


@dataclass(slots=True)
class PreparedBlock:
    posts: list[PreparedPost]
    vectors: np.ndarray | None  # one row per claim sentence, posts in order
    # rows left unembedded (zeros): sentences of reposts, whose claims are their original's
    skipped: list[int] = field(default_factory=list)


class VectorCache:
    """The last ``size`` sentence embeddings by text: a sentence repeated across posts (a claim
    shared with other words around it) is embedded once per worker.

    >>> c = VectorCache(size=2)
    >>> c.put("a", np.ones(2, np.float32)); c.put("b", np.zeros(2, np.float32)); c.put("c", np.ones(2, np.float32))
    >>> c.get("a") is None, c.get("c") is not None
    (True, True)
    """

    def __init__(self, size: int = 20_000) -> None:  # ~30 MiB of 384-d vectors
        self.size = size
        self._rows: dict[str, np.ndarray] = {}

    def get(self, text: str) -> np.ndarray | None:
        row = self._rows.pop(text, None)
        if row is not None:
            self._rows[text] = row  # most recent last
        return row

    def put(self, text: str, row: np.ndarray) -> None:
        self._rows.pop(text, None)
        self._rows[text] = row
        while len(self._rows) > self.size:
            del self._rows[next(iter(self._rows))]


class SeenKeys:
    """Exact dedup keys of the last ``size`` posts with their block, oldest forgotten first: what a
    worker may skip. ``before(n)`` holds the keys of blocks before ``n`` only (a key first met in a
    later block is not an earlier post's).

    >>> s = SeenKeys(size=2); s.add([1, 2], block=0); s.add([3], block=1)
    >>> 1 in s.before(2), 2 in s.before(2), 3 in s.before(1), 3 in s.before(2)
    (False, True, False, True)
    """

    def __init__(self, size: int = 200_000) -> None:
        self.size = size
        self._keys: dict[int, int] = {}  # key -> block it was first met in

    def add(self, keys: Iterable[int], block: int) -> None:
        for k in keys:
            first = self._keys.pop(k, block)
            self._keys[k] = min(first, block)
        while len(self._keys) > self.size:
            del self._keys[next(iter(self._keys))]

    def before(self, block: int) -> Container[int]:
        return _Before(self._keys, block)


@dataclass(frozen=True, slots=True)
class _Before:
    keys: dict[int, int]
    block: int

    def __contains__(self, key: object) -> bool:
        first = self.keys.get(key)  # type: ignore[call-overload]
        return first is not None and first < self.block


def prepare_block(
    rows: Sequence[tuple[int, str]],
    embedder: Embedder | None,
    *,
    seen: Container[int] = frozenset(),
    cache: VectorCache | None = None,
    defer: bool = False,
) -> PreparedBlock:
    """Normalise, dedup keys, check-worthiness and embeddings for ``(key, raw text)`` rows.

    Pure and per post (nothing depends on other posts), so any worker may run any block.

    >>> b = prepare_block([(7, "Từ 1/7, phạt 5 triệu đồng nếu không đội mũ bảo hiểm khi đi xe đạp.")], None)
    >>> b.posts[0].key, len(b.posts[0].claims), b.vectors is None
    (7, 1, True)

    Only what the ordered stage can use is embedded: a post whose exact dedup key is in ``seen``
    (keys of earlier posts) or belongs to an earlier post of the block is a repost, its sentences
    join its original's claims, so they are left out (listed in ``skipped``); each distinct
    sentence is embedded once, and with ``cache`` once per worker. Embeddings are batch-invariant,
    so none of this changes a vector, and ``assign_block`` embeds any skipped row it does need.
    ``defer=True`` skips every row: the in-process runner embeds in the ordered stage, which knows
    exactly which posts are originals.
    """
    posts = []
    for key, text in rows:
        norm = normalise(text)
        folded = fold(norm)
        cands = top_claims(
            extract_claims(norm, normalised=True, folded=folded),
            threshold=CLAIM_THRESHOLD,
            limit=CLAIMS_PER_ITEM,
        )
        posts.append(
            PreparedPost(
                key=int(key),
                norm=norm,
                exact=exact_key(folded),
                signature=signature(folded),
                claims=[(c.text, float(c.score), dict(c.features)) for c in cands],
            )
        )
    if embedder is None:
        return PreparedBlock(posts, None)
    sentences: list[str] = []
    skipped: list[int] = []
    in_block: set[int] = set()
    for p in posts:
        repost = defer or p.exact in seen or p.exact in in_block
        in_block.add(p.exact)
        for t, _, _ in p.claims:
            if repost:
                skipped.append(len(sentences))
            sentences.append(normalise(t))
    vectors = np.zeros((len(sentences), embedder.dim), dtype=np.float32)
    skip = set(skipped)
    todo: dict[str, list[int]] = {}  # distinct sentence -> its rows
    for r, t in enumerate(sentences):
        if r in skip:
            continue
        hit = cache.get(t) if cache is not None else None
        if hit is not None:
            vectors[r] = hit
        else:
            todo.setdefault(t, []).append(r)
    if todo:
        texts = list(todo)
        fresh = embed_sorted(embedder.query, texts, embedder.dim)
        for t, vec in zip(texts, fresh, strict=True):
            vectors[todo[t]] = vec
            if cache is not None:
                cache.put(t, vec.copy())  # not a view pinning the whole batch
    return PreparedBlock(posts, vectors, skipped)


# the ordered stage ---------------------------------------------------------------------------
@dataclass(slots=True)
class PostResult:
    key: int
    norm: str
    duplicate_of: int | None
    similarity: float
    claim_ids: list[int]
    sentences: list[str]
    # per link of an original: how close its sentence is to the claim, and the sentence's
    # check-worthiness (an existing claim takes the higher score, as in the engine pass)
    similarities: list[float] = field(default_factory=list)
    scores: list[tuple[float, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class NewClaim:
    text: str
    score: float
    features: dict[str, Any]
    first_key: int
    row: int  # row of its vector in the block's vectors
    id: int = 0


class Sink(Protocol):
    """Where a block's results go; ``store_block`` gives new claims their ids and keeps them."""

    def store_block(
        self, block: int, posts: list[PostResult], claims: list[NewClaim], vectors: np.ndarray | None
    ) -> None: ...

    def allocate(self, claims: list[NewClaim]) -> None: ...


@dataclass
class BackfillState:
    """What the ordered stage remembers between blocks (rebuildable from what was written)."""

    dedup: Deduper
    library: ClaimLibrary
    root_claims: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # original -> claims
    # originals written before this run (the store): their claims, looked up on demand
    lookup_root: Callable[[int], list[tuple[int, str]]] | None = None
    # how new claims join the library (the store's runner also writes them to the search index)
    add_claims: Callable[[list[int], list[str], np.ndarray | None], None] | None = None
    # embeddings made in the ordered stage (skipped rows it needs), by sentence
    cache: VectorCache = field(default_factory=VectorCache)

    @classmethod
    def empty(cls, embedder: Embedder | None) -> BackfillState:
        return cls(Deduper(), ClaimLibrary(embedder))


def assign_block(state: BackfillState, block: PreparedBlock, sink: Sink, number: int = 0) -> list[PostResult]:
    """Dedup decisions and claim clustering for one prepared block, in order; writes it to ``sink``."""
    results: list[PostResult] = []
    originals: list[int] = []  # positions in results
    sentences: list[tuple[int, str, float, dict[str, Any]]] = []  # (result position, text, score, features)
    rows: list[int] = []  # row of each sentence in block.vectors
    row = 0
    for post in block.posts:
        hit = state.dedup.check_signature(post.key, post.exact, post.signature)
        res = PostResult(post.key, post.norm, hit.duplicate_of, hit.similarity, [], [])
        results.append(res)
        if hit.duplicate_of is None:
            originals.append(len(results) - 1)
            for text, score, feats in post.claims:
                sentences.append((len(results) - 1, text, score, feats))
                rows.append(row)
                row += 1
        else:
            row += len(post.claims)  # a duplicate's sentences were embedded but join its root's claims
    if block.vectors is not None and block.skipped:
        _embed_skipped(block, rows, state.library.embedder, state.cache)
    vectors = block.vectors[rows] if block.vectors is not None else None
    assignments: list[Assignment] = cluster([s[1] for s in sentences], vectors, state.library)
    new: dict[int, NewClaim] = {}
    for (pos, text, score, feats), a, r in zip(sentences, assignments, rows, strict=True):
        if a.claim_id is None:
            assert a.new is not None
            claim = new.get(a.new)
            if claim is None:
                new[a.new] = NewClaim(text, score, feats, results[pos].key, r)
            elif score > claim.score:
                claim.score, claim.features = score, feats
    claims = [new[g] for g in sorted(new)]
    sink.allocate(claims)
    for (pos, text, score, feats), a in zip(sentences, assignments, strict=True):
        cid = a.claim_id if a.claim_id is not None else new[a.new].id  # type: ignore[index]
        res = results[pos]
        if cid not in res.claim_ids:
            res.claim_ids.append(int(cid))
            res.sentences.append(text)
            res.similarities.append(float(a.similarity))
            res.scores.append((score, feats))
        else:  # a second sentence of the post in the same claim: only its score may count
            k = res.claim_ids.index(cid)
            if score > res.scores[k][0]:
                res.scores[k] = (score, feats)
    for pos in originals:
        res = results[pos]
        state.root_claims[res.key] = list(zip(res.claim_ids, res.sentences, strict=True))
    for res in results:
        if res.duplicate_of is not None:
            links = state.root_claims.get(res.duplicate_of)
            if links is None and state.lookup_root is not None:
                links = state.root_claims[res.duplicate_of] = state.lookup_root(res.duplicate_of)
            for cid, text in links or []:
                res.claim_ids.append(cid)
                res.sentences.append(text)
    new_vectors = block.vectors[[c.row for c in claims]] if block.vectors is not None and claims else None
    add = state.add_claims or state.library.add
    if claims:
        add([c.id for c in claims], [c.text for c in claims], new_vectors)
    sink.store_block(number, results, claims, new_vectors)
    return results


def _embed_skipped(
    block: PreparedBlock, rows: list[int], embedder: Embedder | None, cache: VectorCache
) -> None:
    """Embed the skipped rows the ordered stage needs: all of an original's with ``defer``, else
    rarely any (a repost whose original the dedup state has since forgotten). Each distinct
    sentence once, the same vectors a worker would have made."""
    assert block.vectors is not None
    need = sorted(set(rows).intersection(block.skipped))
    if not need:
        return
    assert embedder is not None, "prepared with an embedder, assigned without one"
    if not block.vectors.flags.writeable:  # as Ray hands arrays back
        block.vectors = block.vectors.copy()
    texts = [normalise(t) for p in block.posts for t, _, _ in p.claims]
    todo: dict[str, list[int]] = {}
    for r in need:
        hit = cache.get(texts[r])
        if hit is not None:
            block.vectors[r] = hit
        else:
            todo.setdefault(texts[r], []).append(r)
    if todo:
        fresh = embed_sorted(embedder.query, list(todo), embedder.dim)
        for (t, rs), vec in zip(todo.items(), fresh, strict=True):
            block.vectors[rs] = vec
            cache.put(t, vec.copy())  # not a view pinning the whole batch
    done = set(need)
    block.skipped = [r for r in block.skipped if r not in done]


class MemorySink:
    """Results kept in memory, claim ids from 1 (doctests, small runs)."""

    def __init__(self) -> None:
        self.next_id = 1
        self.posts: list[PostResult] = []
        self.claims: dict[int, NewClaim] = {}

    def allocate(self, claims: list[NewClaim]) -> None:
        for c in claims:
            c.id, self.next_id = self.next_id, self.next_id + 1

    def store_block(
        self, block: int, posts: list[PostResult], claims: list[NewClaim], vectors: np.ndarray | None
    ) -> None:
        self.posts.extend(posts)
        self.claims.update((c.id, c) for c in claims)


# sources ---------------------------------------------------------------------------------------
@dataclass
class Rejected:
    line: int
    reason: str


def read_file(path: Path, rejected: list[Rejected]) -> Iterator[tuple[int, str]]:
    """``(row number from 1, text)`` of a JSONL file (``{"text": ...}``, optional ``title``) or a
    Parquet file (a ``text`` column, optional ``title``); bad rows go to ``rejected``."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        f = pq.ParquetFile(path)
        cols = [c for c in ("title", "text") if c in f.schema_arrow.names]
        if "text" not in cols:
            raise ValueError(gettext("%(path)s: Parquet không có cột 'text'", path=path))
        n = 0
        for batch in f.iter_batches(batch_size=BLOCK * 4, columns=cols):
            data = batch.to_pydict()
            for k in range(batch.num_rows):
                n += 1
                text = "\n".join(str(data[c][k]) for c in cols if data[c][k])
                if text.strip():
                    yield n, text
                else:
                    rejected.append(Rejected(n, "empty text"))
        return
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                parts = [rec.get("title"), rec.get("text")]
            except (ValueError, AttributeError) as exc:
                rejected.append(Rejected(n, f"not a JSON object: {exc}"))
                continue
            text = "\n".join(str(p) for p in parts if p)
            if text.strip():
                yield n, text
            else:
                rejected.append(Rejected(n, "empty text"))


def blocks_of(rows: Iterable[tuple[int, str]], size: int) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Numbered blocks of ``size`` rows.

    >>> [(b, [k for k, _ in r]) for b, r in blocks_of([(1, "a"), (2, "b"), (3, "c")], 2)]
    [(0, [1, 2]), (1, [3])]
    """
    buf: list[tuple[int, str]] = []
    number = 0
    for r in rows:
        buf.append(r)
        if len(buf) == size:
            yield number, buf
            number, buf = number + 1, []
    if buf:
        yield number, buf


# runners ---------------------------------------------------------------------------------------
def run_in_process(
    blocks: Iterable[tuple[int, list[tuple[int, str]]]], embedder_name: str
) -> Iterator[tuple[int, PreparedBlock]]:
    """``prepare_block`` in a loop; the embedding is left to the ordered stage (``defer``), which
    embeds the sentences of original posts only."""
    emb = get_embedder(embedder_name)
    for number, rows in blocks:
        yield number, prepare_block(rows, emb, defer=True)


class _RayPrepare:
    """The Ray Data callable class: one per actor, it loads the embedder once (in ``__init__``) and
    prepares blocks for the whole run, keeping its sentence cache and the exact keys of the posts
    it has prepared (with ``known``, the keys of posts written before the run)."""

    def __init__(self, embedder_name: str, known: list[int]) -> None:
        self.embedder = get_embedder(embedder_name)
        self.seen = SeenKeys()
        self.seen.add(known, block=-1)
        self.cache = VectorCache()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out = []
        for number, data in zip(batch["block"], batch["rows"], strict=True):
            number = int(number)
            prepared = prepare_block(
                pickle.loads(data), self.embedder, seen=self.seen.before(number), cache=self.cache
            )
            self.seen.add((p.exact for p in prepared.posts), block=number)
            out.append(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        return {"block": [int(b) for b in batch["block"]], "prepared": out}


def start_ray(address: str, workers: int) -> None:
    """Connect to ``address`` (``local``: start a local cluster of ``workers`` CPUs)."""
    import ray

    if ray.is_initialized():
        return
    if address == "local":
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)


def run_on_ray(
    blocks: Iterable[tuple[int, list[tuple[int, str]]]],
    embedder_name: str,
    workers: int,
    known: Iterable[int] = (),
) -> Iterator[tuple[int, PreparedBlock]]:
    """``prepare_block`` on Ray Data: one dataset over all the pending blocks, mapped by a pool of
    ``workers`` actors (one CPU and one model each, for the whole run), streamed back in block order.

    ``known``: exact keys of posts written before the run, whose reposts the workers need not embed.
    Ray gives an actor of one CPU one OpenMP thread, so the workers do not fight over the cores.
    """
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    order: list[int] = []
    items: list[dict[str, Any]] = []
    for b, r in blocks:
        order.append(b)
        items.append({"block": b, "rows": pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)})
    if not items:
        return
    ds = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        _RayPrepare,
        fn_constructor_args=(embedder_name, list(known)[-SeenKeys().size :]),
        batch_size=1,
        concurrency=max(1, workers),
        num_cpus=1,
    )
    del items  # the rows now live in Ray's object store
    early: dict[int, PreparedBlock] = {}  # arrived before their turn (not with preserve_order)
    nxt = 0
    for row in ds.iter_rows():
        early[int(row["block"])] = pickle.loads(row["prepared"])
        while nxt < len(order) and order[nxt] in early:
            yield order[nxt], early.pop(order[nxt])
            nxt += 1


# the output directory ------------------------------------------------------------------------------
class DirSink:
    """Parquet per block under ``out``: ``claims/NNNNNN.parquet`` then ``blocks/NNNNNN.parquet``
    (the commit marker), and ``claims.parquet`` / ``posts.parquet`` once the run is complete."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / "blocks").mkdir(parents=True, exist_ok=True)
        (out / "claims").mkdir(parents=True, exist_ok=True)
        self.next_id = 1

    def block_path(self, kind: str, number: int) -> Path:
        return self.out / kind / f"{number:06d}.parquet"

    def done_blocks(self) -> list[int]:
        """Blocks finished by an earlier run: the unbroken run of block files from 0."""
        have = {int(p.stem) for p in (self.out / "blocks").glob("*.parquet")}
        n = 0
        while n in have:
            n += 1
        return list(range(n))

    def allocate(self, claims: list[NewClaim]) -> None:
        for c in claims:
            c.id, self.next_id = self.next_id, self.next_id + 1

    def _write(self, table: Any, path: Path) -> None:
        import pyarrow.parquet as pq

        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        tmp.replace(path)

    def store_block(
        self, block: int, posts: list[PostResult], claims: list[NewClaim], vectors: np.ndarray | None
    ) -> None:
        import pyarrow as pa

        cols: dict[str, Any] = {
            "id": pa.array([c.id for c in claims], pa.int64()),
            "text": pa.array([c.text for c in claims], pa.string()),
            "checkworthiness": pa.array([c.score for c in claims], pa.float64()),
            "features": pa.array([json.dumps(c.features, sort_keys=True) for c in claims], pa.string()),
            "first_key": pa.array([c.first_key for c in claims], pa.int64()),
        }
        if vectors is not None:
            cols["vector"] = pa.array(list(np.asarray(vectors, dtype=np.float32)), pa.list_(pa.float32()))
        self._write(pa.table(cols), self.block_path("claims", block))
        self._write(
            pa.table(
                {
                    "key": [p.key for p in posts],
                    "norm_text": [p.norm for p in posts],
                    "duplicate_of": pa.array([p.duplicate_of for p in posts], pa.int64()),
                    "similarity": [p.similarity for p in posts],
                    "claim_ids": pa.array([p.claim_ids for p in posts], pa.list_(pa.int64())),
                    "sentences": pa.array([p.sentences for p in posts], pa.list_(pa.string())),
                }
            ),
            self.block_path("blocks", block),
        )

    def replay(self, state: BackfillState, blocks: list[int], rows: dict[int, PreparedPost]) -> None:
        """Rebuild ``state`` from finished blocks (``rows``: their prepared dedup keys by post key)."""
        import pyarrow.parquet as pq

        for b in blocks:
            claims = pq.read_table(self.block_path("claims", b)).to_pydict()
            vecs = np.asarray(claims["vector"], dtype=np.float32) if "vector" in claims else None
            if claims["id"]:
                state.library.add(claims["id"], claims["text"], vecs)
                self.next_id = max(self.next_id, max(claims["id"]) + 1)
            posts = pq.read_table(self.block_path("blocks", b)).to_pydict()
            for k, dup, cids, sents in zip(
                posts["key"], posts["duplicate_of"], posts["claim_ids"], posts["sentences"], strict=True
            ):
                p = rows[k]
                if dup is None:
                    state.dedup.check_signature(k, p.exact, p.signature)
                    state.root_claims[k] = list(zip(cids, sents, strict=True))
                else:
                    state.dedup.max_key = max(state.dedup.max_key, k)

    def finish(self) -> None:
        """One ``claims.parquet`` and one ``posts.parquet`` from the block files."""
        import pyarrow.parquet as pq

        for kind, name in (("claims", "claims.parquet"), ("blocks", "posts.parquet")):
            files = sorted((self.out / kind).glob("*.parquet"))
            tables = [pq.read_table(f) for f in files]
            if kind == "claims":
                tables = [t.drop_columns(["vector"]) if "vector" in t.column_names else t for t in tables]
            import pyarrow as pa

            self._write(pa.concat_tables(tables) if tables else pa.table({}), self.out / name)


@dataclass
class BackfillReport:
    posts: int = 0
    duplicates: int = 0
    claims: int = 0
    blocks: int = 0
    blocks_skipped: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    seconds: float = 0.0
    runner: str = "in-process"


class Stopped(RuntimeError):
    """``stop_after`` blocks were written (a deliberate stop; rerun to resume)."""


def backfill_file(
    path: Path,
    out: Path,
    *,
    ray_address: str | None = None,
    workers: int = 2,
    block: int = BLOCK,
    embedder_name: str | None = None,
    stop_after: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> BackfillReport:
    """Run a JSONL/Parquet file through the stages into ``out`` (resumes an interrupted run)."""
    from kiemchung.settings import get_settings
    from kiemchung.store import locks

    name = embedder_name or get_settings().embedder
    t0 = time.perf_counter()
    report = BackfillReport(runner="ray" if ray_address else "in-process")
    sink = DirSink(out)
    meta = out / "run.json"
    want = {"source": str(path.resolve()), "block": block, "embedder": name}
    if meta.exists() and json.loads(meta.read_text()) != want:
        raise ValueError(
            gettext(
                "%(out)s là của một lần chạy khác (%(run)s); dùng thư mục khác",
                out=out,
                run=meta.read_text(),
            )
        )
    meta.write_text(json.dumps(want))
    with locks.hold(f"backfill.{out.resolve()}") as got:
        if not got:
            raise RuntimeError(gettext("%(out)s: một lần chạy khác đang ghi", out=out))
        state = BackfillState.empty(get_embedder(name))
        done = sink.done_blocks()
        all_blocks = blocks_of(read_file(path, report.rejected), block)
        if done:
            # the ordered state of the finished blocks is rebuilt from their files; only the dedup
            # keys are recomputed (cheap: no model)
            replay_rows: dict[int, PreparedPost] = {}
            for number, rows in all_blocks:
                replay_rows.update((p.key, p) for p in prepare_block(rows, None).posts)
                report.blocks_skipped += 1
                if number == done[-1]:
                    break
            sink.replay(state, done, replay_rows)
        known = list(state.dedup.exact)  # posts already written: their reposts need no embedding
        runner = (
            run_on_ray(all_blocks, name, workers, known) if ray_address else run_in_process(all_blocks, name)
        )
        if ray_address:
            start_ray(ray_address, workers)
        for number, prepared in runner:
            res = assign_block(state, prepared, sink, number)
            report.blocks += 1
            report.posts += len(res)
            report.duplicates += sum(r.duplicate_of is not None for r in res)
            if progress:
                progress(len(res))
            if stop_after is not None and report.blocks >= stop_after:
                raise Stopped(f"stopped after {report.blocks} blocks")
        sink.finish()
    report.claims = sink.next_id - 1
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


# the store ---------------------------------------------------------------------------------------
class StoreSink:
    """One transaction per block: items marked processed (with their duplicate root), new claims and
    their links inserted, spread and fact-check matches of the touched claims refreshed. The
    items' ``processed`` flag is the checkpoint: a rerun takes only what is still pending."""

    def __init__(self, session: Any, index: Any) -> None:
        self.session = session
        self.index = index
        self._claims: list[Any] = []

    def allocate(self, claims: list[NewClaim]) -> None:
        from kiemchung.store.models import Claim, ClaimStatus

        self._claims = []
        for c in claims:
            row = Claim(
                text=c.text,
                norm_text=fold(c.text),
                checkworthiness=c.score,
                features=dict(c.features),
                status=ClaimStatus.new,
            )
            self.session.add(row)
            self._claims.append(row)
        self.session.flush()
        for c, row in zip(claims, self._claims, strict=True):
            c.id = int(row.id)

    def store_block(
        self, block: int, posts: list[PostResult], claims: list[NewClaim], vectors: np.ndarray | None
    ) -> None:
        from sqlalchemy import select

        from kiemchung.engine.pipeline import match_claims, refresh_spread
        from kiemchung.store.models import Claim, ClaimItem, Item

        s = self.session
        items = {i.id: i for i in s.scalars(select(Item).where(Item.id.in_([p.key for p in posts])))}
        touched: set[int] = set()
        best: dict[int, tuple[float, dict[str, Any]]] = {}  # claim -> its best sentence's score
        for p in posts:
            item = items.get(p.key)
            if item is None:  # deleted meanwhile
                continue
            item.norm_text = item.norm_text or p.norm
            root = p.duplicate_of
            item.duplicate_of_id = root if root is None or root in items or s.get(Item, root) else None
            item.processed = True
            # an original's links carry the sentence's similarity to its claim, a repost's the
            # dedup similarity to its original: what the engine pass stores
            sims = p.similarities if p.duplicate_of is None else [p.similarity] * len(p.claim_ids)
            for cid, sentence, sim in zip(p.claim_ids, p.sentences, sims, strict=True):
                s.add(ClaimItem(claim_id=cid, item_id=item.id, sentence=sentence, similarity=sim))
                touched.add(cid)
            if p.duplicate_of is None:  # a repost's sentences are its original's
                for cid, (score, feats) in zip(p.claim_ids, p.scores, strict=True):
                    if cid not in best or score > best[cid][0]:
                        best[cid] = (score, feats)
        for cid, (score, feats) in best.items():
            # a claim an earlier block (or run) started takes a later sentence's higher score
            claim = s.get(Claim, cid)
            if claim is not None and score > claim.checkworthiness:
                claim.checkworthiness, claim.features = score, dict(feats)
        for c, row in zip(claims, self._claims, strict=True):
            first = items.get(c.first_key)
            if first is not None:
                row.first_seen = row.last_seen = first.published_at or first.ingested_at
        s.flush()
        refresh_spread(s, sorted(touched))
        touched_claims = [c for c in (s.get(Claim, i) for i in sorted(touched)) if c is not None]
        match_claims(s, self.index, touched_claims)
        s.commit()


def _pending_posts(session: Any, block: int) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    from sqlalchemy import select

    from kiemchung.engine.tips import item_text
    from kiemchung.store.models import Item, ItemKind

    ids = list(
        session.scalars(
            select(Item.id).where(Item.processed.is_(False), Item.kind != ItemKind.tip).order_by(Item.id)
        )
    )
    for number, start in enumerate(range(0, len(ids), block)):
        chunk = ids[start : start + block]
        items = session.scalars(select(Item).where(Item.id.in_(chunk)).order_by(Item.id)).all()
        yield number, [(i.id, item_text(i)) for i in items]


def backfill_store(
    *,
    ray_address: str | None = None,
    workers: int = 2,
    block: int = BLOCK,
    stop_after: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> BackfillReport:
    """Run the store's pending posts through the stages, writing back one block per transaction.

    Tips are left to the engine pass (they need their own answer). Holds the engine-pass lock, so
    no worker processes the same items meanwhile.
    """
    from sqlalchemy import select

    from kiemchung.engine.index import get_index
    from kiemchung.engine.pipeline import _DEDUP_LOCK, _deduper, save_dedup
    from kiemchung.settings import get_settings
    from kiemchung.store import locks, session_scope
    from kiemchung.store.models import ClaimItem

    t0 = time.perf_counter()
    report = BackfillReport(runner="ray" if ray_address else "in-process")
    name = get_settings().embedder
    with locks.hold(locks.ENGINE_PASS) as got:
        if not got:
            raise RuntimeError(gettext("một lượt xử lý khác đang chạy"))
        with session_scope() as session, _DEDUP_LOCK:
            index = get_index(session)
            index.sync(session)
            session.commit()

            def lookup(root: int) -> list[tuple[int, str]]:
                rows = session.execute(
                    select(ClaimItem.claim_id, ClaimItem.sentence)
                    .where(ClaimItem.item_id == root)
                    .order_by(ClaimItem.claim_id)
                )
                return [(int(c), str(t)) for c, t in rows]

            state = BackfillState(
                _deduper(session), index.claims, lookup_root=lookup, add_claims=index.add_claims
            )
            sink = StoreSink(session, index)
            blocks = _pending_posts(session, block)  # ids are read once; texts block by block
            if ray_address:
                start_ray(ray_address, workers)
                runner = run_on_ray(blocks, name, workers, list(state.dedup.exact))
            else:
                runner = run_in_process(blocks, name)
            new_before = len(index.claims)
            for number, prepared in runner:
                res = assign_block(state, prepared, sink, number)
                report.blocks += 1
                report.posts += len(res)
                report.duplicates += sum(r.duplicate_of is not None for r in res)
                if progress:
                    progress(len(res))
                if stop_after is not None and report.blocks >= stop_after:
                    save_dedup(force=True)
                    raise Stopped(f"stopped after {report.blocks} blocks")
            report.claims = len(index.claims) - new_before
            save_dedup(force=True)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report
