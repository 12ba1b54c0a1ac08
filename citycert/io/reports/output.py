"""Render any report document to PDF or HTML, chosen by the file name's suffix."""

from __future__ import annotations

from pathlib import Path

from citycert.io.reports.documents import CertificateDoc, CityReportDoc, MaturityReportDoc
from citycert.io.reports.style import LANGS, Lang

Document = CertificateDoc | CityReportDoc | MaturityReportDoc
FORMATS = ("pdf", "html")


class ReportFormatError(ValueError):
    """The output file name or language is not one the reports support (English and Korean)."""

    def __init__(self, en: str, ko: str) -> None:
        self.message_en = en
        self.message_ko = ko
        super().__init__(en)


def format_of(path: Path) -> str:
    """`pdf` or `html` from the file name; ReportFormatError for anything else."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise ReportFormatError(
            f"{path.name}: write the report to a .pdf or .html file",
            f"{path.name}: 보고서 파일 이름은 .pdf 또는 .html로 끝나야 합니다",
        )
    return suffix


def render_report(doc: Document, fmt: str, lang: Lang = "both") -> bytes:
    """The document rendered as PDF or HTML (UTF-8) bytes."""
    if lang not in LANGS:
        raise ReportFormatError(
            f"language {lang!r}: use ko, en or both", f"언어 {lang!r}: ko, en, both 중 하나"
        )
    if fmt == "html":
        from citycert.io.reports import html

        if isinstance(doc, CertificateDoc):
            return html.render_certificate_html(doc, lang).encode("utf-8")
        if isinstance(doc, CityReportDoc):
            return html.render_city_report_html(doc, lang).encode("utf-8")
        return html.render_maturity_report_html(doc, lang).encode("utf-8")
    if fmt != "pdf":
        raise ReportFormatError(f"format {fmt!r}: use pdf or html", f"형식 {fmt!r}: pdf 또는 html")
    if isinstance(doc, CertificateDoc):
        from citycert.io.reports.certificate_pdf import render_certificate_pdf

        return render_certificate_pdf(doc, lang)
    if isinstance(doc, CityReportDoc):
        from citycert.io.reports.city_report_pdf import render_city_report_pdf

        return render_city_report_pdf(doc, lang)
    from citycert.io.reports.maturity_report_pdf import render_maturity_report_pdf

    return render_maturity_report_pdf(doc, lang)


def write_report(doc: Document, path: Path, lang: Lang = "both") -> int:
    """Render to `path` (format from its suffix); returns the number of bytes written."""
    data = render_report(doc, format_of(path), lang)
    path.write_bytes(data)
    return len(data)
