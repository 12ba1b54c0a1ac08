"""year_over_year: a change from the previous year far outside the city's own history.

Changes are compared as annual log-ratios: with enough history, against the median and MAD of
the city's past changes (modified z-score); with a short history, against a fixed factor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

from citycert.domain.robust import modified_z
from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, fmt_change, make_finding
from citycert.standards.validation import YearOverYearRule


def _series(history: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Finite points sorted by year; of repeated years the last given wins."""
    by_year = {int(y): float(v) for y, v in history if math.isfinite(v)}
    return sorted(by_year.items())


def _annual_log_changes(points: list[tuple[int, float]]) -> list[float]:
    return [
        math.log(v2 / v1) / (y2 - y1)
        for (y1, v1), (y2, v2) in itertools.pairwise(points)
        if v1 > 0 and v2 > 0
    ]


def check(rule: YearOverYearRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding per selected indicator whose change since its last past value is extreme."""
    p = rule.params
    history = cycle.context.history
    for s in cycle.selected(rule):
        x = s.value
        if x is None or x <= 0:
            continue
        past_values = history.get(s.number)
        points = _series(past_values) if past_values else []
        if not points:
            continue
        year = cycle.context.year if cycle.context.year is not None else points[-1][0] + 1
        past = [(y, v) for y, v in points if y < year]
        if not past or past[-1][1] <= 0:
            continue
        prev_year, prev = past[-1]
        ratio = x / prev
        # Too few past points for `min_changes` changes: the fixed limit applies, and the
        # changes are only counted for a finding's details.
        changes = _annual_log_changes(past) if len(past) > p.min_changes else None
        if changes is not None and len(changes) >= p.min_changes:
            score = modified_z(math.log(ratio) / (year - prev_year), changes, p.min_scale)
            if abs(score.z) <= p.z_threshold:
                continue
            method, threshold = p.method_robust, f"|z| = {abs(score.z):.1f} > {p.z_threshold:g}"
            extra: dict[str, object] = {"z": score.z, "past_changes": len(changes)}
        else:
            if abs(math.log(ratio)) <= math.log(p.fixed_factor):
                continue
            if changes is None:
                changes = _annual_log_changes(past)
            method, threshold = p.method_fixed, f"×{p.fixed_factor:g}"
            extra = {"fixed_factor": p.fixed_factor, "past_changes": len(changes)}
        yield make_finding(
            rule,
            s.indicator,
            {
                "value": fmt(x),
                "previous": fmt(prev),
                "previous_year": str(prev_year),
                "change": fmt_change(ratio),
                "threshold": threshold,
                "method": method,
            },
            {"value": x, "previous": prev, "previous_year": prev_year, "year": year, **extra},
        )
