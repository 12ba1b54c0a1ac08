"""The README stays honest: every command and every setting it names exists, and vice versa."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from citycert.cli import app
from citycert.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(typer_app: typer.Typer, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for cmd in typer_app.registered_commands:
        name = cmd.name or (cmd.callback.__name__.replace("_", "-") if cmd.callback else "")
        names.add(f"{prefix}{name}".strip())
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names |= _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


def _readme_commands() -> set[str]:
    return set(re.findall(r"`citycert ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", README))


def test_every_top_level_command_is_in_the_readme() -> None:
    top = {c.split()[0] for c in _commands(app)}
    documented = {c.split()[0] for c in _readme_commands()}
    assert top - documented == set(), "add these commands to the README's command table"


def test_every_command_the_readme_names_exists() -> None:
    real = _commands(app)
    tops = {c.split()[0] for c in real}
    missing = []
    for cmd in _readme_commands():
        first, *rest = cmd.split()
        if first not in tops:
            missing.append(cmd)
        elif rest and any(c.startswith(f"{first} ") for c in real) and cmd not in real:
            # `citycert catalog list`: a sub-command must exist; `citycert compute --x` is fine.
            missing.append(cmd)
    assert missing == []


def test_every_setting_is_documented_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"CITYCERT_{name.upper()}" in README, name


def test_readme_has_exactly_two_quick_start_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
