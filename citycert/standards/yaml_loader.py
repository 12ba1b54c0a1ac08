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


# The C parser when PyYAML was built with libyaml: same results, many times faster.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _record_lines(node: yaml.Node, path: Path_, marks: dict[Path_, int]) -> None:
    """Remember the line of every data path; refuse duplicate keys (YAML would keep the last)."""
    marks[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str | int] = set()
        for key_node, value_node in node.value:
            key: str | int = (
                key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            )
            if key_node.tag == "tag:yaml.org,2002:int":
                key = int(str(key))
            if key in seen:
                raise StandardsFileError(
                    "", [(key_node.start_mark.line + 1, f"duplicate key {key!r}")]
                )
            seen.add(key)
            _record_lines(value_node, (*path, key), marks)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _record_lines(v, (*path, i), marks)


def read_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Return the data of a YAML file and a map from each data path to its 1-based line."""
    text = path.read_text(encoding="utf-8")
    loader = _LOADER(text)
    try:
        # Parse once: the node tree gives the lines, the same tree gives the data.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise StandardsFileError(path, [(line, f"YAML syntax: {exc.problem}")]) from exc
    finally:
        loader.dispose()
    if node is None:
        raise StandardsFileError(path, [(1, "file is empty")])
    marks: dict[Path_, int] = {}
    try:
        _record_lines(node, (), marks)
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
