"""Server-side SVG charts: well-formed, labelled for screen readers, escaped, with data tables."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from citycert.web import charts
from citycert.web.svg import nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
NASTY = '<b>"Seoul" & co</b>'


def _parse(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _all_charts() -> list[charts.Chart]:
    return [
        charts.bar_chart("b", NASTY, [charts.Bar(NASTY, 3.0, True, "/x"), charts.Bar("y", None)],
                         headers=("City", "Score")),
        charts.line_chart("l", "Trend", [charts.Series(NASTY, [(2021, 1.0), (2022, None),
                                                               (2023, 3.0)])], x_header="Year"),
        charts.histogram("h", "Spread", [0.0, 5.0, 10.0], [2, 1], headers=("Range", "Cities"),
                         mark=7.0),
        charts.dot_map("m", "Map", [charts.MapDot(NASTY, 35.9, 128.6, "/cities/daegu", True)],
                       headers=("City", "Lat", "Lon")),
        charts.radar("r", "Radar", ["A", "B", NASTY], [charts.Series("city", [(0, 50.0), (1, 80.0),
                     (2, None)])], axis_header="Theme"),
    ]  # fmt: skip


@pytest.mark.parametrize("chart", _all_charts(), ids=lambda c: c.id)
def test_every_chart_is_labelled_well_formed_svg_with_escaped_text(chart: charts.Chart) -> None:
    root = _parse(chart)
    assert "<b>" not in str(chart.svg)
    texts = "".join(root.itertext())
    assert chart.table.rows and chart.table.headers
    if NASTY in "".join(cell for row in chart.table.rows for cell in row) + chart.title:
        assert NASTY in texts  # shown as text, not as markup


def test_line_chart_breaks_the_line_where_a_year_is_missing() -> None:
    chart = charts.line_chart(
        "l", "t", [charts.Series("s", [(1, 1.0), (2, 2.0), (3, None), (4, 4.0), (5, 5.0)])],
        x_header="Year",
    )  # fmt: skip
    root = _parse(chart)
    assert len(root.findall(".//s:polyline", NS)) == 2
    assert chart.table.rows[2] == ("3", "—")


def test_histogram_highlights_the_bin_holding_the_mark() -> None:
    chart = charts.histogram("h", "t", [0, 10, 20, 30], [1, 2, 3], headers=("r", "n"), mark=30)
    fills = [r.get("fill") for r in _parse(chart).findall(".//s:rect", NS)]
    assert fills[-1] != fills[0]
    assert [row[1] for row in chart.table.rows] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("values", "bins", "edges", "counts"),
    [
        ([], None, [0.0, 1.0], [0]),
        ([5.0, 5.0, 5.0], None, [5.0, 5.0], [3]),
        ([0.0, 1.0, 2.0, 3.0, 4.0], 2, [0.0, 2.0, 4.0], [2, 3]),
        ([1.0, 2.0, 3.0, 4.0], 4, [1.0, 1.75, 2.5, 3.25, 4.0], [1, 1, 1, 1]),
    ],
)
def test_bin_values_puts_every_value_in_a_bin(
    values: list[float], bins: int | None, edges: list[float], counts: list[int]
) -> None:
    got_edges, got_counts = charts.bin_values(values, bins)
    assert got_edges == pytest.approx(edges) and got_counts == counts
    assert sum(got_counts) == len(values)


def test_dot_map_pools_many_cities_into_cells() -> None:
    dots = [charts.MapDot(f"c{i}", 30 + (i % 40) * 0.5, 120 + (i // 40) * 0.5) for i in range(1000)]
    chart = charts.dot_map("m", "t", dots, headers=("a", "b", "c"), cluster_title="{n} cities",
                           max_dots=400)  # fmt: skip
    circles = _parse(chart).findall(".//s:circle", NS)
    assert 0 < len(circles) < 1000
    assert sum(int(row[0].split()[0]) for row in chart.table.rows) == 1000
    few = charts.dot_map("m", "t", dots[:3], headers=("a", "b", "c"))
    assert len(_parse(few).findall(".//s:circle", NS)) == 3


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [(0, 97, [0, 20, 40, 60, 80, 100]), (4.75, 4.92, [4.75, 4.8, 4.85, 4.9, 4.95]), (0, 0, None)],
)
def test_nice_ticks_cover_the_range_with_round_steps(
    lo: float, hi: float, expected: list[float] | None
) -> None:
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    if expected is not None:
        assert ticks == pytest.approx(expected)
