"""Diagnostics: one problem in one file, and the error that carries a list of them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
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

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def error(path: Path | str, line: int, col: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.ERROR, message, code)


def warning(path: Path | str, line: int, col: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(str(path), line, col, Severity.WARNING, message, code)


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
