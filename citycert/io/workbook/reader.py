"""Read a filled-in workbook, ours or anyone's, into import rows plus every problem found.

Our template is recognised by its `_meta` sheet; any other workbook by its header rows: each
visible sheet is scanned for a header row (not necessarily row 1; Korean, English or both;
columns in any order). Rows are streamed (openpyxl read-only mode), cached formula results are
used, and a formula without a cached result is reported instead of being read as blank.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from citycert.io.exchange_read import is_exchange_workbook, read_exchange_workbook
from citycert.io.problems import Problem
from citycert.io.workbook.cells import read_text
from citycert.io.workbook.guard import Budget, FileRefused, sheet_rows
from citycert.io.workbook.headers import Col, HeaderRow, column_letter, find_header
from citycert.io.workbook.interpret import (
    CYCLE_FIELDS_KO,
    RawRow,
    RowChecker,
    check_expectations,
)
from citycert.io.workbook.messages import problem
from citycert.io.workbook.meta import META_SHEET, TemplateMeta, read_meta
from citycert.io.workbook.rows import CycleRef, Expect, ParsedFile, Progress

HEADER_SCAN_ROWS = 30


def open_workbook(path: Path, *, data_only: bool = True) -> Workbook | Problem:
    """The workbook in streaming mode, or the Problem saying why it cannot be opened."""
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises zip, XML and key errors on damaged files
        return problem("not_a_workbook", file=str(path), error=type(exc).__name__)


def _cell(cells: Sequence[Any], idx: int | None) -> Any:
    """The cell at 1-based `idx`, or None (rows of a streamed sheet are ragged)."""
    if idx is None or idx > len(cells):
        return None
    return cells[idx - 1]


def _value(cells: Sequence[Any], idx: int | None) -> Any:
    cell = _cell(cells, idx)
    return None if cell is None else cell.value


@dataclass
class _Context:
    """What a sheet needs to know about the whole workbook while its rows are read."""

    file: str
    expect: Expect
    meta: TemplateMeta | None
    checker: RowChecker
    # sheet -> row -> (value column, index in the rows read) of blank value cells, checked
    # afterwards for formulas without a cached result.
    blanks: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)

    def file_cycle(self) -> CycleRef | None:
        """The cycle the whole workbook is for: `_meta`, else the command line (if complete)."""
        if self.meta is not None:
            return self.meta.cycle
        e = self.expect
        if e.city and e.catalog and e.year:
            return CycleRef(e.city, e.catalog, e.year)
        return None


def _row_cycle(
    ctx: _Context, raw_key: object, sheet: str, row: int, column: str | None
) -> CycleRef | None:
    """The cycle of one row: its hidden `_cycle` cell if any, else the workbook's."""
    file_cycle = ctx.file_cycle()
    text = read_text(raw_key)
    if text is None:
        if file_cycle is None:
            e = ctx.expect
            given = zip(CYCLE_FIELDS_KO, (e.city, e.catalog, e.year), strict=True)
            missing = [name for name, v in given if not v]
            fields, fields_ko = ", ".join(missing), "·".join(CYCLE_FIELDS_KO[m] for m in missing)
            p = problem("cycle_unknown", file=ctx.file, fields=fields, fields_ko=fields_ko)
            ctx.checker.once("cycle_unknown", p)
        return file_cycle
    where: dict[str, Any] = {"file": ctx.file, "sheet": sheet, "row": row, "column": column}
    found = CycleRef.parse(text)
    if found is None:
        ctx.checker.problems.append(problem("meta_invalid", **where, field="_cycle", value=text))
        return None
    if file_cycle is not None and found != file_cycle:
        ctx.checker.problems.append(
            problem("row_cycle_mismatch", **where, row_cycle=str(found), file_cycle=str(file_cycle))
        )
        return None
    if file_cycle is None:
        for p in check_expectations(ctx.file, found, ctx.expect):
            ctx.checker.once(f"expect:{p.message_en}", p)
    return found


def _read_sheet(
    ctx: _Context,
    title: str,
    rows: Iterator[Sequence[Any]],
    progress: Progress | None,
    out: ParsedFile,
) -> bool:
    """Read one sheet's rows into `out`; False when the sheet has no header row (not data)."""
    top: list[Sequence[Any]] = []
    for cells in rows:
        top.append(cells)
        if len(top) >= HEADER_SCAN_ROWS:
            break
    header = find_header([[c.value for c in cells] for cells in top])
    if header is None:
        return False
    cols = header.columns
    for col, first, again in header.duplicates:
        if col is Col.value or col is Col.indicator or col is Col.input:
            ctx.checker.problems.append(
                problem(
                    "duplicate_column",
                    file=ctx.file,
                    sheet=title,
                    row=header.row,
                    column=header.texts.get(again, col.value),
                    other=column_letter(first),
                )
            )
    need = [(Col.value, "값 Value"), (Col.indicator, "지표 Indicator"), (Col.input, "입력값 Input")]
    key_of = {Col.indicator: Col.key_indicator, Col.input: Col.key_input}
    missing = [name for col, name in need if col not in cols and key_of.get(col) not in cols]
    if missing:
        ctx.checker.problems.append(
            problem(
                "missing_columns",
                file=ctx.file,
                sheet=title,
                row=header.row,
                columns=", ".join(missing),
            )
        )
        return True
    names = {c: header.name(c) for c in cols}
    names.setdefault(Col.indicator, names.get(Col.key_indicator, "indicator"))
    names.setdefault(Col.input, names.get(Col.key_input, "input"))
    template_units = ctx.meta is not None
    remaining = top[header.row :]  # rows after the header that were already read

    def chain() -> Iterator[Sequence[Any]]:
        yield from remaining
        yield from rows

    last_indicator: object = None
    for rowno, cells in enumerate(chain(), start=header.row + 1):
        if progress is not None:
            progress(1)
        try:
            raw = _raw_row(title, rowno, cells, header, names)
        except (IndexError, KeyError) as exc:  # a cell style the workbook does not define
            error = type(exc).__name__
            bad = problem("not_a_workbook", file=ctx.file, sheet=title, row=rowno, error=error)
            raise FileRefused(bad) from exc
        if raw.is_blank():
            continue
        # An indicator cell merged down over its inputs' rows is empty below its first row.
        if raw.indicator is None and read_text(raw.input) is not None:
            raw.indicator = last_indicator
        last_indicator = raw.indicator
        cycle = _row_cycle(
            ctx, _value(cells, cols.get(Col.key_cycle)), title, rowno, names.get(Col.key_cycle)
        )
        if cycle is None:
            continue
        catalog = ctx.checker.catalog(cycle.catalog)
        if catalog is None:
            continue
        row = ctx.checker.check(raw, cycle, catalog, template_units=template_units)
        if row is None:
            continue
        if ctx.meta is not None:
            row = replace(row, base=ctx.meta.rows.get((row.indicator, row.input)))
        if row.value is None:
            ctx.blanks.setdefault(title, {})[rowno] = (cols[Col.value], len(out.rows))
        out.rows.append(row)
    return True


