"""A live row counter for long CLI commands, shown only on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from citycert.cli.common import err_console


@contextmanager
def live_counter(label: str, unit: str = "") -> Iterator[Callable[[int], None] | None]:
    """A callback adding to a live count on stderr; None when output is redirected (or in tests).

    `unit` follows the number (e.g. " rows").
    """
    if not err_console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description}"),
               TextColumn("{task.completed:,}" + unit), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)
