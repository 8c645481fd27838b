"""Public incident pages: the list ``/su-kien``, the page ``/su-kien/{slug}``, its Atom feed, the
embeddable widget and the JSON of ``/api/v1/incidents``.

Only published statements and updates are shown. Each is served from the ``public.incidents`` cache
(``kiemchung.cache``), which publishing, linking and closing drop after their commit; the page itself
is rendered per request from the cached data (it carries the visitor's own CSRF token).

    >>> special_announcement({"title": "Ví dụ", "url": "https://x.vn/su-kien/vi-du", "area": "",
    ...     "statement": None, "earlier_statements": [], "updates": [], "first_published": None,
    ...     "updated": None,
    ...     "closed": None})["@type"]
    ['SpecialAnnouncement', 'NewsArticle']
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.desk.incidents import PUBLIC_CACHE, SEVERITY_LABELS
from kiemchung.public.claimreview import script_tag
from kiemchung.public.feeds import ATOM_NS, rfc3339
from kiemchung.public.queries import absolute_url, as_utc, fact_check_path
from kiemchung.settings import get_settings
from kiemchung.store import models
from kiemchung.store.models import FactCheckStatus
from kiemchung.web import baseurl
from kiemchung.web.deps import SessionDep
from kiemchung.web.i18n import _, fmt_datetime, request_lang, use_lang
from kiemchung.web.templating import render, render_markdown, templates

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["incidents"])


def _iso(dt: datetime | None) -> str | None:
    d = as_utc(dt)
    return d.isoformat().replace("+00:00", "Z") if d else None


def _plain(markdown: str) -> str:
    return re.sub(r"[*_#`>]+", "", markdown).strip()


def incident_path(slug: str) -> str:
    return f"/su-kien/{slug}"


def incident_data(session: Session, slug: str) -> dict[str, Any] | None:
    """Everything the public may see of one incident, as plain data (cacheable)."""
    inc = session.scalar(select(models.Incident).where(models.Incident.slug == slug))
    # Public only once its holding statement is out: an incident opened by mistake never shows.
    if inc is None or inc.first_statement_at is None:
        return None
    published = sorted(
        (u for u in inc.updates if u.status == FactCheckStatus.published and u.published_at),
        key=lambda u: u.published_at or u.created_at,
    )

    def entry(u: models.IncidentUpdate) -> dict[str, Any]:
        return {
            "id": u.id,
            "kind": u.kind,
            "body": u.body,
            "html": str(render_markdown(u.body)),
            "sources": list(u.sources or []),
            "published_at": u.published_at,
        }

    statements = [entry(u) for u in published if u.kind == "statement"]
    updates = [entry(u) for u in reversed(published) if u.kind == "update"]
    claim_ids = [lk.claim_id for lk in inc.links if lk.claim_id]
    fcs = session.scalars(
        select(models.FactCheck)
        .where(models.FactCheck.claim_id.in_(claim_ids), models.FactCheck.status == FactCheckStatus.published)
        .order_by(models.FactCheck.published_at.desc())
    ).all()
    stamps = [u.published_at for u in published if u.published_at] + (
        [inc.closed_at] if inc.closed_at else []
    )
    return {
        "id": inc.id,
        "slug": inc.slug,
        "title": inc.title,
        "topic": inc.topic,
        "area": inc.area_name,
        "province_code": inc.province_code,
        "ward_code": inc.ward_code,
        "severity": inc.severity.value,
        "severity_label": SEVERITY_LABELS[inc.severity],
        "status": inc.status.value,
        "started_at": inc.started_at,
        "closed": inc.closed_at,
        "statement": statements[-1] if statements else None,
        # Earlier versions of the statement, newest first: replaced, not erased.
        "earlier_statements": list(reversed(statements[:-1])),
        "updates": updates,
        "first_published": published[0].published_at if published else None,
        "updated": max(stamps) if stamps else None,
        "fact_checks": [
            {
                "title": fc.claim_reviewed,
                "path": fact_check_path(fc),
                "verdict": fc.verdict.value,
                "summary": fc.summary,
            }
            for fc in fcs
        ],
        "linked_claims": len(claim_ids),
        "url": absolute_url(incident_path(inc.slug)),
    }


def cached_data(session: Session, slug: str) -> dict[str, Any]:
    data = PUBLIC_CACHE.get((slug, "data"))
    if data is None:
        data = incident_data(session, slug)
        if data is None:
            raise HTTPException(404, _("Không tìm thấy sự kiện"))
        PUBLIC_CACHE.set((slug, "data"), data)
    return data


def incident_list(session: Session) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        rows = session.scalars(
            select(models.Incident)
            .where(models.Incident.first_statement_at.is_not(None))
            .order_by(models.Incident.status, models.Incident.opened_at.desc())
        ).all()
        return [
            {
                "slug": i.slug,
                "title": i.title,
                "area": i.area_name,
                "status": i.status.value,
                "updated": i.last_update_at or i.opened_at,
                "has_statement": i.first_statement_at is not None,
            }
            for i in rows
        ]

    out: list[dict[str, Any]] = PUBLIC_CACHE.get_or_set(("*", "list"), build)
    return out


def special_announcement(d: dict[str, Any]) -> dict[str, Any]:
    """schema.org markup: a SpecialAnnouncement that is also a NewsArticle (multi-typed entity)."""
    s = get_settings()
    text = _plain(d["statement"]["body"]) if d["statement"] else ""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["SpecialAnnouncement", "NewsArticle"],
        "name": d["title"],
        "headline": d["title"][:110],
        "url": d["url"],
        "inLanguage": "vi",
        "publisher": {"@type": "Organization", "name": s.org_name, "url": baseurl.org_url(s)},
    }
    if text:
        data["text"] = text
        data["articleBody"] = "\n\n".join([text, *(_plain(u["body"]) for u in d["updates"])])
    if d["area"]:
        data["spatialCoverage"] = {"@type": "AdministrativeArea", "name": d["area"]}
    if d["first_published"]:
        data["datePosted"] = data["datePublished"] = _iso(d["first_published"])
    if d["updated"]:
        data["dateModified"] = _iso(d["updated"])
    if d["closed"]:
        data["expires"] = _iso(d["closed"])
    return data


def atom(d: dict[str, Any]) -> bytes:
    """Atom 1.0 feed of one incident: the statement and each update as entries."""
    s = get_settings()
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "vi"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, tag, attrs)
        if text is not None:
            el.text = text
        return el

    feed_url = d["url"] + "/atom.xml"
    sub(root, "id", feed_url)
    sub(root, "title", f"{d['title']} — {s.org_name}")
    sub(root, "link", href=feed_url, rel="self", type="application/atom+xml")
    sub(root, "link", href=d["url"], rel="alternate", type="text/html")
    sub(root, "updated", rfc3339(d["updated"] or d["started_at"]))
    author = sub(root, "author")
    sub(author, "name", s.org_name)
    entries = ([d["statement"]] if d["statement"] else []) + d["earlier_statements"] + d["updates"]
    for u in sorted(entries, key=lambda u: u["published_at"], reverse=True):
        e = sub(root, "entry")
        sub(e, "id", f"{d['url']}#cap-nhat-{u['id']}")
        label = "Thông cáo" if u["kind"] == "statement" else "Cập nhật"
        sub(e, "title", f"{label} {fmt_datetime(u['published_at'])}: {d['title']}")
        sub(e, "link", href=f"{d['url']}#cap-nhat-{u['id']}", rel="alternate", type="text/html")
        sub(e, "published", rfc3339(u["published_at"]))
        sub(e, "updated", rfc3339(u["published_at"]))
        sub(e, "content", u["html"], type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# ---------------------------------------------------------------- routes


@router.get("/su-kien", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "public/incidents.html", {"incidents": incident_list(session)})


@router.get("/su-kien/{slug}", response_class=HTMLResponse)
def incident_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    d = cached_data(session, slug)
    ctx = {"d": d, "jsonld": script_tag(special_announcement(d)), "updated": fmt_datetime(d["updated"])}
    return render(request, "public/incident.html", ctx)


@router.get("/su-kien/{slug}/atom.xml")
def incident_atom(slug: str, session: SessionDep) -> Response:
    body = PUBLIC_CACHE.get((slug, "atom"))
    if body is None:
        body = PUBLIC_CACHE.set((slug, "atom"), atom(cached_data(session, slug)))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def widget_headers() -> dict[str, str]:
    """A strict CSP: no scripts, no forms, styles inline only; only the framing is open."""
    return {
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
            f"form-action 'none'; frame-ancestors {get_settings().embed_frame_ancestors}"
        ),
        "Cache-Control": "public, max-age=60",
    }


@router.get("/su-kien/{slug}/nhung", response_class=HTMLResponse)
def incident_widget(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    """The read-only widget for an ``<iframe>`` on a newspaper's or ward's site."""
    lang = request_lang(request, get_settings().default_lang)
    body = PUBLIC_CACHE.get((slug, "widget", lang))
    if body is None:
        d = cached_data(session, slug)
        tpl = templates.env.get_template("public/incident_widget.html")
        with use_lang(lang):
            html = tpl.render(d=d, lang=lang, updated=fmt_datetime(d["updated"]), settings=get_settings())
        body = PUBLIC_CACHE.set((slug, "widget", lang), html.encode())
    return HTMLResponse(body, headers=widget_headers())


# ---------------------------------------------------------------- JSON


class SourceOut(BaseModel):
    title: str
    url: str


class UpdateOut(BaseModel):
    id: int
    kind: str
    body: str
    sources: list[SourceOut]
    published_at: datetime


class FactCheckLinkOut(BaseModel):
    title: str
    url: str
    verdict: str


class IncidentOut(BaseModel):
    slug: str
    title: str
    url: str
    status: str
    severity: str
    area: str
    province_code: int | None
    ward_code: int | None
    started_at: datetime
    updated_at: datetime | None
    statement: UpdateOut | None
    earlier_statements: list[UpdateOut]
    updates: list[UpdateOut]
    fact_checks: list[FactCheckLinkOut]


def incident_out(d: dict[str, Any]) -> IncidentOut:
    def upd(u: dict[str, Any]) -> UpdateOut:
        return UpdateOut(
            id=u["id"],
            kind=u["kind"],
            body=u["body"],
            sources=[SourceOut(**s) for s in u["sources"]],
            published_at=as_utc(u["published_at"]),  # type: ignore[arg-type]
        )

    return IncidentOut(
        slug=d["slug"],
        title=d["title"],
        url=d["url"],
        status=d["status"],
        severity=d["severity"],
        area=d["area"],
        province_code=d["province_code"],
        ward_code=d["ward_code"],
        started_at=as_utc(d["started_at"]),  # type: ignore[arg-type]
        updated_at=as_utc(d["updated"]),
        statement=upd(d["statement"]) if d["statement"] else None,
        earlier_statements=[upd(u) for u in d["earlier_statements"]],
        updates=[upd(u) for u in d["updates"]],
        fact_checks=[
            FactCheckLinkOut(title=f["title"], url=absolute_url(f["path"]), verdict=f["verdict"])
            for f in d["fact_checks"]
        ],
    )


class IncidentSummaryOut(BaseModel):
    slug: str
    title: str
    area: str
    status: str
    url: str


@api_router.get("/incidents", response_model=list[IncidentSummaryOut])
def api_incidents(session: SessionDep) -> list[IncidentSummaryOut]:
    """Incidents, open ones first."""
    return [
        IncidentSummaryOut(
            slug=i["slug"],
            title=i["title"],
            area=i["area"],
            status=i["status"],
            url=absolute_url(incident_path(i["slug"])),
        )
        for i in incident_list(session)
    ]


@api_router.get("/incidents/{slug}", response_model=IncidentOut)
def api_incident(slug: str, session: SessionDep) -> IncidentOut:
    """One incident: the current statement (its earlier versions newest first), the updates newest
    first, the linked fact-checks."""
    return incident_out(cached_data(session, slug))
