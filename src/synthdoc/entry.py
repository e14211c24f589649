"""The console script. ``synthdoc build`` with nothing changed answers without loading the CLI framework
or the build; everything else goes to the commands in :mod:`synthdoc.cli`."""

from __future__ import annotations

import sys


def _quick_build(args: list[str]) -> bool:
    """``synthdoc build [DOCUMENT...]`` when no input changed: print the stored warnings and stop.

    Any doubt, and any failure at all, falls through to the full command, whose guard reports it."""
    try:
        return _answer_unchanged(args)
    except Exception:
        return False


def _answer_unchanged(args: list[str]) -> bool:
    if not args or args[0] != "build" or any(a.startswith("-") for a in args[1:]):
        return False
    from pathlib import Path

    from .build import quickcheck
    from .core import console
    from .core.diagnostics import SynthdocError
    from .core.project import find_config, load_project

    try:
        project = load_project(find_config(Path.cwd()))
        names = tuple(args[1:])
        if any(n not in {d.id for d in project.documents} for n in names):
            return False
        stored = quickcheck.unchanged(project, names, False)
    except SynthdocError:
        return False
    if stored is None:
        return False
    diags = console.from_dicts(stored)
    console.print_diagnostics(diags)
    console.say(f"all {len(quickcheck.outputs(project, names))} outputs are up to date: no input changed "
                f"({console.summary(diags)}); --force rebuilds them")
    return True


def main() -> None:
    if _quick_build(sys.argv[1:]):
        return
    from .cli import main as cli_main

    cli_main()
