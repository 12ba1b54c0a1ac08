"""Reports: Korean and English text in the PDFs, QR code and hash on the certificate, charts
drawn on the page, HTML twins, font lookup."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from citycert.io.reports import certificate_pdf, city_report_pdf, maturity_report_pdf
from citycert.io.reports.documents import (
    AreaScore,
    CertificateDoc,
    CityReportDoc,
    GapRow,
    ItemScore,
    MaturityReportDoc,
    PlanRow,
    ThemeSection,
    ValueRow,
)
from citycert.io.reports.fonts import FontNotFound, find_fonts
from citycert.io.reports.output import ReportFormatError, render_report, write_report
from citycert.io.reports.qr import QR_BORDER, qr_matrix
from citycert.io.reports.style import CHART_NOW, rgb
from citycert.services import certificates
from citycert.services.context import ServiceContext
from citycert.standards.maturity import get_maturity_model
from citycert.standards.models import Text
from tests.support.certification_world import make_city, verified_cycle

HASH = "358c70ade2065808bc49905b6564775fc5ec1749efd7665a32d78c8675b6b5f4"
URL = "http://127.0.0.1:8000/certificates/CC-2024-DAEGU-37120-0001"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed"
)


def certificate(**changes: object) -> CertificateDoc:
    fields: dict[str, object] = {
        "public_id": "CC-2024-DAEGU-37120-0001",
        "city": Text(en="Daegu", ko="대구광역시"),
        "country": "KR",
        "standard_code": "ISO 37120:2018",
        "standard_title": Text(
            en="Indicators for city services and quality of life (2018)",
            ko="도시 서비스 및 삶의 질 지표 (2018)",
        ),
        "family": "iso37120",
        "data_year": 2023,
        "level_id": "gold",
        "level": Text(en="Gold", ko="골드"),
        "summary": Text(
            en="88 of 104 indicators verified (47 of 47 core)",
            ko="검증 지표 88개/104개 (핵심 지표 47개/47개)",
        ),
        "streak": 2,
        "issued_on": date(2024, 3, 1),
        "valid_until": date(2025, 2, 28),
        "surveillance_due": (),
        "snapshot_sha256": HASH,
        "verify_url": URL,
        "issued_by": "admin@kcert",
        "status": "valid",
        "notes": (Text(en="2nd consecutive year at Gold", ko="2년 연속 골드"),),
    }
    fields.update(changes)
    return CertificateDoc(**fields)  # type: ignore[arg-type]


def maturity_doc(with_previous: bool = True) -> MaturityReportDoc:
    model = get_maturity_model()
    levels = {i.id: 4 for i in model.items} | {"C03": 3, "A05": 5, "B01": 5}
    return MaturityReportDoc(
        assessment_id=2,
        city=Text(en="Daegu", ko="대구광역시"),
        assessed_on=date(2023, 1, 20),
        assessor="lead auditor Kim",
        model_label=model.label,
        model_version=model.version,
        level=4,
        indicative_level=4,
        mean=sum(levels.values()) / len(levels),
        eligible=True,
        target_level=5,
        level_names={n: lv.name for n, lv in model.levels.items()},
        lowest=1,
        highest=5,
        gate=3,
        areas=tuple(
            AreaScore(code, area.name, 4.0, 3.0 if with_previous else None)
            for code, area in model.areas.items()
        ),
        items=tuple(
            ItemScore(
                i.id,
                i.area,
                i.name,
                levels[i.id],
                3 if with_previous else None,
                "council minutes" if i.id == "A05" else None,
                None,
            )
            for i in model.items
        ),
        plan=(PlanRow("C03", model.items[0].name, 3, 5),),
        notes=(Text(en=model.label.en, ko=model.label.ko),),
        previous_assessed_on=date(2020, 1, 15) if with_previous else None,
        generated_at=datetime(2024, 3, 1, tzinfo=UTC),
    )


def city_doc() -> CityReportDoc:
    rows = (
        ValueRow("5.1", Text(en="Unemployment rate", ko="실업률"), "core", "%", 4.1, "ok", True,
                 ((2021, 4.6), (2022, 4.4), (2023, 4.1))),
        ValueRow("5.2", Text(en="Youth unemployment rate", ko="청년 실업률"), "core", "%", None,
                 "missing_input", False, ((2021, None), (2022, 8.0), (2023, None))),
    )  # fmt: skip
    return CityReportDoc(
        city=Text(en="Daegu", ko="대구광역시"),
        country="KR",
        population=2_374_960,
        standard_code="ISO 37120:2018",
        standard_title=Text(en="Indicators for city services", ko="도시 서비스 지표"),
        year=2023,
        cycle_state=Text(en="certified", ko="인증됨"),
        basis=Text(en="indicators accepted by the verifier", ko="검증자가 승인한 지표 기준"),
        level_id="gold",
        level=Text(en="Gold", ko="골드"),
        next_level=Text(en="Platinum", ko="플래티넘"),
        missing_for_next=2,
        verified_count=88,
        counted_total=104,
        core_verified=47,
        core_total=47,
        reasons=(Text(en="88 of 104 indicators verified", ko="검증된 지표 88개/104개"),),
        gap=(GapRow("5.2", Text(en="Youth unemployment rate", ko="청년 실업률"), "core", 1, 2,
                    False),),
        gap_reachable=True,
        themes=(ThemeSection(5, Text(en="Economy", ko="경제"), 1, 2, rows),),
        years=(2021, 2022, 2023),
        portal_url="http://127.0.0.1:8000/cities/daegu",
        generated_at=datetime(2024, 3, 1, tzinfo=UTC),
        certificate_id="CC-2024-DAEGU-37120-0001",
    )  # fmt: skip


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def page_png(data: bytes, tmp_path: Path, dpi: int, page: int = 1) -> Image.Image:
    """Page `page` rendered by poppler, as an RGB image."""
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf),
         str(tmp_path / "page")],
        check=True,
        timeout=60,
    )  # fmt: skip
    found = sorted(tmp_path.glob("page*.png"))
    return Image.open(found[0]).convert("RGB")


def count_near(
    img: Image.Image,
    box_mm: tuple[float, float, float, float],
    dpi: int,
    colour: tuple[int, int, int],
    tolerance: int = 40,
) -> int:
    """Pixels within `tolerance` of `colour` inside the box (x, y, w, h in mm)."""
    scale = dpi / 25.4
    x, y, w, h = (round(v * scale) for v in box_mm)
    raw = img.crop((x, y, x + w, y + h)).tobytes()
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return sum(
        1 for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, colour, strict=True))
    )


# --- certificate ------------------------------------------------------------------------------


def test_bilingual_certificate_carries_korean_and_english_text() -> None:
    text = pdf_text(certificate_pdf.render_certificate_pdf(certificate(), "both"))

    for expected in [
        "대구광역시", "Daegu", "골드", "Gold", "도시 지표 인증서", "CERTIFICATE OF CITY INDICATORS",
        "인증번호", "Certificate No.", "CC-2024-DAEGU-37120-0001", "유효기간", "Valid until",
        "2025-02-28", "2년 연속 골드", "2nd consecutive year at Gold", HASH, URL,
    ]:  # fmt: skip
        assert expected in text, expected


@pytest.mark.parametrize(
    ("lang", "present", "absent"),
    [
        (
            "ko",
            ["대구광역시", "골드", "도시 지표 인증서", "2025년 2월 28일"],
            ["Gold", "Valid until"],
        ),
        ("en", ["Daegu, KR", "Gold", "CERTIFICATE OF CITY INDICATORS"], ["대구광역시", "골드"]),
    ],
)
def test_single_language_certificates_hold_only_that_language(
    lang: str, present: list[str], absent: list[str]
) -> None:
    text = pdf_text(certificate_pdf.render_certificate_pdf(certificate(), lang))  # type: ignore[arg-type]

    assert all(p in text for p in present), text
    assert not any(a in text for a in absent), text


def test_the_certificate_qr_code_encodes_the_verification_address() -> None:
    data = certificate_pdf.render_certificate_pdf(certificate())
    images = PdfReader(io.BytesIO(data)).pages[0].images
    assert len(images) == 1
    img = images[0].image
    assert img is not None
    gray = img.convert("L")
    expected = qr_matrix(URL)
    modules = len(expected) + 2 * QR_BORDER
    scale = gray.width / modules
    read = tuple(
        tuple(
            gray.getpixel((int((QR_BORDER + c + 0.5) * scale), int((QR_BORDER + r + 0.5) * scale)))
            < 128
            for c in range(len(expected))
        )
        for r in range(len(expected))
    )

    assert read == expected
    assert read != qr_matrix(URL.replace("0001", "0002"))


def test_a_revoked_certificate_says_so_on_the_page() -> None:
    doc = certificate(status="revoked", revoked_on=date(2024, 5, 1), revoked_reason="restated")

    text = pdf_text(certificate_pdf.render_certificate_pdf(doc, "both"))

    assert "REVOKED" in text and "취소됨" in text and "restated" in text


def test_certificate_pdf_hash_and_level_match_the_public_verification(
    context_for: Callable[[str], ServiceContext],
) -> None:
    admin = context_for("admin@kcert")
    make_city(admin)
    cert = certificates.issue(admin, cycle_id=verified_cycle(admin, report=30, accept=30))

    view = certificates.verify(admin, public_id=cert.public_id)
    text = pdf_text(render_report(certificates.document(view), "pdf", "both"))

    printed = re.findall(r"\b[0-9a-f]{64}\b", text)
    assert printed == [view.snapshot_sha256] == [cert.snapshot_sha256]
    assert view.level_name.ko in text and view.level_name.en in text  # 입문, Aspirational
    assert view.verify_url in text and view.public_id in text


# --- charts on rendered pages ------------------------------------------------------------------


@needs_poppler
def test_the_maturity_report_draws_both_radar_charts(tmp_path: Path) -> None:
    data = maturity_report_pdf.render_maturity_report_pdf(maturity_doc(), "both")
    dpi = 60
    img = page_png(data, tmp_path, dpi)
    teal = rgb(CHART_NOW)

    for cx, cy, r in (maturity_report_pdf.AREA_RADAR, maturity_report_pdf.ITEM_RADAR):
        inside = count_near(img, (cx - r, cy - r, 2 * r, 2 * r), dpi, teal)
        assert inside > 60, (cx, cy, inside)
    # The colour belongs to the charts: the title area under the masthead holds none of it.
    assert count_near(img, (0, 12, 210, 30), dpi, teal) == 0


def test_the_maturity_report_names_areas_items_and_levels_in_both_languages() -> None:
    text = pdf_text(maturity_report_pdf.render_maturity_report_pdf(maturity_doc(), "both"))

    for expected in [
        "대구광역시", "영역별·항목별 수준", "Areas and items", "4수준", "Level 4",
        "앞서나감", "Progressive", "도시 비전", "City vision", "평가 항목", "Assessed items",
        "council minutes", "C03",
    ]:  # fmt: skip
        assert expected in text, expected


@needs_poppler
def test_the_city_report_draws_the_theme_bars(tmp_path: Path) -> None:
    data = city_report_pdf.render_city_report_pdf(city_doc(), "both")
    dpi = 60
    img = page_png(data, tmp_path, dpi)

    bars = count_near(img, (city_report_pdf.BARS_X, 0, city_report_pdf.BARS_W, 297), dpi,
                      rgb(CHART_NOW))  # fmt: skip
    assert bars > 40
    text = pdf_text(data)
    for expected in [
        "대구광역시", "골드", "Gold", "주제별 준비도", "Readiness by theme", "실업률",
        "Unemployment rate", "4.1", "플래티넘", "Platinum",
    ]:  # fmt: skip
        assert expected in text, expected


# --- HTML and files ----------------------------------------------------------------------------


def test_html_versions_carry_the_same_facts_and_inline_charts() -> None:
    cert = render_report(certificate(), "html", "both").decode("utf-8")
    assert "대구광역시" in cert and HASH in cert and "<svg" in cert and 'lang="ko"' in cert

    mat = render_report(maturity_doc(), "html", "both").decode("utf-8")
    assert mat.count('class="radar"') == 2
    assert mat.count('class="series"') == 4  # this assessment and the previous, on each chart
    assert "앞서나감" in mat and "Progressive" in mat

    city = render_report(city_doc(), "html", "en").decode("utf-8")
    assert "Unemployment rate" in city and "실업률" not in city and 'lang="en"' in city


def test_write_report_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    pdf, html = tmp_path / "c.pdf", tmp_path / "c.html"

    write_report(certificate(), pdf)
    write_report(certificate(), html)

    assert pdf.read_bytes().startswith(b"%PDF")
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    with pytest.raises(ReportFormatError) as err:
        write_report(certificate(), tmp_path / "c.docx")
    assert ".pdf" in err.value.message_en and ".pdf" in err.value.message_ko
    assert not (tmp_path / "c.docx").exists()


# --- fonts -------------------------------------------------------------------------------------


def test_the_font_setting_overrides_the_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    found = find_fonts()
    monkeypatch.setenv("CITYCERT_PDF_FONT", str(found.regular))

    chosen = find_fonts()

    assert chosen.regular == found.regular
    assert chosen.bold.is_file()


@pytest.mark.parametrize("setting", ["/nowhere/NanumGothic.ttf", "/etc/hostname"])
def test_a_bad_font_setting_fails_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("CITYCERT_PDF_FONT", setting)

    with pytest.raises(FontNotFound) as err:
        find_fonts()

    assert "fonts-nanum" in err.value.message_en and "fonts-nanum" in err.value.message_ko
    assert setting in err.value.message_en


def test_no_korean_font_anywhere_fails_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match
    monkeypatch.setattr("citycert.io.reports.fonts.KNOWN_DIRS", (tmp_path,))

    with pytest.raises(FontNotFound) as err:
        certificate_pdf.render_certificate_pdf(certificate())

    assert "apt-get install fonts-nanum" in str(err.value)
