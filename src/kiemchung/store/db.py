"""Engine, sessions, migrations and the audit helper.

Web handlers get their session from ``kiemchung.web.deps.SessionDep`` (one transaction per request).
``session_scope`` is the one way everything else opens a session: CLI commands, the worker and
background jobs that run after a response (the tipline's claim engine, intake's engine run).

>>> from kiemchung.store import session_scope
>>> with session_scope() as s:          # doctest: +SKIP
...     s.add(models.Source(name="x"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kiemchung.settings import get_settings
from kiemchung.store import models

MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}


SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Every SQLite connection: WAL (readers never wait for the writer) and a busy timeout.

    The timeout is how long a writer waits for another one's lock before "database is locked";
    engine passes outside requests commit in small chunks, so waits stay far below it.
    """
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """The (cached) engine for ``url`` or the configured database."""
    url = url or get_settings().resolved_database_url
    eng = _engines.get(url)
    if eng is None:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            eng = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            )
            event.listen(eng, "connect", _sqlite_pragmas)
        else:
            settings = get_settings()
            eng = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
            )
        _engines[url] = eng
    return eng


def dispose_engines() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


def sessionmaker_for(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = sessionmaker_for(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def after_commit(session: Session, fn: Callable[[], object]) -> None:
    """Run ``fn`` once, after ``session``'s current transaction commits (dropped if it rolls back).

    For side effects outside the database that must not run ahead of the data, such as dropping a
    cache that would otherwise be refilled from rows not yet committed.
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(fn)


_AFTER_COMMIT = "kiemchung.after_commit"


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for fn in session.info.pop(_AFTER_COMMIT, []):
        fn()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


class NotFound(LookupError):
    """No row with that key: services raise it, web routes answer 404 (``web.deps.or_404``)."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().resolved_database_url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (creates the database file if needed)."""
    url = url or get_settings().resolved_database_url
    get_engine(url)  # creates the SQLite parent directory
    command.upgrade(alembic_config(url), revision)


def audit(
    session: Session,
    action: str,
    entity: Any = None,
    *,
    user_id: int | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> models.AuditEvent:
    """Record an AuditEvent in the caller's transaction."""
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    ev = models.AuditEvent(
        action=action, entity_type=entity_type or "", entity_id=entity_id, user_id=user_id, data=data or {}
    )
    session.add(ev)
    return ev
