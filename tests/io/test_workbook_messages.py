"""The import messages file: every code the code uses exists, in English and Korean, with hints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from citycert.io.workbook.messages import messages, problem

PKG = Path(__file__).parents[2] / "citycert"
SOURCES = [
    *sorted((PKG / "io" / "workbook").glob("*.py")),
    PKG / "io" / "exchange_read.py",
    PKG / "services" / "imports.py",
]
# Where a code is chosen: `problem("code", ...)`, `self.add("code", ...)`, `self._add(raw, col,
# "code", ...)`, `Reading(problem="code")`, `code = "code"`, `return None, "code"`.
_USES = re.compile(
    r'(?:problem|add|at)\(\s*"([a-z0-9_]+)"|_add\(raw, Col\.\w+, "([a-z0-9_]+)"'
    r'|problem="([a-z0-9_]+)"|code = "([a-z0-9_]+)"|return None, "([a-z0-9_]+)"'
)
_LITERAL = re.compile(r'"([a-z0-9_]+)"')
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _codes_used() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        for m in _USES.finditer(path.read_text(encoding="utf-8")):
            found.update(g for g in m.groups() if g)
    return found


def _literals() -> set[str]:
    return {m for path in SOURCES for m in _LITERAL.findall(path.read_text(encoding="utf-8"))}


def test_every_message_code_used_in_the_code_is_defined() -> None:
    used = _codes_used()
    assert len(used) > 30
    assert sorted(used - set(messages())) == []


def test_every_defined_message_is_used() -> None:
    assert sorted(set(messages()) - _literals()) == []


@pytest.mark.parametrize("code", sorted(messages()))
def test_message_has_korean_text_and_the_same_placeholders_in_both_languages(code: str) -> None:
    text = messages()[code]
    assert _HANGUL.search(text.ko) and _HANGUL.search(text.hint_ko)
    placeholders: dict[str, Any] = dict.fromkeys(text.fields(), "x")
    filled = problem(code, file="f.xlsx", **placeholders)
    assert "{" not in filled.message_en + filled.message_ko + filled.hint_en + filled.hint_ko
    assert filled.code == code


def test_problem_refuses_an_unknown_code() -> None:
    with pytest.raises(KeyError):
        problem("no_such_code", file="f.xlsx")
