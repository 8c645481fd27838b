"""Portable backup and restore: gzip'd JSONL of every table, in foreign-key order.

The file works across back-ends (SQLite -> PostgreSQL and back): values are plain JSON (dates as
ISO 8601 strings, enums as their stored strings), and restore goes through SQLAlchemy Core.

    >>> counts = backup("kc.jsonl.gz", url="sqlite:///var/kiemchung.db")       # doctest: +SKIP
    >>> restore("kc.jsonl.gz", url="postgresql+psycopg://.../kiemchung")       # doctest: +SKIP

Layout: line 1 is a header ``{"format": "kiemchung-backup", "version": 1, "revision": ...,
"tables": [...]}``; every other line is ``{"t": table, "r": {column: value}}``, tables in
dependency order, rows in primary-key order. Memory stays flat both ways (streamed reads,
batched inserts).

Personal data: tip contacts and chat contacts (``CONTACT_TABLES``) are left out unless asked for
(``include_contacts=True`` with a ``passphrase``); then each of their rows is written as
``{"t": table, "enc": token}``, a Fernet token under a key derived from the passphrase with
Scrypt (salt and cost in the header). References to a left-out contact (a pending chat reply's
``contact_id``) are written as null. Deleted contacts leave tombstones (``store.tombstones``)
that travel in the backup and that restore applies, together with those of the target database.
Password hashes stay in the file (accounts must be able to log in after a restore) unless
``without_password_hashes``; the header says which.

    >>> key = passphrase_key("mật khẩu dài", bytes(16))
    >>> Fernet(key).decrypt(Fernet(key).encrypt(b"lien he"))
    b'lien he'
"""

from __future__ import annotations

import gzip
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    Table,
    create_engine,
    func,
    insert,
    select,
    text,
    update,
)

from kiemchung.settings import get_settings
from kiemchung.store import tombstones
from kiemchung.store.db import get_engine
from kiemchung.store.models import Base
from kiemchung.web.i18n import _

log = logging.getLogger(__name__)
FORMAT = "kiemchung-backup"
VERSION = 1
BATCH = 1000
CONTACT_TABLES = frozenset({"tip_contact", "channel_contact"})
DISABLED_PASSWORD = "!backup-without-password-hash"  # never a valid hash: the account needs a new one
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12


