"""The console script. ``synthdoc build [DOCUMENT...]`` (no options) is built without loading the CLI
framework (its start is a tenth of a second of every build); everything else goes to the commands in
:mod:`synthdoc.cli`."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import NoReturn


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


def script() -> NoReturn:
    """The ``synthdoc`` command (and ``python -m synthdoc``): :func:`main`, then the process ends."""
    try:
        main()
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


def leave(code: object) -> NoReturn:
    """End the process once its work is done, with ``code`` as SystemExit takes it: its output flushed and its exit
    handlers run (temporary folders removed), but without Python freeing every object one by one first: after a
    first build of a chapter citing a 20,000-entry library, the process ended 30–40 ms after its work, and ends
    5–10 ms after it this way. With another thread still running, the usual exit, which waits for it."""
    threading = sys.modules.get("threading")  # (not loaded: no thread of its making)
    if (threading is not None and threading.active_count() > 1) or not hasattr(atexit, "_run_exitfuncs"):
        sys.exit(code)
    if code is None or isinstance(code, int):
        status = int(code or 0)
    else:  # as Python prints a SystemExit's message
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # (a reader gone: nothing more to tell it)
            stream.flush()
    os._exit(status)
