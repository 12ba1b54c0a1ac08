"""`citycert certify --cycle`, `certificate issue/show/verify/revoke/pdf/list`, `report city`,
`report maturity` and `maturity record`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader
from typer.testing import CliRunner

from citycert.cli import app
from citycert.domain.authz import Role
from citycert.services import users
from citycert.services.context import ServiceContext
from citycert.standards.maturity import get_maturity_model
from citycert.store.engine import Database
from tests.support.certification_world import make_city, verified_cycle

runner = CliRunner()


def cli(url: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database-url", url])


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


@pytest.fixture
def world(database_url: str) -> tuple[str, int]:
    """A migrated database with Daegu's 2023 cycle verified (30 accepted) and a coordinator."""
    assert cli(database_url, "db", "upgrade").exit_code == 0
    db = Database.from_url(database_url)
    try:
        ctx = ServiceContext(db=db, actor="admin@kcert")
        make_city(ctx)
        cycle_id = verified_cycle(ctx, year=2023, report=32, accept=30)
        users.add_user(ctx, login="coord.daegu", name="coordinator")
        users.grant_role(ctx, login="coord.daegu", role=Role.city_coordinator, city="daegu")
    finally:
        db.dispose()
    return database_url, cycle_id


def test_certify_cycle_reports_the_outcome_from_the_store(world: tuple[str, int]) -> None:
    url, cycle = world

    out = cli(url, "certify", "--cycle", str(cycle), "--format", "json")

    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["basis"] == "decisions"
    assert data["outcome"]["level"] == "aspirational"
    assert data["outcome"]["verified_count"] == 30
    assert data["gap"]["target"] == "bronze"
    table = cli(url, "certify", "--cycle", str(cycle), "--lang", "ko")
    assert "검증자가 승인한 지표 기준" in table.output and "입문" in table.output


def test_a_certificate_is_issued_shown_printed_revoked_and_verified(
    world: tuple[str, int], tmp_path: Path
) -> None:
    url, cycle = world

    issued = cli(url, "certificate", "issue", "--cycle", str(cycle), "--format", "json")
    assert issued.exit_code == 0, issued.output
    cert = json.loads(issued.output)
    public_id = cert["public_id"]
    assert public_id.startswith("CC-") and public_id.endswith("-DAEGU-37120-0001")
    assert cert["verify_url"].endswith(f"/certificates/{public_id}")

    shown = json.loads(cli(url, "certificate", "show", public_id, "--format", "json").output)
    assert shown["snapshot_sha256"] == cert["snapshot_sha256"]
    assert len(shown["snapshot"]["indicators"]) == 30

    pdf = tmp_path / "certificate.pdf"
    printed = cli(url, "certificate", "pdf", public_id, "-o", str(pdf), "--lang", "both")
    assert printed.exit_code == 0, printed.output
    text = pdf_text(pdf)
    assert "대구광역시" in text and "입문" in text and "Aspirational" in text
    assert cert["snapshot_sha256"] in text

    assert cli(url, "certificate", "verify", public_id).exit_code == 0
    revoked = cli(url, "certificate", "revoke", public_id, "--reason", "figures restated")
    assert revoked.exit_code == 0, revoked.output
    check = cli(url, "certificate", "verify", public_id)
    assert check.exit_code == 1
    assert "revoked" in check.output and "figures restated" in check.output
    listed = json.loads(cli(url, "certificate", "list", "--format", "json").output)
    assert [c["public_id"] for c in listed] == [public_id]
    assert listed[0]["revoked_reason"] == "figures restated"


def test_revoking_without_a_reason_or_as_a_city_coordinator_is_refused(
    world: tuple[str, int],
) -> None:
    url, cycle = world
    public_id = json.loads(
        cli(url, "certificate", "issue", "--cycle", str(cycle), "--format", "json").output
    )["public_id"]

    assert cli(url, "certificate", "revoke", public_id).exit_code == 2
    refused = cli(url, "certificate", "revoke", public_id, "--reason", "no", "--as", "coord.daegu")
    assert refused.exit_code == 2
    assert "certify" in refused.output
    assert cli(url, "certificate", "verify", public_id).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["certificate", "issue"],
        ["certificate", "issue", "--cycle", "1", "--assessment", "1"],
        ["certificate", "pdf", "CC-2024-NOWHERE-37120-0001", "-o", "x.pdf"],
    ],
)
def test_bad_certificate_commands_exit_with_code_2(world: tuple[str, int], args: list[str]) -> None:
    url, _ = world

    out = cli(url, *args)

    assert out.exit_code == 2, out.output


def test_city_report_is_written_as_pdf_or_html_and_other_suffixes_are_refused(
    world: tuple[str, int], tmp_path: Path
) -> None:
    url, _ = world
    base = ["report", "city", "--city", "daegu", "--standard", "iso37120-2018", "--year", "2023"]

    pdf, html = tmp_path / "daegu.pdf", tmp_path / "daegu.html"
    assert cli(url, *base, "-o", str(pdf)).exit_code == 0
    assert cli(url, *base, "-o", str(html), "--lang", "en").exit_code == 0
    bad = cli(url, *base, "-o", str(tmp_path / "daegu.docx"))

    text = pdf_text(pdf)
    assert "대구광역시" in text and "주제별 준비도" in text and "Readiness by theme" in text
    assert "Daegu" in html.read_text(encoding="utf-8")
    assert bad.exit_code == 2 and ".pdf or .html" in bad.output


def test_a_maturity_assessment_is_recorded_reported_and_certified(
    world: tuple[str, int], tmp_path: Path
) -> None:
    url, _ = world
    rows = ["item,level,evidence,notes"]
    for item in get_maturity_model().items:
        level = 3 if item.id == "C03" else 4
        rows.append(f"{item.id},{level},{'council minutes' if item.id == 'A05' else ''},")
    levels = tmp_path / "assessment.csv"
    levels.write_text("\n".join(rows) + "\n", encoding="utf-8")

    recorded = cli(
        url, "maturity", "record", str(levels), "--city", "daegu", "--date", "2024-01-20",
        "--assessor", "lead auditor",
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assessment = recorded.output.split("assessment ", 1)[1].split(":", 1)[0]
    assert "level 3" in recorded.output  # mean 3.95 -> level 3

    report = tmp_path / "maturity.pdf"
    assert (
        cli(url, "report", "maturity", "--assessment", assessment, "-o", str(report)).exit_code == 0
    )
    text = pdf_text(report)
    assert "성숙함" in text and "Competent" in text and "council minutes" in text

    issued = cli(url, "certificate", "issue", "--assessment", assessment, "--format", "json")
    assert issued.exit_code == 0, issued.output
    cert = json.loads(issued.output)
    assert cert["family"] == "iso37106" and cert["level"] == "3"
    assert len(cert["surveillance_due"]) == 2


def test_recording_a_bad_assessment_file_names_the_problems(
    world: tuple[str, int], tmp_path: Path
) -> None:
    url, _ = world
    bad = tmp_path / "bad.csv"
    bad.write_text("item,level\nA01,7\nZ99,3\n", encoding="utf-8")

    out = cli(
        url, "maturity", "record", str(bad), "--city", "daegu", "--date", "2024-01-20",
        "--assessor", "x",
    )  # fmt: skip

    assert out.exit_code == 2
    assert "Z99" in out.output and "A01" in out.output
