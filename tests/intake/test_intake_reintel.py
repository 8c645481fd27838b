"""The real ReINTEL export (evaluation data, read in place; skipped when absent)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, func, select

from kiemchung.intake import ingest_path
from kiemchung.store.db import get_engine, session_scope
from kiemchung.store.models import Base, Item

HEX32 = re.compile(r"[0-9a-f]{32}")
HEX_RUN = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
POSTS = Path(__file__).parents[2] / ".." / "shared" / "eval" / "posts" / "reintel-posts.jsonl"


@pytest.mark.slow
@pytest.mark.skipif(not POSTS.is_file(), reason="evaluation data not available")
def test_reintel_all_posts_stored_and_no_author_persisted(configured: str) -> None:
    records = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").split("\n") if line.strip()]
    authors = {r["user_name"] for r in records if r.get("user_name")}

    report = ingest_path(str(POSTS), progress=False, run_engine=False)
    assert report.rejected == []
    assert (report.stored, report.duplicates) == (len(records), 0)  # every post, reposts included

    with session_scope(configured) as s:
        assert s.scalar(select(func.count()).select_from(Item)) == len(records) == 6017
    # user_name values are 32-hex hashes: find every hex run in every stored string and look it up
    assert all(HEX32.fullmatch(a) for a in authors)
    leaked: set[str] = set()
    with get_engine(configured).connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.c if isinstance(c.type, String | Text | JSON)]
            for row in conn.execute(select(*cols)) if cols else []:
                for value in row:
                    if value is not None:
                        blob = value if isinstance(value, str) else json.dumps(value)
                        leaked.update(h for h in HEX_RUN.findall(blob.lower()) if h in authors)
    assert leaked == set()

    again = ingest_path(str(POSTS), progress=False, run_engine=False)
    assert (again.stored, again.duplicates) == (0, len(records))
