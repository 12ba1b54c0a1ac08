"""Building blocks of the server-side SVG charts: escaping, scales, ticks, the accessible frame."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours chosen for contrast on white (text >= 4.5:1, marks >= 3:1) and for colour-blind readers.
INK = "#1a202c"
MUTED = "#4a5568"
GRID = "#cbd5e0"
SERIES = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#97266d")
HIGHLIGHT = "#c05621"
BASE = "#2b6cb0"


def esc(text: object) -> str:
    """Text made safe for an SVG element or attribute."""
    return str(escape(str(text)))


def num(v: float) -> str:
    """A coordinate, short."""
    return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


@dataclass(frozen=True)
class Scale:
    """Linear map from data [lo, hi] to pixels [a, b]."""

    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        if self.hi == self.lo:
            return (self.a + self.b) / 2
        return self.a + (v - self.lo) * (self.b - self.a) / (self.hi - self.lo)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 0.5:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 12))
    return ticks


def frame(
    chart_id: str, title: str, desc: str, width: int, height: int, body: Iterable[str]
) -> Markup:
    """The accessible <svg>: role img, labelled by its <title> and <desc>, scaling to its box."""
    cid = esc(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{esc(title)}</title>',
        f'<desc id="{cid}-desc">{esc(desc)}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))  # safe: every text went through esc()


def text(
    x: float,
    y: float,
    content: object,
    *,
    anchor: str = "start",
    fill: str = INK,
    size: int | None = None,
    weight: str | None = None,
) -> str:
    extra = (f' font-size="{size}"' if size else "") + (
        f' font-weight="{weight}"' if weight else ""
    )
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{esc(content)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 1) -> str:
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{stroke}" stroke-width="{num(width)}"/>'
    )
