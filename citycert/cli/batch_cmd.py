"""`citycert batch run`: recompute, validate and certify every reporting cycle in the database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO

import typer
from rich.table import Table

from citycert.cli.common import OutputFormat, console, err_console, fail, print_json, user_errors
from citycert.cli.db_cmd import database_url_option, open_db
from citycert.services.batch import BatchReport, CycleOutcome, run_batch
from citycert.services.context import ServiceContext, ServiceError, cli_actor

app = typer.Typer(
    help="Whole-database batch: recompute, validate and certify every cycle.",
    no_args_is_help=True,
)

RUN_HELP = """Recompute every indicator value, validate every reporting cycle and assess the
level each cycle would reach (every cleanly computed indicator without a validation error
verified). Only values that differ from what is stored are written, with one audit entry per
chunk of cycles. Cycles are streamed city by city, so memory stays flat whatever the size.

모든 보고 주기의 지표 값을 다시 계산하고 검증한 뒤, 오류 없이 산출된 지표가 모두 검증된다면
도달할 인증 등급을 평가합니다. 저장된 값과 다른 값만 기록합니다.
"""

ROWS = (
    ("cycles", "cycles", "보고 주기"),
    ("cities", "cities", "도시"),
    ("indicators", "indicator values computed", "계산한 지표 값"),
    ("created", "values added", "새로 저장한 값"),
    ("updated", "values changed", "변경한 값"),
    ("unchanged", "values unchanged", "변경 없는 값"),
    ("cycles_with_errors", "cycles with validation errors", "검증 오류가 있는 보고 주기"),
)


def _table(report: BatchReport) -> Table:
    t = Table(title="Batch run / 일괄 처리 결과")
    t.add_column("English")
    t.add_column("한국어")
    t.add_column("", justify="right")
    data = report.as_dict()
    for key, en, ko in ROWS:
        t.add_row(en, ko, f"{data[key]:,}")
    for severity, n in sorted(report.findings.items()):
        ko = "오류" if severity == "error" else "경고"
        t.add_row(f"findings: {severity}", f"검증 결과: {ko}", f"{n:,}")
    for level, n in sorted(report.levels.items()):
        shown = "no level" if level == "none" else level
        ko = "등급 없음" if level == "none" else level
        t.add_row(f"projected level: {shown}", f"예상 등급: {ko}", f"{n:,}")
    rate = report.cycles / report.seconds if report.seconds else 0.0
    t.add_row("seconds", "소요 시간(초)", f"{report.seconds:,.1f}")
    t.add_row("cycles per second", "초당 보고 주기", f"{rate:,.1f}")
    return t


@app.command("run", help=RUN_HELP)
def run(
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Only the first N cycles (in city order)."
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, help="Processes to use (0 = one per CPU core)."
    ),
    report_path: Path | None = typer.Option(
        None, "--report", help="Write one JSON line per cycle to this file."
    ),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    count = workers or os.cpu_count() or 1
    db = open_db(database_url)
    ctx = ServiceContext(db=db, actor=cli_actor())
    out: TextIO | None = None
    try:
        if report_path is not None:
            try:
                out = report_path.open("w", encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {report_path}: {exc.strerror}")

        def on_chunk(total: BatchReport, outcomes: list[CycleOutcome]) -> None:
            if out is not None:
                for o in outcomes:
                    out.write(json.dumps(o.as_dict(), ensure_ascii=False) + "\n")
            if format is OutputFormat.table and err_console.is_terminal:
                err_console.print(f"{total.cycles:,} cycles…", end="\r")

        with user_errors(ServiceError):
            report = run_batch(ctx, limit=limit, workers=count, on_chunk=on_chunk)
    finally:
        if out is not None:
            out.close()
        db.dispose()
    if format is OutputFormat.json:
        print_json(report.as_dict())
    else:
        console.print(_table(report))
