"""Robust statistics for outlier checks: median, MAD and the modified z-score.

Mean and standard deviation are pulled by the very outliers we look for; the median and the
median absolute deviation (MAD) are not. Iglewicz and Hoaglin's modified z-score,
0.6745 x (x - median) / MAD, flags |z| > 3.5 as a likely outlier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# 1 / 0.6745: turns a MAD into a standard-deviation-like spread for normal data.
MAD_TO_SIGMA = 1.4826


def median(values: Sequence[float]) -> float:
    """The median; ValueError when `values` is empty."""
    if not values:
        raise ValueError("median of no values")
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def mad(values: Sequence[float]) -> float:
    """The median absolute deviation from the median (raw, not scaled)."""
    m = median(values)
    return median([abs(v - m) for v in values])


@dataclass(frozen=True)
class RobustScore:
    """Where `x` sits in a sample: its modified z-score, and the centre and spread used."""

    z: float
    centre: float
    scale: float


def modified_z(x: float, sample: Sequence[float], min_scale: float = 0.0) -> RobustScore:
    """(x - median) / (1.4826 x MAD), the spread floored at `min_scale` (a zero MAD would flag
    every difference); ValueError when `sample` is empty or the floored spread is zero."""
    centre = median(sample)
    scale = max(MAD_TO_SIGMA * mad(sample), min_scale)
    if scale <= 0:
        raise ValueError("the sample has no spread and no minimum scale was given")
    return RobustScore(z=(x - centre) / scale, centre=centre, scale=scale)


def log_values(values: Sequence[float]) -> list[float]:
    """Natural logarithms of the positive, finite values (others have no log and are dropped)."""
    return [math.log(v) for v in values if v > 0 and math.isfinite(v)]
