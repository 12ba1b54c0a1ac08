"""What a certificate freezes: the snapshot document, its canonical JSON and SHA-256, the dates.

The hash is over canonical JSON (sorted keys, no spaces, UTF-8, no NaN), so anyone holding the
snapshot can recompute it with a few lines of code in any language. The snapshot is stored as
it was hashed (after a JSON round-trip), so the database gives back exactly what was hashed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycert.domain.certification import Outcome, number_order
from citycert.domain.maturity import MaturityScore
from citycert.standards.catalog import Catalog
from citycert.standards.levels import LevelRulesFile
from citycert.standards.maturity import MaturityModel
from citycert.standards.models import Text
from citycert.store.models import City, IndicatorValue, InputValue, ReportingCycle

SNAPSHOT_FORMAT = "citycert-certificate-snapshot/1"
ISO37106_TITLE = Text(
    en="Smart city operating model: maturity assessment",
    ko="스마트시티 운영 모델 성숙도 평가",
)


def canonical_json(data: Any) -> str:
    """The one text form that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def snapshot_hash(data: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of `data`."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def frozen(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The snapshot as the database will give it back (JSON round-trip) and its hash."""
    text = canonical_json(data)
    return json.loads(text), hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validity(
    issued_on: date, years: int, surveillance_years: tuple[int, ...]
) -> tuple[date, list[date]]:
    """(last valid day, surveillance due dates): valid `years` years, the last day included."""
    until = add_years(issued_on, years) - timedelta(days=1)
    # Surveillance in year k of the certificate falls at the start of that year.
    due = [add_years(issued_on, k - 1) for k in surveillance_years]
    return until, due


def _city(city: City) -> dict[str, Any]:
    return {
        "slug": city.slug,
        "name_en": city.name_en,
        "name_ko": city.name_ko,
        "country": city.country,
    }


def _level(level_id: str, name: Text) -> dict[str, str]:
    return {"id": level_id, "en": name.en, "ko": name.ko}


def cycle_snapshot(
    session: Session,
    *,
    public_id: str,
    city: City,
    cycle: ReportingCycle,
    catalog: Catalog,
    rules: LevelRulesFile,
    outcome: Outcome,
    verified: tuple[str, ...],
    basis: str,
    issued_on: date,
    valid_until: date,
    issued_by: str,
) -> dict[str, Any]:
    """The snapshot of a cycle certificate: the level and every verified value with its inputs."""
    assert outcome.level is not None
    chosen = set(verified)
    values = {
        v.indicator: v
        for v in session.scalars(select(IndicatorValue).where(IndicatorValue.cycle_id == cycle.id))
        if v.indicator in chosen
    }
    inputs = session.scalars(
        select(InputValue)
        .where(InputValue.cycle_id == cycle.id, InputValue.indicator.in_(chosen))
        .order_by(InputValue.indicator, InputValue.input)
    ).all()
    indicators = []
    for number in sorted(chosen, key=number_order):
        v = values.get(number)
        indicators.append(
            {
                "number": number,
                "value": v.value if v else None,
                "unit": v.unit if v else catalog.get(number).unit,  # type: ignore[union-attr]
                "status": v.status if v else None,
                "inputs": {
                    i.input: {"value": i.value, "unit": i.unit, "source": i.source}
                    for i in inputs
                    if i.indicator == number
                },
            }
        )
    return {
        "format": SNAPSHOT_FORMAT,
        "public_id": public_id,
        "city": _city(city),
        "standard": {
            "code": f"{catalog.data.standard}:{catalog.data.edition}",
            "catalog": catalog.key,
            "catalog_version": cycle.catalog_version,
            "title": {"en": catalog.data.title.en, "ko": catalog.data.title.ko},
            "rules": rules.rules,
            "rules_version": rules.version,
        },
        "data_year": cycle.year,
        "level": _level(outcome.level.id, outcome.level.name),
        "counts": {
            "verified": outcome.verified_count,
            "counted_total": len(catalog.counted()),
            "core_verified": outcome.core_verified,
            "core_total": outcome.core_total,
        },
        "basis": basis,
        "indicators": indicators,
        "issued_on": issued_on.isoformat(),
        "valid_until": valid_until.isoformat(),
        "issued_by": issued_by,
    }


def maturity_level_name(model: MaturityModel, level: int) -> Text:
    """`Level 4 · Progressive` / `4수준 · 앞서나감`."""
    name = model.levels[level]
    return Text(en=f"Level {level} · {name.en}", ko=f"{level}수준 · {name.ko}")


def assessment_snapshot(
    *,
    public_id: str,
    city: City,
    assessed_on: date,
    assessor: str,
    model_key: str,
    model: MaturityModel,
    result: MaturityScore,
    levels: dict[str, int],
    issued_on: date,
    valid_until: date,
    issued_by: str,
) -> dict[str, Any]:
    """The snapshot of an ISO 37106 certificate: the award and every item level."""
    assert result.level is not None
    return {
        "format": SNAPSHOT_FORMAT,
        "public_id": public_id,
        "city": _city(city),
        "standard": {
            "code": "ISO 37106",
            "model": model_key,
            "model_version": model.version,
            "title": {"en": ISO37106_TITLE.en, "ko": ISO37106_TITLE.ko},
            "rules": model.model,
            "rules_version": model.version,
        },
        "data_year": assessed_on.year,
        "level": _level(str(result.level), maturity_level_name(model, result.level)),
        "assessment": {
            "assessed_on": assessed_on.isoformat(),
            "assessor": assessor,
            "mean": round(result.mean, 4),
            "items": {i.id: levels[i.id] for i in model.items},
            "areas": {a: round(m, 4) for a, m in result.areas.items()},
        },
        "issued_on": issued_on.isoformat(),
        "valid_until": valid_until.isoformat(),
        "issued_by": issued_by,
    }


def summary_of(snapshot: dict[str, Any]) -> Text | None:
    """One line on what was certified, from the snapshot alone."""
    counts = snapshot.get("counts")
    if counts:
        return Text(
            en=f"{counts['verified']} of {counts['counted_total']} indicators verified "
            f"({counts['core_verified']} of {counts['core_total']} core)",
            ko=f"검증 지표 {counts['verified']}개/{counts['counted_total']}개 "
            f"(핵심 지표 {counts['core_verified']}개/{counts['core_total']}개)",
        )
    assessment = snapshot.get("assessment")
    if assessment:
        n = len(assessment["items"])
        lowest = min(assessment["items"].values())
        return Text(
            en=f"mean level {assessment['mean']:.2f} over {n} items, none below level {lowest}",
            ko=f"{n}개 항목 평균 {assessment['mean']:.2f}수준, 모든 항목 {lowest}수준 이상",
        )
    return None


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def streak_text(streak: int, level: Text) -> Text | None:
    """`2nd consecutive year at Gold` / `2년 연속 골드`; None for a first certification."""
    if streak < 2:
        return None
    return Text(
        en=f"{ordinal(streak)} consecutive year at {level.en}",
        ko=f"{streak}년 연속 {level.ko}",
    )
