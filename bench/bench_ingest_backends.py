"""Ingest speed, PostgreSQL against SQLite, on the same generated file (``--no-engine``).

    python bench/bench_ingest_backends.py [--posts=50000] [--pg=postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Writes a JSONL file of synthetic posts (made up here, distinct texts, a few exact repeats), ingests
it into a fresh SQLite file and a fresh PostgreSQL database, then ingests it a second time (all
duplicates). Prints seconds per back-end and the PG/SQLite ratio; the goal is a ratio within 2×.
A PostgreSQL that cannot be reached prints SKIP.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import option

GOAL = 2.0
WORDS = [
    "giá",
    "xăng",
    "điện",
    "nước",
    "học",
    "phí",
    "bảo",
    "hiểm",
    "y",
    "tế",
    "vắc",
    "xin",
    "tiêm",
    "chủng",
    "bão",
    "lũ",
    "sạt",
    "lở",
    "cảnh",
    "báo",
    "lừa",
    "đảo",
    "tài",
    "khoản",
    "ngân",
    "hàng",
    "chuyển",
    "khoản",
    "trúng",
    "thưởng",
    "cơ",
    "quan",
    "thuế",
    "công",
    "an",
    "phường",
    "tuyển",
    "dụng",
    "việc",
    "làm",
    "thông",
    "báo",
    "khẩn",
    "cấp",
    "sáng",
    "nay",
    "chiều",
    "mai",
    "tuần",
    "sau",
    "tăng",
    "giảm",
    "miễn",
    "phí",
    "hỗ",
    "trợ",
    "người",
    "dân",
]


def make_file(path: Path, n: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    with path.open("wb") as fh:
        for i in range(n):
            if i and i % 50 == 0:  # an exact repeat now and then, as in real exports
                j = rng.randrange(i)
                text = f"Bài {j}: " + " ".join(random.Random(j).choices(WORDS, k=24))
            else:
                text = f"Bài {i}: " + " ".join(random.Random(i).choices(WORDS, k=24))
            rec = {
                "text": text,
                "likes": rng.randrange(5000),
                "shares": str(rng.randrange(300)),
                "published_at": f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 12):02d}/2025 08:30",
                "id": f"p{i}",
            }
            fh.write(orjson.dumps(rec) + b"\n")


def run(path: Path, url: str) -> tuple[float, float, int]:
    from kiemchung.intake.ingest import ingest_path

    t = time.perf_counter()
    first = ingest_path(str(path), "jsonl", "bench", progress=False, run_engine=False, database_url=url)
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    again = ingest_path(str(path), "jsonl", "bench", progress=False, run_engine=False, database_url=url)
    t2 = time.perf_counter() - t
    assert again.stored == 0, "the second ingest must store nothing"
    return t1, t2, first.stored


def main() -> int:
    n = option("posts", 50_000)
    pg_admin = next(
        (a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--pg=")),
        os.environ.get("KIEMCHUNG_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    )
    from sqlalchemy import create_engine, text

    from kiemchung.store import db as store_db

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("KIEMCHUNG_DATA_DIR", tmp)
        path = Path(tmp) / "posts.jsonl"
        make_file(path, n)
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store_db.upgrade(sqlite_url)
        s1, s2, stored = run(path, sqlite_url)
        print(f"SQLite:      {n:,} posts, {stored:,} stored in {s1:6.1f} s; re-ingest {s2:6.1f} s")

        name = f"kc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            print(f"SKIP: PostgreSQL unavailable ({type(exc).__name__})")
            return 0
        pg_url = pg_admin.rsplit("/", 1)[0] + f"/{name}"
        try:
            store_db.upgrade(pg_url)
            p1, p2, pstored = run(path, pg_url)
            print(f"PostgreSQL:  {n:,} posts, {pstored:,} stored in {p1:6.1f} s; re-ingest {p2:6.1f} s")
        finally:
            store_db.dispose_engines()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    ratio = p1 / s1
    verdict = "OK" if ratio <= GOAL else "MISSED"
    print(f"PG/SQLite ingest ratio: {ratio:.2f}× (re-ingest {p2 / s2:.2f}×), goal ≤ {GOAL:.0f}×: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
