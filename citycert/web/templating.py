"""The Jinja2 environment of the portal: autoescaping on, strict about undefined names.

Built once per app by `create_app` (never at import). Templates live in `web/templates/`; every
page extends `base.html` (landmarks, skip link, language switch, navigation) and uses the macros
in `_macros.html` (tables, charts with their data tables, pagination, forms with the CSRF field).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from citycert.web.formatting import fmt_date, fmt_number, fmt_percent
from citycert.web.labels import standard_label

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


def pick(text: Any, lang: str) -> str:
    """The `lang` side of a bilingual value: a `Text`, a `{en, ko}` dict, or `x_en`/`x_ko` pair."""
    if text is None:
        return ""
    if isinstance(text, Mapping):
        return str(text.get(lang) or text.get("en") or "")
    if hasattr(text, "get") and hasattr(text, "en"):
        return str(text.get(lang))
    return str(text)


def name_of(obj: Any, lang: str, field: str = "name") -> str:
    """`obj.name_ko` or `obj.name_en` by language (cities, levels)."""
    return str(getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_en", ""))


def _static_versions(folder: Path) -> dict[str, str]:
    """A short content hash per static file, appended to its URL so browsers refetch changes."""
    out: dict[str, str] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()[:10]
    return out


def make_environment(nav: Sequence[Any] = ()) -> Environment:
    """The template environment; `nav` lists the top navigation entries of the layout."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    versions = _static_versions(STATIC_DIR)

    def static(name: str) -> str:
        v = versions.get(name)
        return f"/static/{name}" + (f"?v={v}" if v else "")

    env.filters.update(num=fmt_number, pct=fmt_percent, date=fmt_date)
    env.globals.update(
        static=static, nav=tuple(nav), pick=pick, name_of=name_of, standard_label=standard_label
    )
    return env
