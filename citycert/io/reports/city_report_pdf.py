"""The city report as A4 PDF: level and gap on the first page, then values and trends by theme."""

from __future__ import annotations

from citycert.io.reports.documents import CityReportDoc, ThemeSection, ValueRow
from citycert.io.reports.fonts import FontSet
from citycert.io.reports.pdf_charts import progress_bar, trend_line
from citycert.io.reports.pdf_kit import ReportPDF, output_bytes
from citycert.io.reports.style import (
    BRAND,
    CHART_NOW,
    GOOD,
    INK,
    MUTED,
    PAPER,
    RULE,
    TINT,
    Lang,
    level_colour,
    number,
    pick,
    rgb,
    tr,
)

# First-page theme chart: left edge of the bars and their width (mm); tests look here.
BARS_X, BARS_W = 98.0, 70.0
TYPE_TEXT = {
    "core": ("core", "핵심"),
    "supporting": ("supporting", "보조"),
    "profile": ("profile", "프로필"),
}


def _masthead(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    pdf.masthead(pick("City indicator report", "도시 지표 보고서", lang), doc.city)
    pdf.paragraph(
        f"{doc.standard_code} · {tr(doc.standard_title, lang)} · "
        + pick(f"data year {doc.year}", f"{doc.year}년 자료", lang),
        9.5,
    )


CARD_H = 25.0


def _card(pdf: ReportPDF, x: float, y: float, w: float, label: str, value: str, sub: str) -> None:
    pdf.set_fill_color(*TINT)
    pdf.rect(x, y, w, CARD_H, style="F", round_corners=True, corner_radius=2)
    pdf.set_xy(x + 3, y + 2.5)
    pdf.use(7, colour=MUTED)
    pdf.cell(w - 6, 4, label)
    pdf.set_xy(x + 3, y + 7.5)
    pdf.use(14, bold=True, colour=INK)
    pdf.cell(w - 6, 7, value)
    pdf.set_xy(x + 3, y + 15.5)
    pdf.use(6.5, colour=MUTED)
    pdf.multi_cell(w - 5, 3.1, sub, align="L")


def _summary(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    y = pdf.get_y() + 3
    colour = rgb(level_colour(doc.level_id))
    # The level badge.
    pdf.set_fill_color(*colour)
    pdf.ellipse(pdf.l_margin, y, 22, 22, style="F")
    name = tr(doc.level, lang, "\n") if doc.level else pick("none", "없음", lang)
    pdf.set_xy(pdf.l_margin, y + (7 if "\n" in name else 8.5))
    pdf.use(8.5, bold=True, colour=PAPER)
    pdf.multi_cell(22, 4, name, align="C")
    x, w, gap = pdf.l_margin + 26, 34.0, 3.0
    cards = [
        (
            pick("Level", "인증 등급", lang),
            doc.level.get("ko" if lang == "ko" else "en") if doc.level else "–",
            tr(doc.cycle_state, lang, "\n"),
        ),
        (
            pick("Verified", "검증 지표", lang),
            f"{doc.verified_count}/{doc.counted_total}",
            pick("core + supporting", "핵심 + 보조", lang, "\n"),
        ),
        (
            pick("Core", "핵심 지표", lang),
            f"{doc.core_verified}/{doc.core_total}",
            pick("verified / in catalogue", "검증 / 전체", lang, "\n"),
        ),
        (
            pick("Next level", "다음 등급", lang),
            doc.next_level.get("ko" if lang == "ko" else "en") if doc.next_level else "–",
            pick(
                f"{doc.missing_for_next} more to verify",
                f"{doc.missing_for_next}개 더 필요",
                lang,
                "\n",
            )
            if doc.next_level
            else pick("highest level", "최고 등급", lang, "\n"),
        ),
    ]
    for i, (label, value, sub) in enumerate(cards):
        _card(pdf, x + i * (w + gap), y, w, label, value, sub)
    pdf.set_y(y + CARD_H + 3)
    pdf.use(7.5, colour=MUTED)
    basis = pick("Counted", "반영 기준", lang) + ": " + tr(doc.basis, lang)
    if doc.certificate_id:
        basis += "  ·  " + pick("certificate", "인증서", lang) + f" {doc.certificate_id}"
    pdf.cell(0, 4, basis, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for reason in doc.reasons:
        y = pdf.get_y()
        pdf.set_fill_color(*MUTED)
        pdf.ellipse(pdf.l_margin + 1, y + 1.4, 1.1, 1.1, style="F")
        pdf.set_left_margin(pdf.l_margin + 4)
        pdf.paragraph(tr(reason, lang, " / "), 8)
        pdf.set_left_margin(pdf.l_margin - 4)


def _themes_chart(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    pdf.heading("Readiness by theme", "주제별 준비도")
    for t in doc.themes:
        y = pdf.get_y()
        pdf.use(7.5, colour=INK)
        pdf.set_x(pdf.l_margin)
        label = f"{t.number}. {t.name.get('ko' if lang == 'ko' else 'en')}"
        if lang == "both":
            label = f"{t.number}. {t.name.ko} · {t.name.en}"
        while pdf.get_string_width(label) > BARS_X - pdf.l_margin - 2 and len(label) > 8:
            label = label[:-2] + "…"
        pdf.cell(BARS_X - pdf.l_margin, 4.6, label)
        progress_bar(
            pdf,
            x=BARS_X,
            y=y + 1,
            w=BARS_W,
            h=2.8,
            value=t.verified,
            total=t.total,
            colour=CHART_NOW,
        )
        pdf.set_xy(BARS_X + BARS_W + 3, y)
        pdf.use(7.5, colour=MUTED)
        pdf.cell(20, 4.6, f"{t.verified}/{t.total}")
        pdf.set_y(y + 4.8)


def _gap(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    target = tr(doc.next_level, lang) if doc.next_level else None
    pdf.heading(
        f"To verify next for {doc.next_level.en}" if doc.next_level else "To verify next",
        f"{doc.next_level.ko} 등급을 위한 다음 검증 대상" if doc.next_level else "다음 검증 대상",
    )
    if not doc.gap:
        pdf.paragraph(
            pick("Nothing: the highest level is reached.", "없음: 최고 등급입니다.", lang)
        )
        return
    if not doc.gap_reachable:
        pdf.paragraph(
            pick(
                f"{target} cannot be reached with this catalogue.",
                f"이 지표 목록으로는 {target} 등급에 도달할 수 없습니다.",
                lang,
            ),
            8,
        )
    widths = (16.0, 110.0, 24.0, 24.0)
    heads = (
        pick("No.", "번호", lang),
        pick("Indicator", "지표", lang),
        pick("Type", "유형", lang),
        pick("Inputs", "입력값", lang),
    )
    pdf.use(7, bold=True, colour=MUTED)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 5, h)
    pdf.ln(5)
    for row in doc.gap:
        if pdf.get_y() > pdf.h - 28:
            pdf.add_page()
        pdf.use(7.5, colour=INK)
        pdf.cell(widths[0], 4.6, row.number)
        pdf.cell(widths[1], 4.6, _fit(pdf, tr(row.name, lang, " · "), widths[1] - 2))
        pdf.cell(widths[2], 4.6, pick(*TYPE_TEXT.get(row.type, (row.type, row.type)), lang, "/"))
        pdf.cell(widths[3], 4.6, f"{row.collected}/{row.total}", new_x="LMARGIN", new_y="NEXT")


def _fit(pdf: ReportPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while len(text) > 4 and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _values(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    pdf.add_page()
    years = f"{doc.years[0]}–{doc.years[-1]}" if len(doc.years) > 1 else str(doc.year)
    pdf.heading(f"Values and trends ({years})", f"지표 값과 추이 ({years})")
    _table_head(pdf, doc, lang)
    for theme in doc.themes:
        _theme_table(pdf, theme, lang)


# Columns of the value table: (x offset, width) from the left margin.
COL_NO, COL_NAME, COL_VALUE, COL_UNIT, COL_TREND, COL_OK = (
    (0.0, 12.0),
    (12.0, 82.0),
    (94.0, 22.0),
    (119.0, 28.0),
    (149.0, 16.0),
    (168.0, 6.0),
)


def _table_head(pdf: ReportPDF, doc: CityReportDoc, lang: Lang) -> None:
    y, x0 = pdf.get_y(), pdf.l_margin
    pdf.use(6.8, bold=True, colour=MUTED)
    span = f"{doc.years[0]}–{doc.years[-1]}" if len(doc.years) > 1 else str(doc.year)
    for (off, w), text, align in (
        (COL_NO, pick("No.", "번호", lang), "L"),
        (COL_NAME, pick("Indicator", "지표", lang), "L"),
        (COL_VALUE, pick("Value", "값", lang), "R"),
        (COL_UNIT, pick("Unit", "단위", lang), "L"),
        (COL_TREND, span, "L"),
    ):
        pdf.set_xy(x0 + off, y)
        pdf.cell(w, 4, text, align=align)
    pdf.set_y(y + 5)
    # Legend for the dot that marks verified rows, under the trend column.
    legend = pick("verified", "검증됨", lang, " / ")
    pdf.use(6.5, colour=MUTED)
    right = x0 + COL_OK[0] + COL_OK[1]
    pdf.set_xy(right - pdf.get_string_width(legend) - 4, y - 4.5)
    pdf.cell(pdf.get_string_width(legend) + 1, 4, legend)
    _verified_dot(pdf, right - 2.2, y - 3.1)
    pdf.set_y(y + 5)


def _verified_dot(pdf: ReportPDF, x: float, y: float) -> None:
    pdf.set_fill_color(*GOOD)
    pdf.ellipse(x, y, 1.6, 1.6, style="F")


def _theme_table(pdf: ReportPDF, theme: ThemeSection, lang: Lang) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(1.5)
    pdf.use(9, bold=True, colour=BRAND)
    pdf.cell(0, 5, f"{theme.number}. {tr(theme.name, lang)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    for row in theme.rows:
        _value_row(pdf, row, lang)


def _value_row(pdf: ReportPDF, row: ValueRow, lang: Lang) -> None:
    two = lang == "both"
    h = 8.4 if two else 5.2
    if pdf.get_y() + h > pdf.h - 22:
        pdf.add_page()
    x0, y = pdf.l_margin, pdf.get_y()
    pdf.set_xy(x0 + COL_NO[0], y)
    pdf.use(7.5, colour=INK)
    pdf.cell(COL_NO[1], 4.2, row.number)
    pdf.set_xy(x0 + COL_NAME[0], y)
    main = row.name.ko if lang != "en" else row.name.en
    pdf.cell(COL_NAME[1], 4.2, _fit(pdf, main, COL_NAME[1] - 2))
    if two:
        pdf.set_xy(x0 + COL_NAME[0], y + 3.8)
        pdf.use(6.3, colour=MUTED)
        pdf.cell(COL_NAME[1], 3.6, _fit(pdf, row.name.en, COL_NAME[1] - 2))
    pdf.set_xy(x0 + COL_VALUE[0], y)
    pdf.use(8, bold=True, colour=INK if row.status == "ok" else MUTED)
    pdf.cell(COL_VALUE[1], 4.2, number(row.value), align="R")
    pdf.set_xy(x0 + COL_UNIT[0], y)
    pdf.use(6.5, colour=MUTED)
    pdf.cell(COL_UNIT[1], 4.2, _fit(pdf, row.unit, COL_UNIT[1] - 1))
    values = [v for _, v in row.trend]
    if sum(v is not None for v in values) >= 2:
        trend_line(
            pdf,
            x=x0 + COL_TREND[0],
            y=y + 0.6,
            w=COL_TREND[1],
            h=3.4,
            values=values,
            colour=CHART_NOW,
        )
    if row.verified:
        _verified_dot(pdf, x0 + COL_OK[0] + 1, y + 1.4)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.line(x0, y + h - 0.6, pdf.w - pdf.r_margin, y + h - 0.6)
    pdf.set_y(y + h)


def render_city_report_pdf(
    doc: CityReportDoc, lang: Lang = "both", fonts: FontSet | None = None
) -> bytes:
    """The city report as PDF bytes."""
    footer = (
        f"CityCert · {doc.city.en} · {doc.standard_code} · {doc.year} · "
        f"{doc.generated_at.date().isoformat()} · {doc.portal_url}"
    )
    pdf = ReportPDF(
        title=f"{doc.city.en} {doc.standard_code} {doc.year}",
        lang=lang,
        footer_text=footer,
        fonts=fonts,
    )
    pdf.add_page()
    _masthead(pdf, doc, lang)
    _summary(pdf, doc, lang)
    _themes_chart(pdf, doc, lang)
    _gap(pdf, doc, lang)
    _values(pdf, doc, lang)
    return output_bytes(pdf)
