"""The HTML preview of ``synthdoc watch``, written mostly from HTML kept from the previous rebuild.

pandoc writes an HTML page's body block by block: the HTML of each top-level block, one after the
other, a line break between two. synthdoc cuts a document's top-level blocks into parts, one
before each top-level heading. Each part is written with a marker before it (a raw HTML comment
no document can hold: raw HTML in claims and templates is never passed through, and the marker
carries a random word), and the HTML between two markers is the part's HTML, kept by the part's
content (its blocks as pandoc's JSON, and pandoc itself). On the next rebuild, a part whose
content is unchanged is given to pandoc as that HTML, raw, and pandoc writes only the parts that
changed and the page around them; the markers are then taken out.

Parts whose HTML may depend on the rest of the page are always written: a part with footnotes
(numbered across the page), math or code (their CSS or scripts go into the page's head), or the
bibliography (its CSS too), and a part holding raw text of another format.

The page written this way is the preview. ``synthdoc watch`` writes the page again in one piece
once the other formats are written (:func:`synthdoc.build.pipeline.render_outputs`), and puts that in place
if it differs, so that what stays in ``output/`` is always pandoc's own page.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from ..core import pandoc
from ..core.cache import content_key
from ..core.warm import Memo
from .astwalk import find, raw_block

Node = dict[str, Any]

# Kept from earlier rebuilds of this process: a part's HTML by the part's content.
_KEPT = Memo()
_CONTEXTUAL = {"Note", "Math", "Code", "CodeBlock", "RawInline", "RawBlock"}
_DISABLED = False  # set by forget()


def write(ast: Node, *, what: str, extra: list[str]) -> tuple[bytes, int]:
    """The standalone HTML page of ``ast`` (pandoc's ``html5`` writer with ``extra`` options), and how
    many of its parts were taken from kept HTML."""
    parts = _parts(ast.get("blocks", []))
    context = [_context(part) for part in parts]
    if _DISABLED or any("Note" in kinds for kinds in context):  # footnotes are numbered across the page
        return pandoc.ast_to_bytes(ast, "html", what=what, extra=extra), 0
    nonce = secrets.token_hex(8)
    keys: list[str | None] = []
    written: list[Node] = []
    reused = 0
    for number, (part, kinds) in enumerate(zip(parts, context, strict=True)):
        written.append(raw_block("html", _marker(nonce, number)))
        key = None if kinds else content_key(pandoc.pandoc_identity(), json.dumps(part))
        kept = _KEPT.peek(key) if key is not None else None
        if kept:
            written.append(raw_block("html", kept))
            reused += 1
        else:
            written.extend(part)
        keys.append(key)
    written.append(raw_block("html", _marker(nonce, "end")))
    page = pandoc.ast_to_bytes({**ast, "blocks": written}, "html", what=what, extra=extra).decode("utf-8")
    pieces = re.split(re.escape(f"<!--synthdoc-part-{nonce}-") + r"(?:\d+|end)-->\n", page)
    if len(pieces) != len(keys) + 2:  # a marker was not where it was put: the page in one piece
        return pandoc.ast_to_bytes(ast, "html", what=what, extra=extra), 0
    for key, html in zip(keys, pieces[1:-1], strict=True):
        if key is not None and html.endswith("\n") and html.strip():
            _KEPT.put(key, html[:-1])
    return "".join(pieces).encode("utf-8"), reused


def forget() -> None:
    """Write every page whole from now on (a preview differed from its page written whole)."""
    global _DISABLED
    _DISABLED = True


def _marker(nonce: str, number: int | str) -> str:
    return f"<!--synthdoc-part-{nonce}-{number}-->"


def _parts(blocks: list[Node]) -> list[list[Node]]:
    """The top-level blocks, cut before each heading."""
    parts: list[list[Node]] = [[]]
    for block in blocks:
        if block.get("t") == "Header" and parts[-1]:
            parts.append([])
        parts[-1].append(block)
    return [p for p in parts if p]


def _context(part: list[Node]) -> set[str]:
    """What makes a part's HTML depend on more than the part (empty when nothing does): footnotes, math,
    code or raw text other than HTML, and the bibliography ("refs")."""
    kinds: set[str] = set()

    def note(node: Node) -> bool:  # never stops: the whole part is looked through
        kind = node.get("t")
        if kind in _CONTEXTUAL and not (kind == "RawBlock" and node["c"][0] == "html"):
            kinds.add(kind)
        elif kind == "Div":
            ident, classes, _ = node["c"][0]
            if ident == "refs" or any(c.startswith("csl-") for c in classes):
                kinds.add("refs")
        return False

    next(find(part, note), None)
    return kinds
