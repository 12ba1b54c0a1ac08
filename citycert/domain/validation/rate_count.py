"""rate_equals_count: a reported rate (per 100 000, per 1 000) equal to its raw count.

The classic slip: 282 homicides reported as "282 per 100 000" for a city of four million.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.models import Role
from citycert.standards.validation import RateEqualsCountRule


def check(rule: RateEqualsCountRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding where reported == sum of numerators while the computed rate is different."""
    tol = rule.params.rel_tolerance
    for s in cycle.selected(rule):
        reported = s.reported
        if reported is None:
            continue  # nothing reported: nothing to compare (most cycles)
        count, computed = s.role_sum(Role.numerator), s.computed
        if count is None or computed is None:
            continue
        if not math.isclose(reported, count, rel_tol=tol, abs_tol=1e-9):
            continue
        if math.isclose(computed, count, rel_tol=tol, abs_tol=1e-9):
            continue  # e.g. a population of exactly 100 000: the rate is the count
        yield make_finding(
            rule,
            s.indicator,
            {"reported": fmt(reported), "count": fmt(count), "computed": fmt(computed)},
            {"reported": reported, "count": count, "computed": computed},
        )
