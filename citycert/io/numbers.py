"""Lenient number parsing for what people type into spreadsheets and CSV files."""

from __future__ import annotations

import re
import unicodedata

# NUL too: no database text column can hold it, and no one types it on purpose.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\x00\u200b\u200c\u200d\u2060\ufeff\u00a0\u202f"), None)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class NumberError(ValueError):
    pass


def clean_text(text: str) -> str:
    """Strip surrounding spaces and invisible characters (zero-width, no-break spaces, NUL)."""
    if text.isascii():
        # Most cells: NFKC leaves ASCII as it is, and NUL is the one ASCII character dropped.
        return (text.replace("\x00", "") if "\x00" in text else text).strip()
    return unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH)).strip()


def parse_number(text: str) -> float:
    """Parse `1,234.5`, ` 42 `, `12.5%` (-> 12.5), `(1 200)`; NumberError otherwise.

    A trailing `%` is dropped: the caller decides whether the value is a percentage.
    """
    t = clean_text(text)
    if not t:
        raise NumberError("empty")
    t = t.rstrip("%").strip()
    if t.startswith("(") and t.endswith(")"):
        t = "-" + t[1:-1]
    t = t.replace(" ", "")
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        raise NumberError("not a number") from None
