"""Store records as Items: privacy filter, validation, exact dedup, batched inserts.

    >>> from kiemchung.store import session_scope                     # doctest: +SKIP
    >>> with session_scope() as s:                                     # doctest: +SKIP
    ...     report = ingest_records(s, [{"text": "Tin A", "user_name": "x"}], source_name="demo")
    >>> report.stored, report.duplicates, report.rejected              # doctest: +SKIP
    (1, 0, [])

Re-running the same input stores nothing new: an item is a duplicate when its source already
holds the same ``content_hash`` (the normalised, folded text), and so is an exact repeat within the
same input. Only one batch (``batch_size`` records) is held in memory at a time.
"""

from __future__ import annotations

import contextlib
import enum
import io
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.intake.adapters import READERS, WARNINGS_KEY, IntakeError, Numbered, guess_format
from kiemchung.intake.privacy import scrub
from kiemchung.intake.records import RecordError, validate
from kiemchung.settings import get_settings
from kiemchung.store.models import Item, ItemKind, Source, SourceKind, utcnow
from kiemchung.web.i18n import _

if TYPE_CHECKING:
    from kiemchung.media.tips import Copies

log = logging.getLogger(__name__)
BATCH_SIZE = 500
IMAGE_BATCH = 20  # picture records per transaction: OCR runs between batches, not inside one
FETCH_TIMEOUT = 30.0


@dataclass
class IngestReport:
    """What an ingest did. Line numbers are 1-based physical lines (entries for feeds, indexes for the API)."""

    source_name: str
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    engine_ran: bool = False
    images: int = 0  # pictures linked to items (records with ``image`` / ``image_base64``)

    @property
    def read(self) -> int:
        """Records seen (stored + duplicates + rejected)."""
        return self.stored + self.duplicates + len(self.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_name,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": [{"line": n, "reason": r} for n, r in self.rejected],
            "warnings": [{"line": n, "reason": r} for n, r in self.warnings],
            "images": self.images,
        }


