"""Read models of a cycle for the signed-in pages: completeness by theme, tracked findings,
the certification level now and the gap to the next, query threads and open items.

Each function asks one service as the signed-in person and shapes the answer for a page (and its
JSON twin); nothing here decides anything the services do not.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from citycert.domain.workflow import ItemStatus
from citycert.services import certification, data_quality, values, workflow
from citycert.services.context import ValidationFailed
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.models import Text
from citycert.web.pages.workspace_common import Bilingual, CycleHeader
from citycert.web.rendering import PageContext


class ThemeProgress(BaseModel):
    """How many of a theme's figures are in: inputs with a value, and complete indicators."""

    number: int
    name: Text
    filled: int
    needed: int
    indicators_complete: int
    indicators: int
    url: str

    @property
    def fraction(self) -> float:
        return self.filled / self.needed if self.needed else 0.0


class FindingRow(BaseModel):
    indicator: str
    indicator_name: Text | None
    figures_url: str | None  # the theme page where the indicator's figures are entered
    rule: str
    severity: str
    message: Bilingual
    hint: Bilingual | None
    justification: str | None
    status: ItemStatus
    owner: str | None
    due_date: date | None


class Pick(BaseModel):
    number: str
    name: Text
    collected: int
    total: int
    why: str


class LevelSummary(BaseModel):
    """The certification level the verified indicators give now, projected, and what is missing."""

    available: bool
    basis: Bilingual | None = None
    verified: int = 0
    level: Bilingual | None = None
    next_level: Bilingual | None = None
    missing_for_next: int = 0
    missing_core: list[str] = []
    projected: Bilingual | None = None
    target: Bilingual | None = None
    reachable: bool = True
    picks: list[Pick] = []
    reasons: list[Bilingual] = []


class Message(BaseModel):
    author: str
    kind: str
    body: str
    at: datetime


class QueryRow(BaseModel):
    id: int
    indicator: str
    indicator_name: Text | None
    figures_url: str | None
    status: ItemStatus
    owner: str | None
    due_date: date | None
    overdue: bool
    messages: list[Message]


class OpenItem(BaseModel):
    kind: str
    indicator: str
    ref: str
    waiting_on: str
    due_date: date | None
    overdue: bool
    text: Bilingual


def _name(cat: Catalog, number: str) -> Text | None:
    ind = cat.get(number)
    return ind.name if ind else None


def figures_url(cat: Catalog, header: CycleHeader, number: str) -> str | None:
    """Where the city enters the figures of indicator `number` (its theme page, at the row)."""
    ind = cat.get(number)
    if ind is None or ind.formula is None:
        return None
    return f"{header.workspace_url}/theme/{ind.theme}#ind-{number}"


def completeness(pc: PageContext, header: CycleHeader, base_url: str) -> list[ThemeProgress]:
    """Figures in per theme (every theme whose indicators take inputs)."""
    cat = get_catalog(header.catalog)
    have = {
        (r.indicator, r.input)
        for r in values.list_inputs(pc.user_ctx, cycle_id=header.id)
        if r.value is not None
    }
    out = []
    for theme in cat.themes:
        filled = needed = complete = count = 0
        for ind in cat.in_theme(theme.number):
            if ind.formula is None:
                continue
            names = [i.name for i in ind.formula.inputs]
            got = sum((ind.number, n) in have for n in names)
            filled, needed, count = filled + got, needed + len(names), count + 1
            complete += got == len(names)
        if needed:
            out.append(
                ThemeProgress(
                    number=theme.number,
                    name=theme.name,
                    filled=filled,
                    needed=needed,
                    indicators_complete=complete,
                    indicators=count,
                    url=f"{base_url}/theme/{theme.number}",
                )
            )
    return out


def findings(pc: PageContext, header: CycleHeader) -> list[FindingRow]:
    """Findings still needing someone (validated now), errors first."""
    cat = get_catalog(header.catalog)
    rows = [
        FindingRow(
            indicator=f.indicator,
            indicator_name=_name(cat, f.indicator),
            figures_url=figures_url(cat, header, f.indicator),
            rule=f.rule,
            severity=f.severity,
            message=Bilingual(en=f.message_en, ko=f.message_ko),
            hint=Bilingual(en=f.hint_en, ko=f.hint_ko) if f.hint_en and f.hint_ko else None,
            justification=f.justification,
            status=f.status,
            owner=f.owner,
            due_date=f.due_date,
        )
        for f in data_quality.check_cycle(pc.user_ctx, cycle_id=header.id)
        if f.status is not ItemStatus.resolved
    ]
    order = {ind.number: i for i, ind in enumerate(cat)}
    return sorted(
        rows, key=lambda r: (r.severity != "error", order.get(r.indicator, len(order)), r.rule)
    )


def _text(t: Text | None) -> Bilingual | None:
    return None if t is None else Bilingual(en=t.en, ko=t.ko)


def level_summary(pc: PageContext, header: CycleHeader, picks: int = 8) -> LevelSummary:
    """The level now and the gap to the next one (unavailable without level rules)."""
    try:
        cert = certification.certify_cycle(pc.user_ctx, cycle_id=header.id)
    except ValidationFailed:
        return LevelSummary(available=False)
    out, gap = cert.outcome, cert.gap
    basis = certification.BASIS_TEXT[cert.basis]
    return LevelSummary(
        available=True,
        basis=Bilingual(en=basis.en, ko=basis.ko),
        verified=len(cert.verified),
        level=_text(out.level.name if out.level else None),
        next_level=_text(out.next_level.name if out.next_level else None),
        missing_for_next=out.missing_for_next,
        missing_core=list(out.missing_core),
        projected=_text(cert.projected.level.name if cert.projected.level else None),
        target=_text(gap.target.name if gap.target else None),
        reachable=gap.reachable,
        picks=[
            Pick(number=p.number, name=p.name, collected=p.collected, total=p.total, why=p.why)
            for p in gap.picks[:picks]
        ],
        reasons=[Bilingual(en=r.en, ko=r.ko) for r in out.reasons],
    )


def query_rows(
    pc: PageContext, header: CycleHeader, *, indicator: str | None = None, open_only: bool = True
) -> list[QueryRow]:
    """Query threads between verifier and city (unresolved ones unless `open_only` is False)."""
    cat = get_catalog(header.catalog)
    today = pc.user_ctx.now().date()
    return [
        QueryRow(
            id=q.id,
            indicator=q.indicator,
            indicator_name=_name(cat, q.indicator),
            figures_url=figures_url(cat, header, q.indicator),
            status=q.status,
            owner=q.owner,
            due_date=q.due_date,
            overdue=q.due_date is not None
            and q.due_date < today
            and q.status is not ItemStatus.resolved,
            messages=[
                Message(author=m.author, kind=m.kind, body=m.body, at=m.at) for m in q.messages
            ],
        )
        for q in workflow.queries(pc.user_ctx, cycle_id=header.id, indicator=indicator)
        if not open_only or q.status is not ItemStatus.resolved
    ]


def open_items(pc: PageContext, header: CycleHeader) -> list[OpenItem]:
    """Everything still to do on the cycle, by due date."""
    return [
        OpenItem(
            kind=i.kind,
            indicator=i.indicator,
            ref=i.ref,
            waiting_on=i.waiting_on,
            due_date=i.due_date,
            overdue=i.overdue,
            text=Bilingual(en=i.en, ko=i.ko),
        )
        for i in data_quality.outstanding(pc.user_ctx, cycle_id=header.id)
    ]
