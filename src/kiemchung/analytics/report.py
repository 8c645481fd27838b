"""The analytics report as CSV (for spreadsheets) or Markdown (for people).

CSV is one long table, machine-readable: ISO dates, ``.`` decimals, one figure per row::

    section,key,date,metric,value
    new_claims_per_day,new,2026-11-24,count,3

Markdown is Vietnamese (or English) with Vietnamese number and date formats, like the page.
Text that comes from data (claims, topics, channels) is escaped for each format: a CSV cell that
a spreadsheet would run as a formula is prefixed with ``'``, Markdown table cells lose their
``|`` and line breaks.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("Giá điện"), md_cell("a|b\\nc")
    ("'=HYPERLINK(1)", 'Giá điện', 'a\\\\|b c')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from kiemchung.analytics.queries import Analytics, Durations
from kiemchung.analytics.strings import status_label, topic_label, tr
from kiemchung.store.models import VERDICT_LABELS_EN, VERDICT_LABELS_VI
from kiemchung.web.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent

CSV_HEADER = ("section", "key", "date", "metric", "value")


def csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _num(value: float | None) -> str | float | int:
    return "" if value is None else round(value, 4)


def csv_rows(a: Analytics) -> Iterator[tuple[Any, ...]]:
    """(section, key, date, metric, value) rows of every figure."""
    p = a.period
    yield ("period", "", p.since.date().isoformat(), "since", p.since.isoformat())
    yield ("period", "", p.now.date().isoformat(), "until", p.now.isoformat(timespec="seconds"))
    yield ("period", "", "", "days", p.days)
    for status, values in a.claims.per_day.series.items():
        for d, n in zip(a.claims.per_day.days, values, strict=True):
            yield ("new_claims_per_day", status, d.isoformat(), "count", n)
    for topic, n in a.claims.by_topic:
        yield ("new_claims_by_topic", topic, "", "count", n)
    for status, n in a.claims.by_status:
        yield ("new_claims_by_status", status.value, "", "count", n)
    for s in a.spreading:
        yield ("fastest_spreading", s.claim_id, "", "items_24h", s.items_24h)
        yield ("fastest_spreading", s.claim_id, "", "items_per_hour", _num(s.per_hour))
        yield ("fastest_spreading", s.claim_id, "", "topic", s.topic)
        yield ("fastest_spreading", s.claim_id, "", "text", s.text)
    for verdict, n in a.verdicts:
        yield ("verdicts_published", verdict.value, "", "count", n)
    for outcome, values in a.tips.per_day.series.items():
        for d, n in zip(a.tips.per_day.days, values, strict=True):
            yield ("tips_per_day", outcome, d.isoformat(), "count", n)
    yield ("tips", "", "", "total", a.tips.total)
    yield ("tips", "", "", "auto_share", _num(a.tips.auto_share))

    def durations(section: str, key: str, day: str, d: Durations) -> Iterator[tuple[Any, ...]]:
        yield (section, key, day, "claims", d.n)
        yield (section, key, day, "median_hours", _num(d.median))
        yield (section, key, day, "p90_hours", _num(d.p90))

    yield from durations("time_to_answer", "all", "", a.tta.overall)
    for dur in a.tta.by_topic:
        yield from durations("time_to_answer_by_topic", str(dur.key), "", dur)
    for dur in a.tta.weekly:
        yield from durations("time_to_answer_weekly", "", str(dur.key), dur)
    for c in a.channels:
        yield ("reach_by_channel", c.channel, "", "posts", c.posts)
        yield ("reach_by_channel", c.channel, "", "reach", c.reach)
        yield ("reach_by_channel", c.channel, "", "clicks", c.clicks)
    for f in a.top_fact_checks:
        key = f.slug
        yield ("top_fact_checks", key, _iso(f.published_at), "claim_reviewed", f.claim_reviewed)
        yield ("top_fact_checks", key, _iso(f.published_at), "verdict", f.verdict.value)
        for metric in ("views", "posts", "reach", "clicks", "score"):
            yield ("top_fact_checks", key, _iso(f.published_at), metric, getattr(f, metric))
    for q in a.asking.claims if a.asking else []:
        yield ("most_asked", q.claim_id, "", "text", q.text)
        yield ("most_asked", q.claim_id, "", "topic", q.topic)
        yield ("most_asked", q.claim_id, "", "area", q.area)
        yield ("most_asked", q.claim_id, "", "tips", q.tips)
        yield ("most_asked", q.claim_id, "", "posts", q.posts)
        yield ("most_asked", q.claim_id, "", "answered", int(q.answered))
        yield ("most_asked", q.claim_id, "", "fact_check", q.fact_check_slug or "")


def _iso(value: Any) -> str:
    return value.date().isoformat() if value is not None else ""


def to_csv(a: Analytics) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for row in csv_rows(a):
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def md_cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(md_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _hours(value: float | None) -> str:
    return fmt_number(value)  # "2", "19,6"; "—" when there is no answer


def to_markdown(a: Analytics, lang: str = "vi") -> str:
    """The report as a Markdown document in ``lang`` ("vi" or "en")."""

    def t(key: str, **kw: object) -> str:
        return tr(key, lang, **kw)

    verdict_labels = VERDICT_LABELS_EN if lang == "en" else VERDICT_LABELS_VI
    p = a.period
    out = [
        f"# {t('analytics.report.title')} — {t('analytics.period.days', days=p.days)}",
        "",
        t("analytics.period.range", since=fmt_date(p.since), until=fmt_datetime(p.now)),
        "",
        t("analytics.lead"),
        "",
    ]
    out += _table(
        [t("analytics.col.figure"), t("analytics.col.value")],
        [
            [t("analytics.kpi.new_claims"), fmt_number(a.claims.total)],
            [t("analytics.kpi.published"), fmt_number(a.published)],
            [t("analytics.kpi.median"), _hours(a.tta.overall.median)],
            [t("analytics.kpi.auto"), fmt_percent(a.tips.auto_share)],
            [t("analytics.kpi.reach"), fmt_number(a.total_reach)],
        ],
    )
    if a.is_empty:
        return "\n".join([*out, t("analytics.empty"), ""])

    out += [f"## {t('analytics.claims.title')}", "", t("analytics.claims.desc"), ""]
    statuses = list(a.claims.per_day.series)
    out += _table(
        [t("analytics.col.day"), *(status_label(s, lang) for s in statuses), t("analytics.col.total")],
        [
            [fmt_date(d), *(a.claims.per_day.series[s][i] for s in statuses), a.claims.per_day.totals[i]]
            for i, d in enumerate(a.claims.per_day.days)
            if a.claims.per_day.totals[i]
        ]
        or [[t("analytics.none"), *([""] * (len(statuses) + 1))]],
    )
    out += [f"### {t('analytics.topics.title')}", ""]
    out += _table(
        [t("analytics.col.topic"), t("analytics.col.count")],
        [[topic_label(k, lang), fmt_number(n)] for k, n in a.claims.by_topic],
    )
    out += [f"### {t('analytics.status.title')}", ""]
    out += _table(
        [t("analytics.col.status"), t("analytics.col.count")],
        [[status_label(s, lang), fmt_number(n)] for s, n in a.claims.by_status],
    )
    out += [f"## {t('analytics.spreading.title')}", "", t("analytics.spreading.desc"), ""]
    out += (
        _table(
            [
                t("analytics.col.claim"),
                t("analytics.col.topic"),
                t("analytics.col.items_24h"),
                t("analytics.col.per_hour"),
            ],
            [
                [s.text, topic_label(s.topic, lang), fmt_number(s.items_24h), fmt_number(s.per_hour, 2)]
                for s in a.spreading
            ],
        )
        if a.spreading
        else [t("analytics.none"), ""]
    )
    out += [f"## {t('analytics.verdicts.title')}", ""]
    out += _table(
        [t("analytics.col.verdict"), t("analytics.col.count")],
        [[verdict_labels[v], fmt_number(n)] for v, n in a.verdicts],
    )
    out += [f"## {t('analytics.tips.title')}", "", t("analytics.tips.desc"), ""]
    outcomes = list(a.tips.per_day.series)
    out += _table(
        [t("analytics.col.day"), *(t(f"analytics.outcome.{o}") for o in outcomes), t("analytics.col.total")],
        [
            [fmt_date(d), *(a.tips.per_day.series[o][i] for o in outcomes), a.tips.per_day.totals[i]]
            for i, d in enumerate(a.tips.per_day.days)
            if a.tips.per_day.totals[i]
        ]
        or [[t("analytics.none"), *([""] * (len(outcomes) + 1))]],
    )
    out += [f"{t('analytics.kpi.auto')}: **{fmt_percent(a.tips.auto_share)}**", ""]
    out += [f"## {t('analytics.tta.title')}", "", t("analytics.tta.desc"), ""]
    tta_head = [t("analytics.col.answered_n"), t("analytics.col.median"), t("analytics.col.p90")]

    def tta_row(d: Durations) -> list[str]:
        return [fmt_number(d.n), _hours(d.median), _hours(d.p90)]

    out += _table(
        [t("analytics.col.topic"), *tta_head], [[t("analytics.col.total"), *tta_row(a.tta.overall)]]
    )
    out += [f"### {t('analytics.tta.by_topic')}", ""]
    out += _table(
        [t("analytics.col.topic"), *tta_head],
        [[topic_label(str(d.key), lang), *tta_row(d)] for d in a.tta.by_topic]
        or [[t("analytics.none"), "", "", ""]],
    )
    out += [f"### {t('analytics.tta.weekly')}", ""]
    out += _table(
        [t("analytics.col.week"), *tta_head],
        [[fmt_date(d.key) if not isinstance(d.key, str) else d.key, *tta_row(d)] for d in a.tta.weekly],
    )
    out += [f"## {t('analytics.reach.title')}", "", f"### {t('analytics.reach.channels')}", ""]
    out += _table(
        [
            t("analytics.col.channel"),
            t("analytics.col.posts"),
            t("analytics.col.reach"),
            t("analytics.col.clicks"),
            t("analytics.col.ctr"),
        ],
        [
            [c.channel, fmt_number(c.posts), fmt_number(c.reach), fmt_number(c.clicks), fmt_percent(c.ctr, 1)]
            for c in a.channels
        ]
        or [[t("analytics.none"), "", "", "", ""]],
    )
    out += [f"### {t('analytics.reach.top')}", ""]
    out += _table(
        [
            t("analytics.col.fact_check"),
            t("analytics.col.verdict"),
            t("analytics.col.published"),
            t("analytics.col.views"),
            t("analytics.col.reach"),
            t("analytics.col.clicks"),
            t("analytics.col.score"),
        ],
        [
            [
                f.claim_reviewed,
                verdict_labels[f.verdict],
                fmt_date(f.published_at),
                fmt_number(f.views),
                fmt_number(f.reach),
                fmt_number(f.clicks),
                fmt_number(f.score),
            ]
            for f in a.top_fact_checks
        ]
        or [[t("analytics.none"), "", "", "", "", "", ""]],
    )
    out += [f"## {t('analytics.asking.title')}", "", t("analytics.asking.desc"), ""]
    asked = a.asking.claims if a.asking else []
    out += _table(
        [
            t("analytics.col.claim"),
            t("analytics.col.topic"),
            t("analytics.col.area"),
            t("analytics.col.asks"),
            t("analytics.col.posts"),
            t("analytics.col.answered"),
        ],
        [
            [
                c.text,
                topic_label(c.topic, lang),
                c.area or "—",
                fmt_number(c.tips),
                fmt_number(c.posts),
                t("analytics.yes") if c.answered else t("analytics.no"),
            ]
            for c in asked
        ]
        or [[t("analytics.none"), "", "", "", "", ""]],
    )
    return "\n".join(out)


def render_report(a: Analytics, fmt: str, lang: str = "vi") -> str:
    """``fmt`` is "csv" or "md"."""
    if fmt == "csv":
        return to_csv(a)
    if fmt == "md":
        return to_markdown(a, lang)
    raise ValueError(f"unknown report format: {fmt}")
