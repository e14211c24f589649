"""``synthdoc init``: a small project that builds as it is, copied from the package's starter folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from .diagnostics import SynthdocError
from .editorschema import write_schemas

STARTER = Path(__file__).parent / "starter"


def scaffold(directory: Path) -> list[Path]:
    """Copy the starter project into ``directory``; never overwrite a file that is there."""
    files = sorted(p for p in STARTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    clashes = [directory / p.relative_to(STARTER) for p in files if (directory / p.relative_to(STARTER)).exists()]
    if clashes:
        raise SynthdocError.single(clashes[0], "already exists; synthdoc init never overwrites files; choose an "
                                   "empty or new folder", "file-exists")
    written = []
    for src in files:
        dest = directory / src.relative_to(STARTER)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        except OSError as exc:
            raise SynthdocError.single(dest, f"cannot create: {exc.strerror}", "output-unwritable") from None
        written.append(dest)
    (directory / "templates").mkdir(exist_ok=True)
    return written + write_schemas(directory)
