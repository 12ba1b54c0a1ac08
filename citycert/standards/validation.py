"""Validation rules as data: rule templates selected by catalogue properties, loaded from YAML.

Each rule file in `rules/validation/` lists rules; a rule names a `template` (the rule family
the engine runs), a `selector` (which indicators it covers, by catalogue properties such as unit
or `bounded`), family parameters, a severity, bilingual message and fix-hint templates, and the
source and confidence of the rule and its thresholds. A certification body can load its own
files with `load_rules(paths)`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from citycert.standards.catalog import Catalog
from citycert.standards.models import Confidence, Indicator, IndicatorType, Role, Strict, Text
from citycert.standards.yaml_loader import StandardsFileError, read_yaml_with_lines

VALIDATION_RULES_DIR = Path(__file__).parent / "rules" / "validation"
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
_CATALOG_KEY = r"^iso\d{5}-\d{4}$"


class Severity(StrEnum):
    """error blocks submission; warning needs a written justification."""

    error = "error"
    warning = "warning"


class Template(StrEnum):
    """The rule families the validation engine knows."""

    percent_range = "percent_range"
    numerator_le_denominator = "numerator_le_denominator"
    served_exceeds_total = "served_exceeds_total"
    group_sum = "group_sum"
    same_input = "same_input"
    registered_population = "registered_population"
    rate_equals_count = "rate_equals_count"
    reported_vs_computed = "reported_vs_computed"
    year_over_year = "year_over_year"
    peer_outlier = "peer_outlier"
    calculation_status = "calculation_status"


# Placeholders every message may use, then those each family fills in.
COMMON_FIELDS = frozenset({"indicator", "name"})
TEMPLATE_FIELDS: dict[Template, frozenset[str]] = {
    Template.percent_range: frozenset({"value", "min", "max"}),
    Template.numerator_le_denominator: frozenset(
        {"numerator", "denominator", "numerator_names", "denominator_names"}
    ),
    Template.served_exceeds_total: frozenset({"input", "label", "served", "total"}),
    Template.group_sum: frozenset({"group", "members", "sum", "target", "tolerance", "missing"}),
    Template.same_input: frozenset({"input", "value", "other_value", "other_indicators"}),
    Template.registered_population: frozenset(
        {"input", "value", "registered", "difference", "indicators"}
    ),
    Template.rate_equals_count: frozenset({"reported", "count", "computed"}),
    Template.reported_vs_computed: frozenset({"reported", "computed", "difference", "cause"}),
    Template.year_over_year: frozenset(
        {"value", "previous", "previous_year", "change", "threshold", "method"}
    ),
    Template.peer_outlier: frozenset({"value", "median", "score", "threshold", "peers"}),
    Template.calculation_status: frozenset({"status", "detail"}),
}


def template_fields(text: str) -> set[str]:
    """The `{placeholder}` names used in a message template (ValueError when malformed)."""
    names: set[str] = set()
    for _, name, spec, conv in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conv:
            raise ValueError(f"placeholder {{{name}}} must be a plain name, without format spec")
        names.add(name)
    return names


def _check_placeholders(text: Text, allowed: frozenset[str], offered_by: str) -> None:
    for lang in ("en", "ko"):
        unknown = template_fields(text.get(lang)) - allowed
        if unknown:
            raise ValueError(
                f"{lang} text uses unknown placeholder(s) {sorted(unknown)}; "
                f"{offered_by} {sorted(allowed)}"
            )


class Selector(Strict):
    """Which indicators a rule covers: every given condition must hold (none given = all)."""

    catalogs: tuple[Annotated[str, Field(pattern=_CATALOG_KEY)], ...] | None = None
    numbers: tuple[str, ...] | None = None
    types: tuple[IndicatorType, ...] | None = None
    # Regular expression searched in the display unit, e.g. "^%" or "^per 100 000".
    unit_matches: str | None = None
    bounded: bool | None = None
    ratio: bool | None = None
    multipliers: tuple[float, ...] | None = None
    # The formula has a denominator input with this name (e.g. `population`).
    denominator_input: str | None = None
    # The formula has a numerator input whose catalogue unit is this (e.g. `person`).
    numerator_unit: str | None = None

    @field_validator("unit_matches")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                msg = f"unit_matches {v!r} is not a valid regular expression: {exc}"
                raise ValueError(msg) from None
        return v

    def matches(self, catalog_key: str, indicator: Indicator) -> bool:
        """Whether `indicator` of catalogue `catalog_key` is covered by this selector."""
        f = indicator.formula
        nums = f.by_role(Role.numerator) if f is not None else ()
        dens = f.by_role(Role.denominator) if f is not None else ()
        checks = (
            self.catalogs is None or catalog_key in self.catalogs,
            self.numbers is None or indicator.number in self.numbers,
            self.types is None or indicator.type in self.types,
            self.unit_matches is None
            or re.search(self.unit_matches, indicator.unit.strip()) is not None,
            self.bounded is None or (f is not None and f.bounded) == self.bounded,
            self.ratio is None or (f is not None and f.is_ratio) == self.ratio,
            self.multipliers is None or (f is not None and f.multiplier in self.multipliers),
            self.denominator_input is None or any(i.name == self.denominator_input for i in dens),
            self.numerator_unit is None or any(i.unit == self.numerator_unit for i in nums),
        )
        return all(checks)


class RuleBase(Strict):
    """What every validation rule carries, whatever its family."""

    id: str
    template: str
    selector: Selector = Selector()
    severity: Severity
    message: Text
    hint: Text
    source: str = Field(min_length=1)
    confidence: Confidence
    # Rules whose findings on the same indicator this rule's finding makes redundant.
    supersedes: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _rule_id(cls, v: str) -> str:
        if not _RULE_ID.match(v):
            raise ValueError(f"rule id {v!r} must be snake_case, optionally 'family.name'")
        return v

    @field_validator("message", "hint", "message_partial", check_fields=False)
    @classmethod
    def _placeholders_known(cls, v: Text, info: ValidationInfo) -> Text:
        template = info.data.get("template")
        if template is None:
            return v  # the template itself is wrong; that error is reported on its own
        allowed = COMMON_FIELDS | TEMPLATE_FIELDS[Template(template)]
        _check_placeholders(v, allowed, f"{template} offers")
        return v


class PercentRangeParams(Strict):
    min: float = 0.0
    max: float = 100.0

    @model_validator(mode="after")
    def _ordered(self) -> PercentRangeParams:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        return self


class PercentRangeRule(RuleBase):
    """A percentage outside [min, max]."""

    template: Literal["percent_range"]
    params: PercentRangeParams = PercentRangeParams()


class NumeratorLeDenominatorParams(Strict):
    rel_tolerance: float = Field(default=0.0, ge=0)


class NumeratorLeDenominatorRule(RuleBase):
    """A part (numerator) larger than its whole (denominator) in a bounded ratio."""

    template: Literal["numerator_le_denominator"]
    params: NumeratorLeDenominatorParams = NumeratorLeDenominatorParams()


class ServedExceedsTotalParams(Strict):
    # `input`: the indicator's own total input; `registered`: the city's registered population.
    against: Literal["input", "registered"]
    total_input: str = "population"
    # Only numerator inputs in this catalogue unit are sub-populations (served, covered...).
    served_unit: str = "person"


class ServedExceedsTotalRule(RuleBase):
    """A served or covered population larger than the total population."""

    template: Literal["served_exceeds_total"]
    params: ServedExceedsTotalParams


class SumGroup(Strict):
    """Shares of one whole, given as indicator numbers of one catalogue, that add up to `target`."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    catalog: str = Field(pattern=_CATALOG_KEY)
    name: Text
    members: tuple[str, ...] = Field(min_length=2)
    target: float = 100.0
    tolerance: float = Field(gt=0)
    source: str = Field(min_length=1)
    confidence: Confidence

    @field_validator("members")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError(f"group members repeat: {list(v)}")
        return v


