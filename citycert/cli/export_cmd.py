"""`citycert export`: write cities, raw inputs and indicator values as open-data files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from citycert.cli.common import err_console, user_errors
from citycert.cli.context import both_messages
from citycert.cli.db_cmd import database_url_option, open_db, say
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.services.exports import ExportFilter, ExportFormat, count_steps, export

_OUTPUT_HELP = (
    "Where to write: a file for csv, xlsx and json; a folder (or a .zip file) for datapackage; "
    "a folder for sdmx (structure.xml and data.xml)."
)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_(
        format: ExportFormat = typer.Option(
            ..., "--format", help="csv, xlsx, json, datapackage or sdmx."
        ),
        output: Path = typer.Option(..., "-o", "--output", help=_OUTPUT_HELP),
        city: str | None = typer.Option(None, "--city", help="Only this city (slug)."),
        standard: str | None = typer.Option(
            None, "--standard", help="Only this catalogue, e.g. iso37120-2018."
        ),
        year: int | None = typer.Option(None, "--year", help="Only this data year."),
        public_only: bool = typer.Option(
            False, "--public-only", help="Only published or certified cycles."
        ),
        database_url: str | None = database_url_option(),
    ) -> None:
        """Export data in the CityCert exchange formats (all cycles unless filtered)."""
        ctx = ServiceContext(db=open_db(database_url), actor=cli_actor())
        filters = ExportFilter(city=city, standard=standard, year=year, public_only=public_only)
        try:
            with user_errors(ServiceError, formatter=both_messages):
                if err_console.is_terminal:
                    total = count_steps(ctx, fmt=format, filters=filters)
                    with Progress(
                        TextColumn("[bold]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True,
                    ) as bar:  # fmt: skip
                        task = bar.add_task(f"export {format.value}", total=total)
                        result = export(
                            ctx, fmt=format, target=output, filters=filters,
                            progress=lambda n: bar.advance(task, n),
                        )  # fmt: skip
                else:
                    result = export(ctx, fmt=format, target=output, filters=filters)
        finally:
            ctx.db.dispose()
        say(
            f"exported {result.cities} cities, {result.cycles} reporting cycles, "
            f"{result.inputs} inputs and {result.indicators} indicator values to {output}\n"
            f"도시 {result.cities}곳, 보고 주기 {result.cycles}개, 입력값 {result.inputs}건, "
            f"지표값 {result.indicators}건을 {output}에 내보냈습니다"
        )
        if result.cycles == 0:
            err_console.print(
                "[yellow]no reporting cycle matched the filters; the files hold no data rows\n"
                "조건에 맞는 보고 주기가 없어 자료 행이 없는 파일을 만들었습니다[/]",
                highlight=False,
                soft_wrap=True,
            )
