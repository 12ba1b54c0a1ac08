"""Chart geometry shared by the PDF and the SVG renderers: radar polygons, bars, sparklines.

Coordinates grow right and down (as on a page); angles start at the top and go clockwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Series:
    """One polygon on a radar: its values, colour, and whether it is drawn dashed."""

    values: Sequence[float]
    colour: str
    dashed: bool = False
    fill_opacity: float = 0.3


def spoke(i: int, n: int, cx: float, cy: float, r: float) -> Point:
    """The outer end of spoke `i` of `n`, the first pointing straight up."""
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_points(
    values: Sequence[float], lo: float, hi: float, cx: float, cy: float, r: float
) -> list[Point]:
    """The polygon of `values` on a radar whose centre is `lo` and rim is `hi`.

    The centre stands for the lowest level, so a value at `lo` sits on the centre.
    """
    if hi <= lo:
        raise ValueError(f"radar scale {lo}..{hi} is empty")
    n = len(values)
    out = []
    for i, v in enumerate(values):
        frac = (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(spoke(i, n, cx, cy, r * frac))
    return out


def ring(n: int, frac: float, cx: float, cy: float, r: float) -> list[Point]:
    """A grid ring (polygon through every spoke at `frac` of the radius)."""
    return [spoke(i, n, cx, cy, r * frac) for i in range(n)]


def label_anchor(i: int, n: int, cx: float, cy: float, r: float, gap: float) -> tuple[Point, str]:
    """Where a spoke's label goes and how to align it (`L`, `R` or `C`)."""
    x, y = spoke(i, n, cx, cy, r + gap)
    dx = x - cx
    align = "C" if abs(dx) < r * 0.15 else ("L" if dx > 0 else "R")
    return (x, y), align


def sparkline(
    values: Sequence[float | None], x: float, y: float, w: float, h: float
) -> list[list[Point]]:
    """Polylines through the known values (a gap breaks the line), scaled into the box."""
    known = [v for v in values if v is not None]
    if not known:
        return []
    lo, hi = min(known), max(known)
    span = hi - lo or abs(hi) or 1.0
    step = w / max(1, len(values) - 1)
    runs: list[list[Point]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        py = y + h - (v - lo) / span * h if hi != lo else y + h / 2
        runs[-1].append((x + i * step, py))
    return [run for run in runs if run]


def bar_width(value: float, total: float, width: float) -> float:
    """The length of a progress bar showing `value` of `total` in `width`."""
    return 0.0 if total <= 0 else width * max(0.0, min(1.0, value / total))
