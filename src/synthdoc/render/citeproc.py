"""Citations and the bibliography, rendered by pandoc's citeproc over the whole document — or, when
nothing citeproc reads has changed since the previous build, that build's result reused.

citeproc decides what a citation prints (year suffixes, added initials, "et al." opened up, labels)
from the printed text of every citation in the document at once: no part of a document's citations
is ever rendered on its own. What citeproc computes is a function of

- the citations, in document order, with everything pandoc passes it: keys, prefixes, suffixes
  (which hold the locators), modes and note numbers;
- the bibliography entries they cite, the style, and the metadata (language, link options…);
- pandoc itself (its citeproc and its locales).

When all of these equal a previous build's, that build's rendered citations and bibliography are, by
construction, what citeproc would render again. They are put into the new document the way pandoc
puts them (``_splice``, pandoc's own steps for an in-text style: each citation's text, the space
before a superscript and the period after a citation ending in one, the bibliography at the end).
A result is kept only after ``_splice`` has reproduced, from the document it was made from, exactly
what pandoc produced; and it is not kept at all where pandoc does more than that (note styles move
punctuation and make footnotes from the surrounding text; see ``_no_reuse``).

On a first build, citeproc runs while the sections are read, over a Markdown of the document's citations
alone (``citations_alone``): pandoc reads that in a fraction of the time it takes to read the whole. Its
result is kept as any result is, and put into the document as a kept result is, only where what citeproc
read of it is exactly what it reads of the document (the same ``_inputs_key``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import pandoc
from ..core.cache import JsonCache, content_key
from ..core.diagnostics import Diagnostic, warning
from .astwalk import cites, find, find_in_lists, is_cite, stringify
from .citations import CITATION_KEY
from .sections import read_markdown

AST = dict[str, Any]

# Metadata that makes citeproc read more than the citations and the bibliography file, or makes
# pandoc move text around citations: with any of it, citeproc runs every time.
UNSPLICED_METADATA = ("nocite", "references", "notes-after-punctuation", "citation-abbreviations",
                      "citation-style", "suppress-bibliography")


@dataclass(frozen=True)
class Rendered:
    ast: AST
    reused: bool  # the previous build's citeproc result, not a new run
    note: str | None  # for the build's log


def read_cited(markdown: str, *, items: Sequence[dict[str, Any]], bibliography: Path, csl: Path,
               metadata: dict[str, str], what: str, cache: JsonCache | None = None, reuse: bool = True,
               sections: JsonCache | None = None) -> Rendered:
    """Pandoc Markdown to an AST with its citations and bibliography rendered by pandoc's citeproc.

    With a ``cache``, the citeproc result is kept by the content of everything citeproc reads, and a
    later build whose citations, entries, style, metadata and pandoc are the same takes it from there
    (unless ``reuse`` is off) instead of running citeproc again. With ``sections``, the Markdown is read
    section by section, each section's AST kept there by its content (``sections.read_markdown``; with
    ``reuse`` off every section is read again)."""
    style = csl.read_text(encoding="utf-8")
    if cache is None or _note_style(style):
        ast = pandoc.read_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what,
                                   citeproc=True)
        return Rendered(ast, False, None if cache is None else "citations: one citeproc run; a note style's "
                        "result is not reused (pandoc makes footnotes from the text around its citations)")
    # Nothing kept for this document (a first build) or --force: citeproc will run whatever the sections hold,
    # so it starts now, beside the reading of the sections (a second core).
    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(_cite_ahead, markdown, items, bibliography, csl, metadata, what, style) \
            if (not reuse or cache.empty()) and len(markdown) <= AHEAD_MAX_CHARS else None
        return _cited(markdown, items, bibliography, csl, metadata, what, cache, reuse, sections, style, ahead)


# The largest document whose citeproc run starts beside the reading of its sections: above it, the two copies
# of a document that would be in memory at once cost more than the time saved.
AHEAD_MAX_CHARS = 1_000_000


@dataclass(frozen=True)
class Ahead:
    """A citeproc run made while the sections are read: what it printed (pandoc's JSON) when it read the whole
    Markdown (``alone`` False); when it read the document's citations alone (``citations_alone``), what to keep
    of its result (``kept``: the key of what citeproc read, the record, :func:`_record_alone`, and the record
    read, for :func:`_splice` to put in; None when it is not to be kept)."""

    alone: bool
    out: bytes | None = None
    kept: tuple[str, str, dict[str, Any]] | None = None


def _cite_ahead(markdown: str, items: Sequence[dict[str, Any]], bibliography: Path, csl: Path,
                metadata: dict[str, str], what: str, style: str) -> Ahead | None:
    """A citeproc run over the document's citations alone, where a Markdown of them stands for it, else over its
    whole Markdown; None when that run fails (the run over the sections' AST then says why). What to keep of a run
    over the citations alone is made here too, beside the reading of the sections."""
    alone = citations_alone(markdown)
    try:
        if alone is None:
            return Ahead(False, pandoc.cite_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata,
                                                     what=what))
        read, printed = pandoc.cite_markdown_read(alone, bibliography=bibliography, csl=csl, metadata=metadata,
                                                  what=what)
    except pandoc.PandocError:
        return None
    kept = _record_alone(read, printed, items, style)
    return Ahead(True, kept=None if kept is None else (*kept, json.loads(kept[1])))


def _cited(markdown: str, items: Sequence[dict[str, Any]], bibliography: Path, csl: Path, metadata: dict[str, str],
           what: str, cache: JsonCache, reuse: bool, sections: JsonCache | None, style: str,
           ahead: Future[Ahead | None] | None) -> Rendered:
    ast = read_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what, cache=sections,
                        reuse=reuse)
    found = Citations(ast)
    refusal = _no_reuse(ast, style, found)
    key = None if refusal else _inputs_key(ast, found, items, style)
    if key is not None and reuse:
        kept = cache.load(key)
        if isinstance(kept, dict) and _well_formed(kept, found):
            return Rendered(_splice(ast, found, kept["citations"], kept["bibliography"]), True,
                            "citations: the previous build's citeproc result reused (citations, entries, style "
                            "and metadata unchanged)")
    early = ahead.result() if ahead is not None and key is not None else None
    if early is not None and early.kept is not None and early.kept[0] == key:
        # A run over the citations alone is taken where citeproc read of them exactly what it reads of this document
        # (the same key), its result kept as any result is kept (_record): it is put in as a kept result is reused.
        _, record, results = early.kept
        cache.store_json(key, record)
        cache.keep_only({key})
        return Rendered(_splice(ast, found, results["citations"], results["bibliography"]), False,
                        "citations: one citeproc run, over the citations alone, kept for reuse")
    source = json.dumps(ast).encode("utf-8")
    blocks_before = len(ast.get("blocks", []))
    del ast, found  # one copy of the document at a time in this process: pandoc holds its own
    # A run over the whole Markdown is taken only where _record shows it is the run over these sections would make:
    # the sections' AST with its citations and bibliography put in is exactly what it printed.
    out = early.out if early is not None and not early.alone else None
    record = _record(source, out, blocks_before) if out is not None and _is_document(out) else None
    if record is None:
        out = pandoc.run(["-f", "json", "-t", "json", "--citeproc"], source, what=what)
        pandoc.output_json(out, what, "document")  # what pandoc printed is a document before _record reads it
        record = _record(source, out, blocks_before) if key is not None else None
    if key is None:
        note = f"citations: one citeproc run; not kept for reuse ({refusal})"
    elif record is None:
        cache.keep_only(set())
        note = ("citations: one citeproc run; not kept for reuse (pandoc placed the citations in a way synthdoc "
                "does not reproduce)")
    else:
        cache.store_json(key, record)
        cache.keep_only({key})
        note = "citations: one citeproc run, kept for reuse"
    del source
    return Rendered(pandoc.output_json(out, what, "document"), False, note)


def _is_document(out: bytes) -> bool:
    try:
        pandoc.output_json(out, "", "document")
    except pandoc.PandocError:
        return False
    return True


def _record_alone(read: AST, printed: AST, items: Sequence[dict[str, Any]], style: str) -> tuple[str, str] | None:
    """Of a citeproc run over a document's citations alone (what pandoc ``read`` and what it ``printed``): the key
    of what citeproc read (:func:`_inputs_key`) and what to keep of its result (:func:`_record`); None when it is
    not to be kept."""
    found = Citations(read)
    if _no_reuse(read, style, found) is not None:
        return None
    key = _inputs_key(read, found, items, style)
    record = _record(json.dumps(read).encode("utf-8"), printed, len(read.get("blocks", [])))
    return None if record is None else (key, record)


# Where a citation can stand in pandoc's Markdown: a bracketed list of citations (no bracket inside it) that is
# not a link's or a span's text, or a citation in the text (@key, -@key: CITATION_KEY) with its locator in
# brackets after it.
_CITATION = re.compile(rf"\[[^\[\]]*@[^\[\]]*\](?![(\[{{])|-?{CITATION_KEY.pattern}(?: \[[^\[\]@]*\])?")
_FRONT_MATTER = re.compile(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
# Footnotes count in the citations' numbering: a document holding one is cited whole.
_NOTES = re.compile(r"\^\[|\[\^")


def citations_alone(markdown: str) -> str | None:
    """A Markdown of the document's citations alone, each a paragraph of its own in the document's order, after
    the document's metadata block: where citeproc reads of it what it reads of the whole document (the same
    citations, numbers and metadata; :func:`_inputs_key`), it renders the same citations and bibliography, in a
    fraction of the time pandoc takes to read the whole. None for a document with footnotes, which number
    citations by their place among them."""
    if _NOTES.search(markdown):
        return None
    front = _FRONT_MATTER.match(markdown)
    head = front.group(0) + "\n" if front else ""
    return head + "".join(m.group(0) + "\n\n" for m in _CITATION.finditer(markdown, front.end() if front else 0))


class Citations:
    """The ``Cite`` elements of a document's blocks in citeproc's order, the inline lists that hold
    them, whether the document places its bibliography or resets citation positions itself, and
    whether its own text holds spans of class ``csl-quoted`` (which pandoc makes plain spans along
    with citeproc's own), all found in one pass: a 10,000-claim document is walked once, not once
    per question."""

    def __init__(self, ast: AST) -> None:
        placing: list[dict[str, Any]] = []
        quoted: list[dict[str, Any]] = []

        def cite(node: dict[str, Any]) -> bool:
            if _sections_or_refs(node):
                placing.append(node)
            elif _is_quote_span(node):
                quoted.append(node)
            elif is_cite(node):  # its citations' prefixes and suffixes are the document's text too
                quoted.extend(find([c["citationPrefix"] + c["citationSuffix"] for c in node["c"][0]],
                                   _is_quote_span))
                return True
            return False

        places = list(find_in_lists(ast.get("blocks", []), cite))
        self.cites: list[dict[str, Any]] = [holder[i] if i >= 0 else holder for holder, i in places]
        # pandoc moves punctuation only in inline lists that hold a citation themselves
        self.holders: list[list[Any]] = list({id(h): h for h, i in places if i >= 0}.values())
        self.complete = all(i >= 0 for _, i in places)
        self.places_bibliography = bool(placing)
        self.own_quote_spans = bool(quoted)


def _note_style(style: str) -> bool:
    """A note style: pandoc makes footnotes of its citations and moves punctuation around them."""
    root = re.search(r"<style\b[^>]*>", style)
    return bool(root and re.search(r"""\bclass\s*=\s*["']note["']""", root.group(0)))


def _no_reuse(ast: AST, style: str, found: Citations) -> str | None:
    """Why a result for this document could not be reused exactly, or None."""
    meta = ast.get("meta", {})
    if any(name in meta for name in UNSPLICED_METADATA):
        return "its metadata asks citeproc for more than its citations"
    if next(cites(meta), None) is not None:
        return "citations in its metadata"
    if "independent-parent" in style:
        return "a dependent style"
    if any(next(cites(c["c"]), None) is not None for c in found.cites):
        return "a citation inside a citation"
    if not found.complete:
        return "a citation outside a list of inlines"
    if found.places_bibliography:
        return "a bibliography placed by the document, or citation positions reset by section"
    return None


def _sections_or_refs(node: dict[str, Any]) -> bool:
    if node.get("t") not in ("Div", "Header"):
        return False
    ident, classes, _ = node["c"][0] if node["t"] == "Div" else node["c"][1]
    return ident == "refs" or ident.endswith("__refs") or "reset-citation-positions" in classes


def _inputs_key(ast: AST, found: Citations, items: Sequence[dict[str, Any]], style: str) -> str:
    """A digest of everything citeproc reads: each citation as pandoc passes it (pandoc's own counter,
    ``citationHash``, is not passed), the entries cited, the style, the metadata and pandoc."""
    sequence = [[{k: v for k, v in c.items() if k != "citationHash"} for c in cite["c"][0]]
                for cite in found.cites]
    cited = {c["citationId"] for citation in sequence for c in citation}
    entries = [item for item in items if str(item.get("id")) in cited]
    return content_key(pandoc.pandoc_identity(), style, json.dumps(ast.get("meta", {}), sort_keys=True),
                       json.dumps(sequence, sort_keys=True), json.dumps(entries, sort_keys=True))


def _well_formed(kept: dict[str, Any], found: Citations) -> bool:
    results = kept.get("citations")
    return (isinstance(results, list) and all(isinstance(r, list) for r in results)
            and len(results) == len(found.cites)
            and (kept.get("bibliography") is None or isinstance(kept.get("bibliography"), dict)))


def _record(source: bytes, out: bytes | AST, blocks_before: int) -> str | None:
    """What to keep of a citeproc run from ``source`` to ``out`` (pandoc's JSON, or that read, not changed here),
    as JSON: each citation's rendered text and the bibliography — if ``_splice`` rebuilds ``out`` from ``source``
    with them exactly. The two documents are compared as sorted JSON, one in memory at a time."""
    rendered = json.loads(out) if isinstance(out, bytes) else out
    results = [cite["c"][1] for cite in cites(rendered.get("blocks", []))]
    blocks = rendered.get("blocks", [])
    last = blocks[-1] if len(blocks) > blocks_before else None
    bibliography = last if last and last.get("t") == "Div" and last["c"][0][0] == "refs" else None
    record = json.dumps({"citations": results, "bibliography": bibliography}, ensure_ascii=False)
    expected = json.dumps(rendered, sort_keys=True)
    del rendered, results, blocks, last, bibliography
    ast = json.loads(source)
    found = Citations(ast)
    kept = json.loads(record)  # _splice changes what it is given
    if len(kept["citations"]) != len(found.cites):
        return None
    spliced = json.dumps(_splice(ast, found, kept["citations"], kept["bibliography"]), sort_keys=True)
    return record if spliced == expected else None


def _splice(ast: AST, found: Citations, results: list[list[Any]], bibliography: dict[str, Any] | None) -> AST:
    """``ast`` (read without citeproc; changed in place) as pandoc's citeproc leaves it for an in-text
    style, given what citeproc rendered: pandoc's ``processCitations`` after ``citeproc``."""
    for cite, result in zip(found.cites, results, strict=True):
        cite["c"][1] = result
    # pandoc walks every list of inlines with ``mvPunct``; it changes only a list holding a citation
    # itself (each of its rules starts or ends at one), and citeproc's rendered text holds none.
    for inlines in found.holders:
        inlines[:] = _move_punctuation(inlines)
    if bibliography is not None:
        blocks = ast["blocks"]
        title = _reference_title(ast.get("meta", {}).get("reference-section-title"))
        if title is not None:
            blocks.append({"t": "Header", "c": [1, ["bibliography", ["unnumbered"], []], title]})
        elif blocks and blocks[-1].get("t") == "Header":
            attr = blocks[-1]["c"][1]
            attr[1] = ["unnumbered", *(c for c in attr[1] if c != "unnumbered")]
        blocks.append(bibliography)
    # pandoc's removeQuoteSpan walks the whole document: where the document's own text holds none
    # of these spans, only citeproc's text (and the metadata, which may give the heading) can
    _remove_quote_spans(ast if found.own_quote_spans else [ast.get("meta"), results, bibliography])
    return ast


def _spacy(node: dict[str, Any]) -> bool:
    return node.get("t") in ("Space", "SoftBreak")


def _move_punctuation(inlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pandoc's ``mvPunct`` for an in-text style: the space before a citation printed as one
    superscript goes; a period after a citation that ends with one goes."""
    out: list[dict[str, Any]] = []
    i, n = 0, len(inlines)
    while i < n:
        x = inlines[i]
        if _spacy(x):
            out.append(x)
            i += 1
            continue
        if i + 2 < n and _spacy(inlines[i + 1]) and inlines[i + 2].get("t") == "Cite" \
                and len(inlines[i + 2]["c"][1]) == 1 and inlines[i + 2]["c"][1][0].get("t") in ("Note", "Superscript"):
            out += [x, inlines[i + 2]]
            i += 3
            continue
        if x.get("t") == "Cite" and i + 1 < n and inlines[i + 1] == {"t": "Str", "c": "."} \
                and stringify(x["c"][1]).endswith("."):
            out.append(x)
            i += 2
            continue
        out.append(x)
        i += 1
    return out


def _reference_title(value: Any) -> list[Any] | None:
    """pandoc's ``refTitle``: the heading of a bibliography placed at the end."""
    if not isinstance(value, dict):
        return None
    kind, content = value.get("t"), value.get("c")
    if kind == "MetaString":
        return [{"t": "Str", "c": content}]
    if kind == "MetaInlines":
        return content
    if kind == "MetaBlocks" and len(content) == 1 and content[0].get("t") in ("Plain", "Para"):
        return content[0]["c"]
    return None


def _is_quote_span(node: dict[str, Any]) -> bool:
    return node.get("t") == "Span" and node["c"][0] == ["", ["csl-quoted"], []]


def _remove_quote_spans(node: Any) -> None:
    """pandoc's ``removeQuoteSpan``: citeproc's quotation spans become plain spans."""
    for span in find(node, _is_quote_span):
        span["c"][0] = ["", [], []]
        _remove_quote_spans(span["c"][1])


# A note that names the work of the note before it ("Ibid.", "Idem"): the same text for two works is right there.
_RELATIVE = re.compile(r"^\W*(ibid|ibidem|idem)\b", re.IGNORECASE)


def printed_citation(cite: dict[str, Any]) -> str:
    """What a rendered citation prints: its text, or its note's (a note style)."""
    notes = list(find(cite["c"][1], lambda n: n.get("t") == "Note"))
    return " ".join(stringify(notes[0]["c"] if notes else cite["c"][1]).split())


def ambiguous_citations(ast: AST, document: str, where: Callable[[str], tuple[str, int]]) -> list[Diagnostic]:
    """A warning for each text a rendered document prints as the citation of two different works (a style's
    "Sari, op. cit., 2020, bag. 2." for two books by Sari of 2020): its reader cannot tell which is meant.
    A citation without its author (``[-@key]``) is not one: the text around it names the work.
    ``where``: an entry's file and line."""
    works: dict[str, dict[str, None]] = {}
    for cite in cites(ast.get("blocks", [])):
        keys = {str(c["citationId"]) for c in cite["c"][0]}
        if any(c.get("citationMode", {}).get("t") == "SuppressAuthor" for c in cite["c"][0]):
            continue  # "(2020, p. 3)" after the text has named the work: the text tells them apart
        text = printed_citation(cite)
        if len(keys) == 1 and text and not _RELATIVE.match(text):
            works.setdefault(text, {})[keys.pop()] = None
    diags = []
    for text, keys in works.items():
        if len(keys) < 2:
            continue
        first, *others = keys
        shown, line = where(first)
        named = ", ".join(f"'{k}' ({':'.join(map(str, where(k)))})" for k in others)
        diags.append(warning(shown, line, 1, f"document '{document}' prints the same citation, \"{text}\", for "
                             f"'{first}' and {named}: a reader cannot tell which work it cites; the style "
                             "cannot tell them apart (give the works distinct titles, years or authors as the "
                             "style shows them, or choose a style that names the title)", "ambiguous-citation"))
    return diags


def without_empty_notes(ast: dict[str, Any]) -> dict[str, Any]:
    """The AST without the footnotes citeproc left empty. In a note style, a narrative citation (``@key``)
    prints the author — or, for a work without one, its title — in the text, and its note holds the rest:
    nothing, when the title was all there was, and Word and LibreOffice then show a footnote number over
    no text. The text keeps what the citation printed; the empty note goes."""
    empty = [(holder, index) for holder, index in find_in_lists(ast, lambda n: n.get("t") == "Note")
             if index >= 0 and not stringify(holder[index]["c"]).strip()]
    for holder, index in reversed(empty):  # later places first: removing one moves those after it
        del holder[index]
    return ast
