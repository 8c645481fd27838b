"""The reference library's pages: the document list, passage search without diacritics, imports.

Reading and splitting files and fetching URLs live in :mod:`kiemchung.desk.library`; this module
stores what they return in the request's session, audits each new document and reports per file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kiemchung.desk import engine_link, library
from kiemchung.store import models
from kiemchung.store.db import audit
from kiemchung.text import fold
from kiemchung.web.i18n import _


@dataclass(frozen=True)
class Upload:
    """One uploaded file, already read (and size-checked) by the route."""

    name: str
    data: bytes
    content_type: str = ""


def search_passages(db: Session, q: str, limit: int = 30) -> list[models.Passage]:
    """Passages containing every folded query word (so 'gia xang' finds 'giá xăng')."""
    words = fold(q).split()
    if not words:
        return []
    # The folded check runs in Python, streaming passages in batches, so it stays portable.
    out: list[models.Passage] = []
    stmt = select(models.Passage).options(selectinload(models.Passage.document)).order_by(models.Passage.id)
    for p in db.scalars(stmt.execution_options(yield_per=500)):
        hay = fold(p.text + " " + p.document.title)
        if all(w in hay for w in words):
            out.append(p)
            if len(out) >= limit:
                break
    return out


def library_index(db: Session, q: str) -> dict[str, Any]:
    """The 200 newest documents, their passage counts, and passages matching ``q``."""
    docs = list(db.scalars(select(models.Document).order_by(models.Document.created_at.desc()).limit(200)))
    counts = dict(
        db.execute(  # type: ignore[arg-type]
            select(models.Passage.document_id, func.count()).group_by(models.Passage.document_id)
        ).all()
    )
    return {"docs": docs, "hits": search_passages(db, q) if q.strip() else [], "counts": counts}


def get_document(db: Session, doc_id: int) -> models.Document | None:
    return db.get(models.Document, doc_id)


def outcome_row(name: str, outcome: library.ImportOutcome) -> dict[str, str]:
    """One line of the import report shown after an upload."""
    if outcome.error:
        return {"name": name, "status": "error", "message": outcome.error}
    assert outcome.document is not None
    if outcome.duplicate:
        return {
            "name": name,
            "status": "warn",
            "message": _("Đã có trong thư viện"),
            "href": f"/desk/library/{outcome.document.id}",
        }
    n = len(outcome.document.passages)
    return {
        "name": name,
        "status": "ok",
        "message": _("Đã nhập, %(n)s đoạn", n=n),
        "href": f"/desk/library/{outcome.document.id}",
    }


def import_files(
    db: Session, files: Iterable[Upload], user: models.User, *, publisher: str = "", kind: str = "article"
) -> list[dict[str, str]]:
    """Store each readable file as a document (a bad file is reported, the others still import)."""
    report: list[dict[str, str]] = []
    for f in files:
        try:
            title, text = library.extract_text(f.name, f.data, f.content_type)
        except library.UnsupportedFile as exc:
            if isinstance(exc, library.TooManyPages):
                message = exc.message
            elif str(exc) == "binary":
                message = _("Tệp không phải văn bản")
            else:
                message = _("Định dạng không hỗ trợ (txt, html, pdf)")
            report.append({"name": f.name, "status": "error", "message": message})
            continue
        except Exception as exc:  # a corrupt PDF is reported, the other files still import
            report.append(
                {
                    "name": f.name,
                    "status": "error",
                    "message": _("Không đọc được tệp (%(name)s)", name=type(exc).__name__),
                }
            )
            continue
        outcome = library.store_document(db, title, text, publisher=publisher.strip() or None, kind=kind[:40])
        report.append(outcome_row(f.name, outcome))
        if outcome.document is not None and not outcome.duplicate:
            audit(db, "document.import", outcome.document, user_id=user.id, data={"file": f.name})
    _index(db)
    return report


def import_urls(
    db: Session, urls: list[str], user: models.User, *, publisher: str = "", max_bytes: int
) -> list[dict[str, str]]:
    """Fetch each URL and store its text as a document; one report line per URL."""
    report: list[dict[str, str]] = []
    for fetched in library.fetch_urls(urls, max_bytes=max_bytes):
        if fetched.error:
            report.append({"name": fetched.url, "status": "error", "message": fetched.error})
            continue
        outcome = library.store_document(
            db,
            fetched.title or fetched.url,
            fetched.text,
            url=fetched.url,
            publisher=publisher.strip() or None,
        )
        report.append(outcome_row(fetched.url, outcome))
        if outcome.document is not None and not outcome.duplicate:
            audit(db, "document.import", outcome.document, user_id=user.id, data={"url": fetched.url})
    _index(db)
    return report


def _index(db: Session) -> None:
    # New documents are split into passages and embedded by a job after the commit (never in the
    # request); evidence search sees them once it ran.
    db.flush()
    engine_link.schedule_documents(db)
