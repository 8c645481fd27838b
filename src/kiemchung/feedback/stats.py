"""Monthly feedback statistics: received, answered, median time to answer, by department.

Aggregate counts only (no text, no contact). Shown at ``/gop-y/thong-ke`` and written by
``kiemchung report feedback --month 2026-11`` as Markdown and HTML.

A month is a month on the desk's clock (``KIEMCHUNG_TIMEZONE``, Vietnam by default), given in
stored (naive UTC) time:

>>> month_bounds("2026-11")
(datetime.datetime(2026, 10, 31, 17, 0), datetime.datetime(2026, 11, 30, 17, 0))
>>> current_month(datetime(2026, 11, 30, 18, 0))
'2026-12'
>>> median([3.0, 1.0, 2.0]), median([1.0, 2.0, 3.0, 4.0]), median([])
(2.0, 2.5, None)
>>> fmt_days(1.5), fmt_days(0.25), fmt_days(None)
('1,5 ngày', '6 giờ', '—')
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiemchung.feedback import departments
from kiemchung.store.models import FeedbackItem, FeedbackStatus, FeedbackThread, utcnow
from kiemchung.web.i18n import _, fmt_number, local_zone, to_local, use_lang

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of the local month ``YYYY-MM`` in stored (UTC) time; ValueError if malformed."""
    m = _MONTH.match(month)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(month)
    y, mo = int(m.group(1)), int(m.group(2))
    zone = local_zone()

    def stored(d: datetime) -> datetime:
        return d.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return stored(datetime(y, mo, 1)), stored(datetime(y + (mo == 12), mo % 12 + 1, 1))


def current_month(now: datetime | None = None) -> str:
    """The local month of ``now`` (stored UTC time, default: now)."""
    return to_local(now or utcnow()).strftime("%Y-%m")


def recent_months(n: int = 12, now: datetime | None = None) -> list[str]:
    now = to_local(now or utcnow())
    y, m = now.year, now.month
    out = []
    for _month in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def fmt_days(days: float | None, lang: str = "vi") -> str:
    if days is None:
        return "—"
    if days < 1:
        return _("%(n)s giờ", n=fmt_number(round(days * 24)))
    return _("%(n)s ngày", n=fmt_number(round(days, 1)))


def monthly(session: Session, month: str) -> dict[str, Any]:
    """The month's figures; time to answer is from a thread's first item to its approved answer."""
    start, end = month_bounds(month)
    items = session.execute(
        select(FeedbackItem.id, FeedbackThread.department)
        .join(FeedbackThread, FeedbackThread.id == FeedbackItem.thread_id, isouter=True)
        .where(FeedbackItem.received_at >= start, FeedbackItem.received_at < end)
    ).all()
    threads_new = session.scalars(
        select(FeedbackThread).where(FeedbackThread.created_at >= start, FeedbackThread.created_at < end)
    ).all()
    answered = session.scalars(
        select(FeedbackThread).where(
            FeedbackThread.answered_at >= start,
            FeedbackThread.answered_at < end,
            FeedbackThread.status == FeedbackStatus.answered,
        )
    ).all()
    declined = sum(1 for t in threads_new if t.status == FeedbackStatus.declined)
    waits = [(t.answered_at - t.created_at).total_seconds() / 86400 for t in answered if t.answered_at]
    by_dept: dict[str, dict[str, Any]] = {}

    def row(slug: str | None) -> dict[str, Any]:
        key = slug or ""
        if key not in by_dept:
            d = departments.get(slug)
            by_dept[key] = {
                "slug": key,
                "name_vi": d.name_vi if d else "",
                "name_en": d.name_en if d else "",
                "received": 0,
                "answered": 0,
                "waits": [],
            }
        return by_dept[key]

    for _id, dept in items:
        row(dept)["received"] += 1
    for t in answered:
        r = row(t.department)
        r["answered"] += 1
        if t.answered_at:
            r["waits"].append((t.answered_at - t.created_at).total_seconds() / 86400)
    rows = []
    for r in sorted(by_dept.values(), key=lambda r: (r["slug"] == "", -r["received"], r["slug"])):
        r["median_days"] = median(r.pop("waits"))
        rows.append(r)
    return {
        "month": month,
        "received": len(items),
        "threads": len(threads_new),
        "answered": len(answered),
        "declined": declined,
        "median_days": median(waits),
        "departments": rows,
    }


def report_markdown(d: dict[str, Any], lang: str = "vi") -> str:
    with use_lang(lang):
        return _report_markdown(d, lang)


def _report_markdown(d: dict[str, Any], lang: str) -> str:
    y, m = d["month"].split("-")
    lines = [
        f"# {_('Thống kê góp ý tháng %(month)s', month=f'{m}/{y}')}",
        "",
        f"- {_('Ý kiến nhận được')}: {fmt_number(d['received'])}",
        f"- {_('Vấn đề mới')}: {fmt_number(d['threads'])}",
        f"- {_('Vấn đề đã trả lời')}: {fmt_number(d['answered'])}",
        f"- {_('Vấn đề không xử lý')}: {fmt_number(d['declined'])}",
        f"- {_('Thời gian trả lời (trung vị)')}: {fmt_days(d['median_days'], lang)}",
        "",
        f"## {_('Theo cơ quan phụ trách')}",
        "",
        f"| {_('Cơ quan')} | {_('Ý kiến nhận được')} | {_('Vấn đề đã trả lời')} | {_('Thời gian trả lời (trung vị)')} |",
        "|---|---:|---:|---|",
    ]
    for r in d["departments"]:
        name = (r["name_en"] if lang == "en" else r["name_vi"]) or _("Chưa chuyển")
        lines.append(
            f"| {name} | {fmt_number(r['received'])} | {fmt_number(r['answered'])} | {fmt_days(r['median_days'], lang)} |"
        )
    lines.append("")
    return "\n".join(lines)


def report(session: Session, month: str, lang: str = "vi") -> tuple[str, str]:
    """``(markdown, html)`` of the month, the HTML standalone like the incident reports."""
    from kiemchung.desk.incidents import report_html

    md = report_markdown(monthly(session, month), lang)
    return md, report_html(md, _("Thống kê góp ý tháng %(month)s", month=month))
