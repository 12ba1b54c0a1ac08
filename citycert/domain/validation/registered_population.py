"""registered_population: a population input far from the city's registered population.

Usually a boundary mismatch (metropolitan area or county instead of the city proper) or a
figure of another year. One finding per distinct value, on the first indicator that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData, Subject
from citycert.domain.validation.findings import Finding, fmt, make_finding
from citycert.standards.validation import RegisteredPopulationRule


def check(rule: RegisteredPopulationRule, cycle: CycleData) -> Iterator[Finding]:
    """Findings for population inputs more than `max_rel_difference` from the registered one."""
    registered = cycle.context.city_population
    if registered is None or registered <= 0:
        return
    p = rule.params
    users: dict[tuple[str, float], list[Subject]] = {}
    for s in cycle.selected(rule):
        for name in p.names:
            v = s.input_value(name, "person")
            if v is not None and abs(v - registered) / registered > p.max_rel_difference:
                users.setdefault((name, v), []).append(s)
    for (name, v), subjects in users.items():
        yield make_finding(
            rule,
            subjects[0].indicator,
            {
                "input": name,
                "value": fmt(v),
                "registered": fmt(registered),
                "difference": f"{(v / registered - 1) * 100:+.1f} %",
                "indicators": ", ".join(s.number for s in subjects),
            },
            {
                "input": name,
                "value": v,
                "registered": registered,
                "indicators": [s.number for s in subjects],
            },
        )
