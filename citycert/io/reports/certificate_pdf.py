"""The certificate as a one-page A4 landscape PDF: city, level badge, dates, QR code, hash."""

from __future__ import annotations

import io

from citycert.io.reports.certificate_wording import WATERMARKS, statement, title, year_label
from citycert.io.reports.documents import CertificateDoc
from citycert.io.reports.fonts import FontSet
from citycert.io.reports.pdf_kit import DISPLAY, ReportPDF, output_bytes
from citycert.io.reports.qr import qr_png
from citycert.io.reports.style import (
    BAD,
    BRAND,
    INK,
    MUTED,
    PAPER,
    RULE,
    Lang,
    day,
    level_colour,
    pick,
    rgb,
    tr,
)

# Where the QR code sits on the page (mm): tests read it back from here.
QR_BOX = (236.0, 113.0, 38.0)  # x, y, side
PAGE_W, PAGE_H = 297.0, 210.0


def _frame(pdf: ReportPDF, colour: str) -> None:
    c = rgb(colour)
    pdf.set_draw_color(*c)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)
    # Corner marks: a quiet ornament in the level colour.
    pdf.set_fill_color(*c)
    for x, y in ((11, 11), (PAGE_W - 11, 11), (11, PAGE_H - 11), (PAGE_W - 11, PAGE_H - 11)):
        d = 2.4
        pdf.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], style="F")


def _header(pdf: ReportPDF, doc: CertificateDoc, lang: Lang) -> None:
    pdf.set_xy(20, 17)
    pdf.use(12, bold=True, colour=BRAND)
    pdf.cell(40, 6, "CityCert")
    pdf.set_xy(20, 23)
    pdf.use(7, colour=MUTED)
    pdf.cell(80, 4, pick("Smart-city certification", "스마트시티 인증", lang))
    pdf.set_xy(PAGE_W - 120, 17)
    pdf.use(8, colour=MUTED)
    pdf.cell(100, 6, pick("Certificate No.", "인증번호", lang), align="R")
    pdf.set_xy(PAGE_W - 120, 22)
    pdf.use(10, bold=True, colour=INK)
    pdf.cell(100, 5, doc.public_id, align="R")


def _centre(pdf: ReportPDF, doc: CertificateDoc, lang: Lang, colour: str) -> None:
    en, ko = title(doc.family)
    # One language leaves room: start lower so the block sits in the middle of the space.
    pdf.set_y(32 if lang == "both" else 42)
    if lang in ("ko", "both"):
        pdf.line_of(ko, 26, family=DISPLAY, align="C", height=12)
    if lang in ("en", "both"):
        pdf.line_of(en.upper(), 11 if lang == "both" else 22, colour=MUTED, align="C", height=7)
    pdf.ln(1)
    pdf.line_of(f"{doc.standard_code} · {tr(doc.standard_title, lang)}", 9, colour=MUTED, align="C")
    # A short rule in the level colour under the title block.
    y = pdf.get_y() + 2
    pdf.set_draw_color(*rgb(colour))
    pdf.set_line_width(0.8)
    pdf.line(PAGE_W / 2 - 20, y, PAGE_W / 2 + 20, y)
    pdf.set_y(y + 5)
    if lang in ("ko", "both"):
        pdf.line_of(doc.city.ko, 30, family=DISPLAY, align="C", height=14)
    if lang in ("en", "both"):
        size = 15 if lang == "both" else 30
        pdf.line_of(f"{doc.city.en}, {doc.country}", size, colour=INK, align="C", height=8)
    pdf.ln(3)
    for text in statement(doc, lang):
        pdf.set_x(40)
        pdf.use(9.5, colour=INK)
        pdf.multi_cell(PAGE_W - 80, 5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _badge(pdf: ReportPDF, doc: CertificateDoc, lang: Lang, colour: str) -> None:
    cx, cy, r = 54.0, 135.0, 22.0
    c = rgb(colour)
    pdf.set_fill_color(*c)
    pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="F")
    pdf.set_draw_color(*PAPER)
    pdf.set_line_width(0.6)
    pdf.ellipse(cx - r + 2.2, cy - r + 2.2, 2 * r - 4.4, 2 * r - 4.4, style="D")
    lines = [(doc.level.ko, 15.0, True), (doc.level.en, 9.0, False)]
    if lang == "en":
        lines = [(doc.level.en, 14.0, True)]
    elif lang == "ko":
        lines = [(doc.level.ko, 15.0, True)]
    total = sum(size * 0.45 for _, size, _ in lines)
    y = cy - total / 2
    for text, size, bold in lines:
        pdf.use(size, bold=bold, colour=PAPER)
        while pdf.get_string_width(text) > 2 * r - 8 and size > 6:
            size -= 0.5
            pdf.use(size, bold=bold, colour=PAPER)
        pdf.set_xy(cx - r, y)
        pdf.cell(2 * r, size * 0.45, text, align="C")
        y += size * 0.45
    caption = pick("Level", "인증 등급", lang)
    pdf.set_xy(cx - 30, cy + r + 2)
    pdf.use(7.5, colour=MUTED)
    pdf.cell(60, 4, caption, align="C")
    if doc.notes:
        pdf.set_xy(cx - 32, cy + r + 6.5)
        pdf.use(7.5, bold=True, colour=c)
        pdf.multi_cell(64, 3.6, tr(doc.notes[0], lang, "\n"), align="C")


