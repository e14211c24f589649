"""What each output depends on, as hashes; and the record of what the last build made from what.

An output is up to date when its file exists and the record of its inputs equals the inputs'
hashes now. Anything unreadable in the record means "rebuild", never "skip".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import pandoc
from ..core.cache import digest
from ..core.files import atomic_write, read_record
from ..core.project import Document
from ..render.document import Inputs
from ..render.styles import locale_path, resolve_style
from ..render.synthesis import selected_claims
from ..render.templating import template_files
from ..sources.claims import Claim

MANIFEST = "manifest.json"
SCHEMA = 1


def claim_digest(claim: Claim) -> str:
    """A claim's content, without where it stands in its file (moving a claim changes no output)."""
    return digest([claim.source, claim.id, claim.kind, claim.themes, claim.says, claim.short, claim.quote,
                   [claim.at.kind, claim.at.value] if claim.at else None, claim.point, claim.contrasts,
                   claim.actors, *([claim.translation] if claim.translation else [])])


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return digest(Path(path).read_bytes())


def file_digest(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return _file_digest(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=1)
def tool_versions() -> str:
    try:
        import typst

        typst_version = getattr(typst, "__version__", "?")
    except ImportError:
        typst_version = "missing"
    return f"synthdoc {__version__}; pandoc {pandoc.pandoc_identity()}; typst {typst_version}"


@dataclass(frozen=True)
class Fingerprint:
    """The hashes of everything one document's outputs depend on."""

    parts: dict[str, str]
    claims: dict[str, str] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        return {"parts": self.parts, "claims": self.claims, "entries": self.entries, "texts": self.texts}


def fingerprints(inputs: Inputs, doc: Document, extras: dict[str, dict[str, Any]]) -> dict[str, Fingerprint]:
    """One fingerprint per format: the document's inputs, plus what only that format depends on."""
    base = fingerprint(inputs, doc, {})
    return {fmt: Fingerprint(base.parts | {"format": digest(extra)}, base.claims, base.entries, base.texts)
            for fmt, extra in extras.items()}


def fingerprint(inputs: Inputs, doc: Document, format_extra: dict[str, Any]) -> Fingerprint:
    project = inputs.project
    claims = selected_claims(doc, inputs.sources)
    keys = sorted({c.source for c in claims})
    templates = template_files(doc.template, project.templates)
    style = resolve_style(doc.style, project.root)
    locale = locale_path(doc.lang)
    config = {"document": asdict(doc) | {"line": 0, "style_line": 0},
              "themes": [asdict(t) | {"line": 0} for t in project.themes],
              "points": [asdict(p) | {"line": 0} for p in project.points],
              "actors": [asdict(a) | {"line": 0} for a in project.actors], "title": project.title,
              "relevance": {s.key: s.relevance for s in inputs.sources if s.relevance and s.key in keys}}
    claim_hashes = {c.ref: claim_digest(c) for c in claims}
    entries = {k: digest(inputs.bibliography.get(k)) for k in keys}
    texts = {k: digest(inputs.texts[k].text) for k in keys if k in inputs.texts}
    parts = {
        "config": digest(config),
        "claims": digest(claim_hashes),
        "bibliography": digest(entries),
        "source texts": digest(texts),
        "templates": digest({str(t): file_digest(t) for t in templates}),
        "style": file_digest(style),
        "locale": file_digest(locale) if locale else "none",
        "versions": tool_versions(),
        "format": digest(format_extra),
    }
    return Fingerprint(parts, claim_hashes, entries, texts)


class Manifest:
    """``.synthdoc/manifest.json``: per document and format, the fingerprint its output was made from."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict[str, Any] = {}
        loaded = read_record(path)
        if isinstance(loaded, dict) and loaded.get("schema") == SCHEMA and isinstance(loaded.get("outputs"), dict):
            self.data = loaded["outputs"]

    def previous(self, doc_id: str, fmt: str) -> dict[str, Any] | None:
        record = self.data.get(doc_id, {}).get(fmt) if isinstance(self.data.get(doc_id), dict) else None
        return record if isinstance(record, dict) and isinstance(record.get("parts"), dict) else None

    def reasons(self, doc_id: str, fmt: str, now: Fingerprint, output: Path) -> list[str]:
        """Why an output must be rebuilt; empty when it is up to date."""
        if not output.is_file():
            return ["no previous output"]
        before = self.previous(doc_id, fmt)
        if before is None:
            return ["no record of the previous build"]
        changed = [name for name, value in now.parts.items() if before["parts"].get(name) != value]
        return [f"{name} changed" for name in changed]

    def record(self, doc_id: str, fmt: str, now: Fingerprint) -> None:
        self.data.setdefault(doc_id, {})[fmt] = now.as_record()

    def payload(self) -> bytes:
        return json.dumps({"schema": SCHEMA, "outputs": self.data}, indent=1, sort_keys=True).encode("utf-8")

    def save(self) -> None:
        atomic_write(self.path, self.payload())
