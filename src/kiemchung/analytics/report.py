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
from kiemchung.analytics.strings import outcome_label, status_label, topic_label
from kiemchung.store.models import VERDICT_LABELS_VI
from kiemchung.web.i18n import _, fmt_date, fmt_datetime, fmt_number, fmt_percent, use_lang

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
    with use_lang(lang):
        return _to_markdown(a, lang)


def _to_markdown(a: Analytics, lang: str) -> str:
    verdict_labels = {v: _(text) for v, text in VERDICT_LABELS_VI.items()}
    p = a.period
    out = [
        f"# {_('Báo cáo thống kê')} — {_('%(days)s ngày qua', days=p.days)}",
        "",
        _("Từ %(since)s đến %(until)s", since=fmt_date(p.since), until=fmt_datetime(p.now)),
        "",
        _(
            "Số liệu tổng hợp về nhận định, bài kiểm chứng, tin gửi và độ phủ của các kênh của tòa soạn. Chỉ có số đếm — không có dữ liệu về cá nhân nào."
        ),
        "",
    ]
    out += _table(
        [_("Chỉ số"), _("Giá trị")],
        [
            [_("Nhận định mới"), fmt_number(a.claims.total)],
            [_("Bài kiểm chứng đã xuất bản"), fmt_number(a.published)],
            [_("Thời gian trả lời (trung vị)"), _hours(a.tta.overall.median)],
            [_("Tin gửi được trả lời tự động"), fmt_percent(a.tips.auto_share)],
            [_("Lượt tiếp cận trên các kênh"), fmt_number(a.total_reach)],
        ],
    )
    if a.is_empty:
        return "\n".join(
            [
                *out,
                _("Chưa có số liệu trong khoảng thời gian này. Hãy chọn khoảng dài hơn hoặc nạp dữ liệu."),
                "",
            ]
        )

    out += [
        f"## {_('Nhận định mới theo ngày')}",
        "",
        _("Số nhận định được phát hiện lần đầu mỗi ngày, chia theo trạng thái hiện tại."),
        "",
    ]
    statuses = list(a.claims.per_day.series)
    out += _table(
        [_("Ngày"), *(status_label(s, lang) for s in statuses), _("Tổng")],
        [
            [fmt_date(d), *(a.claims.per_day.series[s][i] for s in statuses), a.claims.per_day.totals[i]]
            for i, d in enumerate(a.claims.per_day.days)
            if a.claims.per_day.totals[i]
        ]
        or [[_("Chưa có số liệu."), *([""] * (len(statuses) + 1))]],
    )
    out += [f"### {_('Nhận định mới theo chủ đề')}", ""]
    out += _table(
        [_("Chủ đề"), _("Số lượng")],
        [[topic_label(k, lang), fmt_number(n)] for k, n in a.claims.by_topic],
    )
    out += [f"### {_('Nhận định mới theo trạng thái')}", ""]
    out += _table(
        [_("Trạng thái"), _("Số lượng")],
        [[status_label(s, lang), fmt_number(n)] for s, n in a.claims.by_status],
    )
    out += [
        f"## {_('Lan truyền nhanh nhất (24 giờ qua)')}",
        "",
        _("Nhận định có nhiều mục (bài đăng, bình luận, tin gửi) nhất trong 24 giờ qua."),
        "",
    ]
    out += (
        _table(
            [
                _("Nhận định"),
                _("Chủ đề"),
                _("Mục trong 24 giờ"),
                _("Mục mỗi giờ"),
            ],
            [
                [s.text, topic_label(s.topic, lang), fmt_number(s.items_24h), fmt_number(s.per_hour, 2)]
                for s in a.spreading
            ],
        )
        if a.spreading
        else [_("Chưa có số liệu."), ""]
    )
    out += [f"## {_('Kết luận của các bài đã xuất bản')}", ""]
    out += _table(
        [_("Kết luận"), _("Số lượng")],
        [[verdict_labels[v], fmt_number(n)] for v, n in a.verdicts],
    )
    out += [
        f"## {_('Tin gửi theo ngày và kết quả')}",
        "",
        _(
            "Trả lời: hệ thống trả lời bằng bài kiểm chứng đã có. Cảnh báo: hệ thống cảnh báo lừa đảo. Đã nhận: chuyển cho tòa soạn."
        ),
        "",
    ]
    outcomes = list(a.tips.per_day.series)
    out += _table(
        [_("Ngày"), *(outcome_label(o) for o in outcomes), _("Tổng")],
        [
            [fmt_date(d), *(a.tips.per_day.series[o][i] for o in outcomes), a.tips.per_day.totals[i]]
            for i, d in enumerate(a.tips.per_day.days)
            if a.tips.per_day.totals[i]
        ]
        or [[_("Chưa có số liệu."), *([""] * (len(outcomes) + 1))]],
    )
    out += [f"{_('Tin gửi được trả lời tự động')}: **{fmt_percent(a.tips.auto_share)}**", ""]
    out += [
        f"## {_('Thời gian trả lời')}",
        "",
        _(
            "Số giờ từ khi nhận định được phát hiện lần đầu đến khi bài kiểm chứng đầu tiên về nó được xuất bản."
        ),
        "",
    ]
    tta_head = [_("Số nhận định được trả lời"), _("Trung vị (giờ)"), _("P90 (giờ)")]

    def tta_row(d: Durations) -> list[str]:
        return [fmt_number(d.n), _hours(d.median), _hours(d.p90)]

    out += _table([_("Chủ đề"), *tta_head], [[_("Tổng"), *tta_row(a.tta.overall)]])
    out += [f"### {_('Theo chủ đề')}", ""]
    out += _table(
        [_("Chủ đề"), *tta_head],
        [[topic_label(str(d.key), lang), *tta_row(d)] for d in a.tta.by_topic]
        or [[_("Chưa có số liệu."), "", "", ""]],
    )
    out += [f"### {_('Trung vị theo tuần (giờ)')}", ""]
    out += _table(
        [_("Tuần từ"), *tta_head],
        [[fmt_date(d.key) if not isinstance(d.key, str) else d.key, *tta_row(d)] for d in a.tta.weekly],
    )
    out += [f"## {_('Độ phủ các bài của tòa soạn')}", "", f"### {_('Theo kênh')}", ""]
    out += _table(
        [
            _("Kênh"),
            _("Số bài đăng"),
            _("Tiếp cận"),
            _("Lượt nhấp"),
            _("Tỉ lệ nhấp"),
        ],
        [
            [c.channel, fmt_number(c.posts), fmt_number(c.reach), fmt_number(c.clicks), fmt_percent(c.ctr, 1)]
            for c in a.channels
        ]
        or [[_("Chưa có số liệu."), "", "", "", ""]],
    )
    out += [f"### {_('Bài kiểm chứng nổi bật (lượt xem + tiếp cận)')}", ""]
    out += _table(
        [
            _("Bài kiểm chứng"),
            _("Kết luận"),
            _("Xuất bản"),
            _("Lượt xem"),
            _("Tiếp cận"),
            _("Lượt nhấp"),
            _("Xem + tiếp cận"),
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
        or [[_("Chưa có số liệu."), "", "", "", "", "", ""]],
    )
    out += [
        f"## {_('Người dân đang hỏi gì (7 ngày qua)')}",
        "",
        _("Nhận định được hỏi nhiều nhất: số lượt hỏi qua tin gửi và số bài đăng theo dõi, chỉ số đếm."),
        "",
    ]
    asked = a.asking.claims if a.asking else []
    out += _table(
        [
            _("Nhận định"),
            _("Chủ đề"),
            _("Địa bàn"),
            _("Lượt hỏi"),
            _("Số bài đăng"),
            _("Đã trả lời"),
        ],
        [
            [
                c.text,
                topic_label(c.topic, lang),
                c.area or "—",
                fmt_number(c.tips),
                fmt_number(c.posts),
                _("Có") if c.answered else _("Chưa"),
            ]
            for c in asked
        ]
        or [[_("Chưa có số liệu."), "", "", "", "", ""]],
    )
    return "\n".join(out)


def render_report(a: Analytics, fmt: str, lang: str = "vi") -> str:
    """``fmt`` is "csv" or "md"."""
    if fmt == "csv":
        return to_csv(a)
    if fmt == "md":
        return to_markdown(a, lang)
    raise ValueError(f"unknown report format: {fmt}")
