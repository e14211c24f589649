"""What each output depends on, as hashes; and the record of what the last build made from what.

An output is up to date when its file exists and the record of its inputs equals the inputs'
hashes now. Anything unreadable in the record means "rebuild", never "skip".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import pandoc
from ..core.cache import digest
from ..core.console import from_dicts
from ..core.diagnostics import Diagnostic
from ..core.files import atomic_write, read_record
from ..core.project import Document
from ..render.citations import cited_keys
from ..render.document import Inputs
from ..render.styles import locale_path, resolve_style
from ..render.synthesis import ClaimView, Context, selected_claims
from ..render.templating import template_files
from ..sources.claims import Claim
from .quickcheck import code_identity

MANIFEST = "manifest.json"
SCHEMA = 1


def claim_digest(claim: Claim) -> str:
    """A claim's content, without where it stands in its file (moving a claim changes no output)."""
    return digest([claim.source, claim.id, claim.kind, claim.themes, claim.says, claim.short, claim.quote,
                   [claim.at.kind, claim.at.value] if claim.at else None, claim.point, claim.contrasts,
                   claim.actors, *([claim.translation] if claim.translation else [])])


def file_digest(path: Path) -> str:
    """A file's bytes, read every time: an edit that keeps the file's size and time (``cp -p``, ``rsync -t``,
    unzip) changes it as any other edit does."""
    try:
        return digest(path.read_bytes())
    except OSError:
        return "missing"


@lru_cache(maxsize=1)
def tool_versions() -> str:
    # synthdoc's own code by its files, and typst's, jinja's and the styles' packages by theirs (code_identity,
    # without importing them): outputs made by other code are not up to date, whatever the versions say
    return f"synthdoc {__version__} {digest(code_identity())}; pandoc {pandoc.pandoc_identity()}"


@dataclass(frozen=True)
class Fingerprint:
    """The hashes of everything one document's outputs depend on."""

    parts: dict[str, str]
    claims: dict[str, str] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        return {"parts": self.parts, "claims": self.claims, "entries": self.entries, "texts": self.texts}


def fingerprints(inputs: Inputs, doc: Document, made: tuple[str, Context],
                 extras: dict[str, dict[str, Any]]) -> dict[str, Fingerprint]:
    """One fingerprint per format: the document's inputs, plus what only that format depends on."""
    base = fingerprint(inputs, doc, made, {})
    return {fmt: Fingerprint(base.parts | {"format": digest(extra)}, base.claims, base.entries, base.texts)
            for fmt, extra in extras.items()}


def fingerprint(inputs: Inputs, doc: Document, made: tuple[str, Context], format_extra: dict[str, Any]) -> Fingerprint:
    """What a document's outputs are made from: ``made``, the document's Markdown (everything pandoc reads
    of the claims, the template's own text and citations, in order) and the context the outputs read beside
    it (provenance, bookmarks, the workbook); the bibliography entries the Markdown cites, as pandoc reads
    them and in the order it reads them; the style, locale, templates, tools and the format's own settings.
    The claims, entries and texts are also kept one by one, for the change report."""
    project = inputs.project
    markdown, ctx = made
    claims = selected_claims(doc, inputs.sources)
    keys = sorted({c.source for c in claims})
    templates = template_files(doc.template, project.templates)
    style = resolve_style(doc.style, project.root)
    locale = locale_path(doc.lang)
    config = {"document": asdict(doc) | {"line": 0, "style_line": 0},
              "themes": [asdict(t) | {"line": 0} for t in project.themes],
              "points": [asdict(p) | {"line": 0} for p in project.points],
              "actors": [asdict(a) | {"line": 0} for a in project.actors], "title": project.title,
              "relevance": {s.key: s.relevance for s in inputs.sources if s.relevance and s.key in keys},
              "study": {s.key: dict(s.study) for s in inputs.sources if s.study and s.key in keys},
              "research": asdict(project.research) if project.research else None}
    claim_hashes = {c.ref: claim_digest(c) for c in claims}
    read = pandoc_entries(inputs, doc, markdown, keys)
    entries = {str(item.get("id")): digest(item) for item in read}
    texts = {k: digest(inputs.texts[k].text) for k in keys if k in inputs.texts}
    parts = {
        "config": digest(config),
        "document": digest(markdown.encode("utf-8")),
        "context": context_digest(ctx, claim_hashes),
        "claims": digest(list(claim_hashes.items())),  # in the document's order
        "bibliography": digest(list(entries.items())),  # in the order pandoc reads them
        "source texts": digest(texts),
        "templates": digest({str(t): file_digest(t) for t in templates}),
        "style": file_digest(style),
        "locale": file_digest(locale) if locale else "none",
        "versions": tool_versions(),
        "format": digest(format_extra),
    }
    return Fingerprint(parts, claim_hashes, entries, texts)


