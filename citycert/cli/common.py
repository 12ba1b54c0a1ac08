"""Shared CLI helpers: consoles, output formats and turning known errors into clean exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console

from citycert.io.problems import Problem

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class Lang(StrEnum):
    en = "en"
    ko = "ko"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` to stderr and exit with `code` (2 = bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_problems(problems: Iterable[Problem], lang: Lang) -> None:
    """Print each file problem with its fix-it hint to stderr, in the chosen language."""
    for p in problems:
        msg, hint = (p.message_ko, p.hint_ko) if lang is Lang.ko else (p.message_en, p.hint_en)
        err_console.print(f"{p.location()}: {msg} — {hint}", highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def user_errors(
    *kinds: type[Exception], formatter: Callable[[Exception], str] = str
) -> Iterator[None]:
    """Turn the listed exception types into a clean error message and exit code 2."""
    try:
        yield
    except kinds as exc:
        fail(formatter(exc))
