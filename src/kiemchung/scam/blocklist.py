"""Block- and allow-lists with provenance, and the in-memory snapshot used for exact lookups.

    >>> parse_feed("||scam.example^$third-party\\n! comment\\n@@||ok.example^").entries
    [('domain', 'scam.example')]
    >>> parse_feed("0.0.0.0 bad.example # tracker\\n127.0.0.1 localhost").entries
    [('domain', 'bad.example')]

Feeds are plain-domain lists, URL lists, hosts files or adblock filter lists. ``update_feed``
upserts a feed's entries: entries that vanished from the feed are marked inactive, never deleted,
so history and provenance survive. Every change leaves an AuditEvent.

The snapshot (``get_snapshot``) holds every active indicator in dicts keyed by (kind, value): an
exact hit is a handful of dict probes (the host and each parent domain), well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.orm import Session

from kiemchung import cache
from kiemchung.scam.domains import clean_host, parents, site_unit
from kiemchung.store import models
from kiemchung.store.db import audit
from kiemchung.store.models import IndicatorKind, ListKind, utcnow
from kiemchung.web.i18n import lazy_gettext

FORMATS = ("auto", "domains", "urls", "adblock", "hosts")
SEED_FEED = "chongluadao"
SEED_FILE = "blocklist-domains.txt"
SEED_PROVENANCE = {
    "feed": SEED_FEED,
    "url": "https://chongluadao.vn",
    "file": "kiemchung/scam/data/blocklist-domains.txt",
    "fetched_at": "2024-05",
    "licence": "CC0-1.0",
}
DESK_PROVENANCE = {"feed": "Bàn biên tập", "url": None, "fetched_at": None, "licence": None}
REMOVED_PREFIX = "[removed] "

_HOSTS_LINE = re.compile(r"^(?:0\.0\.0\.0|127\.0\.0\.1|::1?|255\.255\.255\.255)\s+(\S+)")
_HOSTS_SKIP = {"localhost", "localhost.localdomain", "broadcasthost", "local", "0.0.0.0", "ip6-localhost"}


@dataclass
class ParseResult:
    entries: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalised value), unique
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, line, reason)
    format: str = "domains"


def detect_format(lines: list[str]) -> str:
    """Guess the format from the first meaningful lines."""
    sample = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith(("#", "!", "["))][:200]
    if any(ln.startswith(("||", "@@||", "|http")) or ln.endswith("^") for ln in sample):
        return "adblock"
    if any(_HOSTS_LINE.match(ln) for ln in sample):
        return "hosts"
    if any("://" in ln or "/" in ln for ln in sample):
        return "urls"
    return "domains"


def normalise_url(value: str) -> str:
    """Lower-case scheme and host, no fragment, no trailing slash on a bare host."""
    v = value.strip()
    if "://" not in v:
        v = "http://" + v
    scheme, rest = v.split("://", 1)
    hostport, _, path = rest.partition("/")
    host = clean_host(hostport)
    path = path.split("#", 1)[0]
    return f"{scheme.lower()}://{host}" + (f"/{path}" if path else "")


def normalise_value(kind: str, value: str) -> str:
    """The canonical form stored and looked up for ``kind``; '' when ``value`` is not valid.

    >>> normalise_value("phone", "0912.345.678"), normalise_value("domain", "WWW.Abc.COM.")
    ('+84912345678', 'www.abc.com')
    """
    value = value.strip()
    if kind == "domain":
        return clean_host(value)
    if kind in ("url", "social_page"):
        return normalise_url(value) if clean_host(value) else ""
    if kind in ("phone", "ewallet"):
        try:
            num = phonenumbers.parse(value, "VN")
        except phonenumbers.NumberParseException:
            return ""
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if kind == "bank_account":
        digits = re.sub(r"[\s.-]", "", value)
        return digits if re.fullmatch(r"\d{6,19}", digits) else ""
    return ""


def _domain_entry(token: str) -> str:
    token = token.strip().lstrip("*.").lstrip(".")
    return clean_host(token)


def parse_feed(text: str, fmt: str = "auto") -> ParseResult:
    """Parse a feed body. Bad lines are reported with their line number, never fatal."""
    lines = text.splitlines()
    fmt = detect_format(lines) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise ValueError(lazy_gettext("Định dạng không hỗ trợ: %(fmt)s", fmt=fmt))
    res = ParseResult(format=fmt)
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            res.entries.append((kind, value))

    for no, raw in enumerate(lines, 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith(("#", "!", "[", "//")):
            continue
        if fmt == "adblock":
            if line.startswith("@@") or "##" in line or "#@#" in line or "#?#" in line:
                continue  # exceptions and cosmetic filters are not block entries
            body = line.split("$", 1)[0]
            if body.startswith("||"):
                host_part = body[2:].split("^", 1)[0]
                if "/" in host_part:
                    value = normalise_url(host_part) if "*" not in host_part else ""
                    if value:
                        add("url", value)
                        continue
                host = _domain_entry(host_part) if "*" not in host_part else ""
                if host:
                    add("domain", host)
                else:
                    res.rejected.append((no, raw, lazy_gettext("không phải tên miền")))
            elif body.startswith("|") and "://" in body:
                add("url", normalise_url(body.strip("|")))
            else:
                res.rejected.append((no, raw, lazy_gettext("quy tắc không hỗ trợ")))
            continue
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if fmt == "hosts":
            m = _HOSTS_LINE.match(line)
            if not m:
                res.rejected.append((no, raw, lazy_gettext("không phải dòng hosts")))
                continue
            for name in line.split()[1:]:
                if name.lower() in _HOSTS_SKIP:
                    continue
                host = _domain_entry(name)
                if host:
                    add("domain", host)
            continue
        if fmt == "urls" and ("/" in line.split("://", 1)[-1].rstrip("/")):
            value = normalise_url(line)
            if clean_host(line):
                add("url", value)
            else:
                res.rejected.append((no, raw, lazy_gettext("URL không hợp lệ")))
            continue
        host = _domain_entry(line.split("://", 1)[-1].split("/", 1)[0])
        if host:
            add("domain", host)
        else:
            res.rejected.append((no, raw, lazy_gettext("tên miền không hợp lệ")))
    return res


FEED_MAX_BYTES = 50_000_000  # the full ChongLuaDao list is under 1 MB; leave room for bigger feeds
FEED_TIMEOUT = 60.0


def read_source(url: str | None = None, path: str | Path | None = None) -> str:
    """The body of a feed from a URL (HTTP GET) or a local file."""
    if path is not None:
        return Path(path).read_text("utf-8", errors="replace")
    if url:
        from kiemchung.net import FetchError, safe_fetch

        resp = safe_fetch(url, max_bytes=FEED_MAX_BYTES, timeout=FEED_TIMEOUT)
        if resp.status_code >= 400:
            raise FetchError(
                lazy_gettext("Không tải được: HTTP %(status_code)s", status_code=resp.status_code), "http"
            )
        return resp.text
    raise ValueError(lazy_gettext("Cần --url hoặc --file"))


# ---------------------------------------------------------------------------------------------
# Database: feeds and editor entries


@dataclass
class UpdateReport:
    feed: str
    added: int = 0
    refreshed: int = 0
    reactivated: int = 0
    deactivated: int = 0
    total: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def update_feed(
    session: Session,
    name: str,
    parsed: ParseResult,
    *,
    url: str | None = None,
    path: str | None = None,
    list_kind: str = "block",
    licence: str | None = None,
    interval_hours: int | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> UpdateReport:
    """Upsert a feed and its entries (idempotent); vanished entries become inactive."""
    now = now or utcnow()
    lk = ListKind(list_kind)
    feed = session.scalar(select(models.Feed).where(models.Feed.name == name))
    if feed is None:
        feed = models.Feed(name=name, list_kind=lk)
        session.add(feed)
    feed.list_kind = lk
    feed.url = url if url is not None else (None if path else feed.url)
    feed.path = path if path is not None else (None if url else feed.path)
    feed.format = parsed.format
    feed.licence = licence if licence is not None else feed.licence
    if interval_hours is not None:
        feed.expected_interval_hours = interval_hours
    feed.fetched_at = now
    feed.entry_count = len(parsed.entries)
    session.flush()

    rep = UpdateReport(feed=name, total=len(parsed.entries), rejected=parsed.rejected)
    existing: dict[tuple[str, str], tuple[int, bool, str | None]] = {
        (k.value, v): (i, a, r)
        for i, k, v, a, r in session.execute(
            select(
                models.Indicator.id,
                models.Indicator.kind,
                models.Indicator.value,
                models.Indicator.active,
                models.Indicator.reason,
            ).where(models.Indicator.feed_id == feed.id)
        )
    }
    wanted = set(parsed.entries)
    new_rows, seen_ids, react_ids = [], [], []
    for kind, value in parsed.entries:
        hit = existing.get((kind, value))
        if hit is None:
            new_rows.append(
                {
                    "kind": IndicatorKind(kind),
                    "value": value[:500],
                    "list_kind": lk,
                    "feed_id": feed.id,
                    "active": True,
                    "first_seen": now,
                    "last_seen": now,
                }
            )
        else:
            seen_ids.append(hit[0])
            removed_by_editor = (hit[2] or "").startswith(REMOVED_PREFIX)
            if not hit[1] and not removed_by_editor:
                react_ids.append(hit[0])
    gone_ids = [i for key, (i, active, _r) in existing.items() if active and key not in wanted]
    for chunk in _chunks(new_rows, 2000):
        session.execute(insert(models.Indicator), chunk)
    for ids in _chunks(seen_ids, 2000):
        session.execute(update(models.Indicator).where(models.Indicator.id.in_(ids)).values(last_seen=now))
    for ids in _chunks(react_ids, 2000):
        session.execute(update(models.Indicator).where(models.Indicator.id.in_(ids)).values(active=True))
    for ids in _chunks(gone_ids, 2000):
        session.execute(update(models.Indicator).where(models.Indicator.id.in_(ids)).values(active=False))
    rep.added, rep.refreshed = len(new_rows), len(seen_ids)
    rep.reactivated, rep.deactivated = len(react_ids), len(gone_ids)
    audit(
        session,
        "scam.feed_update",
        feed,
        user_id=user_id,
        data={
            "added": rep.added,
            "reactivated": rep.reactivated,
            "deactivated": rep.deactivated,
            "total": rep.total,
            "rejected": len(rep.rejected),
            "url": url,
            "path": path,
        },
    )
    session.flush()
    invalidate_snapshot()
    return rep


def _chunks(seq: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def seed_bundled(session: Session) -> UpdateReport:
    """Load the bundled ChongLuaDao snapshot as the ``chongluadao`` feed (idempotent)."""
    parsed = parse_feed(bundled_seed_text(), "domains")
    return update_feed(
        session,
        SEED_FEED,
        parsed,
        url=SEED_PROVENANCE["url"],
        list_kind="block",
        licence=SEED_PROVENANCE["licence"],
        interval_hours=24 * 30,
        now=datetime(2024, 5, 31),
    )


@dataclass
class FeedStatus:
    name: str
    list_kind: str
    source: str
    format: str
    licence: str | None
    fetched_at: datetime | None
    entry_count: int
    active_count: int
    interval_hours: int
    stale: bool


def feed_status(session: Session, now: datetime | None = None) -> list[FeedStatus]:
    """Every feed with its provenance and whether it missed its expected refresh."""
    now = now or utcnow()
    counts = dict(
        session.execute(
            select(models.Indicator.feed_id, func.count())
            .where(models.Indicator.active.is_(True))
            .group_by(models.Indicator.feed_id)
        ).all()
    )
    out = []
    for f in session.scalars(select(models.Feed).order_by(models.Feed.name)):
        stale = f.fetched_at is None or now - f.fetched_at > timedelta(hours=f.expected_interval_hours)
        out.append(
            FeedStatus(
                f.name,
                f.list_kind.value,
                f.url or f.path or "",
                f.format,
                f.licence,
                f.fetched_at,
                f.entry_count,
                int(counts.get(f.id, 0)),
                f.expected_interval_hours,
                stale,
            )
        )
    return out


def add_indicator(
    session: Session,
    kind: str,
    value: str,
    list_kind: str = "block",
    reason: str = "",
    user_id: int | None = None,
    category: str | None = None,
) -> models.Indicator:
    """An editor lists ``value`` (block or allow); re-adding a removed entry re-activates it."""
    norm = normalise_value(kind, value)
    if not norm:
        raise ValueError(
            lazy_gettext("Giá trị không hợp lệ cho loại %(kind)s", kind=kind, value=f"{value!r}")
        )
    ind = session.scalar(
        select(models.Indicator).where(
            models.Indicator.kind == IndicatorKind(kind),
            models.Indicator.value == norm,
            models.Indicator.list_kind == ListKind(list_kind),
            models.Indicator.feed_id.is_(None),
        )
    )
    if ind is None:
        ind = models.Indicator(
            kind=IndicatorKind(kind), value=norm, list_kind=ListKind(list_kind), feed_id=None
        )
        session.add(ind)
    ind.active, ind.reason, ind.added_by_id, ind.last_seen = True, reason, user_id, utcnow()
    if category:
        ind.category = category
    session.flush()
    audit(
        session,
        "scam.indicator_add",
        ind,
        user_id=user_id,
        data={"kind": kind, "value": norm, "list": list_kind, "reason": reason},
    )
    invalidate_snapshot()
    return ind


def remove_indicator(
    session: Session,
    kind: str,
    value: str,
    list_kind: str = "block",
    reason: str = "",
    user_id: int | None = None,
) -> int:
    """Deactivate every active entry for ``value`` (editor and feed entries); returns how many.

    Feed entries removed this way stay inactive across feed refreshes.
    """
    norm = normalise_value(kind, value) or value.strip()
    rows = list(
        session.scalars(
            select(models.Indicator).where(
                models.Indicator.kind == IndicatorKind(kind),
                models.Indicator.value == norm,
                models.Indicator.list_kind == ListKind(list_kind),
                models.Indicator.active.is_(True),
            )
        )
    )
    for ind in rows:
        ind.active = False
        ind.reason = REMOVED_PREFIX + reason
        audit(
            session,
            "scam.indicator_remove",
            ind,
            user_id=user_id,
            data={"kind": kind, "value": norm, "list": list_kind, "reason": reason},
        )
    session.flush()
    invalidate_snapshot()
    return len(rows)


# ---------------------------------------------------------------------------------------------
# The in-memory snapshot


@dataclass
class Snapshot:
    """Active indicators keyed by (kind, value) -> index into ``provenance``."""

    block: dict[tuple[str, str], int] = field(default_factory=dict)
    allow: dict[tuple[str, str], int] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    units: dict[str, int] = field(default_factory=dict)  # site unit of a blocked host -> provenance

    def _prov(self, p: dict[str, Any]) -> int:
        self.provenance.append(p)
        return len(self.provenance) - 1

    def add_many(
        self, entries: Iterable[tuple[str, str]], prov: dict[str, Any], list_kind: str = "block"
    ) -> None:
        idx = self._prov(prov)
        target = self.block if list_kind == "block" else self.allow
        for kind, value in entries:
            target.setdefault((kind, value), idx)
            if list_kind == "block" and kind in ("domain", "url"):
                host = value if kind == "domain" else clean_host(value)
                unit = site_unit(host) if host else ""
                if unit:
                    self.units.setdefault(unit, idx)

    def host_hit(self, host: str) -> tuple[str, str, dict[str, Any]] | None:
        """('allow'|'block', matched domain, provenance) for the host or its nearest listed parent."""
        for p in parents(host) or [host]:
            key = ("domain", p)
            i = self.allow.get(key)
            if i is not None:
                return "allow", p, self.provenance[i]
            i = self.block.get(key)
            if i is not None:
                return "block", p, self.provenance[i]
        return None

    def value_hit(self, kind: str, value: str) -> tuple[str, dict[str, Any]] | None:
        kinds = ("phone", "ewallet") if kind in ("phone", "ewallet") else (kind,)
        for k in kinds:
            i = self.allow.get((k, value))
            if i is not None:
                return "allow", self.provenance[i]
        for k in kinds:
            i = self.block.get((k, value))
            if i is not None:
                return "block", self.provenance[i]
        return None


def bundled_seed_text() -> str:
    return resources.files("kiemchung.scam").joinpath("data", SEED_FILE).read_text("utf-8")


def build_snapshot(session: Session | None = None) -> Snapshot:
    """Bundled seed plus, when ``session`` is given, every active indicator in the database."""
    snap = Snapshot()
    feeds: dict[int, models.Feed] = {}
    if session is not None:
        feeds = {f.id: f for f in session.scalars(select(models.Feed))}
    if not any(f.name == SEED_FEED for f in feeds.values()):
        snap.add_many(parse_feed(bundled_seed_text(), "domains").entries, dict(SEED_PROVENANCE))
    if session is None:
        return snap
    grouped: dict[tuple[int | None, str], list[tuple[str, str]]] = {}
    rows = session.execute(
        select(
            models.Indicator.feed_id,
            models.Indicator.list_kind,
            models.Indicator.kind,
            models.Indicator.value,
            models.Indicator.reason,
            models.Indicator.last_seen,
        ).where(models.Indicator.active.is_(True))
    )
    for feed_id, lk, kind, value, reason, last_seen in rows:
        if feed_id is None:
            # an editor's entry carries its own reason and date as provenance
            prov = dict(DESK_PROVENANCE, reason=reason or None)
            prov["fetched_at"] = last_seen.isoformat() if last_seen else None
            snap.add_many([(kind.value, value)], prov, lk.value)
            continue
        grouped.setdefault((feed_id, lk.value), []).append((kind.value, value))
    for (feed_id, lk_name), entries in grouped.items():
        f = feeds.get(feed_id) if feed_id is not None else None
        prov = (
            {
                "feed": f.name,
                "url": f.url or f.path,
                "fetched_at": f.fetched_at.isoformat() if f.fetched_at else None,
                "licence": f.licence,
            }
            if f is not None
            else dict(DESK_PROVENANCE)
        )
        snap.add_many(entries, prov, lk_name)
    return snap


RECHECK_SECONDS = 30.0
_SNAPSHOTS = cache.register(
    "scam.snapshot",
    ttl=RECHECK_SECONDS,
    doc="The in-memory scam list snapshot, one per database URL (and one of the bundled seed alone); "
    "after RECHECK_SECONDS the database's indicator and feed counts are compared and the snapshot "
    "is rebuilt only when they changed.",
)


def _signature(session: Session) -> tuple[Any, ...]:
    row = session.execute(
        select(func.count(), func.max(models.Indicator.id), func.max(models.Indicator.last_seen)).where(
            models.Indicator.active.is_(True)
        )
    ).one()
    feeds = session.execute(select(func.count(), func.max(models.Feed.fetched_at))).one()
    return (*row, *feeds)


def database_ready(url: str | None = None) -> bool:
    """True when the configured database exists and has the indicator table."""
    from kiemchung.settings import get_settings
    from kiemchung.store.db import get_engine

    url = url or get_settings().resolved_database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if not path or path == ":memory:" or not Path(path).exists():
            return False
    try:
        return bool(inspect(get_engine(url)).has_table("indicator"))
    except Exception:
        return False


def get_snapshot(session: Session | None = None, *, use_database: bool = True) -> Snapshot:
    """The cached snapshot; rebuilt when the database's indicators changed (checked every 30 s).

    Without a session, the configured database is used if it exists, else the bundled seed alone.
    """
    from kiemchung.store.db import session_scope

    if session is None and use_database and database_ready():
        with session_scope() as s:
            return get_snapshot(s)
    key = str(session.get_bind().engine.url) if session is not None else "bundled"
    # the bundled seed never changes, so its signature is constant and it is built once
    snap: Snapshot = _SNAPSHOTS.revalidate(
        key,
        lambda: _signature(session) if session is not None else (),
        lambda: build_snapshot(session),
    )
    return snap


def invalidate_snapshot() -> None:
    """Drop cached snapshots (after an update; other processes notice within 30 s)."""
    _SNAPSHOTS.invalidate()
