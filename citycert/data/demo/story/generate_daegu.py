"""Write `daegu_iso37120-2018.csv`: illustrative ISO 37120:2018 inputs of the sample city Daegu.

Run from the repository root: `.venv/bin/python citycert/data/demo/story/generate_daegu.py`.
Deterministic: the same files in give the same file out (seeded per indicator and year).

Inputs: `daegu_base.csv` (figures shared by several indicators, per year), `daegu_targets.csv`
(the indicator value aimed at per year, the size of a denominator of its own, how two
numerators split, the relative noise) and `../sample_values.csv`, whose Daegu rows are copied
unchanged so that loading both files never changes a figure. Each indicator's missing inputs
are solved from its formula so that it computes to the (noisy) target.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from citycert.io.exchange_write import INPUT_COLUMNS
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Indicator, Role

HERE = Path(__file__).resolve().parent
OUT = HERE / "daegu_iso37120-2018.csv"
CATALOG = "iso37120-2018"
YEARS = (2021, 2022, 2023)
SEED = 37120
SOURCE = "CityCert sample data: illustrative value, not an official statistic"
COMMENT = "예시 값(공식 통계 아님) / illustrative value for demonstration"
GRADE = "C"
WHOLE_UNITS = {"person", "count", "household"}
# Destinations of solid waste split one whole: 16.4 (sanitary landfill) takes the remainder.
REMAINDER = "16.4"
WASTE_SHARES = ("16.3", "16.5", "16.6", "16.7", "16.8")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def _round(value: float, unit: str) -> float:
    if unit in WHOLE_UNITS:
        return float(round(value))
    return float(f"{value:.4g}")


def _text(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _solve(
    ind: Indicator, year: int, known: dict[str, float], target: dict[str, str]
) -> dict[str, float]:
    """Values of the indicator's unknown inputs that make it compute to the noisy target."""
    formula = ind.formula
    assert formula is not None
    rng = random.Random(f"{SEED}/{ind.number}/{year}")
    wanted = float(target[str(year)]) * (1 + float(target["noise"] or 0) * rng.uniform(-1, 1))
    if formula.bounded and ind.unit.startswith("%"):
        wanted = min(wanted, 100.0)
    out: dict[str, float] = {}
    if not formula.is_ratio:
        [only] = formula.inputs
        return {only.name: _round(wanted, only.unit)}
    nums = formula.by_role(Role.numerator)
    dens = formula.by_role(Role.denominator)
    own_den = [d for d in dens if d.name not in known]
    if len(own_den) > 1:
        raise ValueError(f"{ind.number}: more than one unknown denominator")
    if own_den and all(n.name in known for n in nums):
        # Numerators known (shared figures): the denominator follows from the target.
        total = sum(known[n.name] for n in nums)
        return {own_den[0].name: _round(formula.multiplier * total / wanted, own_den[0].unit)}
    if own_den:
        sizes = target["denominator"].split("|")
        size = float(sizes[YEARS.index(year)] if len(sizes) > 1 else sizes[0])
        out[own_den[0].name] = _round(size, own_den[0].unit)
    den_total = sum(known.get(d.name, out.get(d.name, 0.0)) for d in dens)
    unknown = [n for n in nums if n.name not in known]
    rest = wanted * den_total / formula.multiplier - sum(
        known[n.name] for n in nums if n.name in known
    )
    if len(unknown) == 1:
        out[unknown[0].name] = _round(rest, unknown[0].unit)
    elif len(unknown) == 2:
        share = float(target["split"])
        out[unknown[0].name] = _round(rest * share, unknown[0].unit)
        out[unknown[1].name] = _round(rest - out[unknown[0].name], unknown[1].unit)
    elif unknown:
        raise ValueError(f"{ind.number}: more than two unknown numerators")
    return out


def generate() -> list[dict[str, str]]:
    """The rows of the Daegu file, in catalogue order per year."""
    catalog = get_catalog(CATALOG)
    base = {r["input"]: r for r in _rows(HERE / "daegu_base.csv")}
    targets = {r["indicator"]: r for r in _rows(HERE / "daegu_targets.csv")}
    sample = {
        (int(r["year"]), r["indicator"], r["input"]): r
        for r in _rows(HERE.parent / "sample_values.csv")
        if r["city"] == "daegu" and r["catalog"] == CATALOG
    }
    rows: list[dict[str, str]] = []
    for year in YEARS:
        shared = {name: float(r[str(year)]) for name, r in base.items()}
        values: dict[tuple[str, str], float] = {}
        order = [i for i in catalog if i.formula is not None and i.number != REMAINDER]
        for ind in order:
            assert ind.formula is not None
            known = {}
            for spec in ind.formula.inputs:
                row = sample.get((year, ind.number, spec.name))
                if row is not None:
                    known[spec.name] = float(row["value"])
                elif spec.name in shared:
                    known[spec.name] = shared[spec.name]
            missing = [s for s in ind.formula.inputs if s.name not in known]
            solved = _solve(ind, year, known, targets[ind.number]) if missing else {}
            for spec in ind.formula.inputs:
                values[(ind.number, spec.name)] = {**known, **solved}[spec.name]
        landfill = shared["total_solid_waste"] - sum(
            next(v for (n, name), v in values.items() if n == num and name != "total_solid_waste")
            for num in WASTE_SHARES
        )
        values[(REMAINDER, "solid_waste_sanitary_landfill")] = _round(landfill, "t")
        values[(REMAINDER, "total_solid_waste")] = shared["total_solid_waste"]
        for ind in catalog:
            if ind.formula is None:
                continue
            for spec in ind.formula.inputs:
                copied = sample.get((year, ind.number, spec.name))
                if copied is not None:
                    rows.append({c: copied[c] for c in INPUT_COLUMNS})
                    continue
                rows.append(
                    {
                        "city": "daegu",
                        "catalog": CATALOG,
                        "year": str(year),
                        "indicator": ind.number,
                        "input": spec.name,
                        "value": _text(values[(ind.number, spec.name)]),
                        "unit": spec.unit,
                        "source": SOURCE,
                        "comment": COMMENT,
                        "quality_grade": GRADE,
                    }
                )
    return rows


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=INPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUT.name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
