"""reported_vs_computed: a reported value that differs from what its raw inputs give.

Besides the difference, it names the likely cause: the value equals the raw total (not divided,
or a per-capita figure typed into the total field), it is off by about the denominator (total and
per-capita mixed up), or by a power of ten (a unit slip).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from citycert.domain.validation.cycle import CycleData, Subject
from citycert.domain.validation.findings import Finding, fmt, fmt_change, make_finding, render
from citycert.standards.models import Role, Text
from citycert.standards.validation import ReportedVsComputedRule


def _near_factor(ratio: float, factor: float, tolerance: float) -> bool:
    """Whether `ratio` is within `tolerance` (relative) of `factor` or of 1 / `factor`."""
    if ratio <= 0 or factor <= 0:
        return False
    distance = min(abs(math.log(ratio / factor)), abs(math.log(ratio * factor)))
    return distance <= math.log1p(tolerance)


def _cause(
    rule: ReportedVsComputedRule, s: Subject, reported: float, computed: float
) -> tuple[str, Text]:
    """The most likely cause's code and its bilingual text."""
    p = rule.params
    f = s.indicator.formula
    count = s.role_sum(Role.numerator)
    den = s.role_sum(Role.denominator)
    den_names = " + ".join(i.name for i in f.by_role(Role.denominator)) if f and f.is_ratio else ""
    ratio = reported / computed if computed != 0 else 0.0
    scale = den / f.multiplier if f is not None and den is not None and den > 0 else None
    factor = ratio if ratio >= 1 else (1 / ratio if ratio > 0 else 0.0)
    code = "mismatch"
    if count is not None and math.isclose(reported, count, rel_tol=1e-3):
        code = "equals_raw_total"
    elif scale is not None and scale != 1 and _near_factor(ratio, scale, p.factor_tolerance):
        code = "off_by_denominator"
    elif ratio > 0:
        k = round(math.log10(ratio))
        if k != 0 and _near_factor(ratio, 10.0**k, p.factor_tolerance):
            code, factor = "power_of_ten", 10.0 ** abs(k)
    values = {
        "count": fmt(count) if count is not None else "",
        "denominator": fmt(den) if den is not None else "",
        "denominator_names": den_names,
        "factor": fmt(factor),
    }
    text: Text = getattr(p.causes, code)
    return code, Text(en=render(text.en, values, "en"), ko=render(text.ko, values, "ko"))


def check(rule: ReportedVsComputedRule, cycle: CycleData) -> Iterator[Finding]:
    """A finding where |reported - computed| exceeds both tolerances."""
    p = rule.params
    for s in cycle.selected(rule):
        reported, computed = s.reported, s.computed
        if reported is None or computed is None:
            continue
        if abs(reported - computed) <= max(p.rel_tolerance * abs(computed), p.abs_tolerance):
            continue
        code, cause = _cause(rule, s, reported, computed)
        both_positive = reported > 0 and computed > 0
        yield make_finding(
            rule,
            s.indicator,
            {
                "reported": fmt(reported),
                "computed": fmt(computed),
                "difference": fmt_change(reported / computed)
                if both_positive
                else fmt(reported - computed),
                "cause": cause,
            },
            {"reported": reported, "computed": computed, "cause": code},
        )
