"""Portable backup and restore: gzip'd JSONL of every table, in foreign-key order.

The file works across back-ends (SQLite -> PostgreSQL and back): values are plain JSON (dates as
ISO 8601 strings, enums as their stored strings), and restore goes through SQLAlchemy Core.

    >>> counts = backup("kc.jsonl.gz", url="sqlite:///var/kiemchung.db")       # doctest: +SKIP
    >>> restore("kc.jsonl.gz", url="postgresql+psycopg://.../kiemchung")       # doctest: +SKIP

Layout: line 1 is a header ``{"format": "kiemchung-backup", "version": 1, "revision": ...,
"tables": [...]}``; every other line is ``{"t": table, "r": {column: value}}``, tables in
dependency order, rows in primary-key order. Memory stays flat both ways (streamed reads,
batched inserts).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Date, DateTime, Integer, Table, func, insert, select, text, update

from kiemchung.store.db import get_engine
from kiemchung.store.models import Base

FORMAT = "kiemchung-backup"
VERSION = 1
BATCH = 1000


class BackupError(RuntimeError):
    """The backup cannot be restored here (wrong file, non-empty target, schema mismatch)."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def backup(file: str | Path, *, url: str | None = None) -> dict[str, int]:
    """Write every table of the database at ``url`` (default: configured) to ``file``; row counts."""
    engine = get_engine(url)
    counts: dict[str, int] = {}
    tables = _tables()
    with engine.connect() as conn, gzip.open(Path(file), "wb", compresslevel=6) as out:
        # One read transaction: a consistent snapshot on PostgreSQL (REPEATABLE READ) and SQLite.
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": _revision(conn),
            "dialect": engine.dialect.name,
            "created_at": datetime.now().isoformat(timespec="seconds"),
            "tables": [t.name for t in tables],
        }
        out.write(orjson.dumps(header) + b"\n")
        for table in tables:
            n = 0
            stmt = select(table).order_by(*table.primary_key.columns)
            for part in (
                conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt).partitions()
            ):
                buf = bytearray()
                for row in part:
                    buf += orjson.dumps({"t": table.name, "r": dict(row._mapping)}, default=_json_default)
                    buf += b"\n"
                    n += 1
                out.write(bytes(buf))
            counts[table.name] = n
    return counts


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def is_empty(conn: Connection) -> bool:
    return all(conn.execute(select(func.count()).select_from(t)).scalar() == 0 for t in _tables())


def wipe(conn: Connection) -> None:
    """Delete every row of every model table (children first)."""
    for table in reversed(_tables()):
        conn.execute(table.delete())


def _read(file: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(file, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)
    except (OSError, EOFError, orjson.JSONDecodeError) as exc:
        raise BackupError(f"Tệp sao lưu hỏng / unreadable backup file: {exc}") from None


def restore(file: str | Path, *, url: str | None = None, force: bool = False) -> dict[str, int]:
    """Load ``file`` into the (migrated) database at ``url``; refuses a non-empty one unless ``force``."""
    path = Path(file)
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp / file not found: {path}")
    engine = get_engine(url)
    tables = {t.name: t for t in _tables()}
    rows_iter = _read(path)
    header = next(rows_iter, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError("Không phải tệp sao lưu kiemchung / not a kiemchung backup file")
    if header.get("version") != VERSION:
        raise BackupError(
            f"Phiên bản sao lưu không hỗ trợ / unsupported backup version {header.get('version')}"
        )
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        if not is_empty(conn):
            if not force:
                raise BackupError(
                    "Cơ sở dữ liệu không trống / the database is not empty (dùng / use --force to wipe it first)"
                )
            wipe(conn)
        # A backup from an older revision loads as long as every column it has exists here
        # (newer columns take their defaults); a newer backup with unknown columns is refused below.
        current: str | None = None
        batch: list[dict[str, Any]] = []
        deferred: list[tuple[str, dict[str, Any]]] = []  # self-references, set after the table is loaded

        def flush() -> None:
            if current and batch:
                conn.execute(insert(tables[current]), batch)
                counts[current] = counts.get(current, 0) + len(batch)
                batch.clear()

        for rec in rows_iter:
            name, row = rec.get("t"), rec.get("r")
            if name not in tables or not isinstance(row, dict):
                raise BackupError(f"Bảng không có trong lược đồ / unknown table in backup: {name!r}")
            if name != current:
                flush()
                _finish_table(conn, tables, current, deferred)
                current = name
            table = tables[name]
            unknown = set(row) - set(table.c.keys())
            if unknown:
                raise BackupError(
                    f"Cột không có trong lược đồ / columns missing here: {name}.{sorted(unknown)} "
                    "(nâng cấp / run `kiemchung db upgrade`)"
                )
            batch.append(_decode_row(table, row, deferred))
            if len(batch) >= BATCH:
                flush()
        flush()
        _finish_table(conn, tables, current, deferred)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
    return counts


def _decode_row(
    table: Table, row: dict[str, Any], deferred: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    out = dict(row)
    for col in table.c:
        value = out.get(col.name)
        if value is None:
            continue
        if isinstance(col.type, DateTime) and isinstance(value, str):
            out[col.name] = datetime.fromisoformat(value)
        elif isinstance(col.type, Date) and isinstance(value, str):
            out[col.name] = date.fromisoformat(value)
        if any(fk.column.table is table for fk in col.foreign_keys):
            # A row may point at a later row of its own table: insert NULL now, fix up after.
            pk = {c.name: out[c.name] for c in table.primary_key.columns}
            deferred.append((col.name, {"pk": pk, "value": value}))
            out[col.name] = None
    return out


def _finish_table(
    conn: Connection, tables: dict[str, Table], name: str | None, deferred: list[tuple[str, dict[str, Any]]]
) -> None:
    if name is None or not deferred:
        return
    table = tables[name]
    for col, info in deferred:
        cond = [table.c[k] == v for k, v in info["pk"].items()]
        conn.execute(update(table).where(*cond).values({col: info["value"]}))
    deferred.clear()


def _reset_sequences(conn: Connection) -> None:
    """Explicit ids were inserted: move each PostgreSQL sequence past the largest one."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if seq:
            conn.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'
                ),
                {"s": seq},
            )
