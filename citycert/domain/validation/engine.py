"""The validation engine: run every rule over one cycle's figures and collect all findings.

Pure code: catalogue, raw inputs, computed results, reported values and context in; a list of
findings out, in a fixed order (catalogue order of indicators, then rule-file order). A finding
that a more specific one makes redundant (rule `supersedes`) is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from citycert.domain.calculation import RawInput, Result, compute_catalog
from citycert.domain.validation.cycle import CycleData, Subject, ValidationContext
from citycert.domain.validation.findings import Finding, fmt
from citycert.domain.validation.registry import checker_for
from citycert.standards.catalog import Catalog
from citycert.standards.models import Text
from citycert.standards.validation import RuleSet, Severity, load_rules


def _engine_finding(number: str, rule: str, message: Text, hint: Text) -> Finding:
    return Finding(indicator=number, rule=rule, severity=Severity.error, message=message, hint=hint)


def _problems_outside_rules(
    catalog: Catalog, numbers: set[str], reported: Mapping[str, float]
) -> list[Finding]:
    """Figures the rules cannot look at: unknown indicators, reported values not finite."""
    out: list[Finding] = []
    for number in sorted(numbers):
        if catalog.get(number) is None:
            out.append(
                _engine_finding(
                    number,
                    "engine.unknown_indicator",
                    Text(
                        en=f"{number}: no such indicator in {catalog.key}",
                        ko=f"{number}: {catalog.key}에 없는 지표입니다",
                    ),
                    Text(
                        en="Use an indicator number of the catalogue in use.",
                        ko="사용 중인 카탈로그의 지표 번호를 쓰십시오.",
                    ),
                )
            )
    for number, value in sorted(reported.items()):
        if not math.isfinite(value):
            out.append(
                _engine_finding(
                    number,
                    "engine.invalid_reported",
                    Text(
                        en=f"{number}: the reported value {fmt(value)} is not a finite number",
                        ko=f"{number}: 보고값 {fmt(value)}은(는) 유한한 숫자가 아닙니다",
                    ),
                    Text(en="Report a plain number.", ko="숫자만 보고하십시오."),
                )
            )
    return out


def _drop_superseded(findings: list[Finding], rules: RuleSet) -> list[Finding]:
    fired: dict[str, set[str]] = {}
    for f in findings:
        fired.setdefault(f.indicator, set()).add(f.rule)
    dropped: dict[str, set[str]] = {
        number: set().union(*(rules.superseded_by(r) for r in ids)) for number, ids in fired.items()
    }
    return [f for f in findings if f.rule not in dropped[f.indicator]]


def validate(
    catalog: Catalog,
    inputs: Mapping[str, Mapping[str, RawInput]],
    results: Sequence[Result] | None = None,
    reported: Mapping[str, float] | None = None,
    context: ValidationContext | None = None,
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Every finding on one cycle (all of them, not the first).

    `inputs`: indicator number -> input name -> raw figure; `results`: from `compute_catalog`
    (computed here when None); `reported`: indicator number -> the value the city reports;
    `rules`: default the built-in rule files.
    """
    rules = rules if rules is not None else load_rules()
    context = context if context is not None else ValidationContext()
    reported = dict(reported or {})
    if results is None:
        results = compute_catalog(catalog, inputs)
    by_number = {r.number: r for r in results}
    numbers = set(inputs) | set(by_number) | set(reported)
    findings = _problems_outside_rules(catalog, numbers, reported)
    subjects = tuple(
        Subject(
            indicator=ind,
            inputs=inputs.get(ind.number, {}),
            result=by_number.get(ind.number),
            reported=v
            if (v := reported.get(ind.number)) is not None and math.isfinite(v)
            else None,
        )
        for ind in catalog.indicators
        if ind.number in numbers
    )
    cycle = CycleData(catalog=catalog, subjects=subjects, context=context)
    for rule in rules.rules:
        findings.extend(checker_for(rule.template)(rule, cycle))
    findings = _drop_superseded(findings, rules)
    order = {ind.number: n for n, ind in enumerate(catalog.indicators)}
    return sorted(findings, key=lambda f: (order.get(f.indicator, -1), rules.position(f.rule)))


def has_errors(findings: Sequence[Finding]) -> bool:
    """Whether any finding blocks submission."""
    return any(f.severity is Severity.error for f in findings)
