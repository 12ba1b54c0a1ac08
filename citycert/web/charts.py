"""Server-side SVG charts with a data table each: bar, line (trend), sparkline, histogram,
dot map and radar.

Charts know no language: callers pass translated titles, headers and labels. Every chart is an
`<svg role="img">` labelled by its `<title>` and `<desc>`, and comes with a `DataTable` that the
page shows beside it as the text alternative. No JavaScript, no external files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from citycert.web.formatting import fmt_number
from citycert.web.svg import (
    BASE,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    SERIES,
    Scale,
    esc,
    frame,
    line,
    nice_ticks,
    num,
    text,
)

Fmt = Callable[[float | None], str]


@dataclass(frozen=True)
class DataTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    table: DataTable


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    highlight: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float | None]] = field(default_factory=tuple)


@dataclass(frozen=True)
class MapDot:
    label: str
    lat: float
    lon: float
    href: str | None = None
    highlight: bool = False


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _link(href: str | None, body: str) -> str:
    return f'<a href="{esc(href)}">{body}</a>' if href else body


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    headers: tuple[str, str],
    desc: str | None = None,
    max_value: float | None = None,
    fmt: Fmt = fmt_number,
) -> Chart:
    """Horizontal bars (readable on a phone); highlighted bars in a second colour."""
    width, row_h, label_w, top = 640, 24, 230, 8
    height = top + row_h * max(len(bars), 1) + 24
    vals = [b.value for b in bars if b.value is not None]
    hi = max_value if max_value is not None else max([0.0, *vals])
    lo = min([0.0, *vals])
    ticks = nice_ticks(lo, hi or 1.0, 4)
    x = Scale(ticks[0], ticks[-1], label_w, width - 50)
    body = [line(x(t), top, x(t), height - 22) for t in ticks]
    body += [text(x(t), height - 6, fmt(t), anchor="middle", fill=MUTED) for t in ticks]
    for i, b in enumerate(bars):
        y = top + i * row_h
        body.append(text(label_w - 8, y + 16, _short(b.label), anchor="end"))
        if b.value is None:
            body.append(text(label_w + 4, y + 16, "—", fill=MUTED))
            continue
        x0, x1 = sorted((x(0.0), x(b.value)))
        colour = HIGHLIGHT if b.highlight else BASE
        rect = (
            f'<rect x="{num(x0)}" y="{num(y + 4)}" width="{num(max(x1 - x0, 1))}" '
            f'height="{row_h - 8}" fill="{colour}"><title>{esc(b.label)}: '
            f"{esc(fmt(b.value))}</title></rect>"
        )
        body.append(_link(b.href, rect))
        body.append(text(x1 + 4, y + 16, fmt(b.value), fill=INK, size=11))
    rows = tuple((b.label, fmt(b.value)) for b in bars)
    svg = frame(chart_id, title, desc or title, width, height, body)
    return Chart(chart_id, title, svg, DataTable(title, headers, rows))


def line_chart(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    *,
    x_header: str,
    desc: str | None = None,
    fmt: Fmt = fmt_number,
    x_fmt: Callable[[float], str] = lambda x: str(int(x)),
) -> Chart:
    """One line per series over x (years); gaps where a value is missing; a legend below."""
    width, height, left, right, top, bottom = 640, 300, 64, 16, 12, 60
    xs = sorted({p[0] for s in series for p in s.points})
    ys = [v for s in series for _, v in s.points if v is not None]
    yt = nice_ticks(min(ys, default=0.0), max(ys, default=1.0), 5)
    xscale = Scale(xs[0] if xs else 0, xs[-1] if xs else 1, left + 12, width - right - 12)
    yscale = Scale(yt[0], yt[-1], height - bottom, top)
    body = []
    for t in yt:
        body.append(line(left, yscale(t), width - right, yscale(t)))
        body.append(text(left - 6, yscale(t) + 4, fmt(t), anchor="end", fill=MUTED))
    for xv in xs:
        body.append(text(xscale(xv), height - bottom + 18, x_fmt(xv), anchor="middle", fill=MUTED))
    for i, s in enumerate(series):
        colour = SERIES[i % len(SERIES)]
        segment: list[str] = []
        for xv, yv in sorted(s.points):
            if yv is None:
                body.append(_polyline(segment, colour))
                segment = []
                continue
            px, py = xscale(xv), yscale(yv)
            segment.append(f"{num(px)},{num(py)}")
            body.append(
                f'<circle cx="{num(px)}" cy="{num(py)}" r="3.5" fill="{colour}">'
                f"<title>{esc(s.name)} {esc(x_fmt(xv))}: {esc(fmt(yv))}</title></circle>"
            )
        body.append(_polyline(segment, colour))
        ly = height - 22
        lx = left + i * 160
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        body.append(text(lx + 16, ly + 1, _short(s.name, 20)))
    headers = (x_header, *(s.name for s in series))
    lookup = [dict(s.points) for s in series]
    rows = tuple((x_fmt(xv), *(fmt(d.get(xv)) for d in lookup)) for xv in xs)
    svg = frame(chart_id, title, desc or title, width, height, body)
    return Chart(chart_id, title, svg, DataTable(title, headers, rows))


def _polyline(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="2.5" stroke-linejoin="round"/>'
    )


def sparkline(title: str, points: Sequence[tuple[float, float | None]]) -> Markup:
    """A small trend line for a table cell; its title names the values (no separate table)."""
    width, height, pad = 96, 24, 3
    known = [(x, y) for x, y in sorted(points) if y is not None]
    if len(known) < 2:
        return Markup("")
    xs = Scale(known[0][0], known[-1][0], pad, width - pad)
    lo, hi = min(y for _, y in known), max(y for _, y in known)
    ys = Scale(lo, hi, height - pad, pad)
    coords = " ".join(f"{num(xs(x))},{num(ys(y))}" for x, y in known)
    label = f"{title}: " + ", ".join(f"{int(x)} {fmt_number(y)}" for x, y in known)
    last_x, last_y = known[-1]
    return Markup(  # safe: the only text went through esc()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="sparkline" role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>'
        f'<polyline points="{coords}" fill="none" stroke="{BASE}" stroke-width="1.5"/>'
        f'<circle cx="{num(xs(last_x))}" cy="{num(ys(last_y))}" r="2.5" fill="{BASE}"/></svg>'
    )


def histogram(
    chart_id: str,
    title: str,
    edges: Sequence[float],
    counts: Sequence[int],
    *,
    headers: tuple[str, str],
    mark: float | None = None,
    desc: str | None = None,
    fmt: Fmt = fmt_number,
) -> Chart:
    """Counts per bin (`edges` has one more item than `counts`; see `bin_values`); the bin
    holding `mark` highlighted."""
    width, height, left, bottom, top = 640, 260, 48, 44, 12
    peak = max(counts, default=1) or 1
    yt = nice_ticks(0, peak, min(peak, 5))
    y = Scale(0, yt[-1], height - bottom, top)
    slot = (width - left - 12) / max(len(counts), 1)
    body = []
    for t in yt:
        body.append(line(left, y(t), width - 12, y(t)))
        body.append(text(left - 6, y(t) + 4, fmt(t), anchor="end", fill=MUTED))
    labels = []
    for i, n in enumerate(counts):
        lo_e, hi_e = edges[i], edges[i + 1]
        last = i == len(counts) - 1
        holds = mark is not None and lo_e <= mark and (mark < hi_e or (last and mark == hi_e))
        label = f"{fmt(lo_e)} – {fmt(hi_e)}"
        labels.append(label)
        x0 = left + i * slot
        body.append(
            f'<rect x="{num(x0 + 1)}" y="{num(y(n))}" width="{num(max(slot - 2, 1))}" '
            f'height="{num(y(0) - y(n))}" fill="{HIGHLIGHT if holds else BASE}">'
            f"<title>{esc(label)}: {n}</title></rect>"
        )
    for i, e in enumerate(edges):
        if len(edges) <= 8 or i % 2 == 0:
            body.append(
                text(left + i * slot, height - bottom + 16, fmt(e), anchor="middle", fill=MUTED)
            )
    rows = tuple((labels[i], str(n)) for i, n in enumerate(counts))
    svg = frame(chart_id, title, desc or title, width, height, body)
    return Chart(chart_id, title, svg, DataTable(title, headers, rows))


def bin_values(values: Sequence[float], bins: int | None = None) -> tuple[list[float], list[int]]:
    """Equal-width bin edges over [min, max] and the count in each (last bin closed)."""
    if not values:
        return [0.0, 1.0], [0]
    lo, hi = min(values), max(values)
    k = bins or max(1, min(12, math.ceil(math.log2(len(values))) + 1))
    if hi == lo:
        return [lo, hi], [len(values)]
    step = (hi - lo) / k
    edges = [lo + i * step for i in range(k)] + [hi]
    counts = [0] * k
    for v in values:
        counts[min(int((v - lo) / step), k - 1)] += 1
    return edges, counts


def dot_map(
    chart_id: str,
    title: str,
    dots: Sequence[MapDot],
    *,
    headers: tuple[str, str, str],
    cluster_title: str = "{n}",
    max_dots: int = 400,
    desc: str | None = None,
) -> Chart:
    """Cities by latitude and longitude (equirectangular, fitted to the dots, with graticule).

    Above `max_dots` the dots are pooled into grid cells drawn by size (title: `cluster_title`
    with `{n}`), so that the map stays light whatever the number of cities.
    """
    width, height, pad = 640, 360, 18
    lat_lo, lat_hi, lon_lo, lon_hi = _extent(dots)
    # Keep the projection's aspect: one degree of longitude as wide as one of latitude.
    scale = min((width - 2 * pad) / (lon_hi - lon_lo), (height - 2 * pad) / (lat_hi - lat_lo))
    cx, cy = (lon_lo + lon_hi) / 2, (lat_lo + lat_hi) / 2

    def px(lon: float) -> float:
        return width / 2 + (lon - cx) * scale

    def py(lat: float) -> float:
        return height / 2 - (lat - cy) * scale

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f7fafc"/>']
    step = _graticule_step(max(lat_hi - lat_lo, lon_hi - lon_lo))
    g = math.floor(lon_lo / step) * step
    while g <= lon_hi:
        body.append(line(px(g), 0, px(g), height, GRID))
        body.append(text(px(g) + 2, height - 4, f"{num(g)}°", fill=MUTED, size=10))
        g += step
    g = math.floor(lat_lo / step) * step
    while g <= lat_hi:
        body.append(line(0, py(g), width, py(g), INK if g == 0 else GRID))
        body.append(text(2, py(g) - 2, f"{num(g)}°", fill=MUTED, size=10))
        g += step
    if len(dots) <= max_dots:
        for d in sorted(dots, key=lambda d: d.highlight):
            colour, r = (HIGHLIGHT, 6) if d.highlight else (BASE, 4.5)
            body.append(
                _link(
                    d.href,
                    f'<circle cx="{num(px(d.lon))}" cy="{num(py(d.lat))}" r="{r}" '
                    f'fill="{colour}" stroke="#fff" stroke-width="1">'
                    f"<title>{esc(d.label)}</title></circle>",
                )
            )
            if d.highlight:
                body.append(text(px(d.lon) + 8, py(d.lat) + 4, d.label, weight="bold"))
        rows = tuple((d.label, f"{d.lat:.2f}", f"{d.lon:.2f}") for d in dots)
    else:
        cells = _pool(dots, step / 4)
        for (lat, lon), n in sorted(cells.items()):
            r = 3 + 2.5 * math.sqrt(n)
            body.append(
                f'<circle cx="{num(px(lon))}" cy="{num(py(lat))}" r="{num(r)}" fill="{BASE}" '
                f'fill-opacity="0.75"><title>{esc(cluster_title.format(n=n))}</title></circle>'
            )
        rows = tuple(
            (cluster_title.format(n=n), f"{lat:.2f}", f"{lon:.2f}")
            for (lat, lon), n in sorted(cells.items())
        )
    svg = frame(chart_id, title, desc or title, width, height, body)
    return Chart(chart_id, title, svg, DataTable(title, headers, rows))


def _extent(dots: Sequence[MapDot]) -> tuple[float, float, float, float]:
    if not dots:
        return -60.0, 75.0, -170.0, 180.0
    lats, lons = [d.lat for d in dots], [d.lon for d in dots]
    lat_lo, lat_hi, lon_lo, lon_hi = min(lats), max(lats), min(lons), max(lons)
    # At least 6 degrees across, and a margin, so a single city is not alone in a corner.
    grow_lat = max(6.0 - (lat_hi - lat_lo), 0) / 2 + 1.5
    grow_lon = max(6.0 - (lon_hi - lon_lo), 0) / 2 + 1.5
    return (
        max(lat_lo - grow_lat, -90.0),
        min(lat_hi + grow_lat, 90.0),
        max(lon_lo - grow_lon, -180.0),
        min(lon_hi + grow_lon, 180.0),
    )


def _graticule_step(span: float) -> float:
    return next((s for s in (1, 2, 5, 10, 15, 30) if span / s <= 8), 30)


def _pool(dots: Sequence[MapDot], cell: float) -> dict[tuple[float, float], int]:
    cells: dict[tuple[float, float], int] = {}
    for d in dots:
        key = (
            (math.floor(d.lat / cell) + 0.5) * cell,
            (math.floor(d.lon / cell) + 0.5) * cell,
        )
        cells[key] = cells.get(key, 0) + 1
    return cells


def radar(
    chart_id: str,
    title: str,
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    axis_header: str,
    max_value: float = 100.0,
    desc: str | None = None,
    fmt: Fmt = fmt_number,
) -> Chart:
    """Scores on spokes (series points are (axis index, value)); rings at quarters of max."""
    size, pad = 480, 110
    centre = size / 2
    radius = centre - pad
    n = max(len(axes), 3)

    def at(i: float, v: float, *, clamp: bool = True) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (max(0.0, min(v, max_value)) if clamp else v) / max_value
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    body = []
    for q in (0.25, 0.5, 0.75, 1.0):
        ring = " ".join(f"{num(x)},{num(y)}" for x, y in (at(i, q * max_value) for i in range(n)))
        body.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}"/>')
    for spoke, label in enumerate(axes):
        x, y = at(spoke, max_value)
        body.append(line(centre, centre, x, y))
        lx, ly = at(spoke, max_value * 1.12, clamp=False)
        anchor = "middle" if abs(lx - centre) < 10 else ("start" if lx > centre else "end")
        body.append(text(lx, ly + 4, _short(label, 20), anchor=anchor, size=11))
    for k, s in enumerate(series):
        colour = SERIES[k % len(SERIES)]
        known = [(int(i), v) for i, v in s.points if v is not None]
        pts = [at(i, v) for i, v in known]
        if len(pts) >= 2:
            body.append(
                f'<polygon points="{" ".join(f"{num(x)},{num(y)}" for x, y in pts)}" '
                f'fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-width="2"/>'
            )
        for (axis, v), (x, y) in zip(known, pts, strict=True):
            label = axes[axis] if axis < len(axes) else str(axis)
            body.append(
                f'<circle cx="{num(x)}" cy="{num(y)}" r="3" fill="{colour}">'
                f"<title>{esc(s.name)} – {esc(label)}: {esc(fmt(v))}</title></circle>"
            )
    for k, s in enumerate(series):
        colour = SERIES[k % len(SERIES)]
        body.append(f'<rect x="8" y="{8 + 18 * k}" width="12" height="12" fill="{colour}"/>')
        body.append(text(26, 18 + 18 * k, _short(s.name, 30)))
    lookup = [dict(s.points) for s in series]
    rows = tuple((a, *(fmt(d.get(i)) for d in lookup)) for i, a in enumerate(axes))
    headers = (axis_header, *(s.name for s in series))
    svg = frame(chart_id, title, desc or title, size, size, body)
    return Chart(chart_id, title, svg, DataTable(title, headers, rows))
