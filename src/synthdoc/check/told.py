"""Every claim a document cites is told, and none twice: read from the rendered document's provenance spans
(``[sentence]{.claim data-claims="3 4"}``, render/provenance.py), which mark the claims each sentence rests on."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..core.diagnostics import Diagnostic, warning
from ..core.project import Document
from ..core.schema import pick
from ..render.markdown import unescape
from ..render.synthesis import ClaimView, Context
from ..sources.quotes import fold

_SPAN_END = re.compile(r'\]\{\.claim data-claims="([0-9 ]+)"\}')
_HEADING = re.compile(r"^#{1,6}[ \t]+(.*)$", re.MULTILINE)
_FENCE = re.compile(r"^(:{3,})[ \t]*(\S.*)?$", re.MULTILINE)
_CITATION = re.compile(r"\[-?@[^\]]*\]|-?@[\w:.#$%&+?<>~/-]+(?:[ \t]*\[[^\]]*\])?")
_MARKUP = re.compile(r"[*_]|\\(?=.)")
_MIN_CHARS = 12  # a statement or quote shorter than this is not looked for as told text


@dataclass(frozen=True)
class Span:
    claims: tuple[int, ...]
    text: str  # folded, lower-case, citations and markup left out
    heading: str  # the heading the span stands under
    table: bool  # in a table (the evidence matrix, Tabel penelitian terdahulu): a label, not prose


def spans(markdown: str) -> list[Span]:
    """The provenance spans of a generated document, in order, with the heading each stands under."""
    headings = [(m.start(), m.group(1).strip()) for m in _HEADING.finditer(markdown)]
    tables = _table_ranges(markdown)
    out = []
    for m in _SPAN_END.finditer(markdown):
        start = _opening(markdown, m.start())
        if start is None:
            continue
        heading = next((h for at, h in reversed(headings) if at < start), "")
        text = unescape(_MARKUP.sub("", _CITATION.sub(" ", markdown[start + 1:m.start()])))
        out.append(Span(tuple(int(n) for n in m.group(1).split()), " ".join(fold(text).lower().split()), heading,
                        any(a <= start < b for a, b in tables)))
    return out


def _opening(markdown: str, end: int) -> int | None:
    """The ``[`` that opens the span closed at ``end`` (escaped brackets are text; citations nest)."""
    depth = 0
    for i in range(end - 1, -1, -1):
        ch = markdown[i]
        if ch not in "[]" or _escaped(markdown, i):
            continue
        if ch == "]":
            depth += 1
        elif depth:
            depth -= 1
        else:
            return i
    return None


def _escaped(text: str, i: int) -> bool:
    slashes = 0
    while i - slashes - 1 >= 0 and text[i - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _table_ranges(markdown: str) -> list[tuple[int, int]]:
    """Where the document's tables (``::::: {.synthdoc-table}`` fenced divs) stand."""
    out, stack = [], []
    for m in _FENCE.finditer(markdown):
        if m.group(2):
            stack.append((m.start(), "synthdoc-table" in m.group(2)))
        elif stack:
            start, table = stack.pop()
            if table:
                out.append((start, m.end()))
    return out


def _tellings(view: ClaimView, lang: str) -> list[str]:
    """What of a claim a document may print: its statement, its quote, its translation, its short label;
    folded as spans are."""
    texts = [pick(view.claim.says, lang), view.claim.quote, pick(view.claim.translation, lang),
             pick(view.claim.short, lang)]
    out = []
    for text in texts:
        folded = " ".join(fold(unescape(text or "")).lower().split()).rstrip(".")
        if len(folded) >= _MIN_CHARS:
            out.append(folded)
    return out


def told_claims(doc: Document, markdown: str, ctx: Context) -> list[Diagnostic]:
    """Claims a document cites but never tells (their statement, quote or label is in no sentence of it),
    and claims it tells twice word for word in its prose; each said at the claim, naming the document."""
    found = spans(markdown)
    if not found:
        return []  # a template that marks no sentence: nothing to read here
    views = {v.n: v for v in ctx.claims}
    cited: set[int] = set()
    told: set[int] = set()
    places: dict[int, list[Span]] = defaultdict(list)
    for span in found:
        cited.update(span.claims)
        for n in span.claims:
            view = views.get(n)
            if view is None:
                continue
            if len(span.claims) == 1 or any(t in span.text for t in _tellings(view, doc.lang)):
                told.add(n)
            if not span.table and any(t in span.text for t in _tellings(view, doc.lang)):
                places[n].append(span)
    diags = []
    for n in sorted(cited - told):
        view = views.get(n)
        if view is None:
            continue
        claim = view.claim
        diags.append(warning(claim.path, claim.line, 1, f"document '{doc.id}' cites claim '{claim.id}' but never "
                             f"tells it: {_why(view, views, told)}; its statement, quote and label stand in no "
                             "sentence of the document, so the reader cannot see what it says",
                             "claim-untold", doc.id,
                             many=f"claims are cited by document '{doc.id}' but never told; --format json lists "
                             "them"))
    for n, where in places.items():
        if len(where) < 2:
            continue
        claim = views[n].claim
        headings = list(dict.fromkeys(s.heading or "its opening" for s in where))
        said = (f"twice under '{headings[0]}'" if len(headings) == 1
                else "under " + " and ".join(f"'{h}'" for h in headings[:3]))
        diags.append(warning(claim.path, claim.line, 1, f"document '{doc.id}' tells claim '{claim.id}' "
                             f"{len(where)} times word for word ({said}); tell it once, and cite it where it is "
                             "needed again", "claim-told-twice", doc.id))
    return diags


def _why(view: ClaimView, views: dict[int, ClaimView], told: set[int]) -> str:
    """Why a cited claim is not told: its point tells another claim of the same source in its place."""
    claim = view.claim
    others = [v.claim.id for n, v in views.items() if n in told and v.claim.point == claim.point
              and v.claim.source == claim.source and v.claim.ref != claim.ref]
    if claim.point and others:
        return (f"point '{claim.point}' tells one claim per source, and tells '{others[0]}' of '{claim.source}'; "
                f"'{claim.id}' is only in the point's citation cluster")
    if claim.point:
        return f"it is only in the citation cluster of point '{claim.point}'"
    return "it is only in sentences that rest on several claims"
