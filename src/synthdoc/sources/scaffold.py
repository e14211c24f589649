"""``synthdoc init``: a small project that builds as it is, copied from the package's starter folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.diagnostics import SynthdocError
from .editorschema import write_schemas

STARTER = Path(__file__).parent.parent / "starter"
# Per language: English, a small review of the Universal Declaration; Indonesian, a skripsi's Bab II
# (chapter 2, a Tabel penelitian terdahulu) from an Indonesian thesis and the Declaration, translated.
STARTERS = {"en": STARTER, "id": Path(__file__).parent.parent / "starter_id"}


def scaffold(directory: Path, lang: str = "en") -> list[Path]:
    """Copy the starter project for ``lang`` into ``directory``; never overwrite a file that is there."""
    starter = STARTERS[lang]
    files = sorted(p for p in starter.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    clashes = [directory / p.relative_to(starter) for p in files if (directory / p.relative_to(starter)).exists()]
    if clashes:
        raise SynthdocError.single(clashes[0], "already exists; synthdoc init never overwrites files; choose an "
                                   "empty or new folder", "file-exists")
    written = []
    for src in files:
        dest = directory / src.relative_to(starter)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        except OSError as exc:
            raise SynthdocError.single(dest, f"cannot create: {exc.strerror}", "output-unwritable") from None
        written.append(dest)
    (directory / "templates").mkdir(exist_ok=True)
    return written + write_schemas(directory)
