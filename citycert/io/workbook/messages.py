"""Bilingual import messages, kept as data in `citycert/i18n/import.yaml`, turned into Problems."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from citycert.io.problems import Problem
from citycert.standards.yaml_loader import load_model

MESSAGES_FILE = Path(__file__).parents[2] / "i18n" / "import.yaml"


class MessageText(BaseModel):
    """What is wrong and how to fix it, in English and Korean."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    hint_en: str = Field(min_length=1)
    hint_ko: str = Field(min_length=1)

    def fields(self) -> set[str]:
        """Names of the {placeholders} used in any of the four texts."""
        names: set[str] = set()
        for text in (self.en, self.ko, self.hint_en, self.hint_ko):
            names.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
        return names


class MessageBook(RootModel[dict[str, MessageText]]):
    pass


@cache
def messages() -> dict[str, MessageText]:
    """Every import message by code (loaded once; StandardsFileError names the line if broken)."""
    return load_model(MESSAGES_FILE, MessageBook).root


MAX_QUOTED = 200
# Placeholders that quote what someone typed (not our own lists of choices).
QUOTED = frozenset({"value", "input", "indicator", "unit", "formula", "key", "catalog", "city",
                    "state", "field", "error", "theirs", "yours"})  # fmt: skip


def _short(text: str) -> str:
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def problem(
    code: str,
    *,
    file: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    **values: Any,
) -> Problem:
    """The Problem for message `code` at this place; KeyError for an unknown code or placeholder."""
    text = messages()[code]
    # Messages may name the place too (`sheet '{sheet}' is hidden`); a value quoted from a cell
    # is shortened, so a huge cell does not become a huge message.
    values = {"sheet": sheet, "row": row, "column": column, **values}
    values = {k: _short(v) if k in QUOTED and isinstance(v, str) else v for k, v in values.items()}
    return Problem(
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        message_en=text.en.format(**values),
        message_ko=text.ko.format(**values),
        hint_en=text.hint_en.format(**values),
        hint_ko=text.hint_ko.format(**values),
        code=code,
    )
