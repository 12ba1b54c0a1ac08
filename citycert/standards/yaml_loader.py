"""Strict YAML loading: parse a file into a pydantic model; errors name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

Path_ = tuple[str | int, ...]


class StandardsFileError(ValueError):
    """A standards data file is malformed; the message names the file, line and the problem."""

    def __init__(self, path: Path | str, problems: list[tuple[int | None, str]]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = [f"{self.path}:{line or '?'}: {msg}" for line, msg in problems]
        super().__init__("\n".join(lines))


def _construct(node: yaml.Node, path: Path_, marks: dict[Path_, int]) -> Any:
    """Build plain Python data from a YAML node, remembering the line of every path."""
    marks[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            if key in out:
                raise StandardsFileError(
                    "", [(key_node.start_mark.line + 1, f"duplicate key {key!r}")]
                )
            out[key] = _construct(value_node, (*path, key), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*path, i), marks) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def read_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Return the data of a YAML file and a map from each data path to its 1-based line."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise StandardsFileError(path, [(line, f"YAML syntax: {exc.problem}")]) from exc
    if node is None:
        raise StandardsFileError(path, [(1, "file is empty")])
    marks: dict[Path_, int] = {}
    try:
        data = _construct(node, (), marks)
    except StandardsFileError as exc:
        raise StandardsFileError(path, exc.problems) from exc
    return data, marks


def _line_for(loc: tuple[Any, ...], marks: dict[Path_, int]) -> int | None:
    parts = list(loc)
    while parts:
        key = tuple(parts)
        if key in marks:
            return marks[key]
        parts.pop()
    return marks.get(())


def load_model(path: Path, model: type[M]) -> M:
    """Load `path` into `model`; raise StandardsFileError listing every problem with its line."""
    data, marks = read_yaml_with_lines(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[int | None, str]] = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"])
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append((_line_for(loc, marks), f"{where}: {err['msg']}"))
        raise StandardsFileError(path, problems) from exc
