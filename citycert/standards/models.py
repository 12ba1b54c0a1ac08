"""Pydantic models for the standards data files: indicator catalogues and the edition crosswalk.

Every value that comes from a standard carries where it was found (`source`) and how sure we are
(`confidence`). Models forbid unknown keys so a typo in a data file fails loudly at load time.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Confidence(StrEnum):
    """Support for a value: high = seen in a public source; medium = implied; low = guessed."""

    high = "high"
    medium = "medium"
    low = "low"


class IndicatorType(StrEnum):
    core = "core"
    supporting = "supporting"
    profile = "profile"
    # ISO 37122 and ISO 37123 make no core/supporting split.
    indicator = "indicator"


class Direction(StrEnum):
    """Which way is better when cities are compared on an indicator."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Role(StrEnum):
    numerator = "numerator"
    denominator = "denominator"
    value = "value"


class Text(Strict):
    """A short text in English and Korean."""

    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


_INPUT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER = re.compile(r"^(\d+\.\d+(\.\d+)?|P\.\d+)$")


class Input(Strict):
    """One raw figure a city collects; `unit` is a pint expression (`t`, `km**2`, `person`)."""

    name: str
    role: Role
    unit: str
    label: Text
    # True for figures that may be below zero (a change, a temperature); counts never are.
    signed: bool = False

    @field_validator("name")
    @classmethod
    def _snake_case(cls, v: str) -> str:
        if not _INPUT_NAME.match(v):
            raise ValueError(f"input name {v!r} must be snake_case (a-z, 0-9, _)")
        return v


class Formula(Strict):
    """value = multiplier x sum(numerators) / sum(denominators), or the single `value` input."""

    inputs: tuple[Input, ...] = Field(min_length=1)
    multiplier: float = 1.0
    # Whether numerator <= denominator must hold (shares of a whole); drives validation rules.
    bounded: bool = False

    @model_validator(mode="after")
    def _roles_consistent(self) -> Formula:
        roles = [i.role for i in self.inputs]
        names = [i.name for i in self.inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"input names repeat: {names}")
        if Role.value in roles:
            if len(roles) != 1:
                raise ValueError("a formula with a 'value' input has exactly one input")
        elif Role.numerator not in roles or Role.denominator not in roles:
            raise ValueError("a ratio formula needs at least one numerator and one denominator")
        if self.multiplier <= 0:
            raise ValueError("multiplier must be positive")
        return self

    @property
    def is_ratio(self) -> bool:
        return self.inputs[0].role is not Role.value

    def by_role(self, role: Role) -> tuple[Input, ...]:
        key = (id(self), role)
        hit = _BY_ROLE.get(key)
        if hit is not None and hit[0] is self:
            return hit[1]
        found = tuple(i for i in self.inputs if i.role is role)
        if len(_BY_ROLE) >= 8192:
            _BY_ROLE.clear()
        _BY_ROLE[key] = (self, found)
        return found


# (id(formula), role) -> (formula, its inputs with that role): validation asks for them on every
# cycle, and a formula never changes (frozen model).
_BY_ROLE: dict[tuple[int, Role], tuple[Formula, tuple[Input, ...]]] = {}


class Theme(Strict):
    number: int = Field(ge=1)
    name: Text
    # Profile-only groups (ISO 37120:2014 lists profile items apart from the 17 themes).
    profile: bool = False


class Indicator(Strict):
    number: str
    theme: int
    type: IndicatorType
    name: Text
    unit: str = Field(min_length=1)
    formula: Formula | None = None
    direction: Direction = Direction.NEITHER
    sdg: tuple[str, ...] = ()
    source: str = Field(min_length=1)
    confidence: Confidence
    # "catalogued" = number, name and formula established; "not_yet_catalogued" = a slot we know
    # exists but whose content is not yet established from public sources.
    status: Literal["catalogued", "not_yet_catalogued"] = "catalogued"
    note: str | None = None

    @field_validator("number")
    @classmethod
    def _number_format(cls, v: str) -> str:
        if not _NUMBER.match(v):
            raise ValueError(f"indicator number {v!r} must look like '5.1', '5.9.1' or 'P.1'")
        return v

    @model_validator(mode="after")
    def _formula_when_catalogued(self) -> Indicator:
        needs_formula = self.status == "catalogued" and self.type is not IndicatorType.profile
        if needs_formula and self.formula is None:
            raise ValueError(f"indicator {self.number} is catalogued but has no formula")
        return self


class CatalogFile(Strict):
    """The content of one catalogue YAML file."""

    catalog: str = Field(pattern=r"^iso\d{5}-\d{4}$")
    standard: str = Field(pattern=r"^ISO \d{5}$")
    edition: str = Field(pattern=r"^\d{4}$")
    version: str
    title: Text
    source: str
    note: str | None = None
    # How many indicators the standard is known to have, when the file does not hold them all.
    expected_count: int | None = None
    themes: tuple[Theme, ...]
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _consistent(self) -> CatalogFile:
        if self.catalog != f"{self.standard.replace(' ', '').lower()}-{self.edition}":
            raise ValueError(f"catalog key {self.catalog!r} does not match standard and edition")
        theme_numbers = {t.number for t in self.themes}
        if len(theme_numbers) != len(self.themes):
            raise ValueError("theme numbers repeat")
        seen: set[str] = set()
        for ind in self.indicators:
            if ind.number in seen:
                raise ValueError(f"indicator number {ind.number} repeats")
            seen.add(ind.number)
            if ind.theme not in theme_numbers:
                raise ValueError(f"indicator {ind.number} names unknown theme {ind.theme}")
        return self


class CrosswalkPair(Strict):
    old: str
    new: str
    relation: Literal["same", "changed_definition"]
    note: str | None = None
    confidence: Confidence


class CrosswalkFile(Strict):
    crosswalk: str
    old_catalog: str
    new_catalog: str
    version: str
    source: str
    pairs: tuple[CrosswalkPair, ...]
