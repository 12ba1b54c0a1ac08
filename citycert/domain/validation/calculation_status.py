"""calculation_status: the calculation engine's problem statuses surfaced as findings."""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, make_finding
from citycert.standards.models import Text
from citycert.standards.validation import CalculationStatusRule


def check(rule: CalculationStatusRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding per selected indicator whose result has the rule's status."""
    if not cycle.has_status(rule.params.status):
        return  # the usual case: no result of the cycle has this status
    for s in cycle.selected(rule):
        r = s.result
        if r is None or r.status != rule.params.status:  # a StrEnum equals its value
            continue
        detail = Text(
            en="; ".join(m.en for m in r.messages) or r.status.value,
            ko="; ".join(m.ko for m in r.messages) or r.status.value,
        )
        yield make_finding(
            rule,
            s.indicator,
            {"status": r.status.value, "detail": detail},
            {"status": r.status.value, "codes": [m.code for m in r.messages]},
        )
