"""A city with ISO 37120:2018 cycles taken through the whole workflow to `verified`.

Figures are plain made-up numbers (a numerator of 12 over a denominator of 1 000), except for the
solid-waste shares, which must add up to the whole. Any indicator the validation rules would stop
is left out before saving, so the cycle can be submitted as a city would submit it.
"""

from __future__ import annotations

from functools import cache

from citycert.domain.calculation import RawInput
from citycert.domain.validation.cycle import ValidationContext
from citycert.domain.validation.engine import validate
from citycert.domain.workflow import Decision
from citycert.services import cities, cycles, data_quality, values, workflow
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.standards.catalog import Catalog, get_catalog
from citycert.standards.models import IndicatorType, Role

CATALOG = "iso37120-2018"
POPULATION = 2_374_960
BY_ROLE = {Role.numerator: 12.0, Role.denominator: 1000.0, Role.value: 40.0}
# Solid waste by destination (16.3-16.8): shares of one total that add up to 100 %.
WASTE_SHARES = {
    "16.3": 300.0,
    "16.4": 450.0,
    "16.5": 150.0,
    "16.6": 80.0,
    "16.7": 0.0,
    "16.8": 20.0,
}


def make_city(ctx: ServiceContext, slug: str = "daegu") -> None:
    names = {"daegu": ("Daegu", "대구광역시"), "sejong": ("Sejong", "세종특별자치시")}
    en, ko = names.get(slug, (slug.title(), slug))
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {
                "slug": slug,
                "name_en": en,
                "name_ko": ko,
                "country": "KR",
                "population": POPULATION,
            }
        ),
    )


def clean_figures(catalog: Catalog, scale: float = 1.0) -> dict[str, dict[str, float]]:
    """Figures for every counted indicator that the validation rules accept, by number/input."""
    return {n: dict(row) for n, row in _clean(catalog.key, scale).items()}


@cache
def _clean(catalog_key: str, scale: float) -> dict[str, dict[str, float]]:
    catalog = get_catalog(catalog_key)
    figures: dict[str, dict[str, float]] = {}
    for ind in catalog.counted():
        if ind.formula is None:
            continue
        row = {}
        for inp in ind.formula.inputs:
            value = BY_ROLE[inp.role]
            if ind.number in WASTE_SHARES and inp.role is Role.numerator:
                value = WASTE_SHARES[ind.number]
            row[inp.name] = value * scale
        figures[ind.number] = row
    context = ValidationContext(city_population=POPULATION)
    while True:
        raw = {n: {k: RawInput(v) for k, v in row.items()} for n, row in figures.items()}
        stopped = {
            f.indicator
            for f in validate(catalog, raw, context=context)
            if f.severity.value == "error"
        }
        if not stopped:
            return figures
        for number in stopped:
            figures.pop(number, None)


def report_figures(
    ctx: ServiceContext, cycle_id: int, scale: float = 1.0, count: int | None = None
) -> list[str]:
    """Save clean figures (of the first `count` indicators, core first) into the cycle; returns
    the indicator numbers reported."""
    catalog = get_catalog(CATALOG)
    figures = clean_figures(catalog, scale)
    if count is not None:
        ranked = sorted(figures, key=lambda n: catalog.get(n).type is not IndicatorType.core)  # type: ignore[union-attr]
        figures = {n: figures[n] for n in ranked[:count]}
    values.set_inputs(
        ctx,
        cycle_id,
        [InputChange(n, name, v) for n, row in figures.items() for name, v in row.items()],
    )
    return list(figures)


def verified_cycle(
    ctx: ServiceContext,
    *,
    city: str = "daegu",
    year: int = 2023,
    accept: int = 88,
    report: int | None = None,
) -> int:
    """A cycle of `city` for `year` in state verified, with `accept` indicators accepted (core
    first) and the rest of the `report` reported (default: all) rejected; returns the cycle id.
    `ctx` must be allowed every step."""
    catalog = get_catalog(CATALOG)
    cycle_id = cycles.open_cycle(ctx, city=city, catalog=CATALOG, year=year).id
    reported = report_figures(ctx, cycle_id, scale=1 + 0.02 * (year - 2020), count=report)
    for f in data_quality.check_cycle(ctx, cycle_id=cycle_id):
        if f.severity != "error" and f.status != "resolved":
            data_quality.justify(
                ctx, cycle_id=cycle_id, indicator=f.indicator, rule=f.rule, text="checked"
            )
    workflow.submit(ctx, cycle_id=cycle_id)
    workflow.start_verification(ctx, cycle_id=cycle_id)
    order = sorted(
        (catalog.get(n) for n in reported),
        key=lambda i: i is None or i.type is not IndicatorType.core,
    )
    chosen = {i.number for i in order[:accept] if i is not None}
    for number in reported:
        if number in chosen:
            workflow.decide(ctx, cycle_id=cycle_id, indicator=number, decision=Decision.accepted)
        else:
            workflow.decide(
                ctx,
                cycle_id=cycle_id,
                indicator=number,
                decision=Decision.rejected,
                text="source not documented",
            )
    workflow.mark_verified(ctx, cycle_id=cycle_id)
    return cycle_id
