"""The calculation engine: raw inputs -> indicator values with status, messages and provenance.

Pure code: it takes catalogue objects and plain numbers, never touches a database or the web.
Every problem becomes an explicit status with a bilingual message; nothing raises on bad data and
no NaN or infinity ever comes out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from citycert.domain.units import UnitError, convert
from citycert.standards.catalog import Catalog
from citycert.standards.models import Formula, Indicator, Input, Role


class Status(StrEnum):
    ok = "ok"
    missing_input = "missing_input"
    invalid_input = "invalid_input"
    negative_input = "negative_input"
    zero_denominator = "zero_denominator"
    negative_denominator = "negative_denominator"
    over_100_percent = "over_100_percent"
    unit_error = "unit_error"
    no_formula = "no_formula"


# Statuses that still produce a value (flagged for review) rather than none at all.
VALUE_STATUSES = frozenset({Status.ok, Status.over_100_percent})


@dataclass(frozen=True)
class Message:
    code: str
    en: str
    ko: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "ko": self.ko}


@dataclass(frozen=True)
class RawInput:
    """A raw figure as supplied: `unit` None means "in the catalogue's unit"."""

    value: float | None
    unit: str | None = None


@dataclass(frozen=True)
class Provenance:
    catalog: str
    catalog_version: str
    formula: str
    inputs: Mapping[str, float]  # converted to the catalogue's units


@dataclass(frozen=True)
class Result:
    key: str
    number: str
    value: float | None
    unit: str
    status: Status
    messages: tuple[Message, ...] = ()
    provenance: Provenance | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "indicator": self.number,
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "status": self.status.value,
            "messages": [m.as_dict() for m in self.messages],
        }


def formula_text(formula: Formula) -> str:
    """A readable one-line form: `100 x (a + b) / (c)`, or the value input's name."""
    if not formula.is_ratio:
        return formula.inputs[0].name
    num = " + ".join(i.name for i in formula.by_role(Role.numerator))
    den = " + ".join(i.name for i in formula.by_role(Role.denominator))
    mult = f"{formula.multiplier:g} x " if formula.multiplier != 1 else ""
    return f"{mult}({num}) / ({den})"


def _msg(code: str, en: str, ko: str) -> Message:
    return Message(code=code, en=en, ko=ko)


def _is_percent(indicator: Indicator) -> bool:
    return indicator.unit.strip().startswith("%")


@dataclass(frozen=True)
class _Plan:
    """What compute() needs about an indicator, worked out once instead of on every call."""

    key: str
    formula_text: str | None
    numerators: tuple[str, ...]
    denominators: tuple[str, ...]
    uniform_unit: bool  # every input has the same catalogue unit (a unit-free ratio)
    # Per input: (definition, name, catalogue unit, whether a negative value is a problem).
    checks: tuple[tuple[Input, str, str, bool], ...]
    percent: bool  # the indicator is a percentage (over 100 % is flagged)


_PLANS: dict[tuple[int, str], tuple[Indicator, _Plan]] = {}


def _plan(catalog: Catalog, indicator: Indicator) -> _Plan:
    cache_key = (id(indicator), catalog.key)
    hit = _PLANS.get(cache_key)
    if hit is not None and hit[0] is indicator:
        return hit[1]
    f = indicator.formula
    plan = _Plan(
        key=catalog.indicator_key(indicator),
        formula_text=formula_text(f) if f else None,
        numerators=tuple(i.name for i in f.by_role(Role.numerator)) if f else (),
        denominators=tuple(i.name for i in f.by_role(Role.denominator)) if f else (),
        uniform_unit=bool(f and f.is_ratio and len({i.unit for i in f.inputs}) == 1),
        checks=tuple(
            (i, i.name, i.unit, i.role is not Role.denominator and not i.signed)
            for i in (f.inputs if f else ())
        ),
        percent=_is_percent(indicator),
    )
    _PLANS[cache_key] = (indicator, plan)
    return plan


def _same_unit_ratio(plan: _Plan, formula: Formula, inputs: Mapping[str, RawInput]) -> bool:
    """True when every input of a unit-free ratio (all catalogue units alike) came in one unit.

    Such a ratio needs no conversion, so a budget share reported in KRW works although the
    catalogue counts money in USD and no exchange rate is known.
    """
    if not plan.uniform_unit:
        return False
    given = {(inputs[i.name].unit or "").strip() for i in formula.inputs if i.name in inputs}
    return len(given) == 1 and "" not in given


