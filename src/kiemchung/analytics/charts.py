"""Server-side inline SVG charts: no JavaScript, an accessible title and description on each.

Every chart is ``role="img"`` labelled by its ``<title>`` and ``<desc>``, each bar carries its own
``<title>`` (a tooltip and a spoken value), and all text is escaped (topics and channel names come
from data). Pages show a data table beside each chart for readers who cannot see it.

    >>> svg = columns(["01/11", "02/11"], [Series("Mới", [3, 1])], title="Nhận định", uid="c1")
    >>> svg.startswith("<svg") and svg.count("<rect") == 2 and 'aria-labelledby="c1-t c1-d"' in svg
    True
    >>> "&lt;b&gt;" in bars([("<b>", 2)], title="Chủ đề", uid="c2")
    True
    >>> columns([], [], title="x", uid="c3") == bars([], title="x", uid="c4") == ""
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from kiemchung.web.i18n import fmt_number

PALETTE = ("#0b5c8e", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d", "#16a085", "#d35400")
INK, MUTED, GRID = "#1f2933", "#5b636e", "#c5ccd5"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: str | None = None


def _open(width: int, height: int, title: str, desc: str, uid: str, cls: str) -> list[str]:
    return [
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]


def _nice_top(value: float, integer: bool = False) -> float:
    """A round axis maximum >= value: 1, 2, 2.5 or 5 times a power of ten.

    For counts the half-way tick must be a whole number too: 2, 4, 6 or 8 times a power of ten.
    """
    if integer:
        exp = 10 ** max(0, math.floor(math.log10(max(value, 1))))
        return next(m * exp for m in (2, 4, 6, 8, 10, 20) if m * exp >= value)
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= value)


def columns(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str = "",
    uid: str,
    width: int = 720,
    height: int = 220,
    fmt: Callable[[float], str] = fmt_number,
) -> Markup:
    """Vertical bars per label, stacked when there are several series (with a legend); "" if no data."""
    if not labels or not series or not any(v for s in series for v in s.values):
        return Markup("")
    named = [Series(s.name, s.values, s.color or PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)]
    legend_h = 22 if len(named) > 1 else 0
    pad_l, pad_r, pad_t, pad_b = 44, 8, 10 + legend_h, 24
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    totals = [sum(s.values[i] for s in named) for i in range(len(labels))]
    top = _nice_top(max(totals), integer=all(float(v).is_integer() for s in named for v in s.values))
    bw = plot_w / len(labels)
    if not desc:
        desc = "; ".join(f"{lab}: {fmt(t)}" for lab, t in zip(labels, totals, strict=True))
    parts = _open(width, height, title, desc, uid, "chart-columns")
    if legend_h:
        x: float = pad_l
        for s in named:
            parts.append(
                f'<rect x="{x}" y="4" width="12" height="12" rx="2" fill="{s.color}"/>'
                f'<text x="{x + 16}" y="14" font-size="12" fill="{INK}">{escape(s.name)}</text>'
            )
            x += 28 + 7 * len(s.name)
    for frac in (0.0, 0.5, 1.0):
        y = pad_t + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{pad_l}" y1="{y:.1f}" x2="{width - pad_r}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="{1 if frac == 0 else 0.5}"/>'
            f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{escape(fmt(top * frac))}</text>"
        )
    every = max(1, math.ceil(len(labels) / 10))
    for i, label in enumerate(labels):
        x = pad_l + i * bw
        base: float = pad_t + plot_h
        for s in named:
            v = s.values[i]
            if not v:
                continue
            h = plot_h * v / top
            base -= h
            tip = f"{label} · {s.name}: {fmt(v)}" if legend_h else f"{label}: {fmt(v)}"
            parts.append(
                f'<rect x="{x + bw * 0.12:.1f}" y="{base:.1f}" width="{max(1.0, bw * 0.76):.1f}" '
                f'height="{h:.1f}" fill="{s.color}"><title>{escape(tip)}</title></rect>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bw / 2:.1f}" y="{height - 7}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str = "",
    uid: str,
    width: int = 560,
    label_width: int = 190,
    fmt: Callable[[float], str] = fmt_number,
    color: str = PALETTE[0],
) -> Markup:
    """Horizontal bars, one labelled row each, value at the bar's end; "" if every value is 0."""
    if not rows or not any(v for _, v in rows):
        return Markup("")
    row_h, pad_t = 26, 6
    height = pad_t * 2 + row_h * len(rows)
    plot_w = width - label_width - 70
    top = max(v for _, v in rows) or 1
    if not desc:
        desc = "; ".join(f"{lab}: {fmt(v)}" for lab, v in rows)
    parts = _open(width, height, title, desc, uid, "chart-bars")
    for i, (label, v) in enumerate(rows):
        y = pad_t + i * row_h
        w = plot_w * v / top
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(short)}</text>"
            f'<rect x="{label_width}" y="{y + 5}" width="{max(0.0, w):.1f}" height="{row_h - 10}" rx="2" '
            f'fill="{color}"><title>{escape(label)}: {escape(fmt(v))}</title></rect>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 17}" font-size="12" fill="{MUTED}">{escape(fmt(v))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
