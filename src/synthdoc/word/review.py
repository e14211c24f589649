"""``synthdoc review``: each comment or tracked change a reviewer added, traced to where it must be answered.

A remark on a synthesized sentence is traced through the sentence's claim bookmarks to each claim's
file and line in ``sources/`` (a remark on one citation of the sentence, to the claims that citation is
for). A remark on a bibliography entry is traced to the entry in the bibliography file. A remark on text
no claim produced is traced to the theme it came from (its title or introduction in ``synthdoc.yaml``, a
heading's number left aside) or to the template line that wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.paths import shown_path
from ..core.project import Document
from ..core.schema import pick
from ..render.document import Inputs, template_values
from ..render.templating import render_traced
from ..render.thesis import without_number
from .bookmarks import SYNTHDOC_AUTHOR, claim_digest, digest_of, entry_of
from .comments import Remark, Reviewed, read_reviewed


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    what: str  # the claim's name, "theme <id>: its title", "template", ...
    claim: bool = False


@dataclass(frozen=True)
class Traced:
    remark: Remark
    places: tuple[Place, ...]

    @property
    def message(self) -> str:
        if self.remark.kind == "comment":
            return self.remark.text
        verb = "inserted" if self.remark.kind == "insertion" else "deleted"
        return f"{verb} “{' '.join(self.remark.anchored.split())}”"

    def lines(self) -> list[str]:
        author = self.remark.author or "(no author)"
        if self.remark.reply_to is not None:
            author += f" (reply to {self.remark.reply_to.author or '(no author)'})"
        return [f"{p.path}:{p.line}: {author}: {self.message}" + ("" if p.claim else f" [{p.what}]")
                for p in self.places]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.remark.kind, "author": self.remark.author, "date": self.remark.date,
                "comment": self.remark.text, "text": " ".join(self.remark.anchored.split()),
                "reply_to": None if (parent := self.remark.reply_to) is None else
                {"author": parent.author, "date": parent.date, "comment": parent.text},
                "places": [{"path": p.path, "line": p.line, "what": p.what} for p in self.places]}


@dataclass(frozen=True)
class Review:
    traced: list[Traced]
    note: str | None  # for the reader, when the file cannot be traced to claims


def review(inputs: Inputs, path: Path) -> Review:
    """Every remark of the DOCX at ``path``, each with the places it concerns (in the project as it is now)."""
    project = inputs.project
    claims = [c for source in inputs.sources for c in source.claims]
    reviewed = read_reviewed(path, shown_path(path, Path.cwd()))
    by_digest = {claim_digest(c.ref): c for c in claims}
    origins = _Origins(inputs, reviewed)
    out = []
    for remark in reviewed.remarks:
        if remark.author == SYNTHDOC_AUTHOR:
            continue  # synthdoc's own: a provenance comment or a redline's change, not the reviewer's
        digests = list(dict.fromkeys(d for d in map(digest_of, remark.bookmarks) if d))
        cited = [d for d in digests if d in by_digest and by_digest[d].source in remark.citations]
        places = []
        for digest in cited or digests:  # on one citation of the sentence: the claims it is for
            claim = by_digest.get(digest)
            if claim is None:
                places.append(Place(shown_path(project.sources, project.root), 1,
                                    "a claim no longer in the project (removed or renamed since this file was built)"))
            else:
                places.append(Place(claim.path, claim.line, claim.ref, claim=True))
        for key in dict.fromkeys(k for k in map(entry_of, remark.bookmarks) if k):
            if not digests and inputs.bibliography.get(key) is not None:
                places.append(Place(*inputs.bibliography.where(key), f"bibliography entry {key}"))
        if not places:
            places.append(origins.of(remark))
        out.append(Traced(remark, tuple(dict.fromkeys(places))))
    note = None
    if not reviewed.claim_bookmarks:
        note = (f"{shown_path(path, Path.cwd())} carries no claim bookmarks (it was not built by this version of "
                "synthdoc, or its text was pasted into a new file): remarks are placed by theme and template only")
    elif reviewed.document is None:
        note = (f"{shown_path(path, Path.cwd())} does not say which document it was built as: remarks on text "
                "that no claim produced are placed by theme only")
    return Review(out, note)


def to_json(traced: list[Traced]) -> str:
    return json.dumps([t.as_dict() for t in traced], ensure_ascii=False, indent=2)


class _Origins:
    """Where text that no claim produced comes from: a theme's title or intro, or a template line."""

    def __init__(self, inputs: Inputs, reviewed: Reviewed) -> None:
        self.inputs = inputs
        project = self.project = inputs.project
        self.config = shown_path(project.config_path, project.root)
        self.doc = next((d for d in project.documents if d.id == reviewed.document), None)
        self._chunks: list[tuple[str, str, int]] | None = None

    def unnumbered(self, text: str) -> str:
        """A heading's text without the number a chapter's headings carry (2.3.9)."""
        chapter = self.doc.chapter if self.doc is not None else None
        return without_number(text, chapter) if chapter else text

    def of(self, remark: Remark) -> Place:
        para = remark.paragraph
        text = _plain(remark.anchored) or (_plain(para.text) if para is not None else "")
        if para is not None and para.text == para.heading:  # a heading: its number is not its theme's title
            text = _plain(self.unnumbered(text))
        langs = [self.doc.lang] if self.doc else [self.project.lang]
        for theme in self.project.themes:
            for lang in langs:
                title = _plain(pick(theme.title, lang))
                intro = _plain(pick(theme.intro, lang)) if theme.intro else ""
                if para is not None and _plain(self.unnumbered(para.text)) == title and text and text in title:
                    return Place(self.config, theme.line, f"theme {theme.id}: its title")
                if intro and text and text in intro:
                    return Place(self.config, theme.line, f"theme {theme.id}: its introduction")
        found = self.template_line(text)
        if found is not None:
            return found
        if para is not None and para.heading:
            for theme in self.project.themes:
                if any(_plain(pick(theme.title, lang)) == _plain(self.unnumbered(para.heading)) for lang in langs):
                    return Place(self.config, theme.line, f"under theme {theme.id}")
        return Place(self.config, self.doc.line if self.doc else 1, "the document (no claim, theme or template line)")

    def template_line(self, text: str) -> Place | None:
        if not text or self.doc is None:
            return None
        best: tuple[int, str, int] | None = None
        for chunk, path, line in self.chunks():
            piece = _plain(chunk)
            if len(piece) < 2:
                continue
            overlap = len(piece) if piece in text else len(text) if text in piece else 0
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, path, line)
        return Place(best[1], best[2], "template") if best else None

    def chunks(self) -> list[tuple[str, str, int]]:
        if self._chunks is None:
            self._chunks = _template_chunks(self.inputs, self.doc) if self.doc else []
        return self._chunks


def _template_chunks(inputs: Inputs, doc: Document) -> list[tuple[str, str, int]]:
    """The document's template rendered as it is built, within the same limits of time and output, each piece
    of output with the template line that wrote it. A template that fails is an error here as in a build."""
    values, _ = template_values(inputs, doc)
    return render_traced(doc.template, values, inputs.project.templates)


def _plain(text: str) -> str:
    """Text without Markdown marks and spacing differences, for comparing DOCX text with what wrote it."""
    for mark in ("*", "_", "`", "#", "\\"):
        text = text.replace(mark, "")
    return " ".join(text.split()).strip(" .,:;")
