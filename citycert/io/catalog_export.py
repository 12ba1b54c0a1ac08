"""Catalogue export as JSON (list of indicator objects) or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from citycert.domain.calculation import formula_text
from citycert.standards.catalog import Catalog


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def catalog_records(cat: Catalog) -> list[dict[str, Any]]:
    """One flat-ish dict per indicator, the shape of the JSON export."""
    out: list[dict[str, Any]] = []
    for ind in cat.indicators:
        theme = cat.theme(ind.theme)
        f = ind.formula
        out.append(
            {
                "key": cat.indicator_key(ind),
                "standard": cat.data.standard,
                "edition": cat.data.edition,
                "number": ind.number,
                "theme": {"number": theme.number, "en": theme.name.en, "ko": theme.name.ko},
                "type": ind.type.value,
                "unit": ind.unit,
                "name": {"en": ind.name.en, "ko": ind.name.ko},
                "inputs": [
                    {
                        "name": i.name,
                        "role": i.role.value,
                        "unit": i.unit,
                        "label": i.label.model_dump(),
                    }
                    for i in (f.inputs if f else ())
                ],
                "multiplier": f.multiplier if f else None,
                "formula": formula_text(f) if f else None,
                "direction": ind.direction.value,
                "sdg": list(ind.sdg),
                "status": ind.status,
                "source": ind.source,
                "confidence": ind.confidence.value,
                "catalog_version": cat.version,
            }
        )
    return out


CSV_COLUMNS = [
    "key", "standard", "edition", "number", "theme_number", "theme_en", "theme_ko", "type",
    "name_en", "name_ko", "unit", "inputs", "multiplier", "formula", "direction", "sdg",
    "status", "source", "confidence", "catalog_version",
]  # fmt: skip


def write_catalog_export(cats: Iterable[Catalog], fmt: ExportFormat) -> str:
    records = [r for cat in cats for r in catalog_records(cat)]
    if fmt is ExportFormat.json:
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow(
            {
                **{k: r[k] for k in CSV_COLUMNS if k in r},
                "theme_number": r["theme"]["number"],
                "theme_en": r["theme"]["en"],
                "theme_ko": r["theme"]["ko"],
                "name_en": r["name"]["en"],
                "name_ko": r["name"]["ko"],
                "inputs": ";".join(f"{i['role']}:{i['name']}[{i['unit']}]" for i in r["inputs"]),
                "sdg": ";".join(r["sdg"]),
            }
        )
    return buf.getvalue()
