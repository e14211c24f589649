"""Reading a document's Markdown section by section, each section's pandoc AST kept by its content, so
that a rebuild after an edit reads again only the sections that changed.

pandoc reads a heading at the start of a line after a blank line the same way whatever came before
it, except for what its Markdown reader carries from one part of a document to the next. Each of
those is either ruled out before reading or checked after, and the whole document is read in one
piece whenever one of them is there:

- link reference definitions, footnote definitions (``[^n]``) and LaTeX macros are defined in one
  place and used in another: such a document is read whole;
- a bracketed text that stayed text (``[x]``) may be a reference to a heading in another section
  (links are defined by the definitions above): read whole when it holds, in brackets, the text of
  a heading of the document; a bracket that is no such reference (``\\[Skripsi …\\]``, an entry's
  title as Zotero keeps it) reads the same in a section as in the whole;
- heading identifiers are made unique across the document (``intro``, ``intro-1``): with every
  identifier already unique, pandoc's numbering changes none of them (it picks the smallest free
  number); otherwise read whole;
- example lists are numbered across the document: read whole;
- the citation and note counter (``citationNoteNum``) runs through the document: each section's
  numbers are checked to follow pandoc's rule (each citation outside a note, and each note, counts
  one; a citation in a note takes the note's number) and then shifted by the count before it; a
  citation in a link's text (``[see @a](https://…)``) takes the next number without counting, which
  a section's numbers cannot show: read whole;
- metadata: the first section's metadata (the document's own block and the command line's) must
  hold every other section's; otherwise read whole.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..core import pandoc
from ..core.cache import JsonCache, content_key
from .astwalk import cites, find, has_cite

AST = dict[str, Any]

# Things defined in one place of a document and used in another.
_CROSS_SECTION = re.compile(r"^ {0,3}\[[^\]\n]+\]:|\[\^|\\(?:re)?newcommand|\\def\b|\(@", re.MULTILINE)
_HEADING = re.compile(r"#{1,6}[ \t]")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_DIV_FENCE = re.compile(r"^:{3,}")


def split(markdown: str) -> list[str]:
    """The Markdown cut before each ATX heading that starts a line after a blank line, outside code
    blocks and fenced divs. Joined, the pieces are the Markdown again."""
    lines = markdown.splitlines(keepends=True)
    pieces: list[list[str]] = [[]]
    fence: str | None = None
    divs = 0
    previous_blank = True
    front = bool(lines) and lines[0].rstrip() == "---"  # a metadata block first: never cut inside it
    for n, line in enumerate(lines):
        if front:
            pieces[-1].append(line)
            front = n == 0 or line.rstrip() not in ("---", "...")
            previous_blank = False
            continue
        if fence is None and divs == 0 and previous_blank and _HEADING.match(line) and pieces[-1]:
            pieces.append([])
        pieces[-1].append(line)
        stripped = line.rstrip("\n")
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
        elif (opened := _FENCE.match(stripped)) is not None:
            fence = opened.group(1)
        elif _DIV_FENCE.match(stripped):
            divs = divs - 1 if stripped.strip(":").strip() == "" and divs else divs + 1
        previous_blank = stripped.strip() == ""
    return ["".join(p) for p in pieces if p]


def read_markdown(markdown: str, *, bibliography: Path, csl: Path, metadata: dict[str, str], what: str,
                  cache: JsonCache | None, reuse: bool = True) -> AST:
    """``pandoc.read_markdown`` (without citeproc), reading only the sections not in ``cache`` (every
    section, with ``reuse`` off; the cache is filled again either way)."""
    def whole() -> AST:
        return pandoc.read_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what)

    if cache is None or _CROSS_SECTION.search(markdown):
        return whole()
    pieces = split(markdown)
    if len(pieces) < 2:
        return whole()
    made_by = (pandoc.pandoc_identity(), str(bibliography), str(csl), json.dumps(metadata, sort_keys=True))
    keys = [content_key(*made_by, piece) for piece in pieces]
    asts: dict[str, AST] = {}
    for key in dict.fromkeys(keys) if reuse else ():
        kept = cache.load(key)
        if isinstance(kept, dict) and isinstance(kept.get("blocks"), list):
            asts[key] = kept
    todo = {key: piece for key, piece in zip(keys, pieces, strict=True) if key not in asts}

    for key, ast in zip(todo, _read_each(list(todo.values()), bibliography, csl, metadata, what), strict=True):
        asts[key] = ast
        cache.store(key, ast)
    cache.keep_only(set(keys))
    joined = join([json.loads(json.dumps(asts[key])) if keys.count(key) > 1 else asts[key] for key in keys])
    return joined if joined is not None else whole()


def _read_each(pieces: list[str], bibliography: Path, csl: Path, metadata: dict[str, str], what: str) -> list[AST]:
    """Each piece read as ``pandoc.read_markdown`` reads it alone: two or more by one pandoc run
    (``pandoc.read_markdown_each``), else, or when that run cannot read them, by a run each (two at a time)."""
    read = pandoc.read_markdown_each(pieces, bibliography=bibliography, csl=csl, metadata=metadata, what=what) \
        if len(pieces) > 1 else None
    if read is not None:
        return read

    def one(piece: str) -> AST:
        return pandoc.read_markdown(piece, bibliography=bibliography, csl=csl, metadata=metadata, what=what)

    with ThreadPoolExecutor(max(1, min(2, len(pieces)))) as pool:
        return list(pool.map(one, pieces))


def join(asts: list[AST]) -> AST | None:
    """The sections' ASTs as one document's, or None when they would not be what pandoc reads whole."""
    first = asts[0]
    meta = first.get("meta", {})
    for ast in asts[1:]:
        if any(meta.get(name) != value for name, value in ast.get("meta", {}).items()):
            return None
    identifiers: set[str] = set()
    offset = 0
    blocks: list[Any] = []
    bracketed: list[Any] = []  # the sections holding a bracketed text left as text
    headings: set[str] = set()
    for ast in asts:
        idents, unresolved, marks, titles = _survey(ast.get("blocks", []))
        if unresolved == "whole" or identifiers.intersection(idents) or len(set(idents)) < len(idents):
            return None
        if unresolved:
            bracketed.append(ast.get("blocks", []))
        identifiers.update(idents)
        headings.update(titles)
        counted = _shift_note_numbers(marks, offset)
        if counted is None:
            return None
        offset += counted
        blocks += ast.get("blocks", [])
    texts = [_flat(section) for section in bracketed]
    if any(f"[{title}]" in text for text in texts for title in headings):
        return None  # it may be a reference to that heading, which pandoc resolves across the document
    return {**first, "blocks": blocks}


Mark = tuple[str, Any]  # ("note", the note's citations) or ("cite", a citation outside a note)


def _survey(blocks: list[Any]) -> tuple[list[str], str, list[Mark], set[str]]:
    """One pass over a section: its heading identifiers; "whole" when it holds what only the whole document
    numbers right, else "bracket" when it holds a bracketed text left as text (``_unresolved``), else ""; its
    footnotes and citations in document order; and its headings' texts as a reference to them is matched
    (``_flat``)."""
    idents: list[str] = []
    marks: list[Mark] = []
    titles: set[str] = set()
    unresolved = ""

    def stop(node: dict[str, Any]) -> bool:
        nonlocal unresolved
        kind = node.get("t")
        if kind == "Header":
            idents.append(node["c"][1][0])
            titles.add(_flat(node["c"][2]))
        elif kind in ("Note", "Cite"):
            return True
        elif unresolved != "whole" and kind in ("Str", "OrderedList", "Link") and _suspect(node):
            unresolved = _worse(unresolved, "bracket" if kind == "Str" else "whole")
        return False

    for node in find(blocks, stop):
        if node["t"] == "Note":
            for h in find(node["c"], lambda n: n.get("t") == "Header"):
                idents.append(h["c"][1][0])
                titles.add(_flat(h["c"][2]))
            unresolved = _worse(unresolved, _unresolved(node["c"]))
            marks.append(("note", list(cites(node["c"]))))
        else:
            unresolved = _worse(unresolved, _unresolved(node))
            marks.append(("cite", node))
    return idents, unresolved, marks, titles


def _worse(found: str, more: str) -> str:
    """Of two findings of :func:`_survey`, the one that rules more out ("whole" over "bracket")."""
    return "whole" if "whole" in (found, more) else found or more


_TEXT = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math"})


def _flat(node: Any) -> str:
    """The text of every word, code and formula under ``node`` (in notes and citations' prefixes and
    suffixes too), its spaces made one and its case folded: a reference ``[x]`` is pandoc's link to a
    heading when ``x`` is the heading's text up to case and spacing, and then ``[x]`` is in this text."""
    pieces = [n["c"] if n["t"] == "Str" else n["c"][1] if n["t"] in ("Code", "Math") else " "
              for n in find(node, lambda n: n.get("t") in _TEXT)]
    return " ".join("".join(pieces).split()).casefold()


