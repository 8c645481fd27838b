"""The registry of official channels and the scam feeds, as the desk edits and shows them.

Validation of the add/edit form is pure (``SourceForm.validate``); the functions below take the
request's session and leave committing to the caller. Scam lookups judge links against the
registry, so every change drops the lookup's cached index once the transaction has committed
(``invalidate_registry`` via ``after_commit``): a domain registered here is recognised by the very
next check. Routes: :mod:`kiemchung.desk.routes.sources` and :mod:`kiemchung.desk.routes.feeds`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.desk.factchecks import field_changes
from kiemchung.scam import blocklist, registry
from kiemchung.scam.domains import clean_host
from kiemchung.scam.registry import invalidate_registry
from kiemchung.store import models
from kiemchung.store.db import NotFound, after_commit, audit
from kiemchung.store.models import SourceKind
from kiemchung.text import fold
from kiemchung.web.i18n import N_, _

PAGE_SIZE = 50
KINDS = (SourceKind.official, SourceKind.publisher)
KIND_LABELS = {
    "official": N_("Kênh chính thức"),
    "publisher": N_("Cơ quan báo chí"),
}
# The registry's own categories (registry.CATEGORY_VI), with English names; "other" for the rest.
CATEGORY_LABELS: dict[str, str] = {
    "bank": N_("Ngân hàng"),
    "ewallet": N_("Ví điện tử"),
    "telco": N_("Nhà mạng"),
    "ecommerce": N_("Sàn thương mại điện tử"),
    "ministry": N_("Cơ quan nhà nước"),
    "media": N_("Báo chí"),
    "platform": N_("Nền tảng"),
    "utility": N_("Điện, nước, tiện ích"),
    "finance": N_("Công ty tài chính"),
    "securities": N_("Chứng khoán"),
    "insurance": N_("Bảo hiểm"),
    "retail": N_("Bán lẻ"),
    "transport": N_("Vận tải"),
    "logistics": N_("Chuyển phát"),
    "group": N_("Tập đoàn"),
    "health": N_("Y tế"),
    "desk": N_("Bàn kiểm chứng"),
    "other": N_("Khác"),
}
STATUS_LABELS = {
    "registered": N_("Trong danh bạ"),
    "unregistered": N_("Đã gỡ"),
    "all": N_("Tất cả"),
}
LIST_KIND_LABELS = {"block": N_("Danh sách chặn"), "allow": N_("Danh sách tin cậy")}

_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^https?://", re.I)


# ---------------------------------------------------------------- validation (pure)


def parse_domain(raw: str) -> str | None:
    """A hostname, lower-case, IDN shown in Unicode; None when ``raw`` is not one.

    A pasted link's scheme and trailing slash are forgiven; a path, port or space is not.

        >>> parse_domain("HTTPS://Vietcombank.com.vn/"), parse_domain("xn--bcher-kva.vn")
        ('vietcombank.com.vn', 'bücher.vn')
        >>> parse_domain("vietcombank"), parse_domain("a_b.vn"), parse_domain("abc.vn/login")
        (None, None, None)
    """
    value = _SCHEME.sub("", raw.strip()).rstrip("/").rstrip(".")
    if not value or re.search(r"[\s/:@?#]", value):
        return None
    host = clean_host(value)
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253 or any(not _LABEL.match(lb) or "_" in lb for lb in labels):
        return None
    if labels[-1].isdigit():  # an IP address is not a channel's domain
        return None
    return host


def parse_page_url(raw: str) -> str | None:
    """An http(s) URL with a host, else None.

    >>> parse_page_url("https://www.facebook.com/vietcombank"), parse_page_url("javascript:alert(1)")
    ('https://www.facebook.com/vietcombank', None)
    """
    value = raw.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
        return None
    return value


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


@dataclass
class SourceForm:
    name: str = ""
    kind: str = "official"
    category: str = "other"
    verified: bool = False
    registered: bool = True
    domains: str = ""
    page_urls: str = ""
    page_names: str = ""
    errors: list[str] = field(default_factory=list)
    clean: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, s: models.Source) -> SourceForm:
        return cls(
            name=s.name,
            kind=s.kind.value,
            category=s.category,
            verified=s.verified,
            registered=s.registered,
            domains="\n".join(s.domains or []),
            page_urls="\n".join(s.page_urls or []),
            page_names="\n".join(s.page_names or []),
        )

    def validate(self) -> bool:
        """Fill ``clean`` (the Source's field values) or ``errors`` (bilingual messages)."""
        e = self.errors
        name = " ".join(self.name.split())
        if not name:
            e.append(_("Cần nhập tên"))
        elif len(name) > 200:
            e.append(_("Tên dài quá 200 ký tự"))
        if self.kind not in KIND_LABELS:
            e.append(_("Loại nguồn không hợp lệ"))
        if self.category not in CATEGORY_LABELS:
            e.append(_("Nhóm không hợp lệ"))
        domains: list[str] = []
        for line in _lines(self.domains):
            host = parse_domain(line)
            if host is None:
                e.append(_("“%(line)s” không phải tên miền hợp lệ", line=line))
            elif host not in domains:
                domains.append(host)
        urls: list[str] = []
        for line in _lines(self.page_urls):
            url = parse_page_url(line)
            if url is None:
                e.append(_("“%(line)s” không phải địa chỉ http(s) hợp lệ", line=line))
            elif url not in urls:
                urls.append(url)
        names = list(dict.fromkeys(" ".join(n.split()) for n in _lines(self.page_names)))
        if not domains and not urls:
            e.append(_("Cần ít nhất một tên miền hoặc một trang chính thức"))
        self.clean = {
            "name": name,
            "kind": self.kind,
            "category": self.category,
            "verified": self.verified,
            "registered": self.registered,
            "domains": domains,
            "page_urls": urls,
            "page_names": names,
        }
        return not e


def snapshot(s: models.Source) -> dict[str, Any]:
    return {
        "name": s.name,
        "kind": s.kind.value,
        "category": s.category,
        "verified": s.verified,
        "registered": s.registered,
        "domains": list(s.domains or []),
        "page_urls": list(s.page_urls or []),
        "page_names": list(s.page_names or []),
    }


def matches(s: models.Source, folded_q: str) -> bool:
    """Search over name, domains and page names, without diacritics ("ngan hang" finds "Ngân hàng")."""
    hay = " ".join([s.name, *(s.domains or []), *(s.page_names or []), *(s.page_urls or [])])
    return folded_q in fold(hay)


# ---------------------------------------------------------------- the registry, for the desk's pages


def form_labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "category_labels": CATEGORY_LABELS}


