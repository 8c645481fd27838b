"""``make bench`` runs every script in bench/: the picture benchmarks must find their own inputs and
say SKIP (exit 0) without them, and the posts file goes only to the scripts that read it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"


@pytest.mark.parametrize("script", ["bench_images.py", "ocr_steps.py"])
def test_picture_benchmarks_skip_without_their_data(script: str, tmp_path: Path) -> None:
    missing = ["--library", str(tmp_path / "thu-vien.jsonl"), "--queries", str(tmp_path / "anh.jsonl")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *missing],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("SKIP:") and "thu-vien.jsonl" in done.stdout


def test_posts_file_goes_only_to_the_scripts_that_read_it() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    readers = {
        p.name for p in BENCH.glob("*.py") if p.name != "_common.py" and "posts_path(" in p.read_text()
    }
    assert readers == run_all.TAKES_POSTS


def test_make_bench_runs_the_incident_benchmark_with_its_defaults() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    names = [p.name for p in run_all.scripts()]
    assert "bench_incident.py" in names and "bench_incident.py" not in run_all.TAKES_POSTS
