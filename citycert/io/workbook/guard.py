"""Reading hostile files safely: text encodings, JSON traps, damaged workbooks, size budgets.

Every reader turns what it cannot read into a `FileRefused` carrying the Problem to show (file,
sheet and row where known, English and Korean message and fix); `read_import_file` reports it
like any other problem. Nothing here raises anything else on bad input:

- text files must be UTF-8; UTF-16, Korean CP949/EUC-KR and workbooks renamed `.csv` are named;
- JSON: nesting deeper than Python can parse, numbers with thousands of digits, duplicate keys
  (silently dropping one of two values would import the wrong figure) and unpaired surrogate
  escapes (which no database can store) are refused;
- CSV: a cell over `MAX_CELL_CHARS` (usually a lost closing quote swallowing the file) is refused;
- workbooks: zip, deflate and XML errors raised while rows stream (openpyxl reads lazily) become
  `not_a_workbook` naming the sheet;
- at most `MAX_ROWS` rows and `MAX_CELLS` cells per file are read, so a small file declaring
  a cell at row 1,048,576 or column XFD cannot keep a server busy for minutes.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from citycert.io.problems import Problem
from citycert.io.workbook.messages import problem

# Excel's own sheet height: more rows than one full sheet is not a data file people made.
MAX_ROWS = 1_048_576
# Room for a million rows of 50 columns; a row is as wide as its last cell.
MAX_CELLS = 50_000_000
MAX_CELL_CHARS = 131_072
# A `\\uD800`-`\\uDFFF` escape: only then can a decoded string hold an unpaired surrogate.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")

T = TypeVar("T", bound=Sequence[Any])


class FileRefused(Exception):
    """The file cannot be read safely; `problem` says why and how to fix it."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


# --- text -------------------------------------------------------------------------------------

_ENCODINGS = (
    (codecs.BOM_UTF16_LE, "UTF-16 (Unicode text)", "UTF-16(유니코드 텍스트)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (Unicode text)", "UTF-16(유니코드 텍스트)"),
    (b"PK\x03\x04", "an Excel workbook or zip archive", "엑셀 통합 문서 또는 zip 압축 파일"),
)


def _guess(data: bytes) -> tuple[str, str]:
    for start, en, ko in _ENCODINGS:
        if data.startswith(start):
            return en, ko
    if data[:4096].count(b"\x00") > len(data[:4096]) // 4:
        return "UTF-16 (Unicode text)", "UTF-16(유니코드 텍스트)"
    try:
        data.decode("cp949")
    except UnicodeDecodeError:
        return "another encoding", "다른 인코딩"
    return "Korean ANSI (CP949 / EUC-KR)", "한글 완성형(CP949/EUC-KR)"


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 text (a leading BOM dropped); FileRefused naming the likely encoding otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        en, ko = _guess(data)
        raise FileRefused(problem("not_utf8", file=file, encoding=en, encoding_ko=ko)) from None


# --- CSV --------------------------------------------------------------------------------------


def csv_rows(text: str, file: str) -> Iterator[list[str]]:
    """The rows of CSV text (quoted cells may hold any line break); FileRefused on damage."""
    reader = csv.reader(io.StringIO(text, newline=""))
    budget = Budget(file)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            refused = problem(
                "cell_too_large", file=file, row=reader.line_num, limit=f"{MAX_CELL_CHARS:,}"
            )
            raise FileRefused(refused) from exc
        budget.take(None, reader.line_num, len(row))
        yield row


# --- JSON -------------------------------------------------------------------------------------


def _pairs(file: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise FileRefused(problem("json_duplicate_key", file=file, key=key))
            out[key] = value
        return out

    return hook


def load_json(data: bytes, file: str) -> Any:
    """The JSON document in `data`; FileRefused for anything an exchange file never holds."""
    text = decode_text(data, file)
    try:
        doc = json.loads(text, object_pairs_hook=_pairs(file))
        if _SURROGATE.search(text):
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise FileRefused(problem("json_too_deep", file=file)) from None
    except json.JSONDecodeError as exc:
        error = f"{exc.msg}, column {exc.colno}"
        raise FileRefused(problem("bad_json", file=file, row=exc.lineno, error=error)) from None
    except UnicodeEncodeError as exc:
        broken = f"\\u{ord(exc.object[exc.start]):04x}"
        error = f"unpaired surrogate escape {broken}"
        raise FileRefused(problem("bad_json", file=file, error=error)) from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise FileRefused(problem("bad_json", file=file, error=str(exc)[:120])) from None
    return doc


# --- workbooks --------------------------------------------------------------------------------


class Budget:
    """Rows and cells read from one file so far; FileRefused past MAX_ROWS or MAX_CELLS."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows = 0
        self.cells = 0

    def take(self, sheet: str | None, row: int | None, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        over = None
        if self.rows > MAX_ROWS:
            over = ("too_many_rows", MAX_ROWS)
        elif self.cells > MAX_CELLS:
            over = ("too_many_cells", MAX_CELLS)
        if over is not None:
            code, limit = over
            refused = problem(code, file=self.file, sheet=sheet, row=row, limit=f"{limit:,}")
            raise FileRefused(refused)


def sheet_rows(rows: Iterable[T], file: str, sheet: str, budget: Budget) -> Iterator[T]:
    """The rows openpyxl streams from `sheet`, counted; FileRefused when the sheet is damaged."""
    it = iter(rows)
    rowno = 0
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except Exception as exc:  # zip, zlib, XML and index errors from damaged parts
            refused = problem("not_a_workbook", file=file, sheet=sheet, error=type(exc).__name__)
            raise FileRefused(refused) from exc
        rowno += 1
        budget.take(sheet, rowno, len(row))
        yield row
