"""Write the Excel data-entry template: instructions, one sheet per theme, a hidden `_meta` sheet.

One row per raw input. Grey columns are reference (locked); value, source, comment and quality
cells are unlocked and validated. Hidden key columns and `_meta` let the importer find each
row's indicator and input exactly and detect values someone else changed since.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from citycert.io.workbook.headers import KEY_HEADERS, Col, column_letter, header_text
from citycert.io.workbook.instructions import write_instructions
from citycert.io.workbook.meta import META_SHEET, TemplateMeta, write_meta
from citycert.io.workbook.rows import CycleRef, Stored
from citycert.io.workbook.units_text import ValueRule, display_unit, value_rule
from citycert.standards.catalog import Catalog
from citycert.standards.models import Indicator, Input, Role, Text

# Column order of a theme sheet; the key columns after these are hidden.
VISIBLE: tuple[Col, ...] = (
    Col.indicator,
    Col.input,
    Col.description,
    Col.unit,
    Col.value,
    Col.source,
    Col.comment,
    Col.quality,
    Col.last_year,
)
COLUMNS: tuple[Col, ...] = VISIBLE + tuple(KEY_HEADERS)
EDITABLE = frozenset({Col.value, Col.source, Col.comment, Col.quality})
WIDTHS = {
    Col.indicator: 34,
    Col.input: 40,
    Col.description: 52,
    Col.unit: 14,
    Col.value: 16,
    Col.source: 40,
    Col.comment: 30,
    Col.quality: 12,
    Col.last_year: 16,
}
TITLE_ROW, HEADER_ROW = 1, 2
GREY = PatternFill("solid", fgColor="E7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="BFBFBF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_TITLE = 31


@dataclass(frozen=True)
class TemplateSpec:
    """Everything the template shows; `current`/`last_year` are keyed by (indicator, input)."""

    city_slug: str
    city_name: Text
    catalog: Catalog
    year: int
    generated_at: datetime
    lang: str = "both"
    current: Mapping[tuple[str, str], Stored] = field(default_factory=dict)
    last_year: Mapping[tuple[str, str], float | None] = field(default_factory=dict)

    @property
    def cycle(self) -> CycleRef:
        return CycleRef(self.city_slug, self.catalog.key, self.year)


def text_in(text: Text, lang: str, sep: str = " ") -> str:
    """`text` in `ko`, `en` or both (`경제 Economy`)."""
    return {"ko": text.ko, "en": text.en}.get(lang, f"{text.ko}{sep}{text.en}")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet title: no `[]:*?/\\`, at most 31 characters."""
    base = " ".join(_FORBIDDEN.sub(" ", title).strip("' ").split()) or "Sheet"
    if len(base) > MAX_TITLE:
        # Cut at a word boundary and drop a dangling conjunction: `8 환경 및 기후변화 Environment`.
        words = base[: MAX_TITLE + 1].split(" ")[:-1] or [base[:MAX_TITLE]]
        while len(words) > 1 and words[-1].lower() in ("and", "&", "및", "of", "-"):
            words.pop()
        base = " ".join(words)
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: MAX_TITLE - len(suffix)].rstrip() + suffix, n + 1
    taken.add(candidate)
    return candidate


def _formula_words(ind: Indicator, lang: str) -> str:
    """`실업률 = 100 × (실업자 수) ÷ (경제활동인구)` in one language (`ko` or `en`)."""
    assert ind.formula is not None
    f = ind.formula

    def labels(role: Role) -> str:
        return " + ".join(i.label.get(lang) for i in f.by_role(role))

    mult = f"{f.multiplier:g} × " if f.multiplier != 1 else ""
    return f"{ind.name.get(lang)} = {mult}({labels(Role.numerator)}) ÷ ({labels(Role.denominator)})"


_ROLES = {
    Role.numerator: Text(en="Numerator", ko="분자"),
    Role.denominator: Text(en="Denominator", ko="분모"),
    Role.value: Text(en="The indicator value itself", ko="지표 값 그대로"),
}


def describe_input(ind: Indicator, inp: Input, lang: str) -> str:
    """What the input is for, in our words: its role in the indicator's formula."""
    assert ind.formula is not None
    langs = ("ko", "en") if lang == "both" else (lang,)
    if not ind.formula.is_ratio:
        return "\n".join(f"{_ROLES[inp.role].get(x)}: {ind.name.get(x)}" for x in langs)
    return "\n".join(f"{_ROLES[inp.role].get(x)} — {_formula_words(ind, x)}" for x in langs)


def indicators_with_inputs(catalog: Catalog, theme: int) -> list[Indicator]:
    return [i for i in catalog.in_theme(theme) if i.formula is not None]