def passphrase_key(
    passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """The Fernet key (urlsafe base64 of 32 bytes) that ``passphrase`` and ``salt`` derive with Scrypt."""
    import base64

    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


class BackupError(RuntimeError):
    """The backup cannot be restored here (wrong file, non-empty target, schema mismatch)."""


# Not data: the index-state version is bumped by a restore instead (every process then resyncs).
NOT_BACKED_UP = frozenset({"index_state"})


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def _bump_index_state(conn: Connection) -> None:
    """Tell every running process that the published fact-checks changed under them."""
    state = Base.metadata.tables["index_state"]
    res = conn.execute(update(state).where(state.c.name == "fact_checks").values(version=state.c.version + 1))
    if not res.rowcount:
        conn.execute(
            insert(state).values(
                name="fact_checks", version=1, done=0, updated_at=datetime.now(UTC).replace(tzinfo=None)
            )
        )


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def backup(
    file: str | Path,
    *,
    url: str | None = None,
    include_contacts: bool = False,
    passphrase: str | None = None,
    without_password_hashes: bool = False,
) -> dict[str, int]:
    """Write every table of the database at ``url`` (default: configured) to ``file``; row counts.

    Contacts are left out unless ``include_contacts``, which needs a ``passphrase`` (at least
    ``MIN_PASSPHRASE`` characters) to encrypt them with.

    The file is one consistent snapshot even while the site takes writes. PostgreSQL reads every
    table in one REPEATABLE READ transaction. SQLite is first copied with its online backup API
    (a single read of the whole file, which does not block writers under WAL), and the export reads
    the copy: read table by table from the live file, a tip committed between reading ``item`` and
    reading ``tip`` pointed at an item missing from the backup, and the restore failed.
    """
    if include_contacts and len(passphrase or "") < MIN_PASSPHRASE:
        raise BackupError(
            _(
                "Cần mật khẩu ít nhất %(min_passphrase)s ký tự để mã hóa liên hệ",
                min_passphrase=MIN_PASSPHRASE,
            )
        )
    opts = _ExportOptions(include_contacts, passphrase if include_contacts else None, without_password_hashes)
    engine = get_engine(url)
    if engine.dialect.name != "sqlite":
        return _export(engine, Path(file), opts)
    out = Path(file)
    with tempfile.TemporaryDirectory(prefix=".kiemchung-snapshot-", dir=out.resolve().parent) as tmp:
        copy = Path(tmp) / "snapshot.db"
        sqlite_snapshot(engine, copy)
        snap = create_engine(f"sqlite:///{copy.as_posix()}")
        try:
            return _export(snap, out, opts)
        finally:
            snap.dispose()


class _ExportOptions:
    def __init__(self, include_contacts: bool, passphrase: str | None, without_password_hashes: bool) -> None:
        import os

        self.include_contacts = include_contacts
        self.without_password_hashes = without_password_hashes
        self.salt = os.urandom(16)
        self.fernet = Fernet(passphrase_key(passphrase, self.salt)) if passphrase else None

    def header(self) -> dict[str, Any]:
        return {
            "contacts": "encrypted" if self.fernet else "excluded",
            **(
                {
                    "kdf": {
                        "name": "scrypt",
                        "salt": self.salt.hex(),
                        "n": SCRYPT_N,
                        "r": SCRYPT_R,
                        "p": SCRYPT_P,
                    }
                }
                if self.fernet
                else {}
            ),
            "password_hashes": "excluded" if self.without_password_hashes else "included",
        }


def _excluded_refs(tables: list[Table], excluded: set[str]) -> dict[str, list[str]]:
    """``{table: [columns]}`` that point at a left-out table (written as null)."""
    out: dict[str, list[str]] = {}
    for table in tables:
        cols = [c.name for c in table.c if any(fk.column.table.name in excluded for fk in c.foreign_keys)]
        if cols:
            out[table.name] = cols
    return out


def sqlite_snapshot(engine: Engine, dest: Path) -> None:
    """Copy the SQLite database behind ``engine`` to ``dest`` in one step (``sqlite3`` backup API)."""
    raw = engine.raw_connection()
    try:
        src = raw.driver_connection
        assert isinstance(src, sqlite3.Connection)
        with closing(sqlite3.connect(dest)) as target:
            src.backup(target, pages=-1)  # all pages at once: one read transaction, one snapshot
    finally:
        raw.close()


def _export(engine: Engine, file: Path, opts: _ExportOptions | None = None) -> dict[str, int]:
    opts = opts or _ExportOptions(False, None, False)
    counts: dict[str, int] = {}
    tables = _tables()
    excluded = set() if opts.include_contacts else set(CONTACT_TABLES)
    null_refs = _excluded_refs(tables, excluded)
    with engine.connect() as conn, gzip.open(file, "wb", compresslevel=6) as out:
        if engine.dialect.name == "postgresql":
            # One read transaction: every table as of the same moment.
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": _revision(conn),
            "dialect": engine.dialect.name,
            "created_at": datetime.now().isoformat(timespec="seconds"),
            "tables": [t.name for t in tables if t.name not in excluded],
            **opts.header(),
        }
        out.write(orjson.dumps(header) + b"\n")
        for table in tables:
            if table.name in excluded:
                continue
            n = 0
            nulls = null_refs.get(table.name, [])
            encrypt = opts.fernet if table.name in CONTACT_TABLES else None
            stmt = select(table).order_by(*table.primary_key.columns)
            for part in (
                conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt).partitions()
            ):
                buf = bytearray()
                for row in part:
                    data = dict(row._mapping)
                    for col in nulls:
                        data[col] = None
                    if (
                        opts.without_password_hashes
                        and "password_hash" in data
                        and table.name == "user_account"
                    ):
                        data["password_hash"] = DISABLED_PASSWORD
                    if encrypt is not None:
                        token = encrypt.encrypt(orjson.dumps(data, default=_json_default)).decode()
                        buf += orjson.dumps({"t": table.name, "enc": token})
                    else:
                        buf += orjson.dumps({"t": table.name, "r": data}, default=_json_default)
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
        raise BackupError(_("Tệp sao lưu hỏng: %(exc)s", exc=exc)) from None


