"""Registry of official channels: banks, e-wallets, telcos, shops, ministries, newsrooms.

    >>> reg = Registry(bundled_registry())
    >>> reg.owner("ibanking.vietcombank.com.vn").name
    'Vietcombank'
    >>> reg.owner("vietcombank-hotro.com") is None
    True

The bundled seed (``data/official_sources.json``) is loaded into the Source table by
``load_registry(session)``; editors keep it current there, and ``registry_from_db`` reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung import cache
from kiemchung.scam.domains import clean_host, parents, split_host
from kiemchung.store import models
from kiemchung.text import fold

SEED = "official_sources.json"


@dataclass(frozen=True)
class Official:
    name: str
    category: str
    domains: tuple[str, ...]
    page_names: tuple[str, ...] = ()
    page_urls: tuple[str, ...] = ()
    brand_tokens: tuple[str, ...] = ()
    kind: str = "official"

    @property
    def label(self) -> str:
        """Short description for reasons, e.g. 'ngân hàng Vietcombank'."""
        return f"{CATEGORY_VI.get(self.category, '')} {self.name}".strip()


CATEGORY_VI = {
    "bank": "ngân hàng",
    "ewallet": "ví điện tử",
    "telco": "nhà mạng",
    "ecommerce": "sàn thương mại",
    "ministry": "cơ quan nhà nước",
    "media": "báo",
    "platform": "nền tảng",
    "utility": "doanh nghiệp",
    "finance": "công ty tài chính",
    "securities": "công ty chứng khoán",
    "insurance": "công ty bảo hiểm",
    "retail": "nhà bán lẻ",
    "transport": "hãng vận tải",
    "logistics": "hãng chuyển phát",
    "group": "tập đoàn",
    "health": "cơ sở y tế",
    "desk": "",
}


def _seed_rows() -> list[dict[str, Any]]:
    text = resources.files("kiemchung.scam").joinpath("data", SEED).read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(text)["sources"]
    return rows


def _official(row: dict[str, Any]) -> Official:
    """An Official from a seed or database row.

    ``brand_tokens`` given (even empty) is exact: names like "guardian" or "batdongsan" are common
    words, and inside somebody else's domain they say nothing. Absent, the distinctive domain labels
    (5+ letters, no hyphen, not a newsroom) stand in, so editors' new Sources need no tokens.
    """
    category = row.get("category", "other")
    domains = tuple(h for h in (clean_host(d) for d in row.get("domains", [])) if h)
    if "brand_tokens" in row:
        tokens = tuple(fold(t) for t in row["brand_tokens"])
    else:
        labels = (split_host(d)[1] for d in domains)
        tokens = tuple(
            dict.fromkeys(fold(lb) for lb in labels if len(lb) >= 5 and "-" not in lb and category != "media")
        )
    return Official(
        name=row["name"],
        category=category,
        domains=domains,
        page_names=tuple(row.get("page_names", [])),
        page_urls=tuple(row.get("page_urls", [])),
        brand_tokens=tokens,
        kind=row.get("kind", "official"),
    )


@lru_cache(maxsize=1)
def bundled_registry() -> tuple[Official, ...]:
    return tuple(_official(r) for r in _seed_rows())


def load_registry(session: Session) -> tuple[int, int]:
    """Create the bundled official Sources that are missing; returns (created, already present).

    Existing rows are left as editors made them, so re-running never undoes an edit.
    """
    existing = set(session.scalars(select(models.Source.name)))
    created = 0
    for row in _seed_rows():
        if row["name"] in existing:
            continue
        session.add(
            models.Source(
                name=row["name"],
                kind=models.SourceKind(row.get("kind", "official")),
                category=row.get("category", "other"),
                registered=True,
                verified=True,
                domains=list(row.get("domains", [])),
                page_urls=list(row.get("page_urls", [])),
                page_names=list(row.get("page_names", [])),
                url="https://" + row["domains"][0] if row.get("domains") else None,
            )
        )
        created += 1
    session.flush()
    invalidate_registry()
    return created, len(_seed_rows()) - created


def registry_from_db(session: Session) -> tuple[Official, ...]:
    """Registered official/publisher Sources from the database, with the bundled brand tokens."""
    tokens = {o.name: o.brand_tokens for o in bundled_registry()}
    rows = session.scalars(
        select(models.Source).where(
            models.Source.registered.is_(True),
            models.Source.kind.in_([models.SourceKind.official, models.SourceKind.publisher]),
        )
    )
    out = []
    for s in rows:
        row: dict[str, Any] = {
            "name": s.name,
            "category": s.category,
            "domains": s.domains or [],
            "page_names": s.page_names or [],
            "page_urls": s.page_urls or [],
            "kind": s.kind.value,
        }
        if s.name in tokens:
            row["brand_tokens"] = tokens[s.name]
        out.append(_official(row))
    return tuple(out)


@dataclass
class Registry:
    """Index over official channels: who owns a host, which brand a token names."""

    officials: tuple[Official, ...] | list[Official]
    by_domain: dict[str, Official] = field(default_factory=dict)
    tokens: dict[str, Official] = field(default_factory=dict)  # folded brand token -> owner
    labels: dict[str, Official] = field(default_factory=dict)  # registrable label -> owner
    # Labels worth imitating: a brand ("vietcombank", "bidv") or a newsroom name, not a common
    # word ("guardian", "timo") that other honest sites may well use under another suffix.
    distinctive: dict[str, Official] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for o in self.officials:
            for t in o.brand_tokens:
                self.tokens.setdefault(t, o)
        for o in self.officials:
            for d in o.domains:
                self.by_domain[d] = o
                label = fold(split_host(d)[1])
                if not label:
                    continue
                self.labels.setdefault(label, o)
                if o.category == "media" or any(
                    t == label or (len(t) >= 4 and t in label) for t in o.brand_tokens
                ):
                    self.distinctive.setdefault(label, o)

    def owner(self, host: str) -> Official | None:
        """The official whose domain is ``host`` or one of its parents."""
        for p in parents(host):
            o = self.by_domain.get(p)
            if o is not None:
                return o
        return None


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The index over the bundled registry (used when no database is at hand)."""
    return Registry(bundled_registry())


REGISTRY_TTL = 30.0  # seconds an index of the official channels is reused before re-reading
_REGISTRIES = cache.register(
    "scam.registry",
    ttl=REGISTRY_TTL,
    doc="The index of the official channels, one per database URL; dropped at once when an editor "
    "changes a Source, re-read after REGISTRY_TTL seconds for changes made by another process.",
)


def registry_for(session: Session | None) -> Registry:
    """The official-channel index for this database (rebuilt at most every ``REGISTRY_TTL`` s:
    reading ~300 Sources on every lookup cost more than the rest of a tip's handling)."""
    if session is None:
        return default_registry()
    key = str(session.get_bind().engine.url)
    reg: Registry | None = _REGISTRIES.get(key)
    if reg is None:
        # built outside the cache's lock: a slow database read must not hold up other lookups
        officials = registry_from_db(session)
        reg = _REGISTRIES.set(key, Registry(officials) if officials else default_registry())
    return reg


def invalidate_registry() -> None:
    """Forget cached registries (after editing the official channels)."""
    _REGISTRIES.invalidate()
