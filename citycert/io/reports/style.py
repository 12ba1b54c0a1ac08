"""Shared look of the reports: colours, level badge colours, language choice, number formats."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from citycert.standards.models import Text

Lang = Literal["ko", "en", "both"]
LANGS: tuple[Lang, ...] = ("ko", "en", "both")
Rgb = tuple[int, int, int]


def rgb(hex_colour: str) -> Rgb:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


INK = rgb("#1F2A37")
MUTED = rgb("#6B7280")
RULE = rgb("#D1D5DB")
PAPER = rgb("#FFFFFF")
BRAND = rgb("#1B4965")
TINT = rgb("#F3F6F9")
GOOD = rgb("#15803D")
WARN = rgb("#B45309")
BAD = rgb("#B91C1C")

# The current assessment in charts, and the previous one for comparison. Distinct hues, so a
# rendered page can be checked for the chart by colour.
CHART_NOW = "#2A9D8F"
CHART_BEFORE = "#E76F51"

LEVEL_COLOURS = {
    "aspirational": "#3A7D7C",
    "bronze": "#A0603A",
    "silver": "#7D8790",
    "gold": "#B08A2E",
    "platinum": "#4F5D6B",
    "early_adopter": "#3F6AA1",
    "1": "#9B2C2C",
    "2": "#B7791F",
    "3": "#2F855A",
    "4": "#2B6CB0",
    "5": "#553C9A",
}


def level_colour(level_id: str | None) -> str:
    """The badge colour of a level id (CityCert blue for any other level)."""
    return LEVEL_COLOURS.get(level_id or "", "#1B4965")


def pick(en: str, ko: str, lang: Lang, sep: str = " · ") -> str:
    """The text in one language, or both (Korean first) joined by `sep`."""
    if lang == "en":
        return en
    if lang == "ko":
        return ko
    return ko if ko == en else f"{ko}{sep}{en}"


def tr(text: Text, lang: Lang, sep: str = " · ") -> str:
    return pick(text.en, text.ko, lang, sep)


def number(value: float | None, digits: int = 2) -> str:
    """A figure for people: thousands separated, at most `digits` decimals, `–` for none."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    places = 1 if abs(value) >= 100 else digits
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def day(d: date, lang: Lang) -> str:
    """`2024-03-01`, or `2024년 3월 1일` in Korean-only documents."""
    if lang == "ko":
        return f"{d.year}년 {d.month}월 {d.day}일"
    return d.isoformat()
