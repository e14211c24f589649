"""Diagnostics: one problem in one file, and the error that carries a list of them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Diagnostic:
    """``path:line:col: severity: message [code]``: what is wrong, where, and its code."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    code: str
    # The document a diagnostic is about, when the same problem is found once per document: its message
    # names it as "document '<id>'", and the terminal shows such repeats as one line (grouped).
    document: str = ""
    # Said of each of many in a file (the entries of a whole library no claim cites): the terminal lists
    # more than MANY_LISTED of one code in one file as one line, "<how many> <many>" (grouped).
    many: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "line": self.line, "col": self.col,
                                   "severity": self.severity.value, "message": self.message, "code": self.code}
        if self.document:
            data["document"] = self.document
        if self.many:
            data["many"] = self.many
        return data


def error(path: Path | str, line: int, col: int, message: str, code: str, document: str = "") -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.ERROR, message, code, document)


def warning(path: Path | str, line: int, col: int, message: str, code: str, document: str = "",
            many: str = "") -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.WARNING, message, code, document, many)


MANY_LISTED = 5


def documents_phrase(ids: list[str]) -> str:
    """``document 'a'``, ``documents 'a' and 'b'``, ``documents 'a', 'b' and 'c'``."""
    quoted = [f"'{i}'" for i in ids]
    if len(quoted) == 1:
        return f"document {quoted[0]}"
    return f"documents {', '.join(quoted[:-1])} and {quoted[-1]}"


def grouped(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics as a reader wants them listed: a problem found once per document at the same place
    (the same claim, point or template line, the same words but for the document) becomes one, naming
    every document; the first keeps its place in the list. ``--format json`` lists each one."""
    out: list[Diagnostic] = []
    groups: dict[tuple[object, ...], list[Diagnostic]] = {}
    for d in diagnostics:
        named = f"document '{d.document}'"
        if not d.document or d.message.count(named) != 1:
            out.append(d)
            continue
        key = (d.path, d.line, d.col, d.severity, d.code, d.message.replace(named, "\0"))
        if key not in groups:
            groups[key] = []
            out.append(d)
        groups[key].append(d)
    merged = {}
    for same in groups.values():
        if len(same) > 1:
            ids = list(dict.fromkeys(d.document for d in same))
            first = same[0]
            message = first.message.replace(f"document '{first.document}'", documents_phrase(ids))
            merged[id(first)] = replace(first, message=message, document=", ".join(ids))
    return _counted([merged.get(id(d), d) for d in out])


def _counted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """More than MANY_LISTED diagnostics of one code in one file (or about one document, in any file) that
    say how to name many at once: one line in the place of the first, counting them."""
    groups: dict[tuple[object, ...], list[Diagnostic]] = {}
    for d in diagnostics:
        if d.many:
            groups.setdefault((d.document or d.path, d.code, d.severity, d.many), []).append(d)
    firsts = {id(same[0]): same for same in groups.values() if len(same) > MANY_LISTED}
    gone = {id(d) for same in firsts.values() for d in same[1:]}
    return [counted_as(d, len(firsts[id(d)])) if id(d) in firsts else d for d in diagnostics if id(d) not in gone]


def counted_as(first: Diagnostic, count: int) -> Diagnostic:
    """The one line that stands for ``count`` diagnostics said of each of many (``first``, the first of them)."""
    return replace(first, message=f"{count:,} {first.many}")


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def to_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


class SynthdocError(Exception):
    """An expected failure: bad input or a failing tool. Shown as diagnostics, never a traceback."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))

    @classmethod
    def single(cls, path: Path | str, message: str, code: str, line: int = 1, col: int = 1) -> SynthdocError:
        return cls([error(path, line, col, message, code)])
