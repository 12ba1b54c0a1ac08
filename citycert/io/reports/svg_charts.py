"""The report charts as inline SVG for the HTML versions (same geometry as the PDF charts)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from citycert.io.reports.charts import Series, label_anchor, radar_points, ring, sparkline, spoke

Point = tuple[float, float]


def _pts(points: Sequence[Point]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar_svg(
    *,
    labels: Sequence[str],
    lo: int,
    hi: int,
    series: Sequence[Series],
    size: float = 320,
    title: str = "",
    gate: int | None = None,
    pad: float = 70.0,
) -> str:
    """An `<svg>` radar chart; `title` becomes its accessible name, `pad` room for labels."""
    cx = cy = size / 2 + pad
    r = size / 2
    n = len(labels)
    full = size + 2 * pad
    out = [
        f'<svg class="radar" viewBox="0 0 {full:.0f} {full:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for level in range(lo + 1, hi + 1):
        frac = (level - lo) / (hi - lo)
        fill = "#F3F6F9" if level == hi else "none"
        out.append(
            f'<polygon points="{_pts(ring(n, frac, cx, cy, r))}" fill="{fill}" '
            'stroke="#D1D5DB" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{cx + 3:.1f}" y="{cy - r * frac + 10:.1f}" class="scale">{level}</text>'
        )
    for i in range(n):
        x, y = spoke(i, n, cx, cy, r)
        out.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#D1D5DB"/>'
        )
    if gate is not None:
        gr = r * (gate - lo) / (hi - lo)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{gr:.1f}" fill="none" stroke="#B91C1C" '
            'stroke-dasharray="4 4"/>'
        )
    for s in series:
        points = _pts(radar_points(s.values, lo, hi, cx, cy, r))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<polygon class="series" points="{points}" fill="{s.colour}" '
            f'fill-opacity="{s.fill_opacity}" stroke="{s.colour}" stroke-width="2"{dash}/>'
        )
    for i, label in enumerate(labels):
        (x, y), align = label_anchor(i, n, cx, cy, r, 12)
        anchor = {"L": "start", "R": "end", "C": "middle"}[align]
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" class="label">'
            f"{escape(label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def sparkline_svg(values: Sequence[float | None], colour: str, w: float = 80, h: float = 18) -> str:
    """A small trend line; empty when fewer than two values are known."""
    if sum(v is not None for v in values) < 2:
        return ""
    runs = sparkline(values, 2, 2, w - 4, h - 4)
    lines = "".join(
        f'<polyline points="{_pts(run)}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        for run in runs
    )
    x, y = runs[-1][-1]
    return (
        f'<svg class="spark" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" height="{h:.0f}" '
        f'aria-hidden="true" xmlns="http://www.w3.org/2000/svg">{lines}'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{colour}"/></svg>'
    )
