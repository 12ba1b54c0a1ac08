"""Frictionless Data Package export: `datapackage.json` plus cities/inputs/indicators CSV files.

Written to a folder, or to a `.zip` when the target ends with `.zip`. The CSV files follow the
exchange format (`citycert.io.exchange_write`); the descriptor gives each a Table Schema with
types, bilingual descriptions, primary keys and foreign keys to the cities table, so a portal or
`frictionless validate` can check the files without knowing CityCert.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from citycert.io.exchange_write import (
    CITY_COLUMNS,
    INDICATOR_COLUMNS,
    INPUT_COLUMNS,
    Row,
    cells,
    write_csv,
)

DESCRIPTOR = "datapackage.json"
_NAME = re.compile(r"^[a-z0-9._-]+$")
# Most input sources repeat; more distinct ones than this are summarised, not all listed.
MAX_LISTED_SOURCES = 200

CC_BY_4 = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}


def _f(name: str, type_: str, en: str, ko: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": f"{en} / {ko}", **extra}


_STR = "string"
_NUM = "number"
_REQUIRED = {"required": True}
_CITY_REF = _f("city", _STR, "City identifier (slug)", "도시 식별자", constraints=_REQUIRED)
_CYCLE = [
    _CITY_REF,
    _f("catalog", _STR, "Indicator catalogue (standard and edition)", "지표 목록(표준과 판)",
       constraints=_REQUIRED),
    _f("year", "integer", "Data year", "자료 연도", constraints=_REQUIRED),
    _f("indicator", _STR, "Indicator number in the standard", "표준의 지표 번호",
       constraints=_REQUIRED),
]  # fmt: skip

FIELDS: dict[str, list[dict[str, Any]]] = {
    "cities": [
        _f("slug", _STR, "City identifier", "도시 식별자", constraints=_REQUIRED),
        _f("name_en", _STR, "City name in English", "영문 도시명", constraints=_REQUIRED),
        _f("name_ko", _STR, "City name in Korean", "한글 도시명", constraints=_REQUIRED),
        _f("country", _STR, "Country (ISO 3166-1 alpha-2)", "국가(ISO 3166-1 두 글자 코드)",
           constraints={"required": True, "pattern": "[A-Z]{2}"}),
        _f("region", _STR, "Region or province", "광역 지역"),
        _f("population", "integer", "Population", "인구", constraints={"minimum": 0}),
        _f("land_area_km2", _NUM, "Land area in km²", "면적(km²)"),
        _f("climate_zone", _STR, "Köppen climate zone", "쾨펜 기후대"),
        _f("latitude", _NUM, "Latitude (WGS 84)", "위도(WGS 84)",
           constraints={"minimum": -90, "maximum": 90}),
        _f("longitude", _NUM, "Longitude (WGS 84)", "경도(WGS 84)",
           constraints={"minimum": -180, "maximum": 180}),
        _f("gdp_per_capita_usd", _NUM, "GDP per person in US dollars", "1인당 GDP(미국 달러)"),
        _f("is_sample", "boolean", "Illustrative sample data, not official figures",
           "예시용 표본 자료(공식 수치 아님)", trueValues=["true"], falseValues=["false"]),
    ],
    "inputs": [
        *_CYCLE,
        _f("input", _STR, "Input (raw figure) name", "입력 항목명", constraints=_REQUIRED),
        _f("value", _NUM, "Reported value (empty = not available)", "보고값(빈 칸 = 자료 없음)"),
        _f("unit", _STR, "Unit of the value", "값의 단위", constraints=_REQUIRED),
        _f("source", _STR, "Where the figure comes from", "자료 출처"),
        _f("comment", _STR, "Comment", "비고"),
        _f("quality_grade", _STR, "Data quality grade (A best to D)", "자료 품질 등급(A 최상 ~ D)",
           constraints={"enum": ["A", "B", "C", "D"]}),
    ],
    "indicators": [
        *_CYCLE,
        _f("key", _STR, "Stable indicator key", "지표 고유 키", constraints=_REQUIRED),
        _f("name_en", _STR, "Indicator name in English", "영문 지표명"),
        _f("name_ko", _STR, "Indicator name in Korean", "한글 지표명"),
        _f("value", _NUM, "Computed value (empty = not computable)", "계산값(빈 칸 = 계산 불가)"),
        _f("unit", _STR, "Unit of the value", "값의 단위"),
        _f("status", _STR, "Calculation status", "계산 상태", constraints=_REQUIRED),
    ],
}  # fmt: skip

_CITY_FK = [{"fields": ["city"], "reference": {"resource": "cities", "fields": ["slug"]}}]
KEYS: dict[str, dict[str, Any]] = {
    "cities": {"primaryKey": ["slug"]},
    "inputs": {
        "primaryKey": ["city", "catalog", "year", "indicator", "input"],
        "foreignKeys": _CITY_FK,
    },
    "indicators": {"primaryKey": ["city", "catalog", "year", "indicator"], "foreignKeys": _CITY_FK},
}
COLUMNS: dict[str, Sequence[str]] = {
    "cities": CITY_COLUMNS,
    "inputs": INPUT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
}
TITLES = {
    "cities": "Cities / 도시",
    "inputs": "Raw input values / 원자료 입력값",
    "indicators": "Computed indicator values / 계산된 지표값",
}


@dataclass
class PackageMeta:
    """What the descriptor says about the package as a whole."""

    scope: str  # e.g. `all`, `seoul`, `seoul-iso37120-2018-2023`
    title: str = "CityCert city indicators / CityCert 도시 지표"
    description: str = (
        "Smart-city indicator data (ISO 37120 family) exported from CityCert: cities, raw "
        "inputs and computed indicator values. / CityCert에서 내보낸 스마트시티 지표 자료"
        "(ISO 37120 계열): 도시, 원자료 입력값, 계산된 지표값."
    )
    licenses: list[dict[str, str]] = field(default_factory=lambda: [dict(CC_BY_4)])
    version: str | None = None
    created: str | None = None  # ISO 8601; left out when None so output is reproducible

    @property
    def name(self) -> str:
        name = f"citycert-{self.scope}".lower()
        if not _NAME.match(name):
            raise ValueError(f"package name {name!r} may hold only a-z, 0-9, '.', '_' and '-'")
        return name


def table_schema(table: str) -> dict[str, Any]:
    """The Table Schema of one resource (`cities`, `inputs`, `indicators`)."""
    return {"fields": FIELDS[table], "missingValues": [""], **KEYS[table]}


def descriptor(meta: PackageMeta, sources: Sequence[str]) -> dict[str, Any]:
    """The Data Package descriptor (Frictionless Data Package v1, tabular profile)."""
    listed = [{"title": "CityCert"}, *({"title": s} for s in sources)]
    doc: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": meta.name,
        "title": meta.title,
        "description": meta.description,
        "licenses": meta.licenses,
        "sources": listed,
        "resources": [
            {
                "name": table,
                "path": f"{table}.csv",
                "title": TITLES[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(table),
            }
            for table in COLUMNS
        ],
    }
    if meta.version:
        doc["version"] = meta.version
    if meta.created:
        doc["created"] = meta.created
    return doc


class _Sources:
    """Collects the distinct input sources while the inputs stream past."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}
        self.more = 0

    def watch(self, rows: Iterable[Row]) -> Iterator[Row]:
        at = INPUT_COLUMNS.index("source")
        for row in rows:
            source = cells(row, INPUT_COLUMNS)[at]
            if source and source not in self.seen:
                if len(self.seen) < MAX_LISTED_SOURCES:
                    self.seen[source] = None
                else:
                    self.more += 1
            yield row

    def listed(self) -> list[str]:
        out = sorted(self.seen)
        if self.more:
            out.append(
                f"... and {self.more} more sources in inputs.csv / 그 밖의 출처는 inputs.csv"
            )
        return out


def write_datapackage(
    target: Path,
    cities: Iterable[Row],
    inputs: Iterable[Row],
    indicators: Iterable[Row],
    meta: PackageMeta,
) -> Path:
    """Write the package to folder `target` (or zip file `target.zip`); return its path.

    The three iterables are consumed in that order, each once.
    """
    sources = _Sources()
    tables = {"cities": cities, "inputs": sources.watch(inputs), "indicators": indicators}
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for table, rows in tables.items():
                with zf.open(f"{table}.csv", "w") as raw, _text(raw) as out:
                    write_csv(out, rows, COLUMNS[table])
            zf.writestr(DESCRIPTOR, _json(descriptor(meta, sources.listed())))
        return target
    target.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        with (target / f"{table}.csv").open("w", encoding="utf-8", newline="") as out:
            write_csv(out, rows, COLUMNS[table])
    (target / DESCRIPTOR).write_text(_json(descriptor(meta, sources.listed())), encoding="utf-8")
    return target / DESCRIPTOR


def _text(raw: IO[bytes]) -> TextIO:
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
