"""Units as people write them in sheets (`km²`, `명 person`, `%`), mapped to catalogue units."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from citycert.domain.units import UnitError, convert, normalise_unit, parse_unit
from citycert.io.numbers import clean_text
from citycert.standards.models import Input

# Korean words for the units city statistics use most, with their pint expression.
KO_UNITS: dict[str, str] = {
    "명": "person",
    "인": "person",
    "건": "count",
    "개": "count",
    "개소": "count",
    "가구": "household",
    "세대": "household",
    "톤": "t",
    "원": "KRW",
    "달러": "USD",
    "킬로미터": "km",
    "미터": "m",
    "헥타르": "ha",
    "리터": "L",
}
_KO_BY_UNIT = {v: k for k, v in reversed(KO_UNITS.items())}


def pretty_unit(unit: str) -> str:
    """`km**2` -> `km²`, `%`/`percent` -> `%`."""
    if is_percent_unit(unit):
        return "%"
    return unit.replace("**2", "²").replace("**3", "³")


def display_unit(unit: str, lang: str) -> str:
    """The unit as the template shows it in `ko`, `en` or `both` (`명 person`)."""
    en = pretty_unit(unit)
    ko = _KO_BY_UNIT.get(unit)
    if ko is None or lang == "en":
        return en
    return ko if lang == "ko" else f"{ko} {en}"


def is_percent_unit(unit: str) -> bool:
    return normalise_unit(unit).lower() == "percent"


@lru_cache(maxsize=1024)
def resolve_unit(text: str | None, unit: str) -> tuple[str | None, bool]:
    """(unit to record or None = the catalogue's, ok) for what a unit cell says about `unit`.

    The template's own wording of the catalogue unit means "the catalogue's unit"; anything else
    must be a unit convertible into it.
    """
    t = clean_text(text or "")
    if not t or t in {display_unit(unit, lang) for lang in ("ko", "en", "both")} or t == unit:
        return None, True
    candidate = KO_UNITS.get(t, t)
    try:
        if parse_unit(candidate) == parse_unit(unit):
            return None, True  # another spelling of the same unit (`persons`, `km2`)
        convert(1.0, candidate, unit)
    except UnitError:
        return t, False
    return candidate, True


@dataclass(frozen=True)
class ValueRule:
    """Which numbers an input accepts; None = no bound.

    Counts and amounts cannot be negative; inputs the catalogue marks `signed` (changes,
    temperatures) can. A percentage of a whole stays within 0-100; a signed percentage (a rate
    of change) cannot fall below -100 % but has no upper bound.
    """

    percent: bool
    low: float | None
    high: float | None


def value_rule(inp: Input) -> ValueRule:
    """The accepted range of the catalogue input `inp`."""
    percent = is_percent_unit(inp.unit)
    if percent:
        return ValueRule(True, -100.0, None) if inp.signed else ValueRule(True, 0.0, 100.0)
    return ValueRule(False, None if inp.signed else 0.0, None)
