"""What the validation rules look at: one reporting cycle's indicators, values and context."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from citycert.domain.calculation import VALUE_STATUSES, RawInput, Result
from citycert.domain.units import UnitError, convert
from citycert.standards.catalog import Catalog
from citycert.standards.models import Indicator, Input, Role
from citycert.standards.validation import RuleBase


@dataclass(frozen=True)
class ValidationContext:
    """What is known beyond the cycle's own figures; every part is optional.

    `history`: indicator number -> past (year, value); `peers`: indicator number -> peer cities'
    values; `year`: the data year being validated (default: the year after the latest history).
    """

    city_population: float | None = None
    history: Mapping[str, Sequence[tuple[int, float]]] = field(default_factory=dict)
    peers: Mapping[str, Sequence[float]] = field(default_factory=dict)
    year: int | None = None


@dataclass(frozen=True)
class Subject:
    """One indicator of the cycle: its raw inputs, computed result and reported value."""

    indicator: Indicator
    inputs: Mapping[str, RawInput]
    result: Result | None
    reported: float | None

    @property
    def number(self) -> str:
        return self.indicator.number

    @property
    def computed(self) -> float | None:
        """The value computed from raw inputs, or None when there is none."""
        r = self.result
        return r.value if r is not None and r.status in VALUE_STATUSES else None

    @property
    def value(self) -> float | None:
        """The value to judge: computed from inputs when possible, else the reported one."""
        computed = self.computed
        return computed if computed is not None else self.reported

    def catalog_input(self, name: str) -> Input | None:
        f = self.indicator.formula
        if f is not None:
            for i in f.inputs:
                if i.name == name:
                    return i
        return None

    def input_value(self, name: str, unit: str | None = None) -> float | None:
        """Input `name` in `unit` (default: the catalogue's); None when missing or unusable."""
        if name not in self.inputs:
            return None
        spec = self.catalog_input(name)
        return None if spec is None else self.spec_value(spec, unit)

    def spec_value(self, spec: Input, unit: str | None = None) -> float | None:
        """`input_value` for an input of this indicator's formula, given by its definition."""
        raw = self.inputs.get(spec.name)
        if raw is None or raw.value is None or not math.isfinite(raw.value):
            return None
        same = raw.unit is None or raw.unit == spec.unit
        if same and (unit is None or unit == spec.unit):
            return raw.value  # already in the wanted unit: nothing to convert
        try:
            value = convert(raw.value, raw.unit, spec.unit)
            return value if unit is None else convert(value, spec.unit, unit)
        except UnitError:
            return None

    def role_sum(self, role: Role) -> float | None:
        """Sum of the inputs with `role`, in catalogue units; None when one is missing."""
        f = self.indicator.formula
        if f is None:
            return None
        values = [self.spec_value(i) for i in f.by_role(role)]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)


# (id(rule), id(catalog)) -> (rule, catalog, numbers the rule's selector covers, whether that is
# every indicator). A selector looks only at catalogue properties, so the answer holds for every
# cycle of the catalogue and is worked out once.
_SELECTIONS: dict[tuple[int, int], tuple[RuleBase, Catalog, frozenset[str], bool]] = {}
_SELECTIONS_MAX = 4096


def _selection(rule: RuleBase, catalog: Catalog) -> tuple[frozenset[str], bool]:
    key = (id(rule), id(catalog))
    hit = _SELECTIONS.get(key)
    if hit is not None and hit[0] is rule and hit[1] is catalog:
        return hit[2], hit[3]
    numbers = frozenset(
        ind.number for ind in catalog.indicators if rule.selector.matches(catalog.key, ind)
    )
    covers_all = len(numbers) == len({ind.number for ind in catalog.indicators})
    if len(_SELECTIONS) >= _SELECTIONS_MAX:
        _SELECTIONS.clear()
    _SELECTIONS[key] = (rule, catalog, numbers, covers_all)
    return numbers, covers_all


def selected_numbers(rule: RuleBase, catalog: Catalog) -> frozenset[str]:
    """The indicator numbers of `catalog` that `rule` covers."""
    return _selection(rule, catalog)[0]


@dataclass(frozen=True)
class CycleData:
    """All subjects of one catalogue's cycle, in catalogue order, with their context.

    Subjects are indicators of `catalog` (rules select them by the catalogue's properties).
    """

    catalog: Catalog
    subjects: tuple[Subject, ...]
    context: ValidationContext
    _by_number: dict[str, Subject] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _statuses: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for s in reversed(self.subjects):  # the first subject of a number wins, as before
            self._by_number[s.indicator.number] = s
            if s.result is not None:
                self._statuses.add(s.result.status.value)

    def has_status(self, status: str) -> bool:
        """Whether any subject's result has this calculation status."""
        return status in self._statuses

    def get(self, number: str) -> Subject | None:
        return self._by_number.get(number)

    def selected(self, rule: RuleBase) -> Iterator[Subject]:
        """The subjects the rule's selector covers."""
        numbers, covers_all = _selection(rule, self.catalog)
        if covers_all:
            return iter(self.subjects)
        return iter([s for s in self.subjects if s.indicator.number in numbers])
