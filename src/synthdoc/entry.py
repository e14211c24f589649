"""The console script. ``synthdoc build [DOCUMENT...]`` (no options) is built without loading the CLI
framework (its start is a tenth of a second of every build); everything else goes to the commands in
:mod:`synthdoc.cli`."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "build" and not any(a.startswith("-") for a in args[1:]):
        from .build.command import build_command
        from .core.console import guarded

        code = guarded(lambda: build_command(None, tuple(args[1:])))
        if code:
            sys.exit(code)
        return
    from .cli import main as cli_main

    cli_main()
