"""served_exceeds_total: a served or covered population larger than the whole population."""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.models import Role
from citycert.standards.validation import ServedExceedsTotalRule


def check(rule: ServedExceedsTotalRule, cycle: CycleData) -> Iterator[Finding]:
    """One finding per sub-population input (unit `served_unit`) above the chosen total."""
    p = rule.params
    for s in cycle.selected(rule):
        f = s.indicator.formula
        if f is None:
            continue
        if p.against == "input":
            total = s.input_value(p.total_input)
        else:
            total = cycle.context.city_population
        if total is None or total <= 0:
            continue
        for inp in f.by_role(Role.numerator):
            if inp.unit != p.served_unit or inp.name == p.total_input:
                continue
            served = s.spec_value(inp)
            if served is None or served <= total:
                continue
            yield make_finding(
                rule,
                s.indicator,
                {"input": inp.name, "label": inp.label, "served": fmt(served), "total": fmt(total)},
                {"input": inp.name, "served": served, "total": total, "against": p.against},
            )
