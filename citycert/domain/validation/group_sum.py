"""group_sum: shares of one whole (declared groups of indicators) must add up to the target."""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.validation import GroupSumRule


def check(rule: GroupSumRule, cycle: CycleData) -> Iterator[Finding]:
    """Per group of this catalogue with two or more values: a complete group off its target, or
    a partial group already above it; the finding sits on the first member that has a value."""
    for group in rule.params.groups:
        if group.catalog != cycle.catalog.key:
            continue
        present: list[tuple[str, float]] = []
        for number in group.members:
            s = cycle.get(number)
            if s is not None and s.value is not None:
                present.append((number, s.value))
        if len(present) < 2:
            continue
        total = sum(v for _, v in present)
        missing = [n for n in group.members if n not in {m for m, _ in present}]
        if missing and total <= group.target + group.tolerance:
            continue
        if not missing and abs(total - group.target) <= group.tolerance:
            continue
        anchor = cycle.get(present[0][0])
        assert anchor is not None
        yield make_finding(
            rule,
            anchor.indicator,
            {
                "group": group.name,
                "members": " + ".join(n for n, _ in present),
                "sum": fmt(total),
                "target": fmt(group.target),
                "tolerance": fmt(group.tolerance),
                "missing": ", ".join(missing),
            },
            {
                "group": group.id,
                "values": dict(present),
                "sum": total,
                "missing": missing,
            },
            message=rule.message_partial if missing else None,
        )
