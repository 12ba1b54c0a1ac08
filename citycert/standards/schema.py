"""JSON Schema for every standards data file type, generated from the pydantic models.

The schemas ship in `schema/` so editors can check YAML files as they are typed
(`# yaml-language-server: $schema=...`) and other tools can validate without Python.
`SCHEMA_REGISTRY` is the one list of (model, file name) pairs: a new data file type is added
by appending its model there and running `citycert schema write`; `citycert schema check`
(run in the tests) fails when a committed schema no longer matches its model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from citycert.standards.certificate_terms import TermsFile
from citycert.standards.levels import LevelRulesFile
from citycert.standards.maturity import MaturityModel
from citycert.standards.models import CatalogFile, CrosswalkFile
from citycert.standards.validation import ValidationRuleFile

SCHEMA_DIR = Path(__file__).parent / "schema"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# (model, file name in SCHEMA_DIR). Append new standards data file types here.
SCHEMA_REGISTRY: list[tuple[type[BaseModel], str]] = [
    (CatalogFile, "catalog.schema.json"),
    (CrosswalkFile, "crosswalk.schema.json"),
    (LevelRulesFile, "level-rules.schema.json"),
    (ValidationRuleFile, "validation-rules.schema.json"),
    (MaturityModel, "maturity-model.schema.json"),
    (TermsFile, "certificate-terms.schema.json"),
]


def schema_document(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the files that `model` loads."""
    body = model.model_json_schema(mode="validation")
    return {"$schema": JSON_SCHEMA_DIALECT, **body}


def render_schema(model: type[BaseModel]) -> str:
    """The schema of `model` as the exact text written to disk (stable across runs)."""
    return json.dumps(schema_document(model), indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """File name -> file text for every registered model; ValueError if a name repeats."""
    out: dict[str, str] = {}
    for model, filename in SCHEMA_REGISTRY:
        if filename in out:
            raise ValueError(f"schema file name {filename!r} is registered twice")
        if not filename.endswith(".json") or "/" in filename:
            raise ValueError(f"schema file name {filename!r} must be a plain *.json name")
        out[filename] = render_schema(model)
    return out


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every registered schema into `directory` and delete schema files no model owns."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = expected_files()
    written: list[Path] = []
    for filename, text in wanted.items():
        path = directory / filename
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    for stale in directory.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    return written


class DriftKind(StrEnum):
    missing = "missing"
    changed = "changed"
    unexpected = "unexpected"


_MESSAGES: dict[DriftKind, tuple[str, str]] = {
    DriftKind.missing: (
        "{file}: schema file is missing; run `citycert schema write`",
        "{file}: 스키마 파일이 없습니다. `citycert schema write`를 실행하세요",
    ),
    DriftKind.changed: (
        "{file}: schema file does not match its model; run `citycert schema write`",
        "{file}: 스키마 파일이 모델과 다릅니다. `citycert schema write`를 실행하세요",
    ),
    DriftKind.unexpected: (
        "{file}: no registered model owns this schema file; remove it or register the model",
        "{file}: 이 스키마 파일에 해당하는 모델이 등록되어 있지 않습니다. "
        "파일을 지우거나 모델을 등록하세요",
    ),
}


@dataclass(frozen=True)
class SchemaDrift:
    """One schema file that differs from what the models generate."""

    file: str
    kind: DriftKind

    def message(self, lang: str = "en") -> str:
        en, ko = _MESSAGES[self.kind]
        return (ko if lang == "ko" else en).format(file=self.file)


def check_schemas(directory: Path = SCHEMA_DIR) -> list[SchemaDrift]:
    """Every difference between `directory` and the generated schemas (empty list = in sync)."""
    wanted = expected_files()
    problems: list[SchemaDrift] = []
    for filename, text in wanted.items():
        path = directory / filename
        if not path.is_file():
            problems.append(SchemaDrift(filename, DriftKind.missing))
        elif path.read_text(encoding="utf-8") != text:
            problems.append(SchemaDrift(filename, DriftKind.changed))
    if directory.is_dir():
        for path in sorted(directory.glob("*.json")):
            if path.name not in wanted:
                problems.append(SchemaDrift(path.name, DriftKind.unexpected))
    return problems