def _raw_row(
    sheet: str, rowno: int, cells: Sequence[Any], header: HeaderRow, names: dict[Col, str]
) -> RawRow:
    cols = header.columns
    value_cell = _cell(cells, cols.get(Col.value))

    def first(*options: Col) -> Any:
        for c in options:
            v = _value(cells, cols.get(c))
            if v is not None and not (isinstance(v, str) and not v.strip()):
                return v
        return None

    return RawRow(
        sheet=sheet,
        row=rowno,
        columns=names,
        indicator=first(Col.key_indicator, Col.indicator),
        input=first(Col.key_input, Col.input),
        value=None if value_cell is None else value_cell.value,
        value_format=getattr(value_cell, "number_format", None),
        unit=_value(cells, cols.get(Col.unit)),
        source=_value(cells, cols.get(Col.source)),
        comment=_value(cells, cols.get(Col.comment)),
        quality=_value(cells, cols.get(Col.quality)),
    )


def _check_uncached_formulas(path: Path, ctx: _Context, out: ParsedFile) -> None:
    """Report blank value cells that hold a formula Excel never calculated (second, lazy pass)."""
    if not ctx.blanks:
        return
    wb = open_workbook(path, data_only=False)
    if isinstance(wb, Problem):
        return
    drop: set[int] = set()
    try:
        for title, blank_rows in ctx.blanks.items():
            ws = wb[title]
            ws.reset_dimensions()
            last = max(blank_rows)
            rows = sheet_rows(ws.iter_rows(max_row=last), ctx.file, title, Budget(ctx.file))
            for rowno, cells in enumerate(rows, start=1):
                if rowno not in blank_rows:
                    continue
                column, index = blank_rows[rowno]
                formula = _value(cells, column)
                text = getattr(formula, "text", formula)  # array formulas are objects
                if isinstance(text, str) and text.startswith("="):
                    drop.add(index)
                    ctx.checker.problems.append(
                        problem(
                            "formula_no_value",
                            file=ctx.file,
                            sheet=title,
                            row=rowno,
                            column=out.rows[index].place.column,
                            formula=text,
                        )
                    )
    finally:
        wb.close()
    out.rows = [r for i, r in enumerate(out.rows) if i not in drop]


def read_workbook(
    path: Path, expect: Expect = Expect(), progress: Progress | None = None
) -> ParsedFile:
    """Every row and every problem of an .xlsx file (template, exchange or home-made workbook)."""
    file = str(path)
    wb = open_workbook(path)
    if isinstance(wb, Problem):
        return ParsedFile(file, "workbook", problems=[wb])
    budget = Budget(file)
    try:
        if is_exchange_workbook(wb):
            return read_exchange_workbook(wb, file, expect, progress)
        meta: TemplateMeta | None = None
        meta_problems: list[Problem] = []
        if META_SHEET in wb.sheetnames:
            ws = wb[META_SHEET]
            ws.reset_dimensions()
            meta_rows = sheet_rows(ws.iter_rows(values_only=True), file, META_SHEET, budget)
            meta, meta_problems = read_meta(meta_rows, file)
        out = ParsedFile(file, "template" if meta else "workbook")
        checker = RowChecker(file)
        checker.problems.extend(meta_problems)
        if meta_problems:
            out.problems = checker.problems
            return out
        ctx = _Context(file, expect, meta, checker)
        if meta is not None:
            checker.problems.extend(check_expectations(file, meta.cycle, expect))
        found_data = False
        for ws in wb.worksheets:
            if ws.title == META_SHEET:
                continue
            if ws.sheet_state != "visible":
                checker.warnings.append(problem("hidden_sheet", file=file, sheet=ws.title))
                continue
            ws.reset_dimensions()
            rows = sheet_rows(ws.iter_rows(), file, ws.title, budget)
            found_data |= _read_sheet(ctx, ws.title, rows, progress, out)
        if not found_data:
            checker.problems.append(problem("no_data_sheet", file=file))
    finally:
        wb.close()
    _check_uncached_formulas(path, ctx, out)
    checker.finish()
    out.problems, out.warnings = checker.problems, checker.warnings
    return out
