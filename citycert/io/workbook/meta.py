"""The template's hidden `_meta` sheet: which cycle it is for and what was stored when it was made.

Layout: `key | value` rows (format, format_version, city, catalog, catalog_version, year,
generated_at, lang), a blank row, then a table with one row per input giving the stored
version and the stored value, source, comment and quality pre-filled into the template. The
importer compares them with the database to find changes made by someone else meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from citycert.io.problems import Problem
from citycert.io.workbook.cells import read_text
from citycert.io.workbook.messages import problem
from citycert.io.workbook.rows import CycleRef, Stored

META_SHEET = "_meta"
FORMAT = "citycert-template"
FORMAT_VERSION = 1
ROW_COLUMNS = ("indicator", "input", "version", "value", "source", "comment", "quality_grade")


@dataclass(frozen=True)
class TemplateMeta:
    city: str
    catalog: str
    catalog_version: str
    year: int
    generated_at: str
    lang: str = "both"
    format_version: int = FORMAT_VERSION
    # Stored state of each (indicator, input) when the template was made.
    rows: dict[tuple[str, str], Stored] = field(default_factory=dict)

    @property
    def cycle(self) -> CycleRef:
        return CycleRef(self.city, self.catalog, self.year)


def write_meta(ws: Worksheet, meta: TemplateMeta) -> None:
    """Fill an empty worksheet with `meta` and hide it."""
    pairs: list[tuple[str, Any]] = [
        ("format", FORMAT),
        ("format_version", meta.format_version),
        ("city", meta.city),
        ("catalog", meta.catalog),
        ("catalog_version", meta.catalog_version),
        ("year", meta.year),
        ("generated_at", meta.generated_at),
        ("lang", meta.lang),
    ]
    for key, value in pairs:
        ws.append([key, value])
    ws.append([])
    ws.append(list(ROW_COLUMNS))
    for (indicator, inp), s in meta.rows.items():
        ws.append([indicator, inp, s.version, s.value, s.source, s.comment, s.quality_grade])
    ws.sheet_state = "hidden"


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_meta(
    rows: Iterable[Sequence[object]], file: str
) -> tuple[TemplateMeta | None, list[Problem]]:
    """Parse the `_meta` sheet's rows (cell values); problems name the damaged entry."""
    it = iter(rows)
    head: dict[str, object] = {}
    for cells in it:
        if not cells or cells[0] is None:
            break
        head[str(cells[0]).strip()] = cells[1] if len(cells) > 1 else None

    def bad(name: str) -> Problem:
        return problem(
            "meta_invalid", file=file, sheet=META_SHEET, field=name, value=head.get(name)
        )

    if head.get("format") != FORMAT:
        return None, [bad("format")]
    version = _int(head.get("format_version"))
    if version is None:
        return None, [bad("format_version")]
    if version > FORMAT_VERSION:
        return None, [problem("meta_format_version", file=file, sheet=META_SHEET, version=version)]
    problems = [
        bad(k) for k in ("city", "catalog", "catalog_version") if not read_text(head.get(k))
    ]
    year = _int(head.get("year"))
    if year is None:
        problems.append(bad("year"))
    if problems or year is None:
        return None, problems
    stored: dict[tuple[str, str], Stored] = {}
    for cells in it:
        values = list(cells) + [None] * (len(ROW_COLUMNS) - len(cells))
        if values[0] in (None, "indicator"):
            continue
        value = values[3]
        stored[(str(values[0]), str(values[1]))] = Stored(
            version=_int(values[2]),
            value=float(value) if isinstance(value, int | float) else None,
            source=read_text(values[4]),
            comment=read_text(values[5]),
            quality_grade=read_text(values[6]),
        )
    meta = TemplateMeta(
        city=str(head["city"]).strip(),
        catalog=str(head["catalog"]).strip(),
        catalog_version=str(head["catalog_version"]).strip(),
        year=year,
        generated_at=str(head.get("generated_at") or ""),
        lang=str(head.get("lang") or "both"),
        format_version=version,
        rows=stored,
    )
    return meta, []
