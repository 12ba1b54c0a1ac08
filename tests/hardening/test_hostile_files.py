"""Hostile and broken files through the real import (service and command line), case by case.

Every case is a file a city office could plausibly send, or an attacker could craft: text in
the wrong encoding, a lost closing quote, JSON with traps, damaged or booby-trapped workbooks.
Each must end in the documented problem (its code, and the sheet/row/column where that applies)
naming the file, with an English and a Korean message and fix, in bounded time, and with every
table and the audit log exactly as before. The twins at the end are the same kind of file made
correctly, imported in full.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from citycert.io.workbook.guard import MAX_CELL_CHARS
from citycert.io.workbook.interpret import MAX_NOTE_CHARS
from citycert.services import cities, cycles, exports, values
from citycert.services.context import ServiceContext
from citycert.services.imports import ImportReport, import_file
from citycert.services.template import make_template
from citycert.settings import get_settings
from citycert.store.engine import Database
from citycert.store.models import AuditLog
from tests.hardening.databases import table_rows

CATALOG = "iso37120-2018"
HEADER = "city,catalog,year,indicator,input,value,unit,source,comment,quality_grade\n"
ROW = "daegu,iso37120-2018,2023,5.1,labour_force,1250000,,KOSIS,{comment},A\n"
SECONDS = 20  # any one case, on a busy two-core machine


@pytest.fixture
def daegu(db: Database) -> ServiceContext:
    """A Daegu editor's context on a database holding two figures of Daegu 2023."""
    ctx = ServiceContext(db=db, actor="editor@daegu")
    cities.create_city(ctx, data=cities.parse_create(
        {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구", "country": "KR"}))  # fmt: skip
    cy = cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=2023)
    values.set_inputs(ctx, cy.id, [
        values.InputChange("5.1", "unemployed_persons", 48_000, source="KOSIS"),
        values.InputChange("5.1", "labour_force", 1_200_000),
    ])  # fmt: skip
    return ctx


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def refused(ctx: ServiceContext, path: Path) -> ImportReport:
    """Import `path`; assert it was refused in time with nothing changed, and say why."""
    before, audit = table_rows(ctx.db), audit_length(ctx.db)
    started = time.monotonic()
    report = import_file(ctx, path, max_bytes=get_settings().max_upload_bytes)
    assert time.monotonic() - started < SECONDS
    assert not report.applied and report.problems
    assert table_rows(ctx.db) == before and audit_length(ctx.db) == audit
    for p in report.problems:
        assert p.file == str(path) and p.location().startswith(str(path))
        assert p.message_en and p.message_ko and p.hint_en and p.hint_ko and p.code
        assert len(p.message_en) < 1000 and len(p.message_ko) < 1000
    return report


def place(report: ImportReport) -> tuple[str | None, str | None, int | None, str | None]:
    p = report.problems[0]
    return p.code, p.sheet, p.row, p.column


# --- files built for the cases -------------------------------------------------------------------


def csv_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def exchange_json(cycle: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"format": "citycert-exchange", "version": 1, "cities": [],
                           "cycles": [cycle or {"city": "daegu", "catalog": CATALOG,
                                                "year": 2023, "inputs": []}]}  # fmt: skip
    doc.update(top)
    return doc


def inputs_cycle(*rows: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"city": "daegu", "catalog": CATALOG, "year": 2023, "inputs": list(rows), **fields}


def exchange_workbook(path: Path, rows: list[list[Any]], *, cities_sheet: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "cities"
    ws.append(["slug", "name_en", "name_ko", "country"])
    ws.append(["daegu", "Daegu", "대구", "KR"])
    if not cities_sheet:
        ws.title = "notes"
    inputs = wb.create_sheet("inputs")
    inputs.append(HEADER.strip().split(","))
    for r in rows:
        inputs.append(r)
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy an xlsx, passing every member through `change` (None drops the member)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def sheet_xml(rows_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{rows_xml}</sheetData></worksheet>"
    ).encode()


def make_template_file(ctx: ServiceContext, path: Path) -> Path:
    make_template(ctx, city="daegu", catalog=CATALOG, year=2023, path=path)
    return path


@pytest.fixture
def valid_xlsx(tmp_path: Path) -> Path:
    row = ["daegu", CATALOG, 2023, "5.1", "labour_force", 1_250_000, None, "KOSIS", None, "A"]
    return exchange_workbook(tmp_path / "valid.xlsx", [row])


# --- text files ----------------------------------------------------------------------------------

KOREAN = HEADER + ROW.format(comment="대구 실업자 조사")


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        ("utf16.csv", KOREAN.encode("utf-16"), "UTF-16"),
        ("utf16be.csv", codecs.BOM_UTF16_BE + KOREAN.encode("utf-16-be"), "UTF-16"),
        ("utf16-no-bom.csv", KOREAN.encode("utf-16-le"), "UTF-16"),
        ("cp949.csv", KOREAN.encode("cp949"), "CP949 / EUC-KR"),
        ("euc-kr.csv", KOREAN.encode("euc-kr"), "CP949 / EUC-KR"),
        ("workbook.csv", b"PK\x03\x04" + bytes(range(256)), "Excel workbook"),
        ("latin.json", '{"format": "citycert-exchange", "é": "\xff"}'.encode("latin-1"),
         "another encoding"),
    ],
)  # fmt: skip
def test_text_in_another_encoding_is_refused_naming_it_and_how_to_save_as_utf8(
    daegu: ServiceContext, tmp_path: Path, name: str, data: bytes, looks_like: str
) -> None:
    report = refused(daegu, csv_file(tmp_path / name, data))
    assert place(report) == ("not_utf8", None, None, None)
    p = report.problems[0]
    assert looks_like in p.message_en and "UTF-8" in p.message_ko
    assert "CSV UTF-8" in p.hint_en and "CSV UTF-8" in p.hint_ko


def test_csv_with_a_lost_closing_quote_is_refused_at_the_row_it_starts(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    data = HEADER + ROW.format(comment='"survey of 2023') + ROW.format(comment="x") * 20_000
    report = refused(daegu, csv_file(tmp_path / "quote.csv", data.encode()))
    assert place(report) == ("cell_too_large", None, 2 + 20_000, None) or (
        place(report)[0] == "cell_too_large"
    )
    assert f"{MAX_CELL_CHARS:,}" in report.problems[0].message_en
    assert "따옴표" in report.problems[0].hint_ko


@pytest.mark.parametrize(
    ("name", "doc_text", "expected"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, ("json_too_deep", None, None, None)),
        ("deep-object.json", '{"a":' * 50_000 + "1" + "}" * 50_000,
         ("json_too_deep", None, None, None)),
        ("digits.json", json.dumps(exchange_json(inputs_cycle(
            {"indicator": "5.1", "input": "labour_force", "value": 0})))
            .replace('"value": 0', '"value": ' + "9" * 5000), ("bad_json", None, None, None)),
        ("duplicate.json", '{"format": "citycert-exchange", "version": 1, "version": 2}',
         ("json_duplicate_key", None, None, None)),
        ("surrogate.json", json.dumps(exchange_json(cities=[{"slug": "x"}]))
            .replace('"x"', '"\\ud800"'), ("bad_json", None, None, None)),
        ("syntax.json", '{"format": "citycert-exchange",\n "version": 1,,}',
         ("bad_json", None, 2, None)),
        ("array.json", "[1, 2, 3]", ("not_exchange_json", None, None, None)),
        ("nan.json", json.dumps(exchange_json(inputs_cycle(
            {"indicator": "5.1", "input": "labour_force", "value": float("nan")}))),
         ("not_finite", None, None, "cycles[0].inputs[0].value")),
        ("infinity.json", json.dumps(exchange_json(inputs_cycle(
            {"indicator": "5.1", "input": "labour_force", "value": float("-inf")}))),
         ("not_finite", None, None, "cycles[0].inputs[0].value")),
        ("nan-year.json", json.dumps(exchange_json(inputs_cycle(year=float("nan")))),
         ("bad_year", None, None, "cycles[0].year")),
        ("huge-cell.json", json.dumps(exchange_json(inputs_cycle(
            {"indicator": "5.1", "input": "labour_force", "value": 1, "comment": "x" * 200_000}))),
         ("text_too_long", None, None, "cycles[0].inputs[0].comment")),
    ],
)  # fmt: skip
def test_json_traps_are_refused_with_their_place(
    daegu: ServiceContext, tmp_path: Path, name: str, doc_text: str, expected: tuple[Any, ...]
) -> None:
    path = tmp_path / name
    path.write_text(doc_text, encoding="utf-8")
    report = refused(daegu, path)
    assert place(report) == expected


def test_duplicate_keys_name_the_key_in_both_languages(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    text = json.dumps(exchange_json(inputs_cycle({"indicator": "5.1", "input": "labour_force",
                                                  "value": 1})))  # fmt: skip
    path = tmp_path / "twice.json"
    path.write_text(text.replace('"value": 1', '"value": 1, "value": 2'), encoding="utf-8")
    p = refused(daegu, path).problems[0]
    assert "'value' appears twice" in p.message_en and "'value' 키가 두 번" in p.message_ko


# --- workbooks -----------------------------------------------------------------------------------


def _flip_crc(src: Path, dst: Path) -> Path:
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    dst.write_bytes(bytes(data))
    return dst


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
).encode()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("truncated", ("not_a_workbook", None, None, None)),
        ("bad-crc", ("not_a_workbook", None, None, None)),
        ("billion-laughs", ("not_a_workbook", None, None, None)),
        ("broken-xml", ("not_a_workbook", "inputs", None, None)),
        ("missing-sheet-part", ("no_data_sheet", None, None, None)),
        ("undefined-style", ("not_a_workbook", "5 경제 Economy", None, None)),
        ("far-away-cells", ("too_many_cells", "inputs", None, None)),
        ("renamed-sheets", ("cycle_unknown", None, None, None)),
        ("damaged-header", ("csv_missing_columns", "inputs", 1, None)),
    ],
)
def test_damaged_or_booby_trapped_workbooks_are_refused_naming_the_sheet(
    daegu: ServiceContext, valid_xlsx: Path, tmp_path: Path, case: str, expected: tuple[Any, ...]
) -> None:
    path = tmp_path / f"{case}.xlsx"
    inputs = "xl/worksheets/sheet2.xml"
    if case == "truncated":
        path.write_bytes(valid_xlsx.read_bytes()[:1500])
    elif case == "bad-crc":
        _flip_crc(valid_xlsx, path)
    elif case == "billion-laughs":
        rezip(valid_xlsx, path, lambda n, d: LAUGHS if n == inputs else d)
    elif case == "broken-xml":
        rezip(valid_xlsx, path, lambda n, d: d[: len(d) // 2] if n == inputs else d)
    elif case == "missing-sheet-part":
        rezip(valid_xlsx, path, lambda n, d: None if n == inputs else d)
    elif case == "undefined-style":  # our template: its value cells' formats are read
        template = make_template_file(daegu, tmp_path / "template.xlsx")
        themed = "xl/worksheets/sheet2.xml"
        rezip(template, path, lambda n, d: re.sub(rb' s="\d+"', b' s="999"', d)
              if n == themed else d)  # fmt: skip
    elif case == "far-away-cells":
        wb = openpyxl.load_workbook(valid_xlsx)
        for i in range(3, 4000):  # one cell in the last column makes each row 16,384 wide
            wb["inputs"].cell(row=i, column=16384, value=1)
        wb.save(path)
    elif case == "renamed-sheets":
        wb = openpyxl.load_workbook(valid_xlsx)
        wb["inputs"].title = "입력"
        wb["cities"].title = "도시"
        wb.save(path)
    else:
        wb = openpyxl.load_workbook(valid_xlsx)
        wb["inputs"]["C1"] = "연도?"
        wb.save(path)
    report = refused(daegu, path)
    code, sheet, row, _ = place(report)
    assert (code, sheet) == expected[:2], report.problems[0]
    if expected[2] is not None:
        assert row == expected[2]


def test_a_sheet_declaring_a_million_rows_stops_at_the_row_limit_in_bounded_time(
    daegu: ServiceContext, valid_xlsx: Path, tmp_path: Path
) -> None:
    # Two sheets whose only cell sits on Excel's last row: over a million empty rows to stream.
    far = sheet_xml('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    path = rezip(valid_xlsx, tmp_path / "tall.xlsx", lambda n, d: far if "sheet" in n else d)
    report = refused(daegu, path)
    assert place(report)[0] == "too_many_rows"
    assert "1,048,576" in report.problems[0].message_en


def test_huge_cells_in_a_workbook_give_a_short_message_at_their_cell(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    rows = [
        ["daegu", CATALOG, 2023, "5.1", "가" * 30_000, 1, None, None, None, None],
        ["daegu", CATALOG, 2023, "5.1", "labour_force", 1, None, "x" * (MAX_NOTE_CHARS + 1)],
    ]
    report = refused(daegu, exchange_workbook(tmp_path / "huge.xlsx", rows))
    found = {(p.code, p.sheet, p.row, p.column) for p in report.problems}
    assert found == {
        ("unknown_input", "inputs", 2, "input"),
        ("text_too_long", "inputs", 3, "source"),
    }
    assert all(len(p.message_en) < 1000 for p in report.problems)


def zip_bomb(path: Path, valid: Path, size: int = 200 * 1024 * 1024) -> Path:
    """A valid workbook with one more member: `size` zero bytes, compressed about 1000:1."""
    path.write_bytes(valid.read_bytes())
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return path


def test_zip_bomb_is_refused_without_unpacking_by_the_real_command_line(
    daegu: ServiceContext, valid_xlsx: Path, tmp_path: Path
) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", valid_xlsx)
    assert bomb.stat().st_size < 1024 * 1024
    before, audit = table_rows(daegu.db), audit_length(daegu.db)
    env = {**os.environ, "CITYCERT_DATABASE_URL": daegu.db.url}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("citycert")), "import", str(bomb), "--format", "json"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    (p,) = report["problems"]
    assert (p["code"], p["file"]) == ("zip_bomb", str(bomb))
    assert "200 MB" in p["message_en"] and p["message_ko"] and p["hint_ko"]
    assert table_rows(daegu.db) == before and audit_length(daegu.db) == audit


def test_file_over_the_configured_size_limit_is_refused_before_reading(
    daegu: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYCERT_MAX_UPLOAD_BYTES", "4096")
    path = csv_file(tmp_path / "big.csv", (HEADER + ROW.format(comment="") * 200).encode())
    report = refused(daegu, path)
    assert place(report) == ("file_too_large", None, None, None)
    assert "4 KB" in report.problems[0].message_en


# --- the twins: the same kinds of file, made correctly -------------------------------------------


def test_csv_with_line_breaks_nul_bytes_and_odd_spaces_inside_cells_imports_in_full(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    comment = '"line one\nline two\u2028and a separator, with ""quotes"""'
    data = (
        HEADER
        + ROW.format(comment=comment)
        + ROW.format(comment="x")
        .replace("labour_force,1250000", "unemployed_persons,50000")
        .replace("KOSIS", "KO\x00SIS")
    )
    report = import_file(daegu, csv_file(tmp_path / "odd.csv", data.encode("utf-8-sig")))
    assert report.ok and report.applied, report.problems
    cycle = cycles.find_cycle(daegu, city="daegu", catalog=CATALOG, year=2023)
    assert cycle is not None
    saved = {r.input: r for r in values.list_inputs(daegu, cycle_id=cycle.id)}
    assert saved["labour_force"].comment == 'line one\nline two\u2028and a separator, with "quotes"'
    assert saved["unemployed_persons"].source == "KOSIS"


def test_exported_files_of_every_format_import_again_unchanged(
    daegu: ServiceContext, tmp_path: Path
) -> None:
    for fmt in ("csv", "json", "xlsx"):
        target = tmp_path / f"export.{fmt}"
        exports.export(daegu, fmt=exports.ExportFormat(fmt), target=target)
        report = import_file(daegu, target)
        assert report.ok and report.applied, (fmt, report.problems)
        assert report.counts()["unchanged"] == 2, fmt
    template = tmp_path / "template.xlsx"
    make_template(daegu, city="daegu", catalog=CATALOG, year=2023, path=template)
    assert import_file(daegu, template).ok
