"""Safe YAML loading that remembers the line and column of every value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import SynthdocError
from .files import read_input

Key = tuple[object, ...]
MAX_VALUES = 200_000
MAX_BYTES = 10_000_000
# Text in all values, counting each alias expansion: a 1 MB value repeated by 2,000 aliases is refused.
MAX_TEXT = 50_000_000
# Lists and mappings inside each other: a real file nests a handful deep. synthdoc's own limit, below any
# parser's (libyaml stops at 1,000 with an error of its own, PyYAML's Python parser not at all).
MAX_DEPTH = 100
# libyaml's parser when PyYAML has it (several times faster); the same safe composition either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map",
                                                         "timestamp")}


@dataclass(frozen=True)
class YamlDocument:
    """Plain Python data from one YAML file, with the position of each value by its key path."""

    path: Path
    data: Any
    positions: dict[Key, tuple[int, int]] = field(repr=False)
    display: str = ""

    def where(self, *key: object) -> tuple[int, int]:
        """1-based (line, col) of the value at ``key``, or of its nearest enclosing value."""
        probe = tuple(key)
        while probe not in self.positions and probe:
            probe = probe[:-1]
        return self.positions.get(probe, (1, 1))

    def name(self) -> str:
        return self.display or str(self.path)


def load_yaml(path: Path, display: str | None = None, root: Path | None = None) -> YamlDocument:
    """Load ``path`` safely: plain scalars, lists and mappings only; syntax errors name the line. With
    ``root``, the file must stand inside that folder."""
    shown = display or str(path)
    return decode_yaml(read_input(path, shown, "a YAML file", root=root, limit=MAX_BYTES), path, shown)


def decode_yaml(raw: bytes, path: Path, shown: str) -> YamlDocument:
    """A YAML file's bytes, read by :func:`load_yaml` (or by its caller, through ``read_input``)."""
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # newlines as read_text gives them
    except UnicodeDecodeError as exc:
        raise SynthdocError.single(shown, f"not UTF-8 text ({exc.reason})", "encoding") from None
    return parse_yaml(text, path, shown)


def parse_yaml(text: str, path: Path, display: str) -> YamlDocument:
    try:
        node = yaml.compose(text, Loader=_LOADER)
        positions: dict[Key, tuple[int, int]] = {}
        budget = [MAX_VALUES, MAX_TEXT]
        data = _to_python(node, (), positions, display, budget) if node is not None else None
    except (RecursionError, yaml.YAMLError) as exc:
        # A parser's own nesting limit reads as a syntax error (or a RecursionError): say synthdoc's.
        deep = _too_deep(text)
        if deep is not None:
            raise _nested_too_deep(display, *deep) from None
        if isinstance(exc, RecursionError):
            raise
        raise _syntax_error(exc, display) from None
    return YamlDocument(path, data, positions, display)


def _nested_too_deep(display: str, line: int, col: int) -> SynthdocError:
    return SynthdocError.single(display, f"values nested more than {MAX_DEPTH} deep (lists or mappings inside "
                                "each other); synthdoc files need only a few levels", "yaml-too-large", line, col)


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where the nesting of lists and mappings first passes ``MAX_DEPTH`` (line, col), read from the events
    of PyYAML's Python parser, which has no nesting limit of its own and makes them without recursion
    (libyaml scans ahead and stops at its limit first); None when it never does before the text ends or
    the parser stops."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


def _syntax_error(exc: yaml.YAMLError, display: str) -> SynthdocError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return SynthdocError.single(display, f"YAML syntax: {problem}", "yaml-syntax", line, col)
    return SynthdocError.single(display, f"YAML syntax: {exc}", "yaml-syntax")


def _to_python(
    node: yaml.Node, key: Key, positions: dict[Key, tuple[int, int]], display: str, budget: list[int]
) -> Any:
    if len(key) >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
        raise _nested_too_deep(display, node.start_mark.line + 1, node.start_mark.column + 1)
    budget[0] -= 1
    if budget[0] < 0:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SynthdocError.single(
            display, f"more than {MAX_VALUES:,} values (aliases expanding without end?)", "yaml-too-large", line, col
        )
    positions[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _PLAIN_TAGS:
        line, col = positions[key]
        raise SynthdocError.single(display, f"YAML tag '{node.tag}' is not allowed: synthdoc files hold plain "
                                   "text, numbers, lists and mappings", "yaml-tag", line, col)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                line, col = knode.start_mark.line + 1, knode.start_mark.column + 1
                raise SynthdocError.single(display, "a mapping key must be a plain value", "yaml-syntax", line, col)
            name = _scalar(knode)
            if name in result:
                line, col = knode.start_mark.line + 1, knode.start_mark.column + 1
                raise SynthdocError.single(display, f"duplicate key '{name}'", "yaml-duplicate-key", line, col)
            result[name] = _to_python(vnode, (*key, name), positions, display, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*key, i), positions, display, budget) for i, item in enumerate(node.value)]
    budget[1] -= len(node.value)
    if budget[1] < 0:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        raise SynthdocError.single(display, f"more than {MAX_TEXT // 1_000_000} million characters of values once "
                                   "aliases are expanded", "yaml-too-large", line, col)
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    """A scalar as YAML's safe resolver types it, except that a float keeps the text it was
    written as (``4.10`` stays ``'4.10'``, not 4.1): section numbers look like floats."""
    value = node.value
    tag = node.tag
    if tag.endswith(":int"):
        try:
            return int(value)
        except ValueError:
            return value
    if tag.endswith(":float"):
        return ScalarText(value)
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if tag.endswith(":null"):
        return None
    return value


class ScalarText(str):
    """A YAML value that resolved to a float, kept as the text that was written."""
