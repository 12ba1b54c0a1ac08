"""Build the workbooks the import tests read: our template filled in, and home-made messy ones.

Workbooks are generated (not committed as binaries) so each test shows what it feeds the
importer. `messy_workbook` writes what city staff actually send: titles above the header,
merged cells, Korean-only or English-only headers, reordered columns, numbers as text.
`with_cached_values` stores a formula's last result the way Excel does when it saves, which
openpyxl itself cannot write.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl

from citycert.io.workbook.headers import KEY_HEADERS, Col
from citycert.io.workbook.rows import Stored
from citycert.io.workbook.template import TemplateSpec, write_template
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Text

CATALOG = "iso37120-2018"
CITY = "daegu"
YEAR = 2023
MADE_AT = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
DAEGU = Text(en="Daegu", ko="대구")


def make_template(
    path: Path,
    *,
    current: Mapping[tuple[str, str], Stored] | None = None,
    last_year: Mapping[tuple[str, str], float | None] | None = None,
    lang: str = "both",
    city: str = CITY,
    year: int = YEAR,
    catalog: str = CATALOG,
) -> Path:
    """Write our template (as `citycert template` would, without a database)."""
    spec = TemplateSpec(
        city_slug=city,
        city_name=DAEGU,
        catalog=get_catalog(catalog),
        year=year,
        generated_at=MADE_AT,
        lang=lang,
        current=current or {},
        last_year=last_year or {},
    )
    write_template(spec, path)
    return path


def template_row(ws: Any, indicator: str, name: str) -> int | None:
    """The sheet row holding (indicator, input), found through the hidden key columns."""
    header = [c.value for c in ws[2]]
    ki = header.index(KEY_HEADERS[Col.key_indicator]) + 1
    kn = header.index(KEY_HEADERS[Col.key_input]) + 1
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, ki).value == indicator and ws.cell(r, kn).value == name:
            return r
    return None


def fill_template(
    path: Path,
    values: Mapping[tuple[str, str], Any],
    out: Path | None = None,
    *,
    column: str = "E",
    number_format: str | None = None,
) -> Path:
    """Type `values` into the template's cells of `column` (E = value, F = source, H = quality)."""
    wb = openpyxl.load_workbook(path)
    left = dict(values)
    for ws in wb.worksheets[1:]:
        if ws.title == "_meta":
            continue
        for (indicator, name), value in list(left.items()):
            r = template_row(ws, indicator, name)
            if r is None:
                continue
            cell = ws[f"{column}{r}"]
            cell.value = value
            if number_format:
                cell.number_format = number_format
            del left[(indicator, name)]
    assert not left, f"not in the template: {sorted(left)}"
    target = out or path
    wb.save(target)
    return target


def locate(path: Path, indicator: str, name: str) -> tuple[str, int]:
    """(sheet title, row) of an input in a template file."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        if ws.title != "_meta" and (r := template_row(ws, indicator, name)) is not None:
            return ws.title, r
    raise KeyError((indicator, name))


def messy_workbook(
    path: Path,
    headers: Sequence[str | None],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "자료",
    title_rows: Sequence[str] = (),
    merge_title: bool = True,
    formats: Mapping[str, str] | None = None,
    extra_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
    hidden_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """A home-made workbook: optional notes sheets first, then `sheet` with title rows,
    the header row and the data rows; `formats` maps cells (`C5`) to number formats."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    for name, content in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for r in content:
            ws.append(list(r))
    for name, content in (hidden_sheets or {}).items():
        ws = wb.create_sheet(name)
        for r in content:
            ws.append(list(r))
        ws.sheet_state = "hidden"
    ws = wb.create_sheet(sheet)
    wb.remove(first)
    for t in title_rows:
        ws.append([t])
        if merge_title:
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


def with_cached_values(path: Path, sheet_index: int, cached: Mapping[str, float]) -> Path:
    """Store `cached[cell]` as the saved result of that cell's formula (as Excel does)."""
    member = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                xml = data.decode("utf-8")
                for ref, value in cached.items():
                    pattern = re.compile(
                        rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*(?:/>|>\s*</v>)'
                    )
                    xml, n = pattern.subn(rf"\g<1><v>{value!r}</v>", xml)
                    assert n == 1, f"no formula cell {ref} in {member}"
                data = xml.encode("utf-8")
            dst.writestr(info, data)
    shutil.move(tmp, path)
    return path


def with_padding(path: Path, size: int) -> Path:
    """Add a member of `size` zero bytes: compresses about a thousandfold (a zip bomb's shape)."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", bytes(size))
    return path
