"""Column headers of data-entry sheets: the template's bilingual headers and the aliases we accept.

People rename, translate, reorder and merge headers; a header is recognised when its Korean
part or its English part (or both, if they agree) is a known alias of one column. Bracketed
notes are ignored, so `품질 Quality (A-D)` and `Value (2023)` are recognised too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from citycert.io.numbers import clean_text


class Col(StrEnum):
    """A column the importer understands; `key_*` are the template's hidden machine columns."""

    indicator = "indicator"
    input = "input"
    description = "description"
    unit = "unit"
    value = "value"
    source = "source"
    comment = "comment"
    quality = "quality"
    last_year = "last_year"
    key_cycle = "key_cycle"
    key_indicator = "key_indicator"
    key_input = "key_input"
    key_version = "key_version"


# The template's headers: (Korean, English).
TEMPLATE_HEADERS: dict[Col, tuple[str, str]] = {
    Col.indicator: ("지표", "Indicator"),
    Col.input: ("입력값", "Input"),
    Col.description: ("설명", "Description"),
    Col.unit: ("단위", "Unit"),
    Col.value: ("값", "Value"),
    Col.source: ("출처", "Source"),
    Col.comment: ("비고", "Comment"),
    Col.quality: ("품질", "Quality (A-D)"),
    Col.last_year: ("작년 값", "Last year (reference)"),
}

# Hidden machine columns carry fixed, language-independent headers.
KEY_HEADERS: dict[Col, str] = {
    Col.key_cycle: "_cycle",
    Col.key_indicator: "_indicator",
    Col.key_input: "_input",
    Col.key_version: "_version",
}

_KO_ALIASES: dict[Col, set[str]] = {
    Col.indicator: {"지표", "지표번호", "지표명", "지표코드", "번호"},
    Col.input: {"입력값", "입력항목", "입력", "항목", "세부항목", "산출항목", "산출요소", "변수"},
    Col.description: {"설명", "정의", "입력값설명", "항목설명"},
    Col.unit: {"단위"},
    Col.value: {"값", "수치", "실적", "실적값", "측정값", "자료값", "데이터", "입력수치"},
    Col.source: {"출처", "자료출처", "자료원", "근거", "출처및근거"},
    Col.comment: {"비고", "메모", "주석", "의견", "참고"},
    Col.quality: {"품질", "품질등급", "자료품질", "등급", "신뢰도"},
    Col.last_year: {"작년값", "전년값", "전년도값", "작년", "전년도", "전년", "작년값참고"},
}

_EN_ALIASES: dict[Col, set[str]] = {
    Col.indicator: {"indicator", "indicator no", "indicator number", "indicator id", "kpi", "no"},
    Col.input: {"input", "input name", "inputs", "item", "variable", "component", "data item"},
    Col.description: {"description", "definition", "explanation", "input description"},
    Col.unit: {"unit", "units", "uom", "unit of measure"},
    Col.value: {"value", "values", "figure", "amount", "data", "reported value", "val"},
    Col.source: {"source", "sources", "data source", "reference"},
    Col.comment: {"comment", "comments", "note", "notes", "remark", "remarks"},
    Col.quality: {"quality", "quality grade", "grade", "data quality"},
    Col.last_year: {"last year", "previous year", "prior year", "last year value"},
}

_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
_LATIN_WORDS = re.compile(r"[a-z]+")


def _parts(text: str) -> tuple[str, str]:
    """(Korean part without spaces, English part as lower-case words joined by one space)."""
    t = _BRACKETS.sub(" ", clean_text(text).lower()).replace("_", " ")
    ko = "".join(_HANGUL.findall(t))
    en = " ".join(_LATIN_WORDS.findall(t))
    return ko, en


def match_header(text: object) -> Col | None:
    """The column a header cell names, or None when it names none (or two that disagree)."""
    if not isinstance(text, str):
        return None
    stripped = clean_text(text)
    for col, key in KEY_HEADERS.items():
        if stripped == key:
            return col
    ko, en = _parts(stripped)
    by_ko = next((c for c, names in _KO_ALIASES.items() if ko and ko in names), None)
    by_en = next((c for c, names in _EN_ALIASES.items() if en and en in names), None)
    if by_ko and by_en and by_ko is not by_en:
        return None
    return by_ko or by_en


def header_text(col: Col, lang: str) -> str:
    """The template header of `col` in `ko`, `en` or `both` (`값 Value`)."""
    if col in KEY_HEADERS:
        return KEY_HEADERS[col]
    ko, en = TEMPLATE_HEADERS[col]
    return {"ko": ko, "en": en}.get(lang, f"{ko} {en}")


@dataclass(frozen=True)
class HeaderRow:
    """Where the header row is (1-based) and which sheet column (1-based) holds which Col."""

    row: int
    columns: dict[Col, int]
    texts: dict[int, str]
    duplicates: tuple[tuple[Col, int, int], ...] = ()

    def name(self, col: Col) -> str:
        """How to name the column in a message: `E (값 Value)`."""
        idx = self.columns[col]
        return f"{column_letter(idx)} ({self.texts.get(idx, col.value)})"


def column_letter(idx: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


def find_header(rows: Sequence[Sequence[object]], first_row: int = 1) -> HeaderRow | None:
    """The most convincing header row among `rows` (the top of a sheet), or None.

    A cell left blank under a vertically merged header takes the text of the cell above, so
    two-level headers with merged cells are understood.
    """
    best: HeaderRow | None = None
    previous: Sequence[object] = ()  # the row above, when it looked like (part of) a header
    for offset, cells in enumerate(rows):
        columns: dict[Col, int] = {}
        texts: dict[int, str] = {}
        duplicates: list[tuple[Col, int, int]] = []
        for i, cell in enumerate(cells, start=1):
            text = cell
            if (text is None or text == "") and i <= len(previous):
                text = previous[i - 1]
            col = match_header(text)
            if col is None:
                continue
            texts[i] = clean_text(str(text))
            if col in columns:
                duplicates.append((col, columns[col], i))
                continue
            columns[col] = i
        previous = cells if columns else ()
        if len(columns) < 2 or not ({Col.value, Col.key_indicator, Col.indicator} & set(columns)):
            continue
        if best is None or len(columns) > len(best.columns):
            best = HeaderRow(first_row + offset, columns, texts, tuple(duplicates))
    return best
