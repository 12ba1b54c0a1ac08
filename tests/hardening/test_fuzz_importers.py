"""Property-based fuzzing of every importer (csv, json, xlsx): random and mutated files.

Seeds are valid files made by CityCert itself (exchange csv/json/xlsx exports and a data-entry
template); hypothesis flips, inserts and deletes bytes, rewrites cells, sheet names and headers,
or builds JSON documents of arbitrary shape. Whatever comes in, the import must end in a report
(never another exception) within a deadline, every problem naming the file with an English and a
Korean message and fix, and a refused import must leave every table and the audit log as they
were. A bounded atheris run of `fuzz_atheris.py` runs too; see that file for long runs.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import func, select

from citycert.io.workbook.load import read_import_file
from citycert.services import cities, cycles, exports, values
from citycert.services.context import ServiceContext
from citycert.services.imports import import_file
from citycert.services.template import make_template
from citycert.store import migrate
from citycert.store.engine import Database
from citycert.store.models import AuditLog
from tests.hardening.databases import table_rows

CATALOG = "iso37120-2018"
EXAMPLES = int(os.environ.get("CITYCERT_FUZZ_EXAMPLES", "20"))
# Building a case (openpyxl loading and saving a template) takes seconds on a busy machine, so
# the time limit is on the import itself (`check_report`), not on hypothesis' whole example.
IMPORT_SECONDS = 30
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
KINDS = ("csv", "json", "xlsx", "template")


def _setup(db: Database) -> ServiceContext:
    ctx = ServiceContext(db=db, actor="editor@daegu")
    cities.create_city(ctx, data=cities.parse_create(
        {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구", "country": "KR"}))  # fmt: skip
    cy = cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=2023)
    values.set_inputs(ctx, cy.id, [
        values.InputChange("5.1", "unemployed_persons", 48_000, source="KOSIS", comment="=1+1"),
        values.InputChange("5.1", "labour_force", 1_200_000, quality_grade="A"),
        values.InputChange("5.4", "youth_labour_force", 240_000, comment="대구 청년"),
    ])  # fmt: skip
    return ctx


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid files of every importable kind, written by CityCert from a small database."""
    folder = tmp_path_factory.mktemp("seeds")
    db = Database.from_url(f"sqlite:///{folder / 'seed.sqlite3'}")
    migrate.upgrade(db)
    try:
        ctx = _setup(db)
        for fmt in ("csv", "json", "xlsx"):
            exports.export(ctx, fmt=exports.ExportFormat(fmt), target=folder / f"seed.{fmt}")
        make_template(ctx, city="daegu", catalog=CATALOG, year=2023, path=folder / "t.xlsx")
    finally:
        db.dispose()
    out = {k: (folder / f"seed.{k}").read_bytes() for k in ("csv", "json", "xlsx")}
    out["template"] = (folder / "t.xlsx").read_bytes()
    return out


