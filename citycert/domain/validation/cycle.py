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
        return self.computed if self.computed is not None else self.reported

    def catalog_input(self, name: str) -> Input | None:
        f = self.indicator.formula
        return next((i for i in f.inputs if i.name == name), None) if f else None

    def input_value(self, name: str, unit: str | None = None) -> float | None:
        """Input `name` in `unit` (default: the catalogue's); None when missing or unusable."""
        spec = self.catalog_input(name)
        raw = self.inputs.get(name)
        if spec is None or raw is None or raw.value is None or not math.isfinite(raw.value):
            return None
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
        values = [self.input_value(i.name) for i in f.by_role(role)]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)


@dataclass(frozen=True)
class CycleData:
    """All subjects of one catalogue's cycle, in catalogue order, with their context."""

    catalog: Catalog
    subjects: tuple[Subject, ...]
    context: ValidationContext

    def get(self, number: str) -> Subject | None:
        return next((s for s in self.subjects if s.number == number), None)

    def selected(self, rule: RuleBase) -> Iterator[Subject]:
        """The subjects the rule's selector covers."""
        key = self.catalog.key
        return (s for s in self.subjects if rule.selector.matches(key, s.indicator))
