"""Charts drawn into a PDF as vector graphics (polygons and lines, no images)."""

from __future__ import annotations

from collections.abc import Sequence

from citycert.io.reports.charts import (
    Series,
    bar_width,
    label_anchor,
    radar_points,
    ring,
    sparkline,
    spoke,
)
from citycert.io.reports.pdf_kit import ReportPDF
from citycert.io.reports.style import INK, MUTED, RULE, TINT, rgb


def radar(
    pdf: ReportPDF,
    *,
    cx: float,
    cy: float,
    r: float,
    labels: Sequence[str],
    lo: int,
    hi: int,
    series: Sequence[Series],
    label_size: float = 7,
    label_gap: float = 3.5,
    label_width: float | None = None,
) -> None:
    """A radar chart centred at (cx, cy): rings per level, spokes, labels, one polygon a series."""
    n = len(labels)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    for level in range(lo, hi + 1):
        frac = (level - lo) / (hi - lo)
        if frac == 0:
            continue
        pdf.set_fill_color(*TINT)
        pdf.polygon(ring(n, frac, cx, cy, r), style="DF" if level == hi else "D")
    for i in range(n):
        x, y = spoke(i, n, cx, cy, r)
        pdf.line(cx, cy, x, y)
    # Scale numbers along the upward spoke.
    pdf.use(5.5, colour=MUTED)
    for level in range(lo + 1, hi + 1):
        y = cy - r * (level - lo) / (hi - lo)
        pdf.text(cx + 0.8, y + 2.2, str(level))
    for s in series:
        points = radar_points(s.values, lo, hi, cx, cy, r)
        colour = rgb(s.colour)
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.6 if not s.dashed else 0.4)
        if s.dashed:
            pdf.set_dash_pattern(dash=1.2, gap=0.9)
        with pdf.faded(s.fill_opacity):
            pdf.polygon(points, style="F")
        pdf.polygon(points, style="D")
        pdf.set_dash_pattern()
        for x, y in points:
            pdf.ellipse(x - 0.6, y - 0.6, 1.2, 1.2, style="F")
    pdf.use(label_size, colour=INK)
    for i, label in enumerate(labels):
        (x, y), align = label_anchor(i, n, cx, cy, r, label_gap)
        if label_width is None:
            width = pdf.get_string_width(label)
            left = x - width / 2 if align == "C" else (x if align == "L" else x - width)
            pdf.text(left, y + label_size * 0.18, label)
            continue
        _wrapped_label(pdf, label, x, y, align, label_width, label_size, above=y < cy)


def _wrapped_label(
    pdf: ReportPDF,
    label: str,
    x: float,
    y: float,
    align: str,
    width: float,
    size: float,
    above: bool,
) -> None:
    """A label wrapped to `width`: beside a side spoke, above the top one, below the bottom one."""
    line_h = size * 0.42
    lines = pdf.wrap(width, line_h, label)
    height = len(lines) * line_h
    left = x - width / 2 if align == "C" else (x if align == "L" else x - width)
    top = y - height / 2 if align != "C" else (y - height if above else y)
    pdf.set_xy(left, top)
    pdf.multi_cell(width, line_h, label, align=align)


def progress_bar(
    pdf: ReportPDF,
    *,
    x: float,
    y: float,
    w: float,
    h: float,
    value: float,
    total: float,
    colour: str,
) -> None:
    """A rounded bar filled to value/total."""
    pdf.set_fill_color(*TINT)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.1)
    pdf.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=h / 2)
    filled = bar_width(value, total, w)
    if filled > 0:
        pdf.set_fill_color(*rgb(colour))
        pdf.rect(x, y, max(filled, h), h, style="F", round_corners=True, corner_radius=h / 2)


def trend_line(
    pdf: ReportPDF,
    *,
    x: float,
    y: float,
    w: float,
    h: float,
    values: Sequence[float | None],
    colour: str,
) -> None:
    """A small line of values over the years; the newest point is marked."""
    runs = sparkline(values, x, y, w, h)
    if not runs:
        return
    pdf.set_draw_color(*rgb(colour))
    pdf.set_fill_color(*rgb(colour))
    pdf.set_line_width(0.35)
    for run in runs:
        if len(run) == 1:
            px, py = run[0]
            pdf.ellipse(px - 0.45, py - 0.45, 0.9, 0.9, style="F")
            continue
        pdf.polyline(run)
    px, py = runs[-1][-1]
    pdf.ellipse(px - 0.6, py - 0.6, 1.2, 1.2, style="F")
