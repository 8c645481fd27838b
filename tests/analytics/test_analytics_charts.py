"""Inline SVG charts: accessible names, escaped text, stacking, empty input."""

from __future__ import annotations

import doctest
import re
import xml.etree.ElementTree as ET

import pytest

from kiemchung.analytics import charts, queries, report, strings, web

SVG = "{http://www.w3.org/2000/svg}"


def test_columns_are_accessible_and_well_formed() -> None:
    svg = charts.columns(
        ["01/11", "02/11", "03/11"],
        [charts.Series("Mới", [1, 0, 2]), charts.Series("Bỏ qua", [0, 0, 1])],
        title="Nhận định mới theo ngày",
        uid="t1",
    )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t1-t t1-d"
    assert root.find(f"{SVG}title").text == "Nhận định mới theo ngày"
    assert root.find(f"{SVG}desc").text == "01/11: 1; 02/11: 0; 03/11: 3"  # totals per day
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.find(f"{SVG}title").text for r in bars] == [
        "01/11 · Mới: 1",
        "03/11 · Mới: 2",
        "03/11 · Bỏ qua: 1",
    ]
    # stacked: the two bars of 03/11 share x and the second sits right on top of the first
    a, b = bars[1], bars[2]
    assert a.get("x") == b.get("x")
    assert float(b.get("y")) + float(b.get("height")) == pytest.approx(float(a.get("y")), abs=0.11)
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "Mới" in legend and "Bỏ qua" in legend


def test_bars_escape_data_and_scale_to_the_largest() -> None:
    svg = str(charts.bars([("<script>x</script>", 4), ("Zalo & Co", 2)], title='A "b"', uid="t2"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Zalo &amp; Co" in svg
    root = ET.fromstring(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_empty_and_all_zero_charts_render_nothing() -> None:
    assert charts.columns([], [], title="x", uid="e1") == ""
    assert charts.columns(["01/11"], [charts.Series("a", [0])], title="x", uid="e2") == ""
    assert charts.bars([("a", 0), ("b", 0)], title="x", uid="e3") == ""


def test_axis_maximum_is_round() -> None:
    assert [charts._nice_top(v) for v in (0, 0.7, 3, 7, 12, 180, 4100)] == [1, 1, 5, 10, 20, 200, 5000]
    assert [charts._nice_top(v, integer=True) for v in (0, 1, 3, 5, 9, 12, 45, 99, 130)] == [
        2,
        2,
        4,
        6,
        10,
        20,
        60,
        100,
        200,
    ]


@pytest.mark.parametrize("module", [charts, queries, report, strings, web])
def test_docstring_examples(module) -> None:  # type: ignore[no-untyped-def]
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_vietnamese_number_format_in_chart_labels() -> None:
    svg = str(charts.bars([("Facebook", 1269471)], title="Tiếp cận", uid="t3"))
    assert re.search(r">1\.269\.471<", svg)