def sources_page(db: Session, q: str, category: str, kind: str, status: str, p: int) -> dict[str, Any]:
    """One page of channels matching the filters (search without diacritics), and paging links."""
    status = status if status in STATUS_LABELS else "registered"
    stmt = select(models.Source).where(models.Source.kind.in_(KINDS)).order_by(models.Source.name)
    if status != "all":
        stmt = stmt.where(models.Source.registered.is_(status == "registered"))
    if kind in KIND_LABELS:
        stmt = stmt.where(models.Source.kind == SourceKind(kind))
    if category:
        stmt = stmt.where(models.Source.category == category)
    rows = list(db.scalars(stmt))
    folded = fold(q.strip())
    if folded:  # a few hundred rows: folding in Python works the same on SQLite and PostgreSQL
        rows = [s for s in rows if matches(s, folded)]
    rows.sort(key=lambda s: fold(s.name))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    p = min(max(1, p), pages)
    f = {"q": q, "category": category, "kind": kind, "status": status}
    registered_total = len(
        db.scalars(
            select(models.Source.id).where(models.Source.kind.in_(KINDS), models.Source.registered.is_(True))
        ).all()
    )
    return {
        "sources": rows[(p - 1) * PAGE_SIZE : p * PAGE_SIZE],
        "count": len(rows),
        "registered_total": registered_total,
        "page_no": p,
        "pages": pages,
        "page_query": {
            n: urlencode({**{k: v for k, v in f.items() if v}, "p": n}) for n in range(1, pages + 1)
        },
        "f": f,
        "status_labels": STATUS_LABELS,
        **form_labels(),
    }


