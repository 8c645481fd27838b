"""``/desk/analytics``: the analytics page and its CSV / Markdown report, for every desk role.

GET /desk/analytics?days=30            the page (7, 30 or 90 days)
GET /desk/analytics/report.csv?days=7  the report as CSV (UTF-8 with BOM, for spreadsheets)
GET /desk/analytics/report.md?days=90  the report as Markdown
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kiemchung.analytics import charts
from kiemchung.analytics.queries import DEFAULT_DAYS, PERIODS, Analytics, collect
from kiemchung.analytics.report import render_report
from kiemchung.analytics.strings import outcome_label, status_label, topic_label
from kiemchung.settings import get_settings
from kiemchung.store.models import VERDICT_LABELS_VI
from kiemchung.web.deps import CurrentUser, SessionDep, page
from kiemchung.web.i18n import _, request_lang, set_lang

router = APIRouter(prefix="/desk/analytics", include_in_schema=False)


def parse_days(value: str | None) -> int:
    """The period from the query string; anything but 7, 30 or 90 means the default.

    >>> parse_days("7"), parse_days("90"), parse_days("abc"), parse_days(None), parse_days("5")
    (7, 90, 30, 30, 30)
    """
    try:
        days = int(value or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


def chart_set(a: Analytics, lang: str) -> dict[str, Any]:
    """The page's inline SVG charts (empty Markup where there is nothing to draw)."""

    verdicts = {v: _(text) for v, text in VERDICT_LABELS_VI.items()}
    day_labels = [d.strftime("%d/%m") for d in a.claims.per_day.days]
    claims = a.claims.per_day.series
    tips = a.tips.per_day.series
    weekly = [w for w in a.tta.weekly if w.n]
    return {
        "claims": charts.columns(
            day_labels,
            [charts.Series(status_label(s, lang), v) for s, v in claims.items() if any(v)],
            title=_("Nhận định mới theo ngày"),
            uid="ch-claims",
        ),
        "topics": charts.bars(
            [(topic_label(k, lang), n) for k, n in a.claims.by_topic[:12]],
            title=_("Nhận định mới theo chủ đề"),
            uid="ch-topics",
        ),
        "status": charts.bars(
            [(status_label(s, lang), n) for s, n in a.claims.by_status],
            title=_("Nhận định mới theo trạng thái"),
            uid="ch-status",
        ),
        "verdicts": charts.bars(
            [(verdicts[v], n) for v, n in a.verdicts],
            title=_("Kết luận của các bài đã xuất bản"),
            uid="ch-verdicts",
        ),
        "tips": charts.columns(
            [d.strftime("%d/%m") for d in a.tips.per_day.days],
            [
                charts.Series(outcome_label(o), v, color)
                for (o, v), color in zip(tips.items(), ("#2e8b57", "#c0392b", "#7f8c8d"), strict=False)
            ],
            title=_("Tin gửi theo ngày và kết quả"),
            uid="ch-tips",
        ),
        "tta_weekly": charts.columns(
            [w.key.strftime("%d/%m") if not isinstance(w.key, str) else w.key for w in weekly],
            [charts.Series(_("Trung vị (giờ)"), [w.median or 0.0 for w in weekly])],
            title=_("Trung vị theo tuần (giờ)"),
            uid="ch-tta",
        ),
        "channels": charts.bars(
            [(c.channel, c.reach) for c in a.channels], title=_("Theo kênh"), uid="ch-channels"
        ),
    }


@router.get("", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    days: str | None = None,
) -> Response:
    lang = request_lang(request, get_settings().default_lang)
    set_lang(lang)
    a = collect(db, parse_days(days))
    return page(
        request,
        "analytics/index.html",
        {
            "a": a,
            "periods": PERIODS,
            "charts": chart_set(a, lang),
            "status_label": lambda s: status_label(s, lang),
            "topic_label": lambda k: topic_label(k, lang),
            "outcome_label": outcome_label,
        },
    )


def _download(request: Request, db: Session, days: str | None, fmt: str, media: str) -> Response:
    lang = request_lang(request, get_settings().default_lang)
    a = collect(db, parse_days(days), top=100)
    body = render_report(a, fmt, lang)
    if fmt == "csv":
        body = "\ufeff" + body  # the BOM makes spreadsheet programs read UTF-8 (Vietnamese) correctly
    name = f"kiemchung-thong-ke-{a.period.days}-ngay-{a.period.now:%Y-%m-%d}.{fmt}"
    return Response(
        body.encode("utf-8"),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/report.csv")
def report_csv(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    days: str | None = None,
) -> Response:
    return _download(request, db, days, "csv", "text/csv")


@router.get("/report.md")
def report_md(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    days: str | None = None,
) -> Response:
    return _download(request, db, days, "md", "text/markdown")
