"""The ISO 37106 maturity report as A4 PDF: award, radar charts of the 4 areas and 22 items,
the item table with evidence, and the plan to the next level."""

from __future__ import annotations

from citycert.io.reports.charts import Series
from citycert.io.reports.documents import MaturityReportDoc
from citycert.io.reports.fonts import FontSet
from citycert.io.reports.pdf_charts import radar
from citycert.io.reports.pdf_kit import ReportPDF, output_bytes
from citycert.io.reports.style import (
    BAD,
    BRAND,
    CHART_BEFORE,
    CHART_NOW,
    GOOD,
    INK,
    MUTED,
    PAPER,
    RULE,
    TINT,
    Lang,
    day,
    level_colour,
    pick,
    rgb,
    tr,
)

# Radar charts on page 1 (centre x, centre y, radius, in mm); tests look for them here.
AREA_RADAR = (62.0, 138.0, 22.0)
ITEM_RADAR = (152.0, 138.0, 32.0)


def _masthead(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    title = pick(
        "ISO 37106 smart city maturity assessment", "ISO 37106 스마트시티 성숙도 평가", lang
    )
    pdf.masthead(title, doc.city)
    facts = [
        (pick("assessed on", "평가일", lang, " / "), day(doc.assessed_on, lang)),
        (pick("assessor", "평가자", lang, " / "), doc.assessor),
        (pick("model", "모델", lang, " / "), doc.model_version),
    ]
    if doc.previous_assessed_on:
        facts.append(
            (pick("compared with", "비교 대상", lang, " / "), day(doc.previous_assessed_on, lang))
        )
    pdf.paragraph("   ·   ".join(f"{label}: {value}" for label, value in facts), 9)
    pdf.paragraph(tr(doc.model_label, lang, " / "), 7, MUTED)


def _award(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    y = pdf.get_y() + 3
    x = pdf.l_margin
    level = str(doc.level) if doc.level is not None else None
    colour = rgb(level_colour(level)) if level else BAD
    pdf.set_fill_color(*colour)
    pdf.rect(x, y, 60, 26, style="F", round_corners=True, corner_radius=2.5)
    pdf.set_xy(x + 4, y + 3)
    pdf.use(7.5, colour=PAPER)
    pdf.cell(52, 4, pick("Awarded level", "인증 수준", lang))
    pdf.set_xy(x + 4, y + 8)
    if doc.level is not None:
        name = doc.level_names[doc.level]
        pdf.use(16, bold=True, colour=PAPER)
        pdf.cell(52, 8, pick(f"Level {doc.level}", f"{doc.level}수준", lang, " "))
        pdf.set_xy(x + 4, y + 17)
        pdf.use(8.5, colour=PAPER)
        pdf.cell(52, 5, tr(name, lang))
    else:
        pdf.use(12, bold=True, colour=PAPER)
        pdf.cell(52, 8, pick("Not certifiable", "인증 불가", lang))
        pdf.set_xy(x + 4, y + 17)
        pdf.use(7.5, colour=PAPER)
        pdf.cell(
            52,
            5,
            pick(f"an item is below level {doc.gate}", f"{doc.gate}수준 미만 항목 있음", lang),
        )
    facts = [
        (pick("Mean item level", "항목 평균", lang), f"{doc.mean:.2f}"),
        (pick("Level by the mean", "평균에 따른 수준", lang), str(doc.indicative_level)),
        (
            pick("Target level", "목표 수준", lang),
            str(doc.target_level) if doc.target_level is not None else "–",
        ),
    ]
    fx = x + 66
    for i, (label, value) in enumerate(facts):
        cx = fx + i * 36
        pdf.set_fill_color(*TINT)
        pdf.rect(cx, y, 33, 26, style="F", round_corners=True, corner_radius=2.5)
        pdf.set_xy(cx + 3, y + 3)
        pdf.use(7, colour=MUTED)
        pdf.multi_cell(28, 3.2, label, align="L")
        pdf.set_xy(cx + 3, y + 13)
        pdf.use(16, bold=True, colour=INK)
        pdf.cell(28, 8, value)
    pdf.set_y(y + 30)


def _charts(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    # The charts sit at fixed places; the heading goes just above them.
    pdf.set_y(max(pdf.get_y(), AREA_RADAR[1] - ITEM_RADAR[2] - 22))
    pdf.heading("Areas and items", "영역별·항목별 수준")
    before = doc.previous_assessed_on is not None
    now_label = pick("this assessment", "이번 평가", lang)
    area_series = []
    item_series = []
    if before and all(a.previous is not None for a in doc.areas):
        area_series.append(
            Series(
                [a.previous or 0.0 for a in doc.areas], CHART_BEFORE, dashed=True, fill_opacity=0.08
            )
        )
    if before and all(i.previous is not None for i in doc.items):
        item_series.append(
            Series(
                [float(i.previous or 0) for i in doc.items],
                CHART_BEFORE,
                dashed=True,
                fill_opacity=0.08,
            )
        )
    area_series.append(Series([a.mean for a in doc.areas], CHART_NOW))
    item_series.append(Series([float(i.level) for i in doc.items], CHART_NOW))
    cx, cy, r = AREA_RADAR
    radar(
        pdf,
        cx=cx,
        cy=cy,
        r=r,
        labels=[f"{a.code} {a.name.get('ko' if lang != 'en' else 'en')}" for a in doc.areas],
        lo=doc.lowest,
        hi=doc.highest,
        series=area_series,
        label_size=6.5,
        label_width=24,
    )
    cx, cy, r = ITEM_RADAR
    radar(
        pdf,
        cx=cx,
        cy=cy,
        r=r,
        labels=[i.id for i in doc.items],
        lo=doc.lowest,
        hi=doc.highest,
        series=item_series,
        label_size=6,
        label_gap=3,
    )
    # Gate ring: the level every item must reach.
    gate_frac = (doc.gate - doc.lowest) / (doc.highest - doc.lowest)
    pdf.set_draw_color(*BAD)
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=0.8, gap=0.8)
    pdf.ellipse(cx - r * gate_frac, cy - r * gate_frac, 2 * r * gate_frac, 2 * r * gate_frac)
    pdf.set_dash_pattern()
    # Legend under the charts.
    y = cy + r + 9
    pdf.set_xy(pdf.l_margin, y)
    _legend(pdf, CHART_NOW, now_label)
    if before:
        _legend(pdf, CHART_BEFORE, pick("previous", "이전 평가", lang), dashed=True)
    _legend(
        pdf,
        "#B91C1C",
        pick(f"gate: level {doc.gate}", f"기준선: {doc.gate}수준", lang),
        dashed=True,
    )
    pdf.set_y(y + 7)


def _legend(pdf: ReportPDF, colour: str, text: str, dashed: bool = False) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    pdf.set_draw_color(*rgb(colour))
    pdf.set_line_width(0.8)
    if dashed:
        pdf.set_dash_pattern(dash=1, gap=0.8)
    pdf.line(x, y + 2, x + 8, y + 2)
    pdf.set_dash_pattern()
    pdf.set_xy(x + 10, y)
    pdf.use(7, colour=INK)
    width = pdf.get_string_width(text) + 6
    pdf.cell(width, 4, text)


def _areas_table(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    widths = (100.0, 24.0, 24.0, 24.0)
    pdf.use(7, bold=True, colour=MUTED)
    for w, h in zip(
        widths,
        (
            pick("Area", "영역", lang),
            pick("Mean", "평균", lang),
            pick("Previous", "이전", lang),
            pick("Change", "변화", lang),
        ),
        strict=True,
    ):
        pdf.cell(w, 5, h, align="L" if w == widths[0] else "R")
    pdf.ln(5)
    for a in doc.areas:
        pdf.use(8, colour=INK)
        pdf.cell(widths[0], 5, f"{a.code}  {tr(a.name, lang)}")
        pdf.cell(widths[1], 5, f"{a.mean:.2f}", align="R")
        pdf.cell(widths[2], 5, f"{a.previous:.2f}" if a.previous is not None else "–", align="R")
        delta = a.mean - a.previous if a.previous is not None else None
        _delta(pdf, widths[3], delta)
        pdf.ln(5)


def _delta(pdf: ReportPDF, width: float, delta: float | None) -> None:
    if delta is None:
        pdf.use(8, colour=MUTED)
        pdf.cell(width, 5, "–", align="R")
        return
    colour = GOOD if delta > 0 else (BAD if delta < 0 else MUTED)
    pdf.use(8, bold=True, colour=colour)
    text = f"{delta:+.2f}" if isinstance(delta, float) else f"{delta:+d}"
    pdf.cell(width, 5, "0" if delta == 0 else text, align="R")


def _items(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    pdf.add_page()
    pdf.heading("Assessed items", "평가 항목")
    cols = (12.0, 66.0, 32.0, 14.0, 50.0)
    heads = (
        pick("Item", "항목", lang, "\n"),
        pick("Name", "이름", lang, "\n"),
        pick("Level", "수준", lang, "\n"),
        pick("Change", "변화", lang, "\n"),
        pick("Evidence and notes", "근거 및 의견", lang, "\n"),
    )
    pdf.use(7, bold=True, colour=MUTED)
    y = pdf.get_y()
    x = pdf.l_margin
    for w, head in zip(cols, heads, strict=True):
        pdf.set_xy(x, y)
        pdf.multi_cell(w - 1, 3.2, head, align="L")
        x += w
    pdf.set_y(y + (7.5 if lang == "both" else 4.5))
    for it in doc.items:
        note = " / ".join(t for t in (it.evidence, it.notes) if t)
        pdf.use(6.8)
        lines = max(1, len(pdf.wrap(cols[4], 3.4, note)))
        h = max(8.0 if lang == "both" else 5.5, lines * 3.4 + 1.5)
        if pdf.get_y() + h > pdf.h - 22:
            pdf.add_page()
        x0, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x0, y)
        pdf.use(8, bold=True, colour=BRAND)
        pdf.cell(cols[0], 4.2, it.id)
        pdf.set_xy(x0 + cols[0], y)
        pdf.use(8, colour=INK)
        pdf.cell(cols[1], 4.2, it.name.en if lang == "en" else it.name.ko)
        if lang == "both":
            pdf.set_xy(x0 + cols[0], y + 3.8)
            pdf.use(6.3, colour=MUTED)
            pdf.cell(cols[1], 3.5, it.name.en)
        px = x0 + cols[0] + cols[1]
        _level_pips(pdf, px, y + 1, it.level, doc.highest, doc.gate)
        pdf.set_xy(px + 17, y)
        pdf.use(7, colour=MUTED)
        pdf.cell(13, 4.2, tr(doc.level_names[it.level], lang if lang != "both" else "ko"))
        pdf.set_xy(px + cols[2], y)
        _delta(pdf, cols[3] - 4, None if it.previous is None else it.level - it.previous)
        pdf.set_xy(px + cols[2] + cols[3], y + 0.3)
        pdf.use(6.8, colour=INK)
        pdf.multi_cell(cols[4], 3.4, note or "–", align="L")
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.line(x0, y + h - 0.5, pdf.w - pdf.r_margin, y + h - 0.5)
        pdf.set_y(y + h)


def _level_pips(pdf: ReportPDF, x: float, y: float, level: int, highest: int, gate: int) -> None:
    """Five small squares, the first `level` filled (red below the gate)."""
    colour = rgb(CHART_NOW) if level >= gate else BAD
    for i in range(highest):
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.2)
        pdf.rect(x + i * 3.1, y, 2.4, 2.4, style="DF" if i < level else "D")


def _plan(pdf: ReportPDF, doc: MaturityReportDoc, lang: Lang) -> None:
    if doc.target_level is None and not doc.plan:
        return
    target = doc.target_level
    pdf.heading(f"Plan to reach level {target}", f"{target}수준 달성 계획")
    if not doc.plan:
        pdf.paragraph(pick("Nothing to raise.", "올릴 항목이 없습니다.", lang), 8)
    for step in doc.plan:
        pdf.use(8, colour=INK)
        pdf.cell(12, 4.6, step.item)
        name = tr(step.name, lang)
        while pdf.get_string_width(name) > 124 and len(name) > 4:
            name = name[:-2].rstrip() + "…"
        pdf.cell(128, 4.6, name)
        pdf.cell(20, 4.6, f"{step.from_level} → {step.to_level}", new_x="LMARGIN", new_y="NEXT")
    if doc.notes:
        pdf.ln(2)
        for note in doc.notes:
            pdf.paragraph(tr(note, lang, " / "), 7.5, MUTED)
    if doc.remarks:
        pdf.ln(2)
        pdf.paragraph(pick("Assessor's remarks: ", "평가자 의견: ", lang) + doc.remarks, 8)


def render_maturity_report_pdf(
    doc: MaturityReportDoc, lang: Lang = "both", fonts: FontSet | None = None
) -> bytes:
    """The maturity report as PDF bytes."""
    footer = (
        f"CityCert · {doc.city.en} · ISO 37106 · "
        f"{pick('assessment', '평가', lang)} {doc.assessment_id} · {doc.assessed_on.isoformat()}"
    )
    pdf = ReportPDF(
        title=f"{doc.city.en} ISO 37106 maturity {doc.assessed_on.isoformat()}",
        lang=lang,
        footer_text=footer,
        fonts=fonts,
    )
    pdf.add_page()
    _masthead(pdf, doc, lang)
    _award(pdf, doc, lang)
    _charts(pdf, doc, lang)
    _areas_table(pdf, doc, lang)
    _items(pdf, doc, lang)
    _plan(pdf, doc, lang)
    return output_bytes(pdf)