class GroupSumParams(Strict):
    groups: tuple[SumGroup, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> GroupSumParams:
        ids = [f"{g.catalog}/{g.id}" for g in self.groups]
        if len(set(ids)) != len(ids):
            raise ValueError(f"group ids repeat within a catalogue: {ids}")
        return self


class GroupSumRule(RuleBase):
    """Shares that must add up to about 100 %: complete groups off target, partial ones above it."""

    template: Literal["group_sum"]
    params: GroupSumParams
    # Used when some members have no value: the shares present already exceed the target.
    message_partial: Text


class SameInputParams(Strict):
    # Input names to compare across indicators; None = every name used by two or more indicators.
    names: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    rel_tolerance: float = Field(default=1e-9, ge=0)
    # When the values disagree, take the one equal to the city's registered population as the
    # reference (for population inputs), rather than the one most indicators use.
    prefer_registered: bool = False


class SameInputRule(RuleBase):
    """One figure (same input name) given with different values in one reporting cycle."""

    template: Literal["same_input"]
    params: SameInputParams = SameInputParams()


class RegisteredPopulationParams(Strict):
    names: tuple[str, ...] = ("population",)
    max_rel_difference: float = Field(gt=0)


class RegisteredPopulationRule(RuleBase):
    """A population input far from the city's registered population (boundary mismatch)."""

    template: Literal["registered_population"]
    params: RegisteredPopulationParams


class RateEqualsCountParams(Strict):
    rel_tolerance: float = Field(default=0.001, ge=0)


class RateEqualsCountRule(RuleBase):
    """A reported rate equal to its raw count: the division was forgotten."""

    template: Literal["rate_equals_count"]
    params: RateEqualsCountParams = RateEqualsCountParams()


CAUSE_FIELDS = frozenset({"count", "denominator", "denominator_names", "factor"})


class Causes(Strict):
    """Bilingual diagnoses of why a reported value differs from the computed one."""

    equals_raw_total: Text
    off_by_denominator: Text
    power_of_ten: Text
    mismatch: Text

    @field_validator("*")
    @classmethod
    def _placeholders_known(cls, v: Text) -> Text:
        _check_placeholders(v, CAUSE_FIELDS, "causes offer")
        return v


class ReportedVsComputedParams(Strict):
    rel_tolerance: float = Field(ge=0)
    # Absolute slack for values rounded for publication (e.g. 0.05 = one decimal place).
    abs_tolerance: float = Field(default=0.0, ge=0)
    # How close (relative) the ratio must be to a factor (population, 10^k) to name it as cause.
    factor_tolerance: float = Field(default=0.05, gt=0)
    causes: Causes


class ReportedVsComputedRule(RuleBase):
    """A reported value that differs from what its raw inputs give."""

    template: Literal["reported_vs_computed"]
    params: ReportedVsComputedParams


class YearOverYearParams(Strict):
    # Past year-to-year changes needed before the robust (median/MAD) threshold is used.
    min_changes: int = Field(default=4, ge=2)
    z_threshold: float = Field(default=3.5, gt=0)
    # Floor on the robust spread of annual log changes, so a steady series is not over-flagged.
    min_scale: float = Field(default=0.05, gt=0)
    # Short history: flag when the value changes by more than this factor (up or down).
    fixed_factor: float = Field(default=2.0, gt=1)
    method_robust: Text
    method_fixed: Text


class YearOverYearRule(RuleBase):
    """A change from the previous year far outside the city's own history (log scale)."""

    template: Literal["year_over_year"]
    params: YearOverYearParams


class PeerOutlierParams(Strict):
    min_peers: int = Field(default=5, ge=3)
    z_threshold: float = Field(default=3.5, gt=0)
    min_scale: float = Field(default=0.1, gt=0)


class PeerOutlierRule(RuleBase):
    """A value far from peer cities' values (modified z-score of logs, median/MAD)."""

    template: Literal["peer_outlier"]
    params: PeerOutlierParams = PeerOutlierParams()


# The calculation engine's statuses that are problems (ok is not one).
CalculationStatusName = Literal[
    "missing_input",
    "invalid_input",
    "negative_input",
    "zero_denominator",
    "negative_denominator",
    "over_100_percent",
    "unit_error",
    "no_formula",
]


class CalculationStatusParams(Strict):
    status: CalculationStatusName


class CalculationStatusRule(RuleBase):
    """A calculation status (negative input, zero denominator...) surfaced as a finding."""

    template: Literal["calculation_status"]
    params: CalculationStatusParams


Rule = Annotated[
    PercentRangeRule
    | NumeratorLeDenominatorRule
    | ServedExceedsTotalRule
    | GroupSumRule
    | SameInputRule
    | RegisteredPopulationRule
    | RateEqualsCountRule
    | ReportedVsComputedRule
    | YearOverYearRule
    | PeerOutlierRule
    | CalculationStatusRule,
    Field(discriminator="template"),
]


class ValidationRuleFile(Strict):
    """The content of one validation-rule YAML file."""

    ruleset: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(min_length=1)
    title: Text
    source: str = Field(min_length=1)
    note: str | None = None
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> ValidationRuleFile:
        ids = [r.id for r in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids repeat: {repeated}")
        return self


@dataclass(frozen=True)
class RuleSet:
    """Rules from one or more files, in file then entry order (the order findings follow)."""

    rules: tuple[Rule, ...]
    paths: tuple[str, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({r.id: n for n, r in enumerate(self.rules)})

    def get(self, rule_id: str) -> Rule | None:
        n = self._index.get(rule_id)
        return None if n is None else self.rules[n]

    def position(self, rule_id: str) -> int:
        """Order of the rule in the set; unknown ids sort first."""
        return self._index.get(rule_id, -1)

    def superseded_by(self, rule_id: str) -> frozenset[str]:
        """Every rule that `rule_id` makes redundant, directly or through other rules."""
        seen: set[str] = set()
        todo = [rule_id]
        while todo:
            rule = self.get(todo.pop())
            for other in rule.supersedes if rule is not None else ():
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        seen.discard(rule_id)
        return frozenset(seen)


def _data_path(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """An error location as a path in the file: drop the union tag pydantic inserts
    (`rules.0.percent_range.params` -> `rules.0.params`)."""
    if len(loc) > 2 and loc[0] == "rules" and loc[2] in Template.__members__:
        return (*loc[:2], *loc[3:])
    return loc


def load_rule_file(path: Path | str) -> ValidationRuleFile:
    """Load one validation-rule file (StandardsFileError names file and line)."""
    p = Path(path)
    data, marks = read_yaml_with_lines(p)
    try:
        return ValidationRuleFile.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[int | None, str]] = []
        for err in exc.errors():
            loc = _data_path(tuple(err["loc"]))
            if err["type"] == "union_tag_invalid":
                loc = (*loc, "template")
            line = next((marks[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in marks), None)
            where = ".".join(str(x) for x in loc) or "(top level)"
            problems.append((line, f"{where}: {err['msg']}"))
        raise StandardsFileError(p, problems) from exc


def default_rule_paths() -> tuple[Path, ...]:
    return tuple(sorted(VALIDATION_RULES_DIR.glob("*.yaml")))


def load_rules(paths: Sequence[Path | str] | None = None) -> RuleSet:
    """Every rule of the given files (default: the built-in ones); ids must be unique overall."""
    chosen = tuple(Path(p) for p in paths) if paths is not None else default_rule_paths()
    return _load_rules(chosen)


@cache
def _load_rules(paths: tuple[Path, ...]) -> RuleSet:
    rules: list[Rule] = []
    origin: dict[str, Path] = {}
    for path in paths:
        for rule in load_rule_file(path).rules:
            if rule.id in origin:
                raise StandardsFileError(
                    path, [(None, f"rule id {rule.id!r} is already defined in {origin[rule.id]}")]
                )
            origin[rule.id] = path
            rules.append(rule)
    for rule in rules:
        unknown = [s for s in rule.supersedes if s not in origin]
        if unknown:
            raise StandardsFileError(
                origin[rule.id], [(None, f"rule {rule.id!r} supersedes unknown rule(s) {unknown}")]
            )
    ruleset = RuleSet(rules=tuple(rules), paths=tuple(str(p) for p in paths))
    for rule in rules:
        # A cycle would let two findings drop each other and leave none.
        if any(s == rule.id or rule.id in ruleset.superseded_by(s) for s in rule.supersedes):
            raise StandardsFileError(
                origin[rule.id], [(None, f"rule {rule.id!r} supersedes itself through a cycle")]
            )
    return ruleset


def check_rules_against_catalog(rules: RuleSet, catalog: Catalog) -> list[str]:
    """Problems where rules name indicators of `catalog` that it lacks or that do not fit."""
    problems: list[str] = []
    for rule in rules.rules:
        sel = rule.selector
        if sel.numbers is not None and (sel.catalogs is None or catalog.key in sel.catalogs):
            for number in sel.numbers:
                if catalog.get(number) is None:
                    problems.append(f"{rule.id}: selector names {catalog.key} {number}, unknown")
        if not isinstance(rule, GroupSumRule):
            continue
        for group in rule.params.groups:
            if group.catalog != catalog.key:
                continue
            for number in group.members:
                ind = catalog.get(number)
                if ind is None:
                    problems.append(f"{rule.id}/{group.id}: {catalog.key} has no {number}")
                elif not ind.unit.strip().startswith("%"):
                    problems.append(
                        f"{rule.id}/{group.id}: {catalog.key} {number} is in {ind.unit!r}, not %"
                    )
    return problems