@pytest.fixture
def daegu(_sqlite_template: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    """A small SQLite database with Daegu 2023 (the backend does not matter to the readers)."""
    path = tmp_path / "fuzz.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    try:
        yield _setup(db)
    finally:
        db.dispose()


def _suffix(kind: str) -> str:
    return ".xlsx" if kind == "template" else f".{kind}"


def check_report(ctx: ServiceContext, path: Path) -> None:
    """Import `path`: a report, every problem well formed, and nothing changed unless applied."""
    before = table_rows(ctx.db)
    with ctx.db.read() as s:
        audit = s.scalar(select(func.count()).select_from(AuditLog))
    started = time.monotonic()
    report = import_file(ctx, path, max_bytes=2 * 1024 * 1024)
    assert time.monotonic() - started < IMPORT_SECONDS
    for p in [*report.problems, *report.conflicts, *report.warnings]:
        assert p.file == str(path) and p.code
        assert p.message_en and p.message_ko and p.hint_en and p.hint_ko
        assert len(p.message_en) < 2000
    if not report.applied:
        assert table_rows(ctx.db) == before
        with ctx.db.read() as s:
            assert s.scalar(select(func.count()).select_from(AuditLog)) == audit
    else:
        assert report.ok


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, how many bytes to drop, bytes to put there) edits, positions wrapped."""
    out = bytearray(data)
    for pos, drop, put in edits:
        at = pos % (len(out) + 1)
        out[at : at + drop] = put
    return bytes(out)


EDITS = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.integers(0, 8), st.binary(max_size=8)),
    min_size=1,
    max_size=12,
)


@pytest.mark.parametrize("kind", KINDS)
def test_random_bytes_under_any_importable_name_end_in_a_report(
    daegu: ServiceContext, tmp_path: Path, kind: str
) -> None:
    @FUZZ
    @given(data=st.binary(max_size=4096))
    def run(data: bytes) -> None:
        path = tmp_path / f"random{_suffix(kind)}"
        path.write_bytes(data)
        check_report(daegu, path)

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_valid_files_end_in_a_report(
    daegu: ServiceContext, seeds: dict[str, bytes], tmp_path: Path, kind: str
) -> None:
    @FUZZ
    @given(edits=EDITS)
    def run(edits: list[tuple[int, int, bytes]]) -> None:
        path = tmp_path / f"mutated{_suffix(kind)}"
        path.write_bytes(mutate(seeds[kind], edits))
        check_report(daegu, path)

    run()


def _rezip(data: bytes, member_edits: dict[str, list[tuple[int, int, bytes]]]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in member_edits:
                body = mutate(body, member_edits[info.filename])
            dst.writestr(info.filename, body)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "template"])
def test_workbooks_with_mutated_xml_parts_end_in_a_report(
    daegu: ServiceContext, seeds: dict[str, bytes], tmp_path: Path, kind: str
) -> None:
    members = zipfile.ZipFile(io.BytesIO(seeds[kind])).namelist()
    xml_edit = st.tuples(
        st.integers(0, 1 << 16),
        st.integers(0, 16),
        st.sampled_from([b"<", b">", b"/", b'"', b"&", b"&amp;", b"<row>", b' s="77"',
                         b'<c r="XFD9" t="s"><v>9</v></c>', b'<c t="e"><v>#REF!</v></c>',
                         b'<c t="d"><v>x</v></c>', b'<c t="b"><v>2</v></c>', b"\x00", b""]),
    )  # fmt: skip

    @FUZZ
    @given(edits=st.dictionaries(st.sampled_from(members), st.lists(xml_edit, max_size=4),
                                 max_size=3))  # fmt: skip
    def run(edits: dict[str, list[tuple[int, int, bytes]]]) -> None:
        path = tmp_path / "xml.xlsx"
        path.write_bytes(_rezip(seeds[kind], edits))
        check_report(daegu, path)

    run()


CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["5.1", "labour_force", "daegu", CATALOG, "2023", "=1+1", "#REF!", "50%",
                     "1,234.5", "(12)", "−3", "NaN", "inf", "A", "대구", "지표 Indicator",
                     "값 Value", "입력값 Input"]),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)  # fmt: skip
SHEET_NAME = st.text(
    st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=31,
)


@pytest.mark.parametrize("kind", ["xlsx", "template"])
def test_workbooks_with_rewritten_cells_sheet_names_and_headers_end_in_a_report(
    daegu: ServiceContext, seeds: dict[str, bytes], tmp_path: Path, kind: str
) -> None:
    @settings(FUZZ, max_examples=max(1, EXAMPLES // 3))  # each case re-saves a whole workbook
    @given(
        cells=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(1, 14),
                                 CELL), max_size=25),
        rename=st.lists(st.tuples(st.integers(0, 40), SHEET_NAME), max_size=3),
        hide=st.lists(st.integers(0, 40), max_size=2),
    )  # fmt: skip
    def run(
        cells: list[tuple[int, int, int, Any]],
        rename: list[tuple[int, str]],
        hide: list[int],
    ) -> None:
        wb = openpyxl.load_workbook(io.BytesIO(seeds[kind]))
        sheets = wb.worksheets
        for index, row, col, value in cells:
            try:
                sheets[index % len(sheets)].cell(row=row, column=col, value=value)
            except (IllegalCharacterError, ValueError, TypeError):
                continue  # text openpyxl itself refuses to write (control characters)
        for index, name in rename:
            if name not in wb.sheetnames:
                sheets[index % len(sheets)].title = name
        for index in hide:
            if len(sheets) > 1:
                sheets[index % len(sheets)].sheet_state = "hidden"
        path = tmp_path / "cells.xlsx"
        try:
            wb.save(path)
        except (ValueError, TypeError):
            return  # openpyxl cannot write this workbook at all
        check_report(daegu, path)

    run()


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)  # fmt: skip
FIELD = st.sampled_from(["city", "catalog", "year", "state", "inputs", "indicator", "input",
                         "value", "unit", "source", "comment", "quality_grade", "slug",
                         "name_en", "population", "is_sample", "cities", "cycles"])  # fmt: skip


def test_json_documents_of_any_shape_end_in_a_report(
    daegu: ServiceContext, seeds: dict[str, bytes], tmp_path: Path
) -> None:
    base = json.loads(seeds["json"])

    @FUZZ
    @given(
        changes=st.lists(st.tuples(st.integers(0, 3), FIELD, JSON_VALUE), max_size=6),
        whole=st.one_of(st.none(), JSON_VALUE),
    )
    def run(changes: list[tuple[int, str, Any]], whole: Any) -> None:
        doc = json.loads(json.dumps(base))
        targets = [doc, doc["cycles"][0], doc["cycles"][0]["inputs"][0], doc["cities"][0]]
        for index, key, value in changes:
            targets[index][key] = value
        path = tmp_path / "shape.json"
        text = json.dumps(whole if whole is not None else doc, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        check_report(daegu, path)

    run()


def test_exchange_csv_with_arbitrary_text_cells_ends_in_a_report(
    daegu: ServiceContext, seeds: dict[str, bytes], tmp_path: Path
) -> None:
    lines = seeds["csv"].decode("utf-8").splitlines()
    text_cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)

    @FUZZ
    @given(
        row=st.integers(0, len(lines) - 1),
        col=st.integers(0, 12),
        cell=text_cell,
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp949", "latin-1"]),
    )
    def run(row: int, col: int, cell: str, encoding: str) -> None:
        rows = [line.split(",") for line in lines]
        target = rows[row]
        target[col % len(target)] = '"' + cell.replace('"', '""') + '"'
        text = "\n".join(",".join(r) for r in rows) + "\n"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        path = tmp_path / "text.csv"
        path.write_bytes(data)
        check_report(daegu, path)

    run()


@settings(max_examples=40, deadline=timedelta(seconds=10), database=None)
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".json", ".xlsx"]))
def test_readers_alone_never_raise(data: bytes, suffix: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        parsed = read_import_file(path)
        assert all(p.file == str(path) for p in parsed.problems)


RUNS = int(os.environ.get("CITYCERT_ATHERIS_RUNS", "200"))


def test_a_short_atheris_run_finds_no_crash(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    script = Path(__file__).with_name("fuzz_atheris.py")
    done = subprocess.run(
        [sys.executable, str(script), f"-atheris_runs={RUNS}", f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "CITYCERT_FUZZ_CORPUS": str(tmp_path / "corpus")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done" in done.stderr or "runs" in done.stderr