def pandoc_entries(inputs: Inputs, doc: Document, markdown: str, sources: list[str]) -> list[dict[str, Any]]:
    """The entries citeproc renders for the document, as pandoc reads them (in the document's language) and
    in the order of the file it reads: those the Markdown cites (its claims' and its template's own), its
    claims' sources, and every entry when the document asks for uncited ones (``nocite``)."""
    items, _ = inputs.bibliography.for_language(doc.lang)
    if "nocite" in markdown:
        return list(items)
    wanted = {*cited_keys(markdown), *sources}
    return [item for item in items if str(item.get("id")) in wanted]


# Where a value stands in its file, not what it is: no output shows it.
_POSITION = frozenset({"line", "style_line", "path", "_words"})


def context_digest(ctx: Context, claim_hashes: dict[str, str]) -> str:
    """The context a document's outputs read beside its Markdown, in order, without where things stand in
    their files. Each claim's view is written out once (its claim by ``claim_hashes``), then named by number;
    a list, mapping or set that views share (the document's quote frames, which every claim's view holds)
    is written out once too (``{"new": ...}``), then named by the order in which it was first written
    (``{"same": n}``): every non-empty one is wrapped, so that no value reads as another."""
    seen: set[int] = set()
    shared: dict[int, int] = {}  # id of a view's list, mapping or set -> its number, once written

    def once(value: Any) -> Any:
        if not isinstance(value, list | dict | set | frozenset) or not value:
            return value
        if id(value) in shared:
            return {"same": shared[id(value)]}
        shared[id(value)] = len(shared)
        return {"new": value}

    def plain(value: Any) -> Any:
        if isinstance(value, ClaimView):
            if id(value) in seen:
                return value.n
            seen.add(id(value))
        elif isinstance(value, Claim):
            return claim_hashes.get(value.ref) or claim_digest(value)
        if is_dataclass(value) and not isinstance(value, type):
            return [type(value).__name__, *(once(getattr(value, name)) for name in _shown_fields(type(value)))]
        if isinstance(value, set | frozenset):
            return sorted(value, key=str)
        return str(value)

    return digest(json.dumps(ctx.as_dict(), default=plain, ensure_ascii=False).encode("utf-8"))


@lru_cache(maxsize=64)
def _shown_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.name not in _POSITION)


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

    def record(self, doc_id: str, fmt: str, now: Fingerprint, warnings: Sequence[Diagnostic] = ()) -> None:
        """``now`` as the record of an output just made, with the warnings its rendering gave."""
        self.data.setdefault(doc_id, {})[fmt] = now.as_record() | {"warnings": [d.as_dict() for d in warnings]}

    def warnings(self, doc_id: str, fmt: str) -> list[Diagnostic]:
        """The warnings the rendering of a recorded output gave (none when the record cannot be read)."""
        stored = (self.previous(doc_id, fmt) or {}).get("warnings")
        try:
            return from_dicts(stored) if isinstance(stored, list) else []
        except (TypeError, ValueError, KeyError):
            return []

    def payload(self) -> bytes:
        return json.dumps({"schema": SCHEMA, "outputs": self.data}, indent=1, sort_keys=True).encode("utf-8")

    def save(self) -> None:
        atomic_write(self.path, self.payload())