def _unresolved(node: Any) -> str:
    """"whole" for what only the whole document numbers right (:func:`_suspect`), else "bracket" for a bracketed
    text left as text (a reference to a heading of another section, perhaps), else ""; a citation's own text
    (pandoc's fallback, replaced by citeproc) does not count."""
    found_kind = ""
    for found in find(node, _suspect):
        if found["t"] == "Cite":
            found_kind = _worse(found_kind, _unresolved([[c["citationPrefix"], c["citationSuffix"]]
                                                         for c in found["c"][0]]))
        else:
            found_kind = _worse(found_kind, "bracket" if found["t"] == "Str" else "whole")
        if found_kind == "whole":
            break
    return found_kind


def _suspect(node: dict[str, Any]) -> bool:
    """A bracketed text left as text; or what only the whole document numbers right: an example list (numbered
    across the document), a citation in a link's text (pandoc numbers it as the next citation but does not count
    it, so that the next citation takes the same number); or a citation, to look into."""
    kind = node.get("t")
    if kind == "Str":
        return "[" in node["c"] or "]" in node["c"]
    if kind == "OrderedList":
        return node["c"][0][1].get("t") == "Example"
    if kind == "Link":
        return has_cite(node["c"][1])
    return kind == "Cite"


def _shift_note_numbers(marks: list[Mark], offset: int) -> int | None:
    """Add ``offset`` to the citation and note numbers of one section's notes and citations, having
    checked that they follow pandoc's counting; how many the section counted, or None when they do not."""
    count = 0
    for kind, node in marks:
        if kind == "note":
            count += 1
            numbers = [c["citationNoteNum"] for cite in node for c in cite["c"][0]]
            if any(n != count for n in numbers):
                return None
            for cite in node:
                for c in cite["c"][0]:
                    c["citationNoteNum"] += offset
        else:
            count += 1
            if any(c["citationNoteNum"] != count for c in node["c"][0]):
                return None
            for c in node["c"][0]:
                c["citationNoteNum"] += offset
    return count