def _insert(session: Session, table: Any) -> Any:
    """The back-end's INSERT, which has ``on_conflict_do_nothing`` (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def get_or_create_source(
    session: Session, name: str, *, registered: bool = False, kind: SourceKind = SourceKind.platform
) -> Source:
    """The Source called ``name``; a new one is unregistered unless ``registered`` is asked for.

    Create-or-get in one statement (``INSERT … ON CONFLICT (name) DO NOTHING``), so two ingests
    of a new file at the same time both get the one Source instead of one failing on the unique name.
    """
    src = session.scalars(select(Source).where(Source.name == name)).first()
    if src is None:
        session.execute(
            _insert(session, Source)
            .values(name=name, kind=kind, registered=registered, category="import", page_names=[])
            .on_conflict_do_nothing(index_elements=["name"])
        )
        src = session.scalars(select(Source).where(Source.name == name)).one()
    return src


def ingest_records(
    session: Session,
    records: Iterable[Mapping[str, Any]],
    *,
    source_name: str,
    kind: str | ItemKind = "post",
    platform: str | None = None,
    registered: bool = False,
    first_line: int = 1,
    batch_size: int = BATCH_SIZE,
    commit: bool = False,
    image_loader: Callable[[str], bytes] | None = None,
) -> IngestReport:
    """Validate and store ``records`` (raw dicts from any adapter) under the Source ``source_name``.

    ``registered`` only applies when the Source is created here; item URLs are kept iff the
    Source is registered. ``commit`` commits after every batch (long imports); otherwise the
    caller's transaction is only flushed.
    """
    numbered = ((i, dict(r) if isinstance(r, Mapping) else r) for i, r in enumerate(records, first_line))
    return ingest_numbered(
        session,
        numbered,  # type: ignore[arg-type]
        source_name=source_name,
        kind=kind,
        platform=platform,
        registered=registered,
        batch_size=batch_size,
        commit=commit,
        image_loader=image_loader,
    )


def ingest_numbered(
    session: Session,
    numbered: Iterable[Numbered],
    *,
    source_name: str,
    kind: str | ItemKind = "post",
    platform: str | None = None,
    registered: bool = False,
    source_kind: SourceKind = SourceKind.platform,
    batch_size: int = BATCH_SIZE,
    commit: bool = False,
    image_loader: Callable[[str], bytes] | None = None,
) -> IngestReport:
    """Like ``ingest_records`` over ``(line, record | RecordError)`` pairs from an adapter.

    A record with ``image`` (a file name, read with ``image_loader``) or ``image_base64`` is a
    picture: see ``kiemchung.media.items`` (its OCR text becomes the item's text).
    """
    item_kind = ItemKind(kind)
    source = get_or_create_source(session, source_name, registered=registered, kind=source_kind)
    if commit:
        session.commit()  # pictures are read (OCR) between batches: no write lock held meanwhile
    keep_url = source.registered
    report = IngestReport(source_name=source_name)
    batch: dict[str, dict[str, Any]] = {}
    images: dict[str, Any] = {}  # content_hash -> MediaImage read but not stored yet
    copies: Copies | None = None  # once a picture comes
    for line, rec in numbered:
        if isinstance(rec, RecordError):
            report.rejected.append((line, str(rec)))
            continue
        if not isinstance(rec, dict):
            report.rejected.append((line, _("không phải đối tượng (%(name)s)", name=type(rec).__name__)))
            continue
        adapter_warnings = rec.pop(WARNINGS_KEY, None)
        if isinstance(adapter_warnings, list):
            report.warnings.extend((line, str(w)) for w in adapter_warnings)
        image = rec.pop("\x00image", None)  # read before the transaction (media.items.preread)
        if image is None and ("image" in rec or "image_base64" in rec):
            # Imported here: the picture pipeline (Pillow, OCR, PDQ) is not needed for text records.
            from kiemchung.media.intake import ImageRejected
            from kiemchung.media.items import read_record_image

            try:
                image = read_record_image(rec, image_loader)
            except ImageRejected as exc:
                report.rejected.append((line, str(exc)))
                continue
        if image is not None:
            if copies is None:
                from kiemchung.media.tips import Copies

                copies = Copies(session)
            # a copy of an earlier picture without words takes its stand-in: one item, one claim
            rec["text"] = copies.text(image, rec.get("text") or "")
        try:
            v = validate(scrub(rec, registered=keep_url))
        except RecordError as exc:
            report.rejected.append((line, str(exc)))
            continue
        report.warnings.extend((line, w) for w in v.warnings)
        row = v.row
        if row["content_hash"] in batch:
            report.duplicates += 1
            continue
        row.update(source_id=source.id, kind=item_kind, platform=platform, ingested_at=utcnow())
        batch[row["content_hash"]] = row
        if image is not None:
            images[row["content_hash"]] = image
        if len(batch) >= batch_size or len(images) >= IMAGE_BATCH:
            _flush(session, source.id, batch, report, commit, images)
            batch, images = {}, {}
    if batch:
        _flush(session, source.id, batch, report, commit, images)
    return report


def _flush(
    session: Session,
    source_id: int,
    batch: dict[str, dict[str, Any]],
    report: IngestReport,
    commit: bool,
    images: dict[str, Any] | None = None,
) -> None:
    # One bulk statement: rows whose (source, content_hash) exists are skipped by the database
    # itself. A "which of these exist?" query first cost a scan of the source's items per batch on
    # PostgreSQL (its planner, without statistics on a fresh table, used only source_id from the
    # unique index), which made a large ingest quadratic.
    rows = list(batch.values())
    if session.get_bind().dialect.name == "postgresql":
        stored = _insert_items_pg(session, rows)
    else:
        stmt = (
            _insert(session, Item)
            .on_conflict_do_nothing(index_elements=["source_id", "content_hash"])
            .returning(Item.id)
        )
        stored = len(session.execute(stmt, rows).all())
    report.stored += stored
    report.duplicates += len(rows) - stored
    if images:
        from kiemchung.media.items import attach_item_images

        report.images += attach_item_images(session, source_id, images)
    if commit:
        session.commit()
    else:
        session.flush()


def _insert_items_pg(session: Session, rows: list[dict[str, Any]]) -> int:
    """PostgreSQL: one short INSERT … ON CONFLICT DO NOTHING sent with psycopg's pipelined executemany.

    SQLAlchemy's multi-row VALUES statement (thousands of placeholders) spent most of a large
    ingest in psycopg re-parsing a query text too long for its cache; the short statement is parsed
    once. The connection is the session's own, so the rows are in the caller's transaction.
    """
    table = Item.__table__
    full = []
    for row in rows:
        out = dict(row)
        for col in table.c:
            if col.name not in out and col.default is not None and not col.primary_key:
                default = col.default
                if getattr(default, "is_scalar", False):
                    out[col.name] = default.arg  # type: ignore[attr-defined]
                elif getattr(default, "is_callable", False):
                    out[col.name] = default.arg(None)  # type: ignore[attr-defined]
        full.append(out)
    cols = sorted(full[0])
    sql = (
        f"INSERT INTO {Item.__tablename__} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
        "ON CONFLICT (source_id, content_hash) DO NOTHING"
    )
    params = [tuple(_pg_value(r.get(c)) for c in cols) for r in full]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.executemany(sql, params)
        return max(0, int(cur.rowcount))


def _pg_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# --- whole sources: files and URLs -------------------------------------------------------------


def default_source_name(path_or_url: str) -> str:
    """``"import:<file name>"``, e.g. ``import:reintel-posts.jsonl``; for URLs the host and path."""
    if _is_url(path_or_url):
        from urllib.parse import urlsplit

        parts = urlsplit(path_or_url)
        name = f"import:{parts.hostname or ''}{parts.path.rstrip('/')}"
    else:
        name = f"import:{Path(path_or_url).name}"
    return name[:200]


def _is_url(s: str) -> bool:
    return s.lower().startswith(("http://", "https://"))


@contextlib.contextmanager
def open_source(
    path_or_url: str, *, max_bytes: int | None = None
) -> Iterator[tuple[IO[bytes], int | None, str]]:
    """A binary stream for a file (``.gz`` transparently) or an http(s) URL, its size, its content type."""
    if _is_url(path_or_url):
        limit = max_bytes or get_settings().max_upload_bytes
        with _fetch(path_or_url, limit) as (fh, ctype):
            size = fh.seek(0, 2)
            fh.seek(0)
            yield fh, size, ctype
        return
    path = Path(path_or_url)
    if not path.is_file():
        raise IntakeError(_("Không tìm thấy tệp: %(path)s", path=path))
    try:
        if path.suffix == ".gz":
            import gzip

            with gzip.open(path, "rb") as gz:
                yield gz, None, ""  # type: ignore[misc]
        else:
            with path.open("rb") as fh:
                yield fh, path.stat().st_size, ""
    except PermissionError as exc:
        raise IntakeError(_("Không đọc được tệp: %(exc)s", exc=exc)) from None


@contextlib.contextmanager
def _fetch(url: str, limit: int) -> Iterator[tuple[IO[bytes], str]]:
    from kiemchung.net import FetchError, safe_fetch

    try:
        resp = safe_fetch(url, max_bytes=limit, timeout=FETCH_TIMEOUT)
    except FetchError as exc:
        if exc.kind == "too_large":
            raise IntakeError(_("Tệp quá lớn: > %(limit)s bytes", limit=limit)) from None
        raise IntakeError(_("Không tải được: %(exc)s", exc=exc)) from None
    if resp.status_code >= 400:
        raise IntakeError(_("Không tải được: HTTP %(status_code)s", status_code=resp.status_code))
    yield io.BytesIO(resp.content), resp.content_type


def ingest_path(
    path_or_url: str,
    fmt: str | None = None,
    source_name: str | None = None,
    progress: bool | str = True,
    *,
    run_engine: bool | None = None,
    registered: bool = False,
    platform: str | None = None,
    database_url: str | None = None,
) -> IngestReport:
    """Ingest a JSONL/CSV/RSS file or URL into the configured database.

    ``progress``: ``True`` shows a byte-based bar on a terminal, ``"always"`` shows it anyway,
    ``False`` never. ``run_engine`` defaults to ``settings.engine_in_process``. Raises
    ``IntakeError`` when the source as a whole cannot be read.
    """
    from kiemchung.store.db import session_scope

    settings = get_settings()
    name = source_name or default_source_name(path_or_url)
    with open_source(path_or_url) as (stream, size, ctype):
        if fmt is None:
            head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
            if not head and stream.seekable():
                head = stream.read(64)
                stream.seek(0)
            fmt = guess_format(path_or_url, head, ctype)
        if fmt not in READERS:
            raise IntakeError(_("Định dạng không hỗ trợ: %(fmt)s", fmt=fmt))
        is_feed = fmt == "rss"
        with _progress_bar(progress, size, name) as on_bytes, session_scope(database_url) as session:
            reader = READERS[fmt]
            numbered = (
                reader(stream, on_bytes, max_bytes=settings.max_upload_bytes)
                if is_feed
                else reader(stream, on_bytes)
            )
            report = ingest_numbered(
                session,
                numbered,
                image_loader=None if _is_url(path_or_url) else _folder_loader(path_or_url),
                source_name=name,
                kind=ItemKind.article if is_feed else ItemKind.post,
                platform=platform or ("rss" if is_feed else None),
                registered=registered,
                source_kind=SourceKind.feed if is_feed else SourceKind.platform,
                commit=True,
            )
            log.info(
                "ingest %s: stored=%d duplicates=%d rejected=%d",
                name,
                report.stored,
                report.duplicates,
                len(report.rejected),
            )
            if settings.engine_in_process if run_engine is None else run_engine:
                report.engine_ran = run_pending_engine(session, progress=bool(progress))
    return report


def _folder_loader(path: str) -> Callable[[str], bytes]:
    """Pictures named by a file's records are read relative to that file's folder."""

    def load(name: str) -> bytes:
        from kiemchung.media.items import folder_loader

        return folder_loader(Path(path).parent)(name)

    return load


ENGINE_CHUNK = 100  # items per engine transaction outside requests


def run_pending_engine(session: Session, *, progress: bool = False) -> bool:
    """Run the claim engine over unprocessed items, committing every ``ENGINE_CHUNK``. True once it ran.

    The caller owns ``session`` (CLI, background task): small transactions keep SQLite's write lock
    short, so tips and other writers beside a long pass are not refused with "database is locked".
    """
    # Imported here: the engine loads its models and index, which a plain ingest without it never needs.
    from kiemchung.engine.pipeline import process_pending

    process_pending(session, progress=progress, commit_every=ENGINE_CHUNK)
    return True


@contextlib.contextmanager
def _progress_bar(
    progress: bool | str, total: int | None, label: str
) -> Iterator[Callable[[int], None] | None]:
    show = progress == "always" or (progress is True and sys.stderr.isatty())
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