def _details(pdf: ReportPDF, doc: CertificateDoc, lang: Lang) -> None:
    rows: list[tuple[str, str]] = []
    if doc.summary is not None:
        rows.append((pick("Scope", "인증 범위", lang), tr(doc.summary, lang, "\n")))
    rows += [
        (pick(*year_label(doc.family), lang), str(doc.data_year)),
        (pick("Issued on", "발급일", lang), day(doc.issued_on, lang)),
        (pick("Valid until", "유효기간", lang), day(doc.valid_until, lang)),
    ]
    if doc.surveillance_due:
        due = ", ".join(day(d, lang) for d in doc.surveillance_due)
        rows.append((pick("Surveillance", "사후 심사", lang), due))
    rows.append((pick("Issued by", "발급자", lang), doc.issued_by))
    x, y, label_w, value_w = 96.0, 115.0, 36.0, 96.0
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    for label, value in rows:
        pdf.set_xy(x, y)
        pdf.use(7.5, colour=MUTED)
        pdf.cell(label_w, 5, label)
        pdf.set_xy(x + label_w, y)
        pdf.use(8.5, bold=True, colour=INK)
        before = pdf.get_y()
        pdf.multi_cell(value_w, 4.2, value, new_x="LMARGIN", new_y="NEXT")
        y = max(pdf.get_y(), before + 5) + 1.2
        pdf.line(x, y - 0.6, x + label_w + value_w, y - 0.6)


def _qr(pdf: ReportPDF, doc: CertificateDoc, lang: Lang) -> None:
    x, y, side = QR_BOX
    pdf.image(io.BytesIO(qr_png(doc.verify_url)), x=x, y=y, w=side, h=side)
    pdf.set_xy(x - 6, y + side + 0.5)
    pdf.use(7, colour=MUTED)
    pdf.multi_cell(
        side + 12, 3.3, pick("Scan to verify", "QR 코드로 진위 확인", lang, "\n"), align="C"
    )


def _footer(pdf: ReportPDF, doc: CertificateDoc, lang: Lang) -> None:
    y = 180.0
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.line(20, y, PAGE_W - 20, y)
    pdf.set_xy(20, y + 1.5)
    pdf.use(6.8, colour=MUTED)
    pdf.cell(60, 4, pick("Snapshot hash (SHA-256)", "인증 자료 해시(SHA-256)", lang))
    pdf.set_font("Courier", "", 7.5)
    pdf.set_text_color(*INK)
    pdf.cell(0, 4, doc.snapshot_sha256)
    pdf.set_xy(20, y + 6)
    pdf.use(6.8, colour=MUTED)
    pdf.cell(60, 4, pick("Verify at", "진위 확인", lang))
    pdf.use(7.5, colour=BRAND)
    pdf.cell(0, 4, doc.verify_url, link=doc.verify_url)
    pdf.set_xy(20, y + 11)
    pdf.use(6.3, colour=MUTED)
    pdf.cell(
        0,
        4,
        pick(
            "The hash is computed over the frozen record of what was certified; "
            "the verification page recomputes it.",
            "해시는 인증 당시 고정된 인증 자료로 계산되며, 진위 확인 페이지에서 다시 계산하여 "
            "대조합니다.",
            lang,
            " / ",
        ),
    )


def _watermark(pdf: ReportPDF, doc: CertificateDoc, lang: Lang) -> None:
    if doc.status == "valid":
        return
    words = WATERMARKS.get(doc.status, WATERMARKS["tampered"])
    with pdf.rotation(25, PAGE_W / 2, PAGE_H / 2), pdf.faded(0.18):
        pdf.use(64, bold=True, colour=BAD)
        text = pick(*words, lang, " ")
        pdf.text(PAGE_W / 2 - pdf.get_string_width(text) / 2, PAGE_H / 2 + 10, text)
    if doc.revoked_reason:
        pdf.set_xy(20, 30)
        pdf.use(8, bold=True, colour=BAD)
        when = day(doc.revoked_on, lang) if doc.revoked_on else ""
        pdf.cell(0, 4, pick("Revoked", "취소", lang) + f" {when}: {doc.revoked_reason}")


def render_certificate_pdf(
    doc: CertificateDoc, lang: Lang = "both", fonts: FontSet | None = None
) -> bytes:
    """The certificate as PDF bytes, in Korean, English or both."""
    pdf = ReportPDF(
        title=f"{doc.public_id} {doc.city.en} {doc.level.en}",
        lang=lang,
        landscape=True,
        fonts=fonts,
    )
    pdf.set_auto_page_break(False)
    pdf.add_page()
    colour = level_colour(doc.level_id)
    _frame(pdf, colour)
    _header(pdf, doc, lang)
    _centre(pdf, doc, lang, colour)
    _badge(pdf, doc, lang, colour)
    _details(pdf, doc, lang)
    _qr(pdf, doc, lang)
    _footer(pdf, doc, lang)
    _watermark(pdf, doc, lang)
    return output_bytes(pdf)
