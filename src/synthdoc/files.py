"""Reading inputs with one clear error for each way a file can be missing or unreadable, and writing
outputs so that a failed or interrupted build never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .diagnostics import SynthdocError


def read_input(path: Path, shown: str, kind: str, missing: str = "file not found") -> bytes:
    """The bytes of an input file (``kind``: "a YAML file", …); a missing file, a folder or an
    unreadable file becomes an error naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SynthdocError.single(shown, missing, "file-missing") from None
    except IsADirectoryError:
        raise SynthdocError.single(shown, f"is a folder, not {kind}", "file-unreadable") from None
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot read the file: {exc.strerror}", "file-unreadable") from None


def read_record(path: Path) -> Any | None:
    """A JSON record synthdoc keeps for itself (manifest, state, cache), or None when it is missing or
    cannot be read: such a record only ever makes work cheaper, so its loss just means more work."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _file_mode() -> int:
    """The mode a new file gets under this process's umask (read once, before any thread starts)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp makes its file 0600; a finished output takes the mode any other new file would have.
FILE_MODE = _file_mode()


def atomic_write(path: Path, data: bytes, shown: str | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over ``path``."""
    shown = shown or str(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot write here: {exc.strerror}; previous outputs are unchanged",
                                   "output-unwritable") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SynthdocError.single(shown, f"cannot write the output: {exc.strerror}; the previous file is "
                                   "unchanged", "output-unwritable") from None
