"""RSS 2.0, Atom 1.0, sitemap.xml and robots.txt — pure builders plus their routes.

    >>> rfc822(datetime(2026, 11, 24, 9, 5))
    'Tue, 24 Nov 2026 09:05:00 +0000'

Built with ElementTree so every text node is escaped by the serialiser, not by hand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.orm import Session

from kiemchung.public import queries
from kiemchung.public.asking import weekly_summary
from kiemchung.settings import get_settings
from kiemchung.store.models import FactCheck, utcnow
from kiemchung.web import baseurl
from kiemchung.web.deps import SessionDep

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
STATIC_PAGES = (
    "/",
    "/kiem-chung",
    "/phuong-phap",
    "/dinh-chinh",
    "/gioi-thieu",
    "/gui-tin",
    "/kiem-tra",
    "/nguoi-dan-hoi",
)

router = APIRouter(include_in_schema=False)


def rfc822(dt: datetime) -> str:
    aware = queries.as_utc(dt)
    assert aware is not None
    return format_datetime(aware)


def rfc3339(dt: datetime) -> str:
    aware = queries.as_utc(dt)
    assert aware is not None
    return aware.isoformat().replace("+00:00", "Z")


def _title(fc: FactCheck) -> str:
    return f"[{queries.verdict_label(fc.verdict, 'vi')}] {fc.claim_reviewed}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rss(fact_checks: Sequence[FactCheck], weekly: Mapping[str, Any] | None = None) -> bytes:
    """RSS 2.0 channel of the given (published) fact-checks, and the weekly "what people are
    asking" summary when there is one (``public.asking.weekly_summary``)."""
    s = get_settings()
    # Namespaces are written as plain attributes: ET.register_namespace is process-global state.
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    ch = _sub(root, "channel")
    _sub(ch, "title", s.org_name)
    _sub(ch, "link", queries.absolute_url("/"))
    _sub(ch, "description", f"{s.org_description} — Bài kiểm chứng mới nhất")
    _sub(ch, "language", "vi")
    _sub(ch, "atom:link", href=queries.absolute_url("/feed.xml"), rel="self", type="application/rss+xml")
    dates = [fc.published_at for fc in fact_checks if fc.published_at]
    _sub(ch, "lastBuildDate", rfc822(max(dates) if dates else utcnow()))
    if weekly:
        it = _sub(ch, "item")
        _sub(it, "title", weekly["title"])
        url = queries.absolute_url(weekly["path"])
        _sub(it, "link", url)
        _sub(it, "guid", url, isPermaLink="true")
        _sub(it, "description", weekly["text"])
        _sub(it, "pubDate", rfc822(weekly["updated"]))
        _sub(it, "category", "Người dân đang hỏi gì")
    for fc in fact_checks:
        it = _sub(ch, "item")
        _sub(it, "title", _title(fc))
        url = queries.fact_check_url(fc)
        _sub(it, "link", url)
        _sub(it, "guid", url, isPermaLink="true")
        _sub(it, "description", fc.summary or fc.claim_reviewed)
        if fc.published_at:
            _sub(it, "pubDate", rfc822(fc.published_at))
        _sub(it, "category", queries.verdict_label(fc.verdict, "vi"))
        for t in fc.topics or []:
            _sub(it, "category", t)
    return _xml(root)


def atom(fact_checks: Sequence[FactCheck], weekly: Mapping[str, Any] | None = None) -> bytes:
    """Atom 1.0 feed of the given (published) fact-checks, and the weekly summary if any."""
    s = get_settings()
    a = _sub
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})
    a(root, "id", queries.absolute_url("/atom.xml"))
    a(root, "title", s.org_name)
    a(root, "subtitle", s.org_description)
    a(root, "link", href=queries.absolute_url("/atom.xml"), rel="self", type="application/atom+xml")
    a(root, "link", href=queries.absolute_url("/"), rel="alternate", type="text/html")
    stamps = [fc.updated_at or fc.published_at for fc in fact_checks]
    if weekly:
        stamps.append(weekly["updated"])
    a(root, "updated", rfc3339(max((d for d in stamps if d), default=utcnow())))
    author = a(root, "author")
    a(author, "name", s.org_name)
    a(author, "uri", baseurl.org_url(s))
    if weekly:
        e = a(root, "entry")
        url = queries.absolute_url(weekly["path"])
        a(e, "id", url)
        a(e, "title", weekly["title"])
        a(e, "link", href=url, rel="alternate", type="text/html")
        a(e, "summary", weekly["text"], type="text")
        a(e, "published", rfc3339(weekly["updated"]))
        a(e, "updated", rfc3339(weekly["updated"]))
        a(e, "category", term="nguoi-dan-hoi", label="Người dân đang hỏi gì")
    for fc in fact_checks:
        e = a(root, "entry")
        url = queries.fact_check_url(fc)
        a(e, "id", url)
        a(e, "title", _title(fc))
        a(e, "link", href=url, rel="alternate", type="text/html")
        a(e, "summary", fc.summary or fc.claim_reviewed, type="text")
        published = fc.published_at or fc.created_at
        a(e, "published", rfc3339(published))
        a(e, "updated", rfc3339(max(published, fc.updated_at or published)))
        a(e, "category", term=fc.verdict.value, label=queries.verdict_label(fc.verdict, "vi"))
        for t in fc.topics or []:
            a(e, "category", term=queries.topic_slug(t), label=t)
    return _xml(root)


def sitemap(fact_checks: Sequence[FactCheck], topic_slugs: Sequence[str]) -> bytes:
    """Public pages, topic pages and every published fact-check (with lastmod)."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})

    def url(loc: str, lastmod: datetime | None = None) -> None:
        u = _sub(root, "url")
        _sub(u, "loc", loc)
        if lastmod:
            _sub(u, "lastmod", rfc3339(lastmod))

    for path in STATIC_PAGES:
        url(queries.absolute_url(path))
    for slug in topic_slugs:
        url(queries.absolute_url(f"/chu-de/{slug}"))
    for fc in fact_checks:
        url(queries.fact_check_url(fc), fc.updated_at or fc.published_at)
    return _xml(root)


def robots() -> str:
    return "\n".join(
        [
            "User-agent: *",
            "Disallow: /desk/",
            "Disallow: /gui-tin/xoa/",
            "Allow: /",
            f"Sitemap: {queries.absolute_url('/sitemap.xml')}",
            "",
        ]
    )


def _all_published(session: Session) -> Iterator[FactCheck]:
    page = 1
    while True:
        chunk = queries.list_page(session, page=page, per_page=500)
        yield from chunk.items
        if page >= chunk.pages:
            return
        page += 1


def _weekly(session: Session) -> dict[str, Any] | None:
    return weekly_summary(session)


@router.get("/feed.xml")
def feed_rss(session: SessionDep) -> Response:
    items = queries.list_page(session, per_page=FEED_SIZE).items
    return Response(rss(items, _weekly(session)), media_type="application/rss+xml; charset=utf-8")


@router.get("/atom.xml")
def feed_atom(session: SessionDep) -> Response:
    items = queries.list_page(session, per_page=FEED_SIZE).items
    return Response(atom(items, _weekly(session)), media_type="application/atom+xml; charset=utf-8")


@router.get("/sitemap.xml")
def sitemap_xml(session: SessionDep) -> Response:
    slugs = [slug for _, slug, _ in queries.topics(session)]
    return Response(sitemap(list(_all_published(session)), slugs), media_type="application/xml")


@router.get("/robots.txt")
def robots_txt() -> PlainTextResponse:
    return PlainTextResponse(robots())
