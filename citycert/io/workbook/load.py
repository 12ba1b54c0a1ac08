"""Open any importable file safely: size limits, zip-bomb check, then the reader for its format.

An .xlsx file is a zip archive; one that unpacks to far more than any real workbook (more than
`ZIP_MAX_RATIO` times its own size, and over `ZIP_MIN_SUSPECT_BYTES`) is refused before openpyxl
touches it. The declared sizes are what Python's zip reader honours, so they bound the work.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from citycert.io.exchange_read import read_exchange_csv, read_exchange_json
from citycert.io.problems import Problem
from citycert.io.workbook.guard import FileRefused
from citycert.io.workbook.messages import problem
from citycert.io.workbook.reader import read_workbook
from citycert.io.workbook.rows import Expect, ParsedFile, Progress

ZIP_MAX_RATIO = 100
ZIP_MIN_SUSPECT_BYTES = 50 * 1024 * 1024
MB = 1024 * 1024

Reader = Callable[[Path, Expect, Progress | None], ParsedFile]
READERS: dict[str, Reader] = {
    ".xlsx": read_workbook,
    ".xlsm": read_workbook,
    ".csv": read_exchange_csv,
    ".json": read_exchange_json,
}


def human_size(n: float) -> str:
    """`20 MB`, `1.5 MB`, `980 KB`, `12 bytes`."""
    if n >= MB:
        return f"{n / MB:,.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:,.0f} KB"
    return f"{n:,.0f} bytes"


def check_limits(path: Path, max_bytes: int | None) -> list[Problem]:
    """Problems with the file as a whole: missing, unknown type, too large, zip bomb."""
    file = str(path)
    if not path.is_file():
        return [problem("file_not_found", file=file)]
    suffix = path.suffix.lower()
    if suffix not in READERS:
        return [problem("file_type", file=file, suffix=suffix or path.name)]
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        return [
            problem("file_too_large", file=file, size=human_size(size), limit=human_size(max_bytes))
        ]
    if suffix in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as zf:
                unpacked = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            return [problem("not_a_workbook", file=file, error=type(exc).__name__)]
        if unpacked > ZIP_MIN_SUSPECT_BYTES and unpacked > ZIP_MAX_RATIO * max(size, 1):
            return [
                problem(
                    "zip_bomb",
                    file=file,
                    uncompressed=human_size(unpacked),
                    compressed=human_size(size),
                )
            ]
    return []


def read_import_file(
    path: Path,
    expect: Expect = Expect(),
    *,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ParsedFile:
    """Every row and every problem of an importable file (.xlsx, .csv or .json)."""
    problems = check_limits(path, max_bytes)
    if problems:
        return ParsedFile(str(path), "workbook", problems=problems)
    try:
        return READERS[path.suffix.lower()](path, expect, progress)
    except FileRefused as exc:  # damaged, hostile or oversized content found while reading
        return ParsedFile(str(path), "workbook", problems=[exc.problem])
