"""percent_range: a percentage outside its possible range (0-100 % for shares of a whole)."""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.validation import PercentRangeRule

# Floating-point slack so that 100.00000000001 % from a division is not a finding.
_EPS = 1e-9


def check(rule: PercentRangeRule, cycle: CycleData) -> Iterator[Finding]:
    """One finding per selected indicator whose value lies outside [min, max]."""
    low, high = rule.params.min, rule.params.max
    for s in cycle.selected(rule):
        v = s.value
        if v is None or low - _EPS <= v <= high + _EPS:
            continue
        yield make_finding(
            rule,
            s.indicator,
            {"value": fmt(v), "min": fmt(low), "max": fmt(high)},
            {"value": v, "from": "computed" if s.computed is not None else "reported"},
        )