def _validation(rule: ValueRule) -> DataValidation:
    """Excel's check on a value cell, matching what the importer accepts for `rule`."""
    low = -1e15 if rule.low is None else rule.low
    high = 1e15 if rule.high is None else rule.high
    if rule.percent and rule.high is not None:
        error = (
            f"{low:g}~{high:g} 사이 숫자를 입력하십시오 (12.5% → 12.5). / "
            f"Type a number from {low:g} to {high:g} (12.5 % → 12.5)."
        )
    elif rule.percent:
        error = (
            f"{low:g} 이상의 숫자를 입력하십시오 (12.5% → 12.5). / "
            f"Type a number of {low:g} or more (12.5 % → 12.5)."
        )
    elif rule.low is not None:
        error = "0 이상의 숫자를 입력하십시오. / Type a number of 0 or more."
    else:
        error = "숫자를 입력하십시오. / Type a number."
    return DataValidation(
        type="decimal",
        operator="between",
        formula1=f"{low:g}",
        formula2=f"{high:g}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="값 Value",
        error=error,
    )


def _theme_sheet(ws: Worksheet, spec: TemplateSpec, theme_name: str, inds: list[Indicator]) -> None:
    lang = spec.lang
    ws.cell(
        TITLE_ROW,
        1,
        f"{theme_name} — {text_in(spec.city_name, lang)} {spec.year} "
        f"({spec.catalog.data.standard}:{spec.catalog.data.edition})",
    ).font = Font(bold=True, size=13)
    for i, col in enumerate(COLUMNS, start=1):
        c = ws.cell(HEADER_ROW, i, header_text(col, lang))
        c.font = Font(bold=True)
        c.fill = INPUT_FILL if col in EDITABLE else HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
        letter = column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS.get(col, 12)
        ws.column_dimensions[letter].hidden = col in KEY_HEADERS
    grades = DataValidation(
        type="list",
        formula1='"A,B,C,D"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="품질 Quality",
        error="A, B, C, D 중 하나 / One of A, B, C, D.",
    )
    checks: dict[ValueRule, DataValidation] = {}
    ws.add_data_validation(grades)
    r = HEADER_ROW
    for ind in inds:
        assert ind.formula is not None
        for inp in ind.formula.inputs:
            r += 1
            key = (ind.number, inp.name)
            now = spec.current.get(key, Stored(None))
            rule = value_rule(inp)
            if rule not in checks:
                checks[rule] = _validation(rule)
                ws.add_data_validation(checks[rule])
            cells = {
                Col.indicator: f"{ind.number} {text_in(ind.name, lang)}",
                Col.input: text_in(inp.label, lang, " / "),
                Col.description: describe_input(ind, inp, lang),
                Col.unit: display_unit(inp.unit, lang),
                Col.value: now.value,
                Col.source: now.source,
                Col.comment: now.comment,
                Col.quality: now.quality_grade,
                Col.last_year: spec.last_year.get(key),
                Col.key_cycle: str(spec.cycle),
                Col.key_indicator: ind.number,
                Col.key_input: inp.name,
                Col.key_version: now.version,
            }
            for i, col in enumerate(COLUMNS, start=1):
                c = ws.cell(r, i, cells[col])
                if col in EDITABLE:
                    c.protection = Protection(locked=False)
                else:
                    c.fill = GREY
                if col is Col.description:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
            value_ref = f"{column_letter(COLUMNS.index(Col.value) + 1)}{r}"
            checks[rule].add(value_ref)
            grades.add(f"{column_letter(COLUMNS.index(Col.quality) + 1)}{r}")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{column_letter(len(VISIBLE))}{max(r, HEADER_ROW + 1)}"
    prot = ws.protection
    prot.sheet = True
    # Locked cells stay locked; people may still resize, filter and add hyperlinks to sources.
    prot.formatColumns = prot.formatRows = prot.autoFilter = prot.insertHyperlinks = False


def write_template(spec: TemplateSpec, path: Path) -> None:
    """Write the data-entry workbook for `spec` to `path` (.xlsx)."""
    wb = Workbook()
    taken: set[str] = set()
    intro = wb.active
    assert intro is not None
    intro.title = sheet_title(text_in(Text(en="Instructions", ko="안내"), spec.lang), taken)
    write_instructions(intro, spec.catalog, spec.city_name, spec.year, spec.lang)
    meta_rows: dict[tuple[str, str], Stored] = {}
    for theme in spec.catalog.themes:
        inds = indicators_with_inputs(spec.catalog, theme.number)
        if not inds:
            continue
        name = f"{theme.number} {text_in(theme.name, spec.lang)}"
        ws = wb.create_sheet(sheet_title(name, taken))
        _theme_sheet(ws, spec, name, inds)
        for ind in inds:
            for inp in ind.formula.inputs if ind.formula else ():
                meta_rows[(ind.number, inp.name)] = spec.current.get(
                    (ind.number, inp.name), Stored(None)
                )
    write_meta(
        wb.create_sheet(META_SHEET),
        TemplateMeta(
            city=spec.city_slug,
            catalog=spec.catalog.key,
            catalog_version=spec.catalog.version,
            year=spec.year,
            generated_at=spec.generated_at.isoformat(timespec="seconds"),
            lang=spec.lang,
            rows=meta_rows,
        ),
    )
    wb.properties.creator = "CityCert"
    wb.properties.title = f"{spec.cycle} data-entry template"
    wb.save(path)
