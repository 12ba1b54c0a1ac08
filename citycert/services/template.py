"""Make the Excel data-entry template of a city, catalogue and year, pre-filled from the store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citycert.io.workbook.rows import Stored
from citycert.io.workbook.template import TemplateSpec, indicators_with_inputs, write_template
from citycert.services import cities, cycles, values
from citycert.services.context import Problem as ServiceProblem
from citycert.services.context import ServiceContext, ValidationFailed
from citycert.standards.catalog import UnknownCatalogError, get_catalog
from citycert.standards.models import Text

LANGS = ("ko", "en", "both")


@dataclass(frozen=True)
class TemplateInfo:
    """What was written: where, for which cycle, how many input rows and pre-filled values."""

    path: Path
    cycle: str
    rows: int
    prefilled: int
    last_year: int


def _stored(
    ctx: ServiceContext, city: str, catalog: str, year: int
) -> dict[tuple[str, str], Stored]:
    cycle = cycles.find_cycle(ctx, city=city, catalog=catalog, year=year)
    if cycle is None:
        return {}
    return {
        (r.indicator, r.input): Stored(r.version, r.value, r.source, r.comment, r.quality_grade)
        for r in values.list_inputs(ctx, cycle_id=cycle.id)
    }


def make_template(
    ctx: ServiceContext, *, city: str, catalog: str, year: int, path: Path, lang: str = "both"
) -> TemplateInfo:
    """Write the template to `path`; NotFoundError for an unknown city, ValidationFailed else."""
    if lang not in LANGS:
        raise ValidationFailed(
            [
                ServiceProblem(
                    "lang",
                    f"language must be one of {', '.join(LANGS)}",
                    f"언어는 {', '.join(LANGS)} 중 하나여야 합니다",
                )
            ]
        )
    try:
        cat = get_catalog(catalog)
    except UnknownCatalogError as exc:
        raise ValidationFailed(
            [ServiceProblem("standard", str(exc), f"알 수 없는 표준입니다: {catalog!r}")]
        ) from None
    c = cities.get_city(ctx, slug=city)
    current = _stored(ctx, c.slug, cat.key, year)
    previous = _stored(ctx, c.slug, cat.key, year - 1)
    spec = TemplateSpec(
        city_slug=c.slug,
        city_name=Text(en=c.name_en, ko=c.name_ko),
        catalog=cat,
        year=year,
        generated_at=ctx.now(),
        lang=lang,
        current=current,
        last_year={k: s.value for k, s in previous.items()},
    )
    write_template(spec, path)
    rows = sum(
        len(i.formula.inputs) if i.formula else 0
        for t in cat.themes
        for i in indicators_with_inputs(cat, t.number)
    )
    return TemplateInfo(
        path=path,
        cycle=str(spec.cycle),
        rows=rows,
        prefilled=sum(1 for s in current.values() if s.value is not None),
        last_year=sum(1 for s in previous.values() if s.value is not None),
    )
