"""What a spreadsheet or CSV cell holds, read leniently: numbers as text, `%` cells, dates, errors.

Each reader returns a value or a problem code with the values its message needs; it never
raises on what people type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from citycert.io.numbers import NumberError, clean_text, parse_number
from citycert.io.workbook.units_text import ValueRule

COUNT = ValueRule(percent=False, low=0.0, high=None)

# What Excel shows instead of a value when a formula fails.
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
# A `%` in a number format outside quoted literals marks a percentage cell.
_QUOTED = re.compile(r'"[^"]*"')
_GRADES = frozenset("ABCD")


@dataclass(frozen=True)
class Reading:
    """A cell read as a number: `value` None and no problem = blank (not reported)."""

    value: float | None = None
    problem: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # The value came as a percentage (a `%` format or a trailing `%`), so it is certainly on 0-100.
    as_percent: bool = False


def show_number(v: float) -> str:
    """A number as people write it: `1,234,567`, `12.5`, `0.125`."""
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return format(v, ",.15g")


def is_percent_format(number_format: str | None) -> bool:
    return bool(number_format) and "%" in _QUOTED.sub("", number_format or "")


def times_100(v: float) -> float:
    """v x 100 without binary noise (0.07 -> 7.0, not 7.000000000000001)."""
    return float(Decimal(repr(v)) * 100)


def read_number(raw: object, number_format: str | None = None, rule: ValueRule = COUNT) -> Reading:
    """Read a value cell for an input with `rule` (percent inputs are on a 0-100 scale)."""
    if raw is None:
        return Reading()
    if isinstance(raw, bool):
        return Reading(problem="boolean_value", details={"value": str(raw).upper()})
    if isinstance(raw, datetime | date | time | timedelta):
        return Reading(problem="date_value", details={"value": str(raw)})
    as_percent = False
    if isinstance(raw, int | float):
        value = float(raw)
        if is_percent_format(number_format):
            if not rule.percent:
                return Reading(problem="percent_not_expected", details={"value": f"{value:.4%}"})
            value, as_percent = times_100(value), True
    else:
        text = clean_text(str(raw)).translate(_MINUS)
        if not text:
            return Reading()
        if text.upper() in EXCEL_ERRORS:
            return Reading(problem="formula_error", details={"value": text})
        if text.endswith("%"):
            if not rule.percent:
                return Reading(problem="percent_not_expected", details={"value": text})
            as_percent = True
        try:
            value = parse_number(text)
        except NumberError:
            return Reading(problem="not_a_number", details={"value": text})
    if not math.isfinite(value):
        return Reading(problem="not_finite", details={"value": str(raw)})
    low, high = rule.low, rule.high
    below, above = low is not None and value < low, high is not None and value > high
    if rule.percent and (below or above):
        limit = show_number((low if below else high) or 0.0) + " %"
        code = "percent_below" if below else "percent_above"
        return Reading(problem=code, details={"value": show_number(value), "limit": limit})
    if below:
        return Reading(problem="negative_value", details={"value": show_number(value)})
    return Reading(value=value + 0.0, as_percent=as_percent)


def read_text(raw: object) -> str | None:
    """A free-text cell (source, comment) cleaned of invisible characters; None when blank."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():  # NaN and infinity are not whole numbers
        raw = int(raw)
    text = clean_text(str(raw))
    return text or None


def read_quality(raw: object) -> tuple[str | None, str | None]:
    """(grade A-D or None when blank, problem code or None); accepts `a`, `B등급`, `C (est.)`."""
    text = read_text(raw)
    if text is None:
        return None, None
    grade = text.upper().removesuffix("등급").strip()
    if grade[:1] in _GRADES and (len(grade) == 1 or not grade[1].isalnum()):
        return grade[0], None
    return None, "bad_quality"


_NUMBER = re.compile(r"(P\.\d+|\d+(?:\.\d+){1,2})(?![\d.])", re.IGNORECASE)


def read_indicator(raw: object) -> str | None:
    """The indicator number in a cell: `5.1`, `5.1 Unemployment rate`, 14.2; None if blank.

    Text that holds no indicator number comes back cleaned, so the caller can name it.
    """
    if raw is None:
        return None
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        return repr(float(raw)) if isinstance(raw, float) else str(raw)
    text = clean_text(str(raw))
    if not text:
        return None
    m = _NUMBER.match(text)
    if m:
        return m.group(1).upper() if m.group(1)[0] in "pP" else m.group(1)
    return text
