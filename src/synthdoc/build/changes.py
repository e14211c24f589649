"""The change report: what changed in a document's inputs since its last build, in words and citations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.project import Document
from ..core.schema import pick
from ..render.citations import cite
from ..render.document import Inputs
from ..render.markdown import inline, literal
from .manifest import Fingerprint


@dataclass(frozen=True)
class ChangeReport:
    document: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    entries_added: tuple[str, ...]
    entries_removed: tuple[str, ...]
    entries_changed: tuple[str, ...]
    texts_changed: tuple[str, ...]
    # claims whose citation names a page or section their quote does not stand on: ref → what check says
    misplaced: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.changed, self.entries_added, self.entries_removed,
                        self.entries_changed, self.texts_changed))

    def summary(self) -> str:
        parts = [f"{len(v)} {name}" for name, v in (
            ("claims added", self.added), ("claims removed", self.removed), ("claims changed", self.changed),
            ("entries added", self.entries_added), ("entries removed", self.entries_removed),
            ("entries changed", self.entries_changed), ("source texts changed", self.texts_changed),
            ("citations of a place the quote is not on", self.misplaced)) if v]
        return ", ".join(parts) or "no change in claims, entries or texts"


def compare(doc: Document, before: dict[str, Any], now: Fingerprint,
            misplaced: dict[str, str] | None = None) -> ChangeReport:
    old_claims = before.get("claims") or {}
    old_entries = before.get("entries") or {}
    old_texts = before.get("texts") or {}
    return ChangeReport(
        document=doc.id,
        added=tuple(r for r in now.claims if r not in old_claims),
        removed=tuple(r for r in old_claims if r not in now.claims),
        changed=tuple(r for r in now.claims if r in old_claims and old_claims[r] != now.claims[r]),
        entries_added=tuple(k for k in now.entries if k not in old_entries),
        entries_removed=tuple(k for k in old_entries if k not in now.entries),
        entries_changed=tuple(k for k in now.entries if k in old_entries and old_entries[k] != now.entries[k]),
        texts_changed=tuple(k for k in now.texts if k in old_texts and old_texts[k] != now.texts[k]),
        misplaced=tuple((misplaced or {}).items()),
    )


def render_report(report: ChangeReport, inputs: Inputs, doc: Document) -> str:
    """``output/<document>.changes.md``: each changed claim with its statement and citation."""
    claims = {c.ref: c for s in inputs.sources for c in s.claims}

    def line(ref: str) -> str:
        claim = claims.get(ref)
        if claim is None:
            return f"- {literal(ref)}"
        return f"- {literal(ref)} {cite([claim], doc.lang)}: {inline(pick(claim.says, doc.lang))}"

    out = [f"# Changes in {doc.id}", "", report.summary(), ""]
    for title, refs in (("Claims added", report.added), ("Claims changed", report.changed)):
        if refs:
            out += [f"## {title}", "", *(line(r) for r in refs), ""]
    if report.removed:
        out += ["## Claims removed", "", *(f"- {literal(r)}" for r in report.removed), ""]
    for title, keys in (("Bibliography entries added", report.entries_added),
                        ("Bibliography entries removed", report.entries_removed),
                        ("Bibliography entries changed", report.entries_changed),
                        ("Source texts changed", report.texts_changed)):
        if keys:
            out += [f"## {title}", "", *(f"- {literal(k)}" for k in keys), ""]
    out += ["## Stale claims", "", "None: every quote of this document was found in its source's current text.", ""]
    if report.misplaced:
        out += ["## Citations of a place the quote is not on", "",
                "Each of these claims is cited with its own locator, which the document prints; its quote stands "
                "elsewhere in the source's text:", "",
                *(f"{line(ref)}  \n  {literal(said)}" for ref, said in report.misplaced), ""]
    return "\n".join(out)
