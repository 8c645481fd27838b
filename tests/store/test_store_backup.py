"""Backup/restore: round trip on both back-ends, across back-ends, refusing non-empty targets."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from kiemchung.store import db as store_db
from kiemchung.store.backup import NOT_BACKED_UP, BackupError, backup, restore
from kiemchung.store.db import session_scope
from kiemchung.store.models import (
    AuditEvent,
    Base,
    Citation,
    Claim,
    ClaimItem,
    Document,
    FactCheck,
    Indicator,
    IndicatorKind,
    Item,
    Passage,
    Role,
    Source,
    SourceKind,
    User,
    Verdict,
)
from kiemchung.text import content_hash


def populate(url: str) -> None:
    with session_scope(url) as s:
        user = User(email="bientap@kc.vn", display_name="Biên tập", password_hash="x", role=Role.editor)
        src = Source(
            name="Vietcombank", kind=SourceKind.official, registered=True, domains=["vietcombank.com.vn"]
        )
        s.add_all([user, src])
        s.flush()
        items = [
            Item(
                source=src,
                text=t,
                norm_text=t,
                content_hash=content_hash(t),
                likes=i,
                published_at=datetime(2020, 4, 3, 13, i),
            )
            for i, t in enumerate(["Cảnh báo lừa đảo", "Tin nhắn giả mạo ngân hàng", "Không cung cấp OTP"])
        ]
        s.add_all(items)
        s.flush()
        # the first item points at a LATER one: restore must cope with self-references in any order
        items[0].duplicate_of_id = items[2].id
        claim = Claim(
            text="Ngân hàng yêu cầu cập nhật tài khoản qua link",
            checkworthiness=0.9,
            features={"kw": ["otp"]},
        )
        s.add(claim)
        s.flush()
        s.add(ClaimItem(claim_id=claim.id, item_id=items[1].id, sentence="Tin nhắn giả mạo ngân hàng"))
        doc = Document(
            title="Khuyến cáo", text="Không cung cấp OTP cho ai.", content_hash=content_hash("doc")
        )
        doc.passages = [Passage(position=0, text="Không cung cấp OTP cho ai.")]
        fc = FactCheck(
            slug="otp",
            claim_reviewed="Ngân hàng xin OTP",
            verdict=Verdict.scam,
            claim_id=claim.id,
            author_id=user.id,
            topics=["ngân hàng"],
        )
        fc.citations = [Citation(document=doc, title="Khuyến cáo", quote="Không cung cấp OTP")]
        s.add_all([doc, fc])
        s.add(Indicator(kind=IndicatorKind.domain, value="vcb-hotro.com", category="bank"))
        s.add(AuditEvent(action="create", entity_type="fact_check", data={"note": "tạo mới"}))


def snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with store_db.get_engine(url).connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_BACKED_UP:  # the index state is bumped by a restore, not copied
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
            out[table.name] = [
                {k: (v.value if hasattr(v, "value") else v) for k, v in r.items()} for r in rows
            ]
    return out


def test_round_trip_same_backend(db_url: str, tmp_path: Path) -> None:
    populate(db_url)
    before = snapshot(db_url)
    file = tmp_path / "kc.jsonl.gz"
    counts = backup(file, url=db_url)
    assert counts["item"] == 3 and counts["passage"] == 1 and counts["fact_check"] == 1
    with pytest.raises(BackupError, match="không trống"):
        restore(file, url=db_url)
    restored = restore(file, url=db_url, force=True)
    assert restored == {k: v for k, v in counts.items() if v}
    assert snapshot(db_url) == before
    with store_db.get_engine(db_url).connect() as conn:  # every running process resyncs its index
        assert conn.execute(text("SELECT version FROM index_state")).scalar() == 1
    # ids keep working after restore (PostgreSQL sequences moved past the restored ids)
    with session_scope(db_url) as s:
        s.add(Source(name="Nguồn mới"))
        s.flush()
        assert s.scalars(select(Source.id).where(Source.name == "Nguồn mới")).one() > max(
            r["id"] for r in before["source"]
        )


@pytest.mark.postgres
def test_sqlite_to_postgres_and_back(sqlite_url: str, pg_url: str, tmp_path: Path) -> None:
    populate(sqlite_url)
    before = snapshot(sqlite_url)
    backup(tmp_path / "a.jsonl.gz", url=sqlite_url)
    restore(tmp_path / "a.jsonl.gz", url=pg_url)
    assert snapshot(pg_url) == before
    backup(tmp_path / "b.jsonl.gz", url=pg_url)
    restore(tmp_path / "b.jsonl.gz", url=sqlite_url, force=True)
    assert snapshot(sqlite_url) == before
    with session_scope(pg_url) as s:
        fc = s.scalars(select(FactCheck)).one()
        assert (
            fc.verdict is Verdict.scam and fc.topics == ["ngân hàng"] and fc.citations[0].document is not None
        )


def test_refuses_foreign_or_newer_files(db_url: str, tmp_path: Path) -> None:
    bogus = tmp_path / "x.jsonl.gz"
    with gzip.open(bogus, "wt") as fh:
        fh.write(json.dumps({"hello": 1}) + "\n")
    with pytest.raises(BackupError, match="Không phải tệp sao lưu kiemchung"):
        restore(bogus, url=db_url)
    newer = tmp_path / "n.jsonl.gz"
    with gzip.open(newer, "wt") as fh:
        fh.write(
            json.dumps({"format": "kiemchung-backup", "version": 1, "revision": "9999", "tables": []}) + "\n"
        )
        fh.write(json.dumps({"t": "source", "r": {"id": 1, "name": "x", "from_the_future": 1}}) + "\n")
    with pytest.raises(BackupError, match="Cột không có trong lược đồ"):
        restore(newer, url=db_url)
    with session_scope(db_url) as s:
        assert s.scalars(select(Source)).all() == []  # nothing half-restored
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_text("{}")
    with pytest.raises(BackupError):
        restore(not_gzip, url=db_url)


def test_cli_backup_and_restore(configured: str, tmp_path: Path) -> None:
    from kiemchung.cli import app

    populate(configured)
    before = snapshot(configured)
    runner = CliRunner()
    file = tmp_path / "cli.jsonl.gz"
    res = runner.invoke(app, ["backup", str(file)])
    assert res.exit_code == 0, res.output
    assert "item: 3" in res.output
    res = runner.invoke(app, ["restore", str(file)])
    assert res.exit_code == 1 and "--force" in res.output
    res = runner.invoke(app, ["restore", str(file), "--force"])
    assert res.exit_code == 0, res.output
    assert snapshot(configured) == before
