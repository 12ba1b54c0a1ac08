"""`citycert schema write|check`: JSON Schema files for the standards data files."""

from __future__ import annotations

from pathlib import Path

import typer

from citycert.cli.common import Lang, console, err_console
from citycert.standards.schema import SCHEMA_DIR, check_schemas, write_schemas

app = typer.Typer(
    help="JSON Schema for the standards data files (catalogues, crosswalks, ...).",
    no_args_is_help=True,
)

_DIR_HELP = "Folder of the schema files (default: the one shipped in the package)."


@app.command("write")
def write(
    directory: Path = typer.Option(SCHEMA_DIR, "--dir", help=_DIR_HELP),
    lang: Lang = typer.Option(Lang.en, "--lang"),
) -> None:
    """Write the JSON Schema of every standards data file type."""
    for path in write_schemas(directory):
        console.print(str(path), highlight=False)
    done = {"en": "schema files written", "ko": "스키마 파일을 썼습니다"}
    console.print(done[lang.value])


@app.command("check")
def check(
    directory: Path = typer.Option(SCHEMA_DIR, "--dir", help=_DIR_HELP),
    lang: Lang = typer.Option(Lang.en, "--lang"),
) -> None:
    """Exit 1 when a schema file differs from what the models generate."""
    problems = check_schemas(directory)
    for p in problems:
        err_console.print(f"[red]{p.message(lang.value)}[/]", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    ok = {"en": "schema files are up to date", "ko": "스키마 파일이 최신 상태입니다"}
    console.print(ok[lang.value])
