"""`citycert template`: write the Excel data-entry template of a city, standard and year."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from citycert.cli.common import user_errors
from citycert.cli.context import both_messages
from citycert.cli.db_cmd import database_url_option, open_db, say
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.services.template import make_template


class TemplateLang(StrEnum):
    ko = "ko"
    en = "en"
    both = "both"


def register(app: typer.Typer) -> None:
    @app.command("template")
    def template(
        city: str = typer.Option(..., "--city", help="City slug, e.g. daegu."),
        standard: str = typer.Option(..., "--standard", help="Catalogue, e.g. iso37120-2018."),
        year: int = typer.Option(..., "--year", help="Data year to fill in."),
        output: Path = typer.Option(..., "-o", "--output", help="The .xlsx file to write."),
        lang: TemplateLang = typer.Option(
            TemplateLang.both, "--lang", help="Headers and labels in ko, en or both."
        ),
        database_url: str | None = database_url_option(),
    ) -> None:
        """Write an Excel template a city official can fill in, pre-filled from the database."""
        ctx = ServiceContext(db=open_db(database_url), actor=cli_actor())
        try:
            with user_errors(ServiceError, OSError, formatter=both_messages):
                info = make_template(
                    ctx, city=city, catalog=standard, year=year, path=output, lang=lang.value
                )
        finally:
            ctx.db.dispose()
        say(
            f"wrote {info.path} for {info.cycle}: {info.rows} input rows, {info.prefilled} "
            f"stored values pre-filled, {info.last_year} values of {year - 1} for reference\n"
            f"{info.path}에 {info.cycle} 입력 서식을 만들었습니다: 입력 행 {info.rows}개, "
            f"저장된 값 {info.prefilled}건 미리 채움, {year - 1}년 참고값 {info.last_year}건"
        )
