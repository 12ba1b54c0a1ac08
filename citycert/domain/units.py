"""Unit handling on top of pint: one registry with the city-statistics units pint lacks.

Conversion factors between two units are cached, so converting a million values costs one pint
look-up per unit pair, not per value.
"""

from __future__ import annotations

from functools import cache, lru_cache

import pint

# Units that city statistics use and pint does not define. People, households and money are
# their own dimensions so that "persons" can never be silently converted into "households".
_DEFINITIONS = """
person = [population] = persons = capita = inhabitant = inhabitants = people
household = [household] = households
USD = [currency_usd] = usd = US_dollar
KRW = [currency_krw] = krw = won
EUR = [currency_eur] = eur = euro
"""


class UnitError(ValueError):
    """A unit is unknown or cannot be converted into the one the catalogue asks for."""


@cache
def registry() -> pint.UnitRegistry[float]:
    reg: pint.UnitRegistry[float] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS.strip().splitlines():
        reg.define(line)
    return reg


def normalise_unit(text: str) -> str:
    """Accept common spellings (`m2`, `km²`, `tonnes`, `µg/m3`) and return a pint expression."""
    t = text.strip()
    for a, b in (("²", "**2"), ("³", "**3"), ("µ", "u"), ("μ", "u")):
        t = t.replace(a, b)
    aliases = {
        "tonnes": "t",
        "tonne": "t",
        "tons": "t",
        # pint reads "kt" as knots; in city statistics it means kilotonnes.
        "kt": "kilotonne",
        "Mt": "megatonne",
        "%": "percent",
        "m2": "m**2",
        "km2": "km**2",
        "m3": "m**3",
        "ug/m3": "ug/m**3",
        "hectares": "ha",
        "litres": "L",
        "liters": "L",
        "litre": "L",
    }
    return aliases.get(t.lower(), aliases.get(t, t))


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """The pint unit for `text`; UnitError when unknown."""
    reg = registry()
    try:
        return reg.Unit(normalise_unit(text))
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError) as exc:
        raise UnitError(f"unknown unit {text!r}") from exc
    except Exception as exc:  # pint raises assorted parser errors on garbage
        raise UnitError(f"unknown unit {text!r}") from exc


@lru_cache(maxsize=4096)
def _factor(src: str, dst: str) -> float | None:
    """Multiplicative factor src -> dst, or None when the conversion has an offset (degC...)."""
    s, d = parse_unit(src), parse_unit(dst)
    reg = registry()
    if not (reg.Quantity(1, s)._is_multiplicative and reg.Quantity(1, d)._is_multiplicative):
        return None
    try:
        return float(reg.Quantity(1.0, s).to(d).magnitude)
    except pint.errors.DimensionalityError as exc:
        # A plain count of people or households ("count", "number") is what most
        # spreadsheets say; accept it one-for-one for person and household units.
        headcount = {"[population]", "[household]"}
        dims = {str(s.dimensionality), str(d.dimensionality)}
        if s.dimensionless != d.dimensionless and dims - {"dimensionless"} <= headcount:
            plain = s if s.dimensionless else d
            if float(reg.Quantity(1.0, plain).to("count").magnitude) == 1.0:
                return 1.0
        raise UnitError(
            f"cannot convert {src!r} to {dst!r} ({s.dimensionality} vs {d.dimensionality})"
        ) from exc


def convert(value: float, src: str | None, dst: str) -> float:
    """Convert `value` from `src` (None = already in `dst`) to `dst`; UnitError if impossible."""
    if src is None or src == dst or src.strip() == "":
        return value
    factor = _factor(src, dst)
    if factor is not None:
        return value * factor
    reg = registry()
    try:
        return float(reg.Quantity(value, parse_unit(src)).to(parse_unit(dst)).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {src!r} to {dst!r}") from exc
