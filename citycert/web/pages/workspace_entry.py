"""Data entry for one theme of a cycle: each input with its unit, label, source, comment, quality
grade and evidence, with the validation findings of each indicator shown beside it.

The form carries each row's version and what the row showed when loaded, so that saving
(`workspace_save`) sends only the rows you changed and never overwrites someone else's later
change to another row. A row someone changed since you loaded it comes back as a conflict
showing both values: nothing is saved and nothing you typed is lost; save again to keep yours,
or choose theirs.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from citycert.domain.authz import Action
from citycert.domain.workflow import Decision, edit_refusal
from citycert.services import evidence, values, workflow
from citycert.services.context import (
    NotFoundError,
)
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Text
from citycert.web.pages.workspace_common import (
    CATALOG,
    SLUG,
    YEAR,
    ActionProblem,
    Bilingual,
    CycleHeader,
    can,
    find_cycle,
    header_of,
    pretty_unit,
    require_sign_in,
)
from citycert.web.pages.workspace_status import FindingRow, findings
from citycert.web.rendering import PageContext, page, page_context

router = APIRouter(tags=["workspace"], dependencies=[Depends(require_sign_in)])

THEME = Path(..., ge=1, le=99, description="Theme number of the catalogue.")
FIELDS = ("value", "unit", "source", "comment", "grade")
GRADES = ("A", "B", "C", "D")
TEMPLATE = "workspace/theme.html"


class Theirs(BaseModel):
    """The stored row that differs from the one you loaded (shown beside yours)."""

    value: float | None
    changed_by: str | None
    changed_at: datetime | None
    version: int | None


class InputRow(BaseModel):
    key: str  # indicator/input
    name: str
    label: Text
    unit: str
    unit_label: str
    role: str
    shown: dict[str, str]  # what the form shows: value, unit, source, comment, grade
    original: str  # JSON of what the row showed when loaded (to send only changed rows)
    version: int
    updated_by: str | None
    updated_at: datetime | None
    problems: list[Bilingual] = []
    theirs: Theirs | None = None


class EvidenceFile(BaseModel):
    filename: str
    input: str | None
    uploaded_by: str
    uploaded_at: datetime
    url: str


class IndicatorBlock(BaseModel):
    number: str
    name: Text
    unit: str
    unit_label: str
    value: float | None
    status: str | None
    messages: list[Bilingual]
    locked: Bilingual | None
    inputs: list[InputRow]
    findings: list[FindingRow]
    evidence: list[EvidenceFile]


class ThemeLink(BaseModel):
    number: int
    name: Text
    url: str


class ThemePage(BaseModel):
    cycle: CycleHeader
    theme: ThemeLink
    themes: list[ThemeLink]
    indicators: list[IndicatorBlock]
    can_edit: bool
    can_add_evidence: bool
    grades: list[str]
    saved: int | None = None
    uploaded: bool = False
    problem: ActionProblem | None = None


def plain(x: float | None) -> str:
    """A number as typed back into a form: `2380000`, `12.5` (no separators, no `.0`)."""
    return "" if x is None else f"{x:.15g}"


def _shown(row: values.InputPublic | None) -> dict[str, str]:
    if row is None:
        return dict.fromkeys(FIELDS, "")
    given = row.original_value is not None
    unit = (row.original_unit or "") if given else ""
    return {
        "value": plain(row.original_value if given else row.value),
        # The catalogue's own unit is shown beside the label; only another unit is repeated.
        "unit": "" if unit == row.unit else unit,
        "source": row.source or "",
        "comment": row.comment or "",
        "grade": row.quality_grade or "",
    }


def evidence_url(ref: evidence.EvidenceRef) -> str:
    return f"/workspace/evidence/{ref.sha256}?name={quote(ref.filename)}"


def build(
    pc: PageContext,
    slug: str,
    catalog: str,
    year: int,
    theme: int,
    *,
    posted: dict[str, dict[str, str]] | None = None,
    row_problems: dict[str, list[Bilingual]] | None = None,
    theirs: dict[str, Theirs] | None = None,
    problem: ActionProblem | None = None,
) -> ThemePage:
    """The theme's entry form (also to show it again with your input after a refusal)."""
    cycle = find_cycle(pc, slug, catalog, year)
    status = workflow.status(pc.user_ctx, cycle_id=cycle.id)
    header = header_of(pc, cycle)
    cat = get_catalog(catalog)
    chosen = next((t for t in cat.themes if t.number == theme), None)
    if chosen is None:
        raise NotFoundError(
            f"{header.standard} has no theme {theme}",
            f"{header.standard}에 주제 {theme}이(가) 없습니다",
        )
    stored = {(r.indicator, r.input): r for r in values.list_inputs(pc.user_ctx, cycle_id=cycle.id)}
    computed = {
        v.indicator: v for v in values.list_indicator_values(pc.user_ctx, cycle_id=cycle.id)
    }
    files = evidence.list_evidence(pc.user_ctx, cycle_id=cycle.id)
    found = findings(pc, header)
    can_edit = can(pc, Action.input_set, header)
    blocks = []
    for ind in cat.in_theme(chosen.number):
        if ind.formula is None:
            continue
        refusal = edit_refusal(
            status.state, ind.number, status.decisions.get(ind.number, Decision.pending)
        )
        rows = []
        for inp in ind.formula.inputs:
            key = f"{ind.number}/{inp.name}"
            row = stored.get((ind.number, inp.name))
            loaded = _shown(row)
            conflict = (theirs or {}).get(key)
            version = row.version if row else 0
            if conflict is not None:  # saving again deliberately replaces their version
                version = conflict.version or 0
            rows.append(
                InputRow(
                    key=key,
                    name=inp.name,
                    label=inp.label,
                    unit=inp.unit,
                    unit_label=pretty_unit(inp.unit),
                    role=inp.role.value,
                    shown=(posted or {}).get(key, loaded),
                    original=json.dumps(loaded, ensure_ascii=False, sort_keys=True),
                    version=version,
                    updated_by=row.updated_by if row else None,
                    updated_at=row.updated_at if row else None,
                    problems=(row_problems or {}).get(key, []),
                    theirs=conflict,
                )
            )
        value = computed.get(ind.number)
        blocks.append(
            IndicatorBlock(
                number=ind.number,
                name=ind.name,
                unit=ind.unit,
                unit_label=pretty_unit(ind.unit),
                value=value.value if value else None,
                status=value.status if value else None,
                messages=[
                    Bilingual(en=m["en"], ko=m["ko"]) for m in (value.messages if value else [])
                ],
                locked=Bilingual(en=refusal.en, ko=refusal.ko) if refusal else None,
                inputs=rows,
                findings=[f for f in found if f.indicator == ind.number],
                evidence=[
                    EvidenceFile(
                        filename=f.filename,
                        input=f.input,
                        uploaded_by=f.uploaded_by,
                        uploaded_at=f.uploaded_at,
                        url=evidence_url(f),
                    )
                    for f in files
                    if f.indicator == ind.number
                ],
            )
        )
    links = [
        ThemeLink(number=t.number, name=t.name, url=f"{header.workspace_url}/theme/{t.number}")
        for t in cat.themes
        if any(i.formula for i in cat.in_theme(t.number))
    ]
    return ThemePage(
        cycle=header,
        theme=next(t for t in links if t.number == chosen.number),
        themes=links,
        indicators=blocks,
        can_edit=can_edit and any(b.locked is None for b in blocks),
        can_add_evidence=can(pc, Action.evidence_add, header),
        grades=list(GRADES),
        problem=problem,
    )


@page(
    router,
    "/workspace/{slug}/{catalog}/{year}/theme/{theme}",
    template=TEMPLATE,
    model=ThemePage,
    summary="Figures of one theme of a reporting cycle",
)
def workspace_theme(
    slug: str = SLUG,
    catalog: str = CATALOG,
    year: int = YEAR,
    theme: int = THEME,
    saved: int | None = Query(None, ge=0, le=100_000, description="Figures just saved."),
    uploaded: bool = Query(False, description="An evidence file was just attached."),
    pc: PageContext = Depends(page_context),
) -> ThemePage:
    """Inputs, computed values, findings and evidence of the theme's indicators."""
    data = build(pc, slug, catalog, year, theme)
    return data.model_copy(update={"saved": saved, "uploaded": uploaded})
