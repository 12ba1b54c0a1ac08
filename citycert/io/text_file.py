"""Open a small user file as text or CSV rows, naming unreadable files and missing columns.

Each reader passes its own fix-it hint, which every problem raised here carries.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from citycert.io.problems import FileProblems, problem_maker


def read_text(path: Path, hint_en: str, hint_ko: str) -> str:
    """The file's UTF-8 text (a BOM dropped); FileProblems when it is missing or not UTF-8."""
    problem = problem_maker(hint_en, hint_ko)
    try:
        return path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise FileProblems(
            [problem(str(path), None, None, "file not found", "파일을 찾을 수 없습니다")]
        ) from None
    except UnicodeDecodeError:
        en, ko = "file is not UTF-8 text", "UTF-8 텍스트 파일이 아닙니다"
        raise FileProblems([problem(str(path), None, None, en, ko)]) from None


def csv_rows(
    path: Path, required: Sequence[str], hint_en: str, hint_ko: str
) -> csv.DictReader[str]:
    """Rows keyed by lower-cased header names; FileProblems when a required column is missing."""
    reader = csv.DictReader(read_text(path, hint_en, hint_ko).splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        cols = ", ".join(missing)
        en, ko = f"missing column(s) {cols}", f"필수 열 {cols}이(가) 없습니다"
        raise FileProblems([problem_maker(hint_en, hint_ko)(str(path), 1, cols, en, ko)])
    reader.fieldnames = header
    return reader
