"""Paths named in project files stay inside the project: no absolute paths, no ``..``, no symlinks out;
and paths in messages are shown relative to the folder they belong to."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath


def resolved(path: Path) -> Path:
    """``path`` made absolute with its symbolic links followed as far as they lead. A link that points at
    itself (a loop) is left as it stands, for opening it to fail with an error naming it: ``Path.resolve``
    raises RuntimeError there on Python 3.11 and 3.12."""
    return Path(os.path.realpath(path))


def outside_reason(root: Path, relative: str, base: Path | None = None) -> str | None:
    """Why ``relative`` (as written in a project file, relative to ``base``, by default ``root``) would
    leave ``root``; None when it stays inside."""
    if any(ord(ch) < 32 for ch in relative):
        return "contains a control character (NUL, tab or line break)"
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or relative.startswith("~"):
        return "is an absolute path"
    if ".." in PurePosixPath(relative.replace("\\", "/")).parts:
        return "goes up out of the project with '..'"
    try:
        resolved((base or root) / relative).relative_to(resolved(root))
    except (ValueError, OSError):
        return "leads out of the project through a symbolic link"
    return None


def refusal(relative: str, reason: str, what: str) -> str:
    return (f"{what} '{relative}' {reason}; synthdoc only reads and writes inside the project folder, "
            "so give a path relative to it")


def shown_path(path: Path, root: Path) -> str:
    """``path`` as messages show it: relative to ``root`` when it is inside, else as it is. A file name that
    is not valid in the system's encoding shows its undecodable bytes as U+FFFD (printable everywhere)."""
    shown = str(path)
    for where in (resolved(path), Path(os.path.abspath(path))):  # a link out of the project: the link itself
        for base in (resolved(root), Path(os.path.abspath(root))):
            if where.is_relative_to(base):
                return printable(str(where.relative_to(base)))
    return printable(shown)


def printable(name: str) -> str:
    """A path as text that can be printed and written as UTF-8, whatever bytes its file name holds."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
