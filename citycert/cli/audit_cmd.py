"""`citycert audit`: verify the tamper-evident audit log, export it, show a value's history."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from citycert.cli.common import OutputFormat, console, err_console, print_json
from citycert.cli.db_cmd import database_url_option, open_db, say
from citycert.services import audit
from citycert.services.context import ServiceContext, cli_actor

app = typer.Typer(help="Audit log: verify the hash chain, export, history.", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def _ctx(database_url: str | None) -> ServiceContext:
    return ServiceContext(db=open_db(database_url), actor=cli_actor())


@app.command("verify")
def verify(database_url: str | None = database_url_option()) -> None:
    """Recompute every entry's hash; exit 1 and name the first broken entry if any."""
    ctx = _ctx(database_url)
    try:
        result = audit.verify(ctx)
    finally:
        ctx.db.dispose()
    if result.ok:
        say(
            f"audit log OK: {result.checked} entries verified "
            f"(감사 로그 정상: {result.checked}건 확인)"
        )
        if result.last_hash:
            say(
                f"newest hash: {result.last_hash} (keep it elsewhere to detect a later removal "
                "of the newest entries; 최신 해시를 별도로 보관하면 마지막 항목의 삭제도 "
                "확인할 수 있습니다)"
            )
        return
    err_console.print(
        f"[bold red]audit log BROKEN[/] at entry seq {result.first_broken_seq} "
        f"(action {result.action}, key {result.entity_key}): {result.reason}; "
        f"{result.checked} entries before it verified.\n"
        f"감사 로그 손상: {result.first_broken_seq}번 항목({result.action}, "
        f"{result.entity_key})이 변조되었거나 누락되었습니다.",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)


@app.command("export")
def export(
    format: ExportFormat = typer.Option(ExportFormat.csv, "--format", help="csv or json."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    database_url: str | None = database_url_option(),
) -> None:
    """Write the whole audit log, with its hashes, to a CSV or JSON file."""
    ctx = _ctx(database_url)
    try:
        with output.open("w", encoding="utf-8", newline="") as out:
            n = audit.write_export(ctx, fmt=format.value, out=out)
    finally:
        ctx.db.dispose()
    say(f"wrote {n} entries to {output} ({n}건 저장)")


@app.command("history")
def history(
    key_prefix: str = typer.Argument(
        ..., help="Entity key or its start, e.g. daegu/iso37120-2018/2023/5.1"
    ),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    """Every recorded change to a key and the keys under it, oldest first."""
    ctx = _ctx(database_url)
    try:
        entries = audit.history(ctx, entity_key_prefix=key_prefix)
    finally:
        ctx.db.dispose()
    if format is OutputFormat.json:
        print_json([e.as_dict() for e in entries])
        return
    table = Table("seq", "at (UTC)", "actor", "action", "key", "change", "reason")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M"),
            e.actor,
            e.action,
            e.entity_key,
            f"{_brief(e.old)} → {_brief(e.new)}",
            e.reason or "",
        )
    console.print(table)
    if not entries:
        say(f"no entries for {key_prefix!r} ({key_prefix!r}에 대한 기록이 없습니다)")


def _brief(data: object) -> str:
    if data is None:
        return "—"
    if isinstance(data, dict) and "value" in data:
        unit = data.get("unit") or ""
        return f"{data['value']} {unit}".strip()
    return str(data)
