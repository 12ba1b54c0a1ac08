"""Bilingual user-facing texts: `t(key, lang)` over the catalogue files `citycert/i18n/*.yaml`.

Every file maps a key to `{en, ko}` (import messages add `hint_en`, `hint_ko`, reachable as
`<key>.hint`). Keys are global across files; the same key in two files is an error. Texts may
hold `{placeholders}` filled from keyword arguments. An unknown key never raises: it returns the
sentinel `[[missing:<key>]]` and is remembered in `missing_keys()`, so a test walking every page
fails on it instead of a visitor seeing a crash. Files are read on first use, not at import.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from citycert.standards.yaml_loader import StandardsFileError, load_model

I18N_DIR = Path(__file__).parent
LANGS: tuple[str, ...] = ("en", "ko")
DEFAULT_LANG = "en"
Lang = Literal["en", "ko"]
_MISSING = "[[missing:{key}]]"

# Keys asked for but not found since start (diagnostics for tests; never needed to serve pages).
_misses: set[str] = set()


class Entry(BaseModel):
    """One text in English and Korean, with an optional fix hint in both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    hint_en: str | None = Field(default=None, min_length=1)
    hint_ko: str | None = Field(default=None, min_length=1)


class EntryFile(RootModel[dict[str, Entry]]):
    pass


def normalise_lang(lang: str | None) -> str:
    """`ko` or `en` (the default) from any tag such as `ko-KR`, `EN`, None."""
    if not lang:
        return DEFAULT_LANG
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGS else DEFAULT_LANG


@cache
def catalogue(folder: Path = I18N_DIR) -> dict[str, dict[str, str]]:
    """Every text by key, as `{lang: text}`; StandardsFileError on a bad file or a duplicate key."""
    texts: dict[str, dict[str, str]] = {}
    origin: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        for key, entry in load_model(path, EntryFile).root.items():
            found: dict[str, dict[str, str]] = {key: {"en": entry.en, "ko": entry.ko}}
            if entry.hint_en or entry.hint_ko:
                if not (entry.hint_en and entry.hint_ko):
                    raise StandardsFileError(path, [(None, f"{key}: give hint_en and hint_ko")])
                found[f"{key}.hint"] = {"en": entry.hint_en, "ko": entry.hint_ko}
            for k, v in found.items():
                if k in texts:
                    raise StandardsFileError(
                        path, [(None, f"key {k!r} is already defined in {origin[k].name}")]
                    )
                texts[k] = v
                origin[k] = path
    return texts


def has(key: str) -> bool:
    return key in catalogue()


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The text for `key` in `lang` with `{placeholders}` filled; a sentinel when key is unknown."""
    entry = catalogue().get(key)
    if entry is None:
        _misses.add(key)
        return _MISSING.format(key=key)
    text = entry[normalise_lang(lang)]
    return text.format(**params) if params else text


def both(key: str, /, **params: object) -> dict[str, str]:
    """The text in every language, `{"en": ..., "ko": ...}` (for JSON bodies and audit logs)."""
    return {lang: t(key, lang, **params) for lang in LANGS}


def missing_keys() -> frozenset[str]:
    """Keys looked up since start that exist in no catalogue file."""
    return frozenset(_misses)


def is_missing(text: str) -> bool:
    """Whether a rendered text contains the missing-key sentinel."""
    return "[[missing:" in text
