"""The rule families: template name (as in the rule files) -> the function that runs it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from citycert.domain.validation import (
    calculation_status,
    group_sum,
    peer_outlier,
    percent_range,
    rate_count,
    ratio_bounds,
    registered_population,
    reported_computed,
    same_input,
    served_total,
    year_over_year,
)
from citycert.domain.validation.cycle import CycleData
from citycert.domain.validation.findings import Finding
from citycert.standards.validation import Template

# Each checker takes its own rule model; the engine pairs them through the template name.
Checker = Callable[[Any, CycleData], Iterable[Finding]]

CHECKERS: Mapping[Template, Checker] = {
    Template.percent_range: percent_range.check,
    Template.numerator_le_denominator: ratio_bounds.check,
    Template.served_exceeds_total: served_total.check,
    Template.group_sum: group_sum.check,
    Template.same_input: same_input.check,
    Template.registered_population: registered_population.check,
    Template.rate_equals_count: rate_count.check,
    Template.reported_vs_computed: reported_computed.check,
    Template.year_over_year: year_over_year.check,
    Template.peer_outlier: peer_outlier.check,
    Template.calculation_status: calculation_status.check,
}


def checker_for(template: str) -> Checker:
    """The checker of a template; KeyError for a template no family implements."""
    return CHECKERS[Template(template)]
