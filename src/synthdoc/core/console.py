"""Printing diagnostics and summaries on the terminal (coloured when stderr is one); no CLI framework needed."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable

from .diagnostics import Diagnostic, Severity, grouped

_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_RESET = "\033[0m"
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


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


def guarded(command: Callable[[], int | None]) -> int:
    """Run a command (the console script's work) with the last guard: an interrupt and a bug of synthdoc's
    own end in one line and an exit code, never a traceback (SYNTHDOC_DEBUG=1 shows it). The command's
    exit code, 0 when it returns none; a SystemExit it raises (the CLI framework's) goes on as it is."""
    try:
        return command() or EXIT_OK
    except KeyboardInterrupt:
        say("interrupted; previous outputs are unchanged")
        return 130
    except Exception as exc:  # a bug in synthdoc, not in the user's input
        if os.environ.get("SYNTHDOC_DEBUG"):
            raise
        say(internal_error(exc))
        return EXIT_BUG
