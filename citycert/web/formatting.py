"""Number and date formatting for pages and charts, the same in English and Korean."""

from __future__ import annotations

import math
from datetime import date, datetime


def fmt_number(value: float | int | None, digits: int | None = None) -> str:
    """A readable number: thousands separators, fewer decimals for bigger numbers; None -> '—'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if digits is not None:
        return f"{value:,.{digits}f}"
    v = float(value)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    size = abs(v)
    if size >= 100:
        return f"{v:,.1f}"
    if size >= 1:
        return f"{v:,.2f}"
    return f"{v:.3g}"


def fmt_percent(fraction: float | None) -> str:
    """0.734 -> '73%'; None -> '—'."""
    return "—" if fraction is None else f"{100 * fraction:.0f}%"


def fmt_date(value: date | datetime | None) -> str:
    """ISO 8601 date (`2024-03-01`), clear in both languages; None -> '—'."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()