def restore(
    file: str | Path,
    *,
    url: str | None = None,
    force: bool = False,
    passphrase: str | None = None,
    notes: dict[str, int] | None = None,
) -> dict[str, int]:
    """Load ``file`` into the (migrated) database at ``url``; refuses a non-empty one unless ``force``.

    Encrypted contacts are restored only with the backup's ``passphrase`` (without it they are
    skipped; with a wrong one the restore is refused). Tombstones of the backup and of the target
    database are kept and applied: a contact deleted since the backup stays deleted. ``notes``
    (when given) receives ``skipped_encrypted`` and ``tombstoned_contacts`` counts.
    """
    notes = {} if notes is None else notes
    path = Path(file)
    if not path.is_file():
        raise BackupError(_("Không tìm thấy tệp: %(path)s", path=path))
    engine = get_engine(url)
    tables = {t.name: t for t in _tables()}
    rows_iter = _read(path)
    header = next(rows_iter, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError(_("Không phải tệp sao lưu kiemchung"))
    if header.get("version") != VERSION:
        raise BackupError(_("Phiên bản sao lưu không hỗ trợ %(get)s", get=header.get("version")))
    fernet = None
    if passphrase and header.get("contacts") == "encrypted":
        kdf = header.get("kdf") or {}
        try:
            fernet = Fernet(
                passphrase_key(
                    passphrase, bytes.fromhex(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise BackupError(_("Tệp sao lưu hỏng: %(exc)s", exc=exc)) from None
    # Encrypted contacts not restored: whatever points at them (a pending chat reply) loses the link.
    skip_contacts = header.get("contacts") == "encrypted" and fernet is None
    null_refs = _excluded_refs(list(tables.values()), set(CONTACT_TABLES)) if skip_contacts else {}
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        kept_tombstones: list[tuple[str, str]] = []
        if not is_empty(conn):
            if not force:
                raise BackupError(_("Cơ sở dữ liệu không trống (dùng --force để xóa trước)"))
            # Deletions recorded here since the backup outlive the wipe.
            tomb = tables["contact_tombstone"]
            kept_tombstones = [(k, key) for k, key in conn.execute(select(tomb.c.kind, tomb.c.key))]
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
            if "enc" in rec and name in CONTACT_TABLES:
                if fernet is None:
                    notes["skipped_encrypted"] = notes.get("skipped_encrypted", 0) + 1
                    continue
                try:
                    row = orjson.loads(fernet.decrypt(str(rec["enc"]).encode()))
                except InvalidToken:
                    raise BackupError(_("Sai mật khẩu giải mã liên hệ")) from None
            if name not in tables or not isinstance(row, dict):
                raise BackupError(_("Bảng không có trong lược đồ: %(name)s", name=f"{name!r}"))
            for col in null_refs.get(name, ()):
                row[col] = None
            if name != current:
                flush()
                _finish_table(conn, tables, current, deferred)
                current = name
            table = tables[name]
            unknown = set(row) - set(table.c.keys())
            if unknown:
                raise BackupError(
                    _(
                        "Cột không có trong lược đồ: %(name)s.%(columns)s (chạy `kiemchung db upgrade`)",
                        name=name,
                        columns=sorted(unknown),
                    )
                )
            batch.append(_decode_row(table, row, deferred))
            if len(batch) >= BATCH:
                flush()
        flush()
        _finish_table(conn, tables, current, deferred)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        tombstones.record(conn, kept_tombstones)
        dropped = tombstones.apply(conn)
        if dropped:
            notes["tombstoned_contacts"] = dropped
            log.info("restore: %d contact(s) deleted since the backup were left out", dropped)
        _bump_index_state(conn)
    if url is None or url == get_settings().resolved_database_url:
        drop_derived_state()
    return counts


def drop_derived_state() -> None:
    """Forget what was derived from the old rows: the search index and the near-duplicate state.

    After a restore the same ids name other claims, passages and fact-checks; an index kept from
    before would answer with other rows' texts. Both are rebuilt from the store on next use (the
    index when it is opened, the dedup state from the items).
    """
    settings = get_settings()
    index_dir = settings.resolved_index_dir
    if index_dir.exists():
        shutil.rmtree(index_dir, ignore_errors=True)
    (settings.data_dir / "dedup.pkl").unlink(missing_ok=True)
    # This process's copies too (the CLI, or tests that restore in-process).
    from kiemchung import cache

    cache.clear_all()  # the index, the dedup state, the scam snapshot and registry, public pages
    log.info("search index and dedup state dropped after restore; rebuilt on next use")


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
