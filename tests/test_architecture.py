"""Layering: arrows point inward only (standards <- domain <- store <- services <- web/cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).parents[1] / "citycert"

# For each layer, the citycert sub-packages and third-party modules it must never import.
FORBIDDEN = {
    "standards": (
        {"domain", "store", "services", "io", "web", "cli"},
        {"sqlalchemy", "fastapi", "starlette", "typer", "rich"},
    ),
    "domain": (
        {"store", "services", "io", "web", "cli"},
        {"sqlalchemy", "alembic", "fastapi", "starlette", "typer", "rich", "openpyxl", "psycopg"},
    ),
    "store": ({"services", "web", "cli"}, {"fastapi", "starlette", "typer"}),
    "services": ({"web", "cli"}, {"fastapi", "starlette", "typer"}),
    "io": ({"web", "cli"}, {"fastapi", "starlette", "typer"}),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_inward_only(layer: str) -> None:
    own, third = FORBIDDEN[layer]
    offences = []
    for path in sorted((PKG / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "citycert" and len(parts) > 1 and parts[1] in own:
                offences.append(f"{path.relative_to(PKG)} imports {name}")
            if parts[0] in third:
                offences.append(f"{path.relative_to(PKG)} imports {name}")
    assert not offences, "\n".join(offences)


def test_architecture_check_notices_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from citycert.store import models\nimport sqlalchemy\n", encoding="utf-8")
    assert _imports(bad) == {"citycert.store", "sqlalchemy"}