def _changed(db: Session) -> None:
    after_commit(db, invalidate_registry)


def load_bundled(db: Session, user: models.User) -> tuple[int, int]:
    """Create the bundled seed's missing channels; ``(created, already present)``."""
    created, present = registry.load_registry(db)
    audit(db, "source.load_bundled", user_id=user.id, entity_type="source", data={"created": created})
    _changed(db)
    return created, present


def get_source(db: Session, source_id: int) -> models.Source:
    src = db.get(models.Source, source_id)
    if src is None:
        raise NotFound(source_id)
    return src


def _name_taken(db: Session, name: str, own_id: int | None) -> bool:
    other = db.scalar(select(models.Source.id).where(models.Source.name == name))
    return other is not None and other != own_id


def create(db: Session, form: SourceForm, user: models.User) -> models.Source | None:
    """Register a channel; None (and ``form.errors`` filled) when the form is not valid."""
    form.registered = True  # a new entry is always in the registry
    if form.validate() and _name_taken(db, form.clean["name"], None):
        form.errors.append(_("Tên này đã có trong danh bạ"))
    if form.errors:
        return None
    c = form.clean
    src = models.Source(
        **{**c, "kind": SourceKind(c["kind"])},
        url=f"https://{c['domains'][0]}" if c["domains"] else c["page_urls"][0],
    )
    db.add(src)
    db.flush()
    audit(db, "source.create", src, user_id=user.id, data={"changes": field_changes({}, snapshot(src))})
    _changed(db)
    return src


def update(db: Session, source_id: int, form: SourceForm, user: models.User) -> tuple[models.Source, bool]:
    """Save an edit; ``(source, changed)``. ``form.errors`` is filled when the form is not valid."""
    src = get_source(db, source_id)
    if form.validate() and _name_taken(db, form.clean["name"], src.id):
        form.errors.append(_("Tên này đã có trong danh bạ"))
    if form.errors:
        return src, False
    before = snapshot(src)
    for key, value in form.clean.items():
        setattr(src, key, SourceKind(value) if key == "kind" else value)
    changes = field_changes(before, snapshot(src))
    if changes:
        audit(db, "source.update", src, user_id=user.id, data={"changes": changes})
        _changed(db)
    return src, bool(changes)


def unregister(db: Session, source_id: int, user: models.User) -> models.Source:
    """Take a channel out of the registry (the row stays, for history)."""
    src = get_source(db, source_id)
    if src.registered:
        src.registered = False
        audit(
            db,
            "source.unregister",
            src,
            user_id=user.id,
            data={"changes": {"registered": {"old": True, "new": False}}},
        )
        _changed(db)
    return src


# ---------------------------------------------------------------- feeds


def interval_text(hours: int, lang: str) -> str:
    """ "30 ngày" / "30 days" for whole days, else hours.

    >>> interval_text(720, "vi"), interval_text(24, "en"), interval_text(6, "vi")
    ('30 ngày', '1 day', '6 giờ')
    """
    if hours % 24 == 0:
        n = hours // 24
        return f"{n} ngày" if lang != "en" else f"{n} day{'s' if n != 1 else ''}"
    return f"{hours} giờ" if lang != "en" else f"{hours} hour{'s' if hours != 1 else ''}"


def feeds_page(db: Session, now: datetime) -> dict[str, Any]:
    """Every feed with its age and stale flag, and how many entries the desk added by hand."""
    feeds = blocklist.feed_status(db, now)
    manual = len(
        db.scalars(
            select(models.Indicator.id).where(
                models.Indicator.feed_id.is_(None), models.Indicator.active.is_(True)
            )
        ).all()
    )
    return {
        "feeds": feeds,
        "ages": {fs.name: (now - fs.fetched_at).days if fs.fetched_at else None for fs in feeds},
        "stale_count": sum(fs.stale for fs in feeds),
        "manual_count": manual,
        "list_kind_labels": LIST_KIND_LABELS,
    }