def compute(catalog: Catalog, indicator: Indicator, inputs: Mapping[str, RawInput]) -> Result:
    """Compute one indicator from its raw inputs (keyed by input name)."""
    plan = _plan(catalog, indicator)
    key = plan.key

    def result(status: Status, value: float | None = None, *messages: Message) -> Result:
        prov = None
        if plan.formula_text is not None:
            prov = Provenance(catalog.key, catalog.version, plan.formula_text, conv)
        return Result(key, indicator.number, value, indicator.unit, status, messages, prov)

    conv: dict[str, float] = {}
    formula = indicator.formula
    if formula is None:
        return result(
            Status.no_formula,
            None,
            _msg(
                "no_formula",
                f"{indicator.number} has no formula in catalogue {catalog.key}",
                f"{indicator.number} 지표는 {catalog.key} 카탈로그에 산식이 없습니다",
            ),
        )

    problems: list[tuple[Status, Message]] = []
    # Whether a unit-free ratio came in one foreign unit; only asked when an input is not in the
    # catalogue's unit (otherwise there is nothing to convert either way).
    same_unit: bool | None = None
    for inp, name, unit, no_negative in plan.checks:
        raw = inputs.get(name)
        if raw is None or raw.value is None:
            problems.append(
                (
                    Status.missing_input,
                    _msg(
                        "missing_input",
                        f"input '{inp.name}' ({inp.label.en}) is missing",
                        f"입력값 '{inp.name}'({inp.label.ko})이(가) 없습니다",
                    ),
                )
            )
            continue
        if not math.isfinite(raw.value):
            problems.append(
                (
                    Status.invalid_input,
                    _msg(
                        "invalid_input",
                        f"input '{inp.name}' is not a finite number",
                        f"입력값 '{inp.name}'이(가) 유한한 숫자가 아닙니다",
                    ),
                )
            )
            continue
        src = raw.unit
        try:
            if src is None or src == unit:
                value = raw.value  # already in the catalogue's unit: the usual case
            else:
                if same_unit is None:
                    same_unit = _same_unit_ratio(plan, formula, inputs)
                value = raw.value if same_unit else convert(raw.value, src, unit)
        except UnitError as exc:
            problems.append(
                (
                    Status.unit_error,
                    _msg(
                        "unit_error",
                        f"input '{inp.name}': {exc}; expected a unit convertible to '{inp.unit}'",
                        f"입력값 '{inp.name}': 단위 오류({raw.unit}); '{inp.unit}'로 변환 가능한 "
                        "단위를 쓰십시오",
                    ),
                )
            )
            continue
        if no_negative and value < 0:
            problems.append(
                (
                    Status.negative_input,
                    _msg(
                        "negative_input",
                        f"input '{inp.name}' is negative ({raw.value:g}); counts and amounts "
                        "cannot be below zero",
                        f"입력값 '{inp.name}'이(가) 음수({raw.value:g})입니다. 수량은 0보다 "
                        "작을 수 없습니다",
                    ),
                )
            )
            continue
        conv[name] = value
    if problems:
        return result(problems[0][0], None, *(m for _, m in problems))

    if not plan.denominators:
        return result(Status.ok, conv[formula.inputs[0].name])

    numerator = sum([conv[n] for n in plan.numerators])
    denominator = sum([conv[n] for n in plan.denominators])
    den_names = ", ".join(plan.denominators)
    if denominator == 0:
        return result(
            Status.zero_denominator,
            None,
            _msg(
                "zero_denominator",
                f"denominator ({den_names}) is zero; the indicator cannot be computed",
                f"분모({den_names})가 0이므로 지표를 계산할 수 없습니다",
            ),
        )
    if denominator < 0:
        return result(
            Status.negative_denominator,
            None,
            _msg(
                "negative_denominator",
                f"denominator ({den_names}) is negative ({denominator:g})",
                f"분모({den_names})가 음수({denominator:g})입니다",
            ),
        )
    value = formula.multiplier * numerator / denominator
    if not math.isfinite(value):
        return result(
            Status.invalid_input,
            None,
            _msg(
                "invalid_input",
                "the inputs give a result too large to represent",
                "입력값으로 계산한 결과가 너무 커서 표현할 수 없습니다",
            ),
        )
    if plan.percent and value > 100 + 1e-9:
        return result(
            Status.over_100_percent,
            value,
            _msg(
                "over_100_percent",
                f"percentage is {value:.4g} %, above 100 %: check that the numerator is part of "
                "the denominator and both cover the same area and year",
                f"백분율이 {value:.4g}%로 100%를 넘습니다. 분자가 분모의 일부인지, 같은 지역·"
                "연도를 기준으로 하는지 확인하십시오",
            ),
        )
    # The usual outcome, built without the helper's extra call.
    prov = Provenance(catalog.key, catalog.version, plan.formula_text or "", conv)
    return Result(key, indicator.number, value, indicator.unit, Status.ok, (), prov)


def compute_catalog(
    catalog: Catalog,
    inputs: Mapping[str, Mapping[str, RawInput]],
    numbers: Iterable[str] | None = None,
) -> list[Result]:
    """Compute every indicator that has inputs (or every one in `numbers`), in catalogue order."""
    wanted = set(numbers) if numbers is not None else set(inputs)
    return [
        compute(catalog, ind, inputs.get(ind.number, {}))
        for ind in catalog.indicators
        if ind.number in wanted
    ]
