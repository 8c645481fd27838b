"""Schema behaviour on both back-ends: uniqueness, CHECK constraints, foreign keys, locking, migrations."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kiemchung.store import db as store_db
from kiemchung.store.db import session_scope, sessionmaker_for
from kiemchung.store.models import (
    Base,
    Claim,
    ClaimItem,
    FactCheck,
    Item,
    Source,
    Verdict,
)
from kiemchung.text import content_hash


def _item(source: Source, text_: str, **kw: object) -> Item:
    return Item(source=source, text=text_, norm_text=text_, content_hash=content_hash(text_), **kw)


def test_unique_content_hash_per_source(db_url: str) -> None:
    with session_scope(db_url) as s:
        a, b = Source(name="a"), Source(name="b")
        s.add_all([_item(a, "Tin giống nhau"), _item(b, "Tin giống nhau")])  # same text, other source: fine
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        src = s.scalars(select(Source).where(Source.name == "a")).one()
        s.add(_item(src, "tin giong nhau"))  # folds to the same hash


def test_source_name_unique(db_url: str) -> None:
    with session_scope(db_url) as s:
        s.add(Source(name="VnExpress"))
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(Source(name="VnExpress"))


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("source", "kind", "influencer"),
        ("claim", "status", "viral"),
        ("fact_check", "verdict", "pants_on_fire"),
    ],
)
def test_enum_check_constraints_reject_bad_values_at_the_database(
    db_url: str, table: str, column: str, value: str
) -> None:
    rows = {
        "source": "INSERT INTO source (name, kind, category, registered, verified, domains, page_urls, page_names,"
        " created_at) VALUES ('x', :v, 'other', false, false, '[]', '[]', '[]', CURRENT_TIMESTAMP)",
        "claim": "INSERT INTO claim (text, norm_text, checkworthiness, features, status, first_seen, last_seen,"
        " item_count, engagement, created_at, updated_at) VALUES ('c', 'c', 0.5, '{}', :v, CURRENT_TIMESTAMP,"
        " CURRENT_TIMESTAMP, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "fact_check": "INSERT INTO fact_check (slug, claim_reviewed, claim_text, verdict, summary, body, topics,"
        " status, version, views, created_at, updated_at) VALUES ('s', 'c', '', :v, '', '', '[]', 'draft', 1, 0,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    }
    engine = store_db.get_engine(db_url)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(rows[table]), {"v": value})
    # and the ORM refuses before it even reaches the database
    with pytest.raises((StatementError, LookupError)), session_scope(db_url) as s:
        s.add(FactCheck(slug="x", claim_reviewed="c", verdict="pants_on_fire"))  # type: ignore[arg-type]
        s.flush()


def test_numeric_check_constraints(db_url: str) -> None:
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(_item(Source(name="n"), "Tin âm", likes=-1))
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(Claim(text="c", checkworthiness=1.5))


def test_foreign_keys_cascade_and_set_null(db_url: str) -> None:
    with session_scope(db_url) as s:
        src = Source(name="fk")
        first = _item(src, "Bản gốc")
        s.add(first)
        s.flush()
        dup = _item(src, "Bản sao khác", duplicate_of_id=first.id)
        claim = Claim(text="Một nhận định")
        s.add_all([dup, claim])
        s.flush()
        s.add(ClaimItem(claim_id=claim.id, item_id=first.id, sentence="Bản gốc"))
        ids = (src.id, first.id, dup.id)
    engine = store_db.get_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM item WHERE id = :i"), {"i": ids[1]})
    with session_scope(db_url) as s:
        assert s.get(Item, ids[2]).duplicate_of_id is None  # type: ignore[union-attr]  # SET NULL
        assert s.scalars(select(ClaimItem)).all() == []  # CASCADE
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM source WHERE id = :i"), {"i": ids[0]})
    with session_scope(db_url) as s:
        assert s.scalars(select(Item)).all() == []  # items go with their source
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO item (source_id, kind, text, norm_text, lang, ingested_at, likes, comments, shares,"
                " reactions, content_hash, processed) VALUES (999999, 'post', 't', 't', 'vi', CURRENT_TIMESTAMP,"
                " 0, 0, 0, 0, 'h', false)"
            )
        )


def test_fact_check_optimistic_locking(db_url: str) -> None:
    with session_scope(db_url) as s:
        fc = FactCheck(slug="nuoc-chanh", claim_reviewed="Nước chanh chữa Covid", verdict=Verdict.false)
        s.add(fc)
        s.flush()
        fc_id = fc.id
    make = sessionmaker_for(db_url)
    alice: Session = make()
    bob: Session = make()
    try:
        mine = alice.get(FactCheck, fc_id)
        theirs = bob.get(FactCheck, fc_id)
        assert mine is not None and theirs is not None and mine.version == theirs.version == 1
        mine.summary = "Sai: không có bằng chứng."
        alice.commit()
        assert mine.version == 2
        theirs.summary = "Bản sửa cũ"
        with pytest.raises(StaleDataError):
            bob.commit()
    finally:
        alice.close()
        bob.close()
    with session_scope(db_url) as s:
        final = s.get(FactCheck, fc_id)
        assert final is not None and (final.summary, final.version) == ("Sai: không có bằng chứng.", 2)


def _assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert diffs == [], f"models and migrations disagree: {diffs}"


def test_migrations_upgrade_from_empty_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    store_db.upgrade(url)
    store_db.upgrade(url)  # a second run is a no-op
    _assert_schema_matches_models(url)


@pytest.mark.postgres
def test_migrations_upgrade_from_empty_postgres() -> None:
    admin_url = os.environ.get(
        "KIEMCHUNG_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"kc_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        store_db.upgrade(url)
        _assert_schema_matches_models(url)
    finally:
        store_db.get_engine(url).dispose()
        store_db._engines.pop(url, None)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_pool_is_sized_by_the_settings(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiemchung.settings import get_settings

    monkeypatch.setenv("KIEMCHUNG_DB_POOL_SIZE", "3")
    monkeypatch.setenv("KIEMCHUNG_DB_MAX_OVERFLOW", "2")
    get_settings.cache_clear()
    url = pg_url + "?application_name=pool_test"  # a URL of its own: a fresh engine, not the cached one
    try:
        pool = store_db.get_engine(url).pool
        assert (pool.size(), pool._max_overflow) == (3, 2)  # type: ignore[attr-defined]
    finally:
        store_db.get_engine(url).dispose()
        store_db._engines.pop(url, None)
        get_settings.cache_clear()
