"""`citycert certificate ...` and `citycert report ...`: issue, show, revoke and print
certificates; city and maturity reports as PDF or HTML; `certify --cycle` and `maturity record`.

Thin commands over `citycert.services.certificates`, `certification`, `city_report` and
`maturity`. They act as the operator (every right) unless `--as LOGIN` names a stored user.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import typer
from rich.table import Table

from citycert.cli.common import Lang, OutputFormat, console, fail, print_json
from citycert.cli.context import open_context
from citycert.cli.db_cmd import database_url_option, say
from citycert.io.problems import FileProblems
from citycert.io.reports.fonts import FontNotFound
from citycert.io.reports.output import ReportFormatError, write_report
from citycert.services import certificates, certification, city_report, maturity
from citycert.services.context import ServiceContext, ServiceError
from citycert.standards.catalog import UnknownCatalogError

app = typer.Typer(help="Certificates: issue, show, verify, revoke, print.", no_args_is_help=True)
report_app = typer.Typer(help="City and maturity reports as PDF or HTML.", no_args_is_help=True)

AS_USER = typer.Option(None, "--as", help="Act as this stored user (with its roles).")
OUTPUT = typer.Option(..., "-o", "--output", help="File to write: .pdf or .html.")


class ReportLang(StrEnum):
    ko = "ko"
    en = "en"
    both = "both"


LANG = typer.Option(ReportLang.both, "--lang", help="ko, en or both (Korean first).")
T = TypeVar("T")


def _run(database_url: str | None, login: str | None, call: Callable[[ServiceContext], T]) -> T:
    """Run a use case; known refusals end the command with both messages and exit code 2."""
    ctx = open_context(database_url, login)
    try:
        return call(ctx)
    except (ServiceError, FontNotFound, ReportFormatError) as exc:
        fail(f"{exc.message_en}\n{exc.message_ko}")
    except UnknownCatalogError as exc:
        fail(str(exc))
    finally:
        ctx.db.dispose()


def _summary(cert: certificates.CertificatePublic) -> dict[str, object]:
    data = cert.model_dump(mode="json", exclude={"snapshot"})
    data["verify_url"] = certificates.verify_url(cert.public_id)
    return data


def _print_certificate(cert: certificates.CertificatePublic) -> None:
    table = Table(show_header=False)
    table.add_row("certificate / 인증서", cert.public_id)
    table.add_row("level / 등급", f"{cert.level_name.ko} · {cert.level_name.en}")
    table.add_row("standard / 표준", f"{cert.standard} ({cert.rules} {cert.rules_version})")
    table.add_row("data year / 자료 연도", str(cert.data_year))
    table.add_row("issued / 발급", f"{cert.issued_on.isoformat()} by {cert.issued_by}")
    table.add_row("valid until / 유효기간", cert.valid_until.isoformat())
    if cert.surveillance_due:
        due = ", ".join(d.isoformat() for d in cert.surveillance_due)
        table.add_row("surveillance / 사후 심사", due)
    if cert.streak > 1:
        table.add_row("streak / 연속", f"{cert.streak} years at {cert.level_name.en}")
    table.add_row("snapshot SHA-256", cert.snapshot_sha256)
    if cert.revoked_at is not None:
        table.add_row(
            "REVOKED / 취소", f"{cert.revoked_at.date().isoformat()}: {cert.revoked_reason}"
        )
    table.add_row("verify / 진위 확인", certificates.verify_url(cert.public_id))
    console.print(table)


@app.command("issue")
def issue(
    cycle: int | None = typer.Option(None, "--cycle", help="A verified reporting cycle."),
    assessment: int | None = typer.Option(
        None, "--assessment", help="An ISO 37106 maturity assessment."
    ),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Issue a certificate for a verified cycle (which becomes certified) or an assessment."""
    if (cycle is None) == (assessment is None):
        fail("give either --cycle ID or --assessment ID (--cycle 또는 --assessment 중 하나)")
    if cycle is not None:
        cert = _run(database_url, as_user, lambda c: certificates.issue(c, cycle_id=cycle))
    else:
        assert assessment is not None
        cert = _run(
            database_url,
            as_user,
            lambda c: certificates.issue_for_assessment(c, assessment_id=assessment),
        )
    if format is OutputFormat.json:
        print_json(_summary(cert))
        return
    say(f"issued {cert.public_id} (인증서를 발급했습니다)")
    _print_certificate(cert)


