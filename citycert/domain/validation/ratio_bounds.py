"""numerator_le_denominator: in a bounded ratio the part cannot be larger than the whole."""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.models import Role
from citycert.standards.validation import NumeratorLeDenominatorRule


def check(rule: NumeratorLeDenominatorRule, cycle: CycleData) -> Iterator[Finding]:
    """One finding per selected ratio whose numerators add up to more than its denominators."""
    for s in cycle.selected(rule):
        f = s.indicator.formula
        if f is None or not f.is_ratio:
            continue
        nums, dens = f.by_role(Role.numerator), f.by_role(Role.denominator)
        unit = dens[0].unit  # compare in one unit even if the catalogue mixes t and kg
        num_values = [s.spec_value(i, unit) for i in nums]
        den_values = [s.spec_value(i, unit) for i in dens]
        if any(v is None for v in (*num_values, *den_values)):
            continue  # missing or unconvertible inputs are the calculation's findings
        num = sum(v for v in num_values if v is not None)
        den = sum(v for v in den_values if v is not None)
        if den <= 0 or num <= den * (1 + rule.params.rel_tolerance):
            continue
        yield make_finding(
            rule,
            s.indicator,
            {
                "numerator": fmt(num),
                "denominator": fmt(den),
                "numerator_names": " + ".join(i.name for i in nums),
                "denominator_names": " + ".join(i.name for i in dens),
            },
            {"numerator": num, "denominator": den, "unit": unit},
        )
