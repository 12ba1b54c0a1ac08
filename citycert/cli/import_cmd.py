"""`citycert import`: load a filled-in template, an exchange file or a home-made workbook."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from citycert.cli.common import OutputFormat, print_json, user_errors
from citycert.cli.context import both_messages
from citycert.cli.db_cmd import database_url_option, open_db, say
from citycert.cli.progress import live_counter
from citycert.io.problems import Problem
from citycert.io.workbook.rows import Expect
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.services.imports import ImportReport, import_file
from citycert.settings import SettingsError, get_settings
from citycert.standards.catalog import UnknownCatalogError, get_catalog

# Paragraphs are single lines so that the terminal, not the source, decides where lines break.
HELP = "\n\n".join(
    [
        "Import raw figures from a filled-in template, an exchange file or any workbook.",
        "FILE is a CityCert template (.xlsx), an exchange file (.csv, .json, .xlsx) or any "
        "workbook with Indicator, Input and Value columns (Korean or English headers).",
        "Everything is checked first and every problem is listed (file, sheet, row, column, "
        "what is wrong, how to fix it). Nothing is saved unless the whole file is fine. A blank "
        'cell means "not reported" and never erases a stored value unless --allow-erase.',
        "Exit code: 0 imported (or, with --dry-run, would import); 1 conflicts with changes "
        "made by someone else since the template was made; 2 problems in the file or options.",
    ]
)


class ReportLang(StrEnum):
    en = "en"
    ko = "ko"
    both = "both"


def _print_problem(p: Problem, lang: ReportLang, colour: str) -> None:
    where = f"[{colour}]{p.location()}[/]"
    if lang is not ReportLang.ko:
        say(f"{where}: {p.message_en}\n    fix: {p.hint_en}")
    if lang is not ReportLang.en:
        say(f"{where}: {p.message_ko}\n    고치는 방법: {p.hint_ko}")


def _summary(r: ImportReport) -> str:
    c = r.counts()
    verb = ("would change" if r.dry_run else "changed") if r.ok else "would have changed"
    verb_ko = ("변경 예정" if r.dry_run else "변경") if r.ok else "(적용 안 됨) 변경 예정이었던"
    return (
        f"{r.file}: {verb} {c['created']} new, {c['updated']} updated, {c['erased']} erased; "
        f"{c['unchanged']} unchanged, {c['blank']} blank (not reported), {c['kept']} kept "
        f"(changed by someone else, untouched in the file); {c['conflicts']} conflicts, "
        f"{c['problems']} problems, {c['warnings']} warnings\n"
        f"{verb_ko}: 새 값 {c['created']}건, 수정 {c['updated']}건, 삭제 {c['erased']}건 / "
        f"변경 없음 {c['unchanged']}건, 빈칸(미보고) {c['blank']}건, 다른 사용자 값 유지 "
        f"{c['kept']}건 / 충돌 {c['conflicts']}건, 문제 {c['problems']}건, 경고 {c['warnings']}건"
    )


def register(app: typer.Typer) -> None:
    @app.command("import", help=HELP)
    def import_(
        file: Path = typer.Argument(..., help="The .xlsx, .csv or .json file to import."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change."),
        allow_erase: bool = typer.Option(
            False, "--allow-erase", help="Let blank cells erase stored values."
        ),
        actor: str | None = typer.Option(
            None, "--actor", help="Who imports, for the audit log (default cli:<user>)."
        ),
        city: str | None = typer.Option(None, "--city", help="The city the file is for."),
        standard: str | None = typer.Option(None, "--standard", help="Its catalogue."),
        year: int | None = typer.Option(None, "--year", help="Its data year."),
        restore_states: bool = typer.Option(
            False,
            "--restore-states",
            help="Cycles this import opens take the state the exchange JSON gives "
            "(restoring an export into an empty database).",
        ),
        format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
        lang: ReportLang = typer.Option(ReportLang.both, "--lang", help="en, ko or both."),
        database_url: str | None = database_url_option(),
    ) -> None:
        with user_errors(SettingsError, UnknownCatalogError, formatter=both_messages):
            limit = get_settings().max_upload_bytes
            catalog = get_catalog(standard).key if standard else None
        expect = Expect(city=city.strip().lower() if city else None, catalog=catalog, year=year)
        ctx = ServiceContext(db=open_db(database_url), actor=actor or cli_actor())
        try:
            with (
                user_errors(ServiceError, formatter=both_messages),
                live_counter(f"import {file.name}", " rows") as bar,
            ):
                report = import_file(
                    ctx, file, expect=expect, dry_run=dry_run, allow_erase=allow_erase,
                    restore_states=restore_states, max_bytes=limit, progress=bar,
                )  # fmt: skip
        finally:
            ctx.db.dispose()
        if format is OutputFormat.json:
            print_json(report.as_dict())
        else:
            for p in report.problems:
                _print_problem(p, lang, "red")
            for p in report.conflicts:
                _print_problem(p, lang, "magenta")
            for p in report.warnings:
                _print_problem(p, lang, "yellow")
            say(_summary(report))
            if not report.ok:
                say("nothing was saved / 아무것도 저장하지 않았습니다")
        if report.problems:
            raise typer.Exit(2)
        if report.conflicts:
            raise typer.Exit(1)
