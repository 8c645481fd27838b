"""The public page "Người dân đang hỏi gì" (``/nguoi-dan-hoi``), its JSON, and the weekly feed entry.

The page lists the claims most asked about this week (``kiemchung.analytics.asking``: counts of
tips and posts per claim, never who), whether each is answered with a link to the fact-check,
filterable by topic (``?chu-de=y-te``) and province (``?tinh=1``); ``?tuan=2026-W48`` shows a past
calendar week. Data is served from the ``public.asking`` cache (same time-to-live as the incident
pages), which publishing or retracting a fact-check drops after its commit.

    >>> summary_text([]).startswith("Tuần này")
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from kiemchung import areas, cache
from kiemchung.analytics.asking import AskedClaim, Asking, asked, last_full_week
from kiemchung.settings import get_settings
from kiemchung.topics import TOPICS, topic_label
from kiemchung.web.deps import SessionDep
from kiemchung.web.i18n import fmt_date, fmt_number, request_lang
from kiemchung.web.templating import render

PATH = "/nguoi-dan-hoi"
CACHE = cache.register(
    "public.asking",
    ttl=get_settings().incident_cache_seconds,
    doc="The 'what people are asking' page data by (week, topic, province); dropped on publish.",
)

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["asking"])


def _key(week: str | None, topic: str | None, province: int | None) -> tuple[Any, ...]:
    return (week or "", topic or "", province or 0)


def cached_asking(
    session: Session, week: str | None = None, topic: str | None = None, province: int | None = None
) -> Asking:
    """The page data for one (week, topic, province), from the cache when fresh."""
    data: Asking = CACHE.get_or_set(
        _key(week, topic, province), lambda: asked(session, week=week, topic=topic, province=province)
    )
    return data


def invalidate() -> None:
    cache.invalidate("public.asking")


def summary_text(claims: Sequence[AskedClaim], limit: int = 5) -> str:
    """The weekly feed entry's text (Vietnamese, like the feed): the top claims with their counts."""
    if not claims:
        return "Tuần này chưa có nhận định nào được hỏi nhiều."
    answered = sum(1 for c in claims if c.answered)
    lines = [f"{fmt_number(len(claims))} nhận định được hỏi nhiều, {fmt_number(answered)} đã có trả lời."]
    for n, c in enumerate(claims[:limit], 1):
        state = "đã có trả lời" if c.answered else "đang kiểm chứng"
        lines.append(
            f"{n}. {c.text} — {fmt_number(c.tips)} lượt hỏi, {fmt_number(c.posts)} bài đăng ({state})."
        )
    return "\n".join(lines)


def weekly_summary(session: Session) -> dict[str, Any] | None:
    """The feed entry of the last full week, or None when nobody asked anything that week."""
    week = last_full_week()
    data = cached_asking(session, week=week)
    if not data.claims:
        return None
    return {
        "id": f"{PATH}?tuan={week}",
        "path": f"{PATH}?tuan={week}",
        "title": f"Người dân đang hỏi gì — tuần {fmt_date(data.since + timedelta(hours=12))}"
        f"–{fmt_date(data.until - timedelta(hours=12))}",
        "text": summary_text(data.claims),
        "updated": data.until,
    }


def _province(raw: str | None) -> int | None:
    try:
        code = int(raw) if raw else None
    except ValueError:
        return None
    return code if areas.province_name(code) else None


def _topic(raw: str | None) -> str | None:
    return raw if raw in TOPICS else None


@router.get(PATH, response_class=HTMLResponse)
def asking_page(
    request: Request,
    session: SessionDep,
    chu_de: str | None = Query(None, alias="chu-de", max_length=80),
    tinh: str | None = Query(None, max_length=8),
    tuan: str | None = Query(None, max_length=10),
) -> HTMLResponse:
    topic, province = _topic(chu_de), _province(tinh)
    data = cached_asking(session, tuan, topic, province)
    lang = request_lang(request, get_settings().default_lang)
    ctx = {
        "data": data,
        "topic": topic,
        "province": province,
        "topics": [(slug, topic_label(slug, lang)) for slug in TOPICS],
        "provinces": areas.provinces(),
        "last_week": last_full_week(),
        "week_end": data.until - timedelta(hours=12),
    }
    return render(request, "public/asking.html", ctx)


class AskedOut(BaseModel):
    claim_id: int
    text: str
    topic: str
    province_code: int | None
    area: str
    tips: int
    posts: int
    total: int
    answered: bool
    fact_check_url: str | None


class AskingOut(BaseModel):
    since: str
    until: str
    week: str | None
    claims: list[AskedOut]


@api_router.get("/asking", response_model=AskingOut)
def api_asking(
    session: SessionDep,
    topic: str | None = Query(None, max_length=80),
    province: int | None = Query(None, ge=1, le=999),
    week: str | None = Query(None, max_length=10, pattern=r"^\d{4}-W\d{2}$"),
) -> AskingOut:
    """The claims most asked about this week (or an ISO ``week``): counts only, never who."""
    from kiemchung.public.queries import absolute_url

    data = cached_asking(session, week, _topic(topic), _province(str(province) if province else None))
    return AskingOut(
        since=data.since.isoformat(),
        until=data.until.isoformat(),
        week=data.week,
        claims=[
            AskedOut(
                claim_id=c.claim_id,
                text=c.text,
                topic=c.topic,
                province_code=c.province_code,
                area=c.area,
                tips=c.tips,
                posts=c.posts,
                total=c.total,
                answered=c.answered,
                fact_check_url=absolute_url(f"/kiem-chung/{c.fact_check_slug}")
                if c.fact_check_slug
                else None,
            )
            for c in data.claims
        ],
    )
