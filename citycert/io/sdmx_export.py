"""SDMX-ML 2.1 export of computed indicator values, written with the `sdmx1` library.

Two files: `structure.xml` (codelists, concept scheme, data structure definition `CITYCERT_IND`
and a dataflow) and `data.xml` (structure-specific data, one series per city x indicator with
the data year as the observation dimension). Only indicator values that exist are observations;
a missing value is simply absent. SDMX identifiers allow only `A-Za-z0-9_@$-`, so an indicator
key `iso37120-2018:5.1` becomes the code `iso37120-2018_5_1`; each code keeps the exact key in
an annotation of type `CITYCERT_KEY`.

sdmx1 builds the whole message in memory before writing; indicator values are few (cities x
indicators x years), so this is bounded by the size of the catalogues, not of the raw inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sdmx
from sdmx import message
from sdmx.model import common, v21

from citycert.domain.calculation import Status
from citycert.io.exchange_write import (
    CITY_COLUMNS,
    INDICATOR_COLUMNS,
    Row,
    cells,
    plain_number,
)
from citycert.standards.catalog import Catalog

DSD_ID = "CITYCERT_IND"
AGENCY_ID = "CITYCERT"
STRUCTURE_VERSION = "1.0"
KEY_ANNOTATION = "CITYCERT_KEY"
STRUCTURE_FILE = "structure.xml"
DATA_FILE = "data.xml"
CL_AREA = "CL_CITYCERT_AREA"
CL_STANDARD = "CL_CITYCERT_STANDARD"
CL_INDICATOR = "CL_CITYCERT_INDICATOR"
CL_OBS_STATUS = "CL_CITYCERT_OBS_STATUS"

_NOT_ID = re.compile(r"[^A-Za-z0-9_@$-]")

CONCEPTS: dict[str, tuple[str, str]] = {
    "REF_AREA": ("City", "도시"),
    "STANDARD": ("Standard and edition", "표준 및 판"),
    "INDICATOR": ("Indicator", "지표"),
    "TIME_PERIOD": ("Data year", "자료 연도"),
    "OBS_VALUE": ("Indicator value", "지표값"),
    "UNIT_MEASURE": ("Unit", "단위"),
    "OBS_STATUS": ("Calculation status", "계산 상태"),
}

STATUS_NAMES: dict[str, tuple[str, str]] = {
    Status.ok: ("Computed", "계산됨"),
    Status.missing_input: ("Input missing", "입력값 누락"),
    Status.invalid_input: ("Input not valid", "잘못된 입력값"),
    Status.negative_input: ("Negative input", "음수 입력값"),
    Status.zero_denominator: ("Denominator is zero", "분모가 0"),
    Status.negative_denominator: ("Denominator is negative", "분모가 음수"),
    Status.over_100_percent: ("Over 100 percent, to be reviewed", "100% 초과(검토 필요)"),
    Status.unit_error: ("Unit error", "단위 오류"),
    Status.no_formula: ("No formula", "산식 없음"),
}


def sdmx_id(key: str) -> str:
    """An SDMX-safe identifier for a CityCert key (`iso37120-2018:5.1` -> `iso37120-2018_5_1`)."""
    return _NOT_ID.sub("_", key)


def _name(en: str, ko: str) -> dict[str, str]:
    return {"en": en, "ko": ko}


@dataclass
class _Structure:
    dsd: v21.DataStructureDefinition
    areas: common.Codelist
    standards: common.Codelist
    indicators: common.Codelist
    statuses: common.Codelist
    message: message.StructureMessage


def _codelist(cl_id: str, en: str, ko: str, agency: common.Agency) -> common.Codelist:
    return common.Codelist(
        id=cl_id, name=_name(en, ko), maintainer=agency, version=STRUCTURE_VERSION,
        is_final=True, is_external_reference=False,
    )  # fmt: skip


def _add_code(cl: common.Codelist, code_id: str, en: str, ko: str, key: str | None = None) -> None:
    if code_id in cl.items:
        return
    code = common.Code(id=code_id, name=_name(en, ko))
    if key is not None:
        code.annotations.append(v21.Annotation(id=KEY_ANNOTATION, type=KEY_ANNOTATION, title=key))
    cl.append(code)


def _build_structure(catalogs: Sequence[Catalog], prepared: datetime) -> _Structure:
    agency = common.Agency(id=AGENCY_ID, name=_name("CityCert", "CityCert"))
    maint: dict[str, Any] = dict(
        maintainer=agency, version=STRUCTURE_VERSION, is_final=True, is_external_reference=False
    )
    areas = _codelist(CL_AREA, "Cities", "도시", agency)
    standards = _codelist(CL_STANDARD, "Indicator standards", "지표 표준", agency)
    indicators = _codelist(CL_INDICATOR, "Indicators", "지표", agency)
    statuses = _codelist(CL_OBS_STATUS, "Calculation statuses", "계산 상태", agency)
    for status, (en, ko) in STATUS_NAMES.items():
        _add_code(statuses, str(status), en, ko)
    for cat in catalogs:
        label = f"{cat.data.standard}:{cat.data.edition}"
        _add_code(
            standards, sdmx_id(cat.key), f"{label} {cat.data.title.en}",
            f"{label} {cat.data.title.ko}", cat.key,
        )  # fmt: skip
        for ind in cat.indicators:
            key = cat.indicator_key(ind)
            _add_code(indicators, sdmx_id(key), ind.name.en, ind.name.ko, key)

    scheme_name = _name("CityCert concepts", "CityCert 개념")
    scheme = common.ConceptScheme(id="CS_CITYCERT", name=scheme_name, **maint)
    concept = {}
    for cid, (en, ko) in CONCEPTS.items():
        concept[cid] = common.Concept(id=cid, name=_name(en, ko))
        scheme.append(concept[cid])

    dsd = v21.DataStructureDefinition(
        id=DSD_ID, name=_name("CityCert city indicators", "CityCert 도시 지표"), **maint
    )
    for order, (dim, cl) in enumerate(
        (("REF_AREA", areas), ("STANDARD", standards), ("INDICATOR", indicators)), start=1
    ):
        dsd.dimensions.getdefault(
            dim, concept_identity=concept[dim], order=order,
            local_representation=common.Representation(enumerated=cl),
        )  # fmt: skip
    dsd.dimensions.getdefault(
        "TIME_PERIOD", cls=common.TimeDimension, concept_identity=concept["TIME_PERIOD"], order=4
    )
    dsd.measures.getdefault("OBS_VALUE", concept_identity=concept["OBS_VALUE"])
    dsd.attributes.getdefault(
        "UNIT_MEASURE", concept_identity=concept["UNIT_MEASURE"],
        related_to=v21.PrimaryMeasureRelationship(), usage_status=common.UsageStatus.mandatory,
    )  # fmt: skip
    dsd.attributes.getdefault(
        "OBS_STATUS", concept_identity=concept["OBS_STATUS"],
        related_to=v21.PrimaryMeasureRelationship(), usage_status=common.UsageStatus.mandatory,
        local_representation=common.Representation(enumerated=statuses),
    )  # fmt: skip
    flow = v21.DataflowDefinition(
        id=DSD_ID, name=_name("CityCert city indicators", "CityCert 도시 지표"), structure=dsd,
        **maint,
    )  # fmt: skip
    msg = message.StructureMessage(
        header=message.Header(id="CITYCERT_STRUCTURE", prepared=prepared, sender=agency)
    )
    for artefact in (areas, standards, indicators, statuses, scheme, dsd, flow):
        msg.add(artefact)
    return _Structure(dsd, areas, standards, indicators, statuses, msg)


def write_sdmx(
    directory: Path,
    cities: Iterable[Row],
    indicators: Iterable[Row],
    *,
    catalogs: Sequence[Catalog],
    prepared: datetime,
) -> tuple[Path, Path]:
    """Write `structure.xml` and `data.xml` into `directory`; return both paths.

    `cities` rows follow CITY_COLUMNS and `indicators` rows INDICATOR_COLUMNS (exchange format);
    `catalogs` fill the standard and indicator codelists; `prepared` stamps both headers.
    """
    s = _build_structure(catalogs, prepared)
    for row in cities:
        city = dict(zip(CITY_COLUMNS, cells(row, CITY_COLUMNS), strict=True))
        _add_code(s.areas, sdmx_id(city["slug"]), city["name_en"], city["name_ko"], city["slug"])
    dsd = s.dsd
    measure = dsd.measures.get("OBS_VALUE")
    unit_attr = dsd.attributes.get("UNIT_MEASURE")
    status_attr = dsd.attributes.get("OBS_STATUS")
    series: dict[tuple[str, str, str], list[v21.Observation]] = {}
    keys: dict[tuple[str, str, str], common.SeriesKey] = {}
    for row in indicators:
        r = dict(zip(INDICATOR_COLUMNS, cells(row, INDICATOR_COLUMNS), strict=True))
        if r["value"] is None:
            continue
        # Values for cities, catalogues or indicators the codelists lack still get a code.
        _add_code(s.areas, sdmx_id(r["city"]), r["city"], r["city"], r["city"])
        _add_code(s.standards, sdmx_id(r["catalog"]), r["catalog"], r["catalog"], r["catalog"])
        _add_code(s.indicators, sdmx_id(r["key"]), r["name_en"] or r["key"],
                  r["name_ko"] or r["key"], r["key"])  # fmt: skip
        _add_code(s.statuses, sdmx_id(r["status"]), r["status"], r["status"])
        sk = (sdmx_id(r["city"]), sdmx_id(r["catalog"]), sdmx_id(r["key"]))
        if sk not in keys:
            keys[sk] = dsd.make_key(
                common.SeriesKey, dict(REF_AREA=sk[0], STANDARD=sk[1], INDICATOR=sk[2])
            )
        obs = v21.Observation(
            series_key=keys[sk],
            dimension=dsd.make_key(common.Key, dict(TIME_PERIOD=str(r["year"]))),
            value=plain_number(r["value"]),
            value_for=measure,
            attached_attribute={
                "UNIT_MEASURE": common.AttributeValue(value=str(r["unit"]), value_for=unit_attr),
                "OBS_STATUS": common.AttributeValue(
                    value=sdmx_id(r["status"]), value_for=status_attr
                ),
            },
        )
        series.setdefault(sk, []).append(obs)
    ds = v21.StructureSpecificDataSet(structured_by=dsd)
    for sk, observations in series.items():
        ds.add_obs(observations, keys[sk])
    data = message.DataMessage(
        header=message.Header(
            id="CITYCERT_DATA", prepared=prepared, sender=s.message.header.sender
        ),
        data=[ds],
        observation_dimension=dsd.dimensions.get("TIME_PERIOD"),
    )
    directory.mkdir(parents=True, exist_ok=True)
    structure_path, data_path = directory / STRUCTURE_FILE, directory / DATA_FILE
    structure_path.write_bytes(sdmx.to_xml(s.message, pretty_print=True))
    data_path.write_bytes(sdmx.to_xml(data, pretty_print=True))
    return structure_path, data_path
