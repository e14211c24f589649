"""Printing diagnostics and summaries on the terminal (coloured when stderr is one); no CLI framework needed."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from .diagnostics import Diagnostic, Severity, grouped

_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_RESET = "\033[0m"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_diagnostics(diags: Iterable[Diagnostic]) -> None:
    colour = sys.stderr.isatty()
    for d in grouped(diags):
        if colour:
            say(f"{d.path}:{d.line}:{d.col}: {_COLOURS[d.severity]}{d.severity.value}{_RESET}: {d.message} [{d.code}]")
        else:
            say(str(d))


def summary(diags: Iterable[Diagnostic]) -> str:
    """How many errors and warnings, as listed (a problem repeated per document counts once)."""
    diags = grouped(diags)
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def from_dicts(stored: list[dict]) -> list[Diagnostic]:
    return [Diagnostic(**(d | {"severity": Severity(d["severity"])})) for d in stored]


def internal_error(exc: BaseException) -> str:
    """What synthdoc says about a bug of its own (never about the user's input)."""
    return (f"synthdoc: internal error ({type(exc).__name__}: {exc}). This is a bug in synthdoc, not in your "
            "project; previous outputs are unchanged. Rerun with SYNTHDOC_DEBUG=1 to see the traceback, and "
            "report it.")