@app.command("show")
def show(
    public_id: str = typer.Argument(..., help="Certificate id, e.g. CC-2024-DAEGU-37120-0001."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    """A certificate with its frozen snapshot (JSON) or a summary table."""
    cert = _run(database_url, None, lambda c: certificates.show(c, public_id=public_id))
    if format is OutputFormat.json:
        data = _summary(cert)
        data["snapshot"] = cert.snapshot
        print_json(data)
        return
    _print_certificate(cert)


@app.command("verify")
def verify(
    public_id: str = typer.Argument(..., help="Certificate id."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    """What the public verification page shows; exit 1 unless the certificate is valid."""
    view = _run(database_url, None, lambda c: certificates.verify(c, public_id=public_id))
    if format is OutputFormat.json:
        print_json(view.model_dump(mode="json"))
    else:
        say(f"{view.public_id}: {view.status.value} — {view.status_text.en}")
        say(f"{view.public_id}: {view.status_text.ko}")
        say(f"{view.city.ko} · {view.level_name.ko} ({view.city.en}, {view.level_name.en})")
        say(f"snapshot SHA-256 {view.snapshot_sha256} ({'intact' if view.hash_ok else 'ALTERED'})")
    if view.status is not certificates.Status.valid:
        raise typer.Exit(1)


@app.command("revoke")
def revoke(
    public_id: str = typer.Argument(..., help="Certificate id."),
    reason: str = typer.Option(..., "--reason", help="Why the certificate is withdrawn."),
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """Withdraw a certificate; it then verifies as revoked."""
    cert = _run(
        database_url,
        as_user,
        lambda c: certificates.revoke(c, public_id=public_id, reason=reason),
    )
    say(f"revoked {cert.public_id} (인증서를 취소했습니다): {cert.revoked_reason}")


@app.command("list")
def list_(
    city: str | None = typer.Option(None, "--city", help="Only this city (slug)."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    """Certificates, newest first."""
    found = _run(database_url, None, lambda c: certificates.list_certificates(c, city=city))
    if format is OutputFormat.json:
        print_json([_summary(c) for c in found])
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    for name in ("city", "standard", "year", "level", "valid until", "status"):
        table.add_column(name)
    for c in found:
        status = "revoked" if c.revoked_at else "issued"
        table.add_row(
            c.public_id,
            c.city_slug,
            c.standard,
            str(c.data_year),
            c.level_name.en,
            c.valid_until.isoformat(),
            status,
        )
    console.print(table)


@app.command("pdf")
def pdf(
    public_id: str = typer.Argument(..., help="Certificate id."),
    output: Path = OUTPUT,
    lang: ReportLang = LANG,
    database_url: str | None = database_url_option(),
) -> None:
    """Print the certificate (level, dates, QR code, snapshot hash) to a PDF or HTML file."""

    def render(c: ServiceContext) -> int:
        doc = certificates.document(certificates.verify(c, public_id=public_id))
        return write_report(doc, output, lang.value)

    size = _run(database_url, None, render)
    say(f"wrote {output} ({size:,} bytes; 파일을 저장했습니다)")


@report_app.command("city")
def city_cmd(
    city: str = typer.Option(..., "--city", help="City slug, e.g. daegu."),
    standard: str = typer.Option(..., "--standard", help="Catalogue key, e.g. iso37120-2018."),
    year: int = typer.Option(..., "--year", help="Data year."),
    output: Path = OUTPUT,
    lang: ReportLang = LANG,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """A city's level, gap to the next level, values and trends under one standard."""

    def render(c: ServiceContext) -> int:
        doc = city_report.city_report(c, city=city, standard=standard, year=year)
        return write_report(doc, output, lang.value)

    size = _run(database_url, as_user, render)
    say(f"wrote {output} ({size:,} bytes; 보고서를 저장했습니다)")


@report_app.command("maturity")
def maturity_cmd(
    assessment: int = typer.Option(..., "--assessment", help="Maturity assessment id."),
    output: Path = OUTPUT,
    lang: ReportLang = LANG,
    as_user: str | None = AS_USER,
    database_url: str | None = database_url_option(),
) -> None:
    """An ISO 37106 assessment: award, radar charts of areas and items, plan to the next level."""

    def render(c: ServiceContext) -> int:
        return write_report(maturity.report(c, assessment_id=assessment), output, lang.value)

    size = _run(database_url, as_user, render)
    say(f"wrote {output} ({size:,} bytes; 보고서를 저장했습니다)")


def certify_cycle(
    cycle: int, target: str | None, format: OutputFormat, lang: Lang, database_url: str | None
) -> None:
    """`citycert certify --cycle ID`: the outcome of a stored cycle and its gap plan."""
    result = _run(
        database_url, None, lambda c: certification.certify_cycle(c, cycle_id=cycle, target=target)
    )
    if format is OutputFormat.json:
        print_json(result.as_dict())
        return
    from citycert.cli.certify_cmd import render_table

    basis = certification.BASIS_TEXT[result.basis]
    say(f"cycle {cycle}: {result.cycle.key} ({result.cycle.state.value})")
    say(("반영 기준: " if lang is Lang.ko else "counted: ") + basis.get(lang.value))
    render_table(result.outcome, result.gap, lang)
    projected = result.projected.level
    if projected is not None and projected != result.outcome.level:
        name = projected.name.get(lang.value)
        say(
            f"정상 산출된 지표가 모두 검증되면: {name}"
            if lang is Lang.ko
            else f"if every cleanly computed indicator were verified: {name}"
        )


def _item_texts(path: Path) -> dict[str, tuple[str | None, str | None]]:
    """Optional `evidence` and `notes` columns of an assessment CSV, by item."""
    reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    out = {}
    for row in reader:
        norm = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        item = norm.get("item", "").upper()
        if item:
            out[item] = (norm.get("evidence") or None, norm.get("notes") or None)
    return out


def register_maturity(maturity_app: typer.Typer) -> None:
    """Add `citycert maturity record` to the maturity command group."""

    @maturity_app.command("record")
    def record(
        file: Path = typer.Argument(
            ..., help="CSV with item,level and optional evidence,notes columns."
        ),
        city: str = typer.Option(..., "--city", help="City slug."),
        assessed_on: str = typer.Option(..., "--date", help="Assessment date, YYYY-MM-DD."),
        assessor: str = typer.Option(..., "--assessor", help="Who assessed."),
        target: int | None = typer.Option(None, "--target", help="Target level."),
        notes: str | None = typer.Option(None, "--notes", help="Overall remarks."),
        as_user: str | None = AS_USER,
        database_url: str | None = database_url_option(),
    ) -> None:
        """Store an ISO 37106 assessment; prints its id for `report maturity --assessment`."""
        from citycert.cli.maturity_cmd import read_levels_csv
        from citycert.standards.maturity import get_maturity_model

        try:
            day = date.fromisoformat(assessed_on)
        except ValueError:
            fail(f"--date {assessed_on!r}: use YYYY-MM-DD (날짜 형식: YYYY-MM-DD)")
        try:
            levels = read_levels_csv(file, get_maturity_model())
        except FileProblems as exc:
            fail(
                "\n".join(f"{p.location()}: {p.message_en} / {p.message_ko}" for p in exc.problems)
            )
        texts = _item_texts(file)
        items = [maturity.ItemEntry(k, v, *texts.get(k, (None, None))) for k, v in levels.items()]
        saved = _run(
            database_url,
            as_user,
            lambda c: maturity.record(
                c,
                city=city,
                assessed_on=day,
                assessor=assessor,
                items=items,
                target_level=target,
                notes=notes,
            ),
        )
        level = saved.current_level if saved.current_level is not None else "-"
        say(
            f"recorded assessment {saved.id}: level {level}, mean {saved.mean:.2f} "
            f"(평가 {saved.id}번을 저장했습니다)"
        )
