"""Provenance in the outputs: which claims each synthesized sentence rests on.

Templates mark sentences as ``[text]{.claim data-claims="3 4"}`` spans (numbers of the document's
claims). In HTML a small script shows each claim's verbatim quote and locator on hover or click;
in DOCX, with ``provenance: comments``, each marked sentence gets a Word comment.
"""

from __future__ import annotations

import json
from typing import Any

from ..sources.quotes import without_controls
from .astwalk import find, stringify, words
from .markdown import nested, unescape
from .phrases import phrases
from .synthesis import Context

HTML_HEAD = """<style>
body { max-width: 42em; margin: 0 auto; padding: 2em 1.2em; font-family: Georgia, "Times New Roman", serif;
       font-size: 1.06rem; line-height: 1.65; color: #1d1d1d; hyphens: auto; }
h1, h2, h3 { line-height: 1.25; }
.claim { cursor: help; border-radius: 2px; }
.claim:hover, .claim:focus, .claim.synthdoc-open { background: #fff6d5; outline: none; }
.claim:focus-visible { box-shadow: 0 0 0 2px #e0b84c; }
a { color: inherit; text-decoration: none; }
a:hover, a:focus-visible { text-decoration: underline; }
.synthdoc-popover { position: absolute; z-index: 10; max-width: min(30em, 90vw); background: #fff;
       border: 1px solid #c9c9c9; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.15);
       padding: .6em .9em; font-size: .9rem; line-height: 1.45; }
.synthdoc-popover p { margin: .35em 0; }
.synthdoc-popover q { font-style: italic; }
.synthdoc-popover code { font-size: .8rem; color: #555; }
.synthdoc-popover .synthdoc-infers { color: #7a4b00; }
div.csl-entry { padding-left: 1.27cm; text-indent: -1.27cm; margin-bottom: .4em; }
table { font-size: .92rem; border-collapse: collapse; }
td, th { vertical-align: top; border-top: 1px solid #ddd; padding: .4em .5em; overflow-wrap: anywhere; }
td p, th p { margin: 0 0 .45em; }
div.wide { width: min(96vw, 90em); margin-left: calc(50% - min(48vw, 45em)); }
div.wide table { width: 100%; font-size: .85rem; line-height: 1.4; }
@media (max-width: 600px) { body { padding: 1em .8em; font-size: 1rem; } table { font-size: .8rem; } }
</style>
"""

HTML_SCRIPT = """<script>
(function () {
  var claims = JSON.parse(document.getElementById("synthdoc-claims").textContent);
  var pop = null;
  function close() { if (pop) { pop.remove(); pop = null; }
    document.querySelectorAll(".synthdoc-open").forEach(function (e) { e.classList.remove("synthdoc-open"); }); }
  function show(el) {
    close();
    pop = document.createElement("div");
    pop.className = "synthdoc-popover";
    (el.dataset.claims || "").split(" ").forEach(function (n) {
      var c = claims[n]; if (!c) return;
      var p = document.createElement("p");
      var code = document.createElement("code"); code.textContent = c.ref; p.appendChild(code);
      p.appendChild(document.createTextNode(" (" + c.where + "): "));
      var q = document.createElement("q"); q.textContent = c.quote; p.appendChild(q);
      pop.appendChild(p);
      if (c.infers) {
        var i = document.createElement("p"); i.className = "synthdoc-infers"; i.textContent = c.infers;
        pop.appendChild(i);
      }
    });
    document.body.appendChild(pop);
    var r = el.getBoundingClientRect();
    var right = window.scrollX + window.innerWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left, right)) + "px";
    pop.style.top = (window.scrollY + r.bottom + 6) + "px";
    el.classList.add("synthdoc-open");
  }
  document.querySelectorAll(".claim").forEach(function (el) {
    el.setAttribute("tabindex", "0");
    el.addEventListener("mouseenter", function () { show(el); });
    el.addEventListener("click", function (e) { e.stopPropagation(); show(el); });
    el.addEventListener("focus", function () { show(el); });
  });
  document.addEventListener("click", close);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
})();
</script>
"""


def claims_table(ctx: Context) -> dict[str, dict[str, str]]:
    """Each claim of the document by its number: name, verbatim quote, locator, and what its statement holds
    on the author's own authority (``infers:``), so that a reader sees that part is not the source's."""
    label = phrases(ctx.lang)["author_infers"]
    return {str(v.n): {"ref": v.ref, "quote": " ".join(without_controls(v.claim.quote).split()),
                       "where": unescape(v.where) if v.claim.at else "—"}
            | ({"infers": f"{label[0].upper()}{label[1:]}: {', '.join(v.claim.infers)}"} if v.claim.infers else {})
            for v in ctx.claims}


def script_json(value: Any) -> str:
    """``value`` as JSON that cannot end or change the ``<script>`` element it stands in: no ``<``, ``>`` or
    ``&`` at all (``</script>``, ``<!--`` and ``<script`` would), as JSON's own ``\\u`` escapes."""
    data = json.dumps(value, ensure_ascii=False)
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_after_body(ctx: Context) -> str:
    data = script_json(claims_table(ctx))
    return f'<script type="application/json" id="synthdoc-claims">{data}</script>\n{HTML_SCRIPT}'


def docx_comments(ast: dict[str, Any], ctx: Context, author: str = "synthdoc") -> dict[str, Any]:
    """The AST with a Word comment on each marked sentence: its claims' names, quotes and locators."""
    table = claims_table(ctx)
    counter = [0]

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            result = []
            for item in node:
                result.extend(expand(item) if _is_claim_span(item) else [walk(item)])
            return result
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    def expand(span: dict[str, Any]) -> list[dict[str, Any]]:
        (_ident, _classes, attrs), content = span["c"]
        ids = dict(attrs).get("data-claims", dict(attrs).get("claims", "")).split()
        notes = [f"{table[n]['ref']} ({table[n]['where']}): “{nested(table[n]['quote'])}”"
                 + (f" ({table[n]['infers']})" if "infers" in table[n] else "") for n in ids if n in table]
        if not notes:
            return [walk(span)]
        counter[0] += 1
        cid = str(counter[0])
        text = words(" · ".join(notes))
        start = {"t": "Span", "c": [["", ["comment-start"], [["id", cid], ["author", author]]], text]}
        end = {"t": "Span", "c": [["", ["comment-end"], [["id", cid]]], []]}
        # LibreOffice shows every footnote of the document as its number with empty text when a comment's
        # range holds a footnote or nothing at all: the comment covers the sentence's longest stretch
        # between its notes (note styles put citations there), the notes stay outside it.
        a, b = _between_notes(content)
        return [*walk(content[:a]), start, *walk(content[a:b]), end, *walk(content[b:])]

    return {**ast, "blocks": walk(ast["blocks"])}


def _is_note(node: dict[str, Any]) -> bool:
    return node.get("t") == "Note"


def _between_notes(content: list[dict[str, Any]]) -> tuple[int, int]:
    """The longest stretch of ``content`` (by its text) that holds no footnote, as (start, end)."""
    best, best_len, start = (0, len(content)), -1, 0
    for i in range(len(content) + 1):
        if i == len(content) or next(find(content[i], _is_note), None) is not None:
            length = len(stringify(content[start:i]).strip())
            if length > best_len:
                best, best_len = (start, i), length
            start = i + 1
    return best


def _is_claim_span(node: Any) -> bool:
    return isinstance(node, dict) and node.get("t") == "Span" and "claim" in node["c"][0][1]
