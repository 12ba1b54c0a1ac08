"""Problems found in user files: where (file, sheet, row, column), what is wrong, how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    message_en: str
    message_ko: str
    hint_en: str
    hint_ko: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    # Stable identifier of the kind of problem (e.g. `not_a_number`), for programs and tests.
    code: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message_en} (fix: {self.hint_en})"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class FileProblems(ValueError):
    """Raised when a file has problems; carries every one of them, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


ProblemMaker = Callable[[str, int | None, str | None, str, str], Problem]


def problem_maker(hint_en: str, hint_ko: str) -> ProblemMaker:
    """A `(file, row, column, en, ko) -> Problem` function whose problems all carry one hint."""

    def make(file: str, row: int | None, column: str | None, en: str, ko: str) -> Problem:
        return Problem(
            file=file,
            row=row,
            column=column,
            message_en=en,
            message_ko=ko,
            hint_en=hint_en,
            hint_ko=hint_ko,
        )

    return make
