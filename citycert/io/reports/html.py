"""The reports as self-contained HTML pages (Jinja templates, inline CSS and SVG charts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from citycert.io.reports.certificate_wording import statement, title, year_label
from citycert.io.reports.charts import Series
from citycert.io.reports.documents import (
    CertificateDoc,
    CityReportDoc,
    MaturityReportDoc,
    ValueRow,
)
from citycert.io.reports.qr import qr_svg
from citycert.io.reports.style import (
    CHART_BEFORE,
    CHART_NOW,
    Lang,
    day,
    level_colour,
    number,
    pick,
    tr,
)
from citycert.io.reports.svg_charts import radar_svg, sparkline_svg
from citycert.standards.models import Text

TYPE_TEXT = {"core": ("core", "핵심"), "supporting": ("supporting", "보조")}


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("citycert.io.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _helpers(lang: Lang) -> dict[str, Callable[..., Any]]:
    def t(en: str, ko: str, sep: str = " · ") -> str:
        return pick(en, ko, lang, sep)

    def tx(text: Text, sep: str = " · ") -> str:
        return tr(text, lang, sep)

    def one(text: Text) -> str:
        return text.en if lang == "en" else text.ko

    def change(delta: float | None) -> Markup:
        if delta is None:
            return Markup("–")
        css = "up" if delta > 0 else ("down" if delta < 0 else "")
        shown = f"{delta:+.2f}" if isinstance(delta, float) else f"{delta:+d}"
        return Markup('<span class="{}">{}</span>').format(css, "0" if delta == 0 else shown)

    def type_text(kind: str) -> str:
        en, ko = TYPE_TEXT.get(kind, (kind, kind))
        return pick(en, ko, lang, "/")

    def spark(row: ValueRow) -> Markup:
        return Markup(sparkline_svg([v for _, v in row.trend], CHART_NOW))

    def on(d: date) -> str:
        return day(d, lang)

    return {
        "t": t,
        "tx": tx,
        "one": one,
        "change": change,
        "type_text": type_text,
        "spark": spark,
        "day": on,
        "number": number,
    }


def _render(template: str, lang: Lang, **context: Any) -> str:
    return _env().get_template(template).render(lang=lang, **_helpers(lang), **context)


def render_certificate_html(doc: CertificateDoc, lang: Lang = "both") -> str:
    """The certificate as a standalone HTML page (QR code as inline SVG)."""
    en, ko = title(doc.family)
    status = {
        "revoked": Text(
            en=f"Revoked: {doc.revoked_reason}", ko=f"취소된 인증서: {doc.revoked_reason}"
        ),
        "expired": Text(en="Expired", ko="유효기간 만료"),
        "tampered": Text(en="Record altered: not valid", ko="기록 변조 의심: 무효"),
    }.get(doc.status, Text(en="Valid", ko="유효"))
    return _render(
        "certificate.html",
        lang,
        doc=doc,
        colour=level_colour(doc.level_id),
        title_en=en,
        title_ko=ko,
        statement=statement(doc, lang),
        year_label=year_label(doc.family),
        status_text=status,
        qr=Markup(qr_svg(doc.verify_url)),
    )


def render_city_report_html(doc: CityReportDoc, lang: Lang = "both") -> str:
    """The city report as a standalone HTML page."""
    return _render("city_report.html", lang, doc=doc, colour=level_colour(doc.level_id))


def render_maturity_report_html(doc: MaturityReportDoc, lang: Lang = "both") -> str:
    """The maturity report as a standalone HTML page with SVG radar charts."""
    area_series, item_series = [], []
    if doc.previous_assessed_on and all(a.previous is not None for a in doc.areas):
        area_series.append(Series([a.previous or 0.0 for a in doc.areas], CHART_BEFORE, True, 0.08))
    if doc.previous_assessed_on and all(i.previous is not None for i in doc.items):
        item_series.append(
            Series([float(i.previous or 0) for i in doc.items], CHART_BEFORE, True, 0.08)
        )
    area_series.append(Series([a.mean for a in doc.areas], CHART_NOW))
    item_series.append(Series([float(i.level) for i in doc.items], CHART_NOW))
    area_chart = radar_svg(
        labels=[f"{a.code} {a.name.en if lang == 'en' else a.name.ko}" for a in doc.areas],
        lo=doc.lowest,
        hi=doc.highest,
        series=area_series,
        title=pick("Mean level by area", "영역별 평균 수준", lang),
        pad=150,
    )
    item_chart = radar_svg(
        labels=[i.id for i in doc.items],
        lo=doc.lowest,
        hi=doc.highest,
        series=item_series,
        title=pick("Level by item", "항목별 수준", lang),
        gate=doc.gate,
    )
    level = str(doc.level) if doc.level is not None else None
    return _render(
        "maturity_report.html",
        lang,
        doc=doc,
        colour=level_colour(level) if level else "#B91C1C",
        area_chart=Markup(area_chart),
        item_chart=Markup(item_chart),
    )


__all__ = [
    "render_certificate_html",
    "render_city_report_html",
    "render_maturity_report_html",
]
