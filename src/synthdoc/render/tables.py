"""Tables that no cell text can break: written as nested fenced Divs, turned into pandoc Tables in the AST.

A grid table in Markdown depends on every line of every cell fitting its column to the character:
one escape added after wrapping and pandoc reads the row as one cell with literal ``|`` in it, and a
claim is then cited in another source's column. synthdoc therefore never writes table syntax.
``table_markup`` writes each cell as a Div of its own (its Markdown is read like any paragraph, its
citations are real citations), and ``from_divs`` turns those Divs into a pandoc ``Table`` in the AST,
with column widths measured from the rendered cells. The structure comes from the Divs, so a cell
holds exactly the blocks written into it, whatever text they contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..core.diagnostics import SynthdocError
from .astwalk import find, find_in_lists, stringify
from .markdown import display_width

TABLE, ROW, CELL = "synthdoc-table", "synthdoc-row", "synthdoc-cell"
# A table with at least this many columns is set on a landscape page in DOCX and may use the
# window's width in HTML.
WIDE_COLUMNS = 4
# The widths are shared out as a browser's automatic table layout does: each column gets at least its
# longest word, and the rest in proportion to how much text it holds, within a line of this many characters.
LINE_CHARACTERS = 130
# A longer word is broken by the reader's program anyway; it does not widen its column further.
LONGEST_WORD = 24
# A cell's inner margins and a bold word's extra width, in characters.
CELL_PADDING = 3

# Less text than this before or after a wide table does not get portrait pages of its own.
SHORT_TEXT = 1200

# The paragraph style of table cells in DOCX (synthdoc's reference document defines it).
TEXT_STYLE = "Table Text"

Node = dict[str, Any]
_FENCE_START = re.compile(r"^(\s*):", re.M)


def _block(markdown: str) -> str:
    # A line of colons inside a cell would close its Div: a leading colon is written escaped.
    return _FENCE_START.sub(r"\1\\:", markdown.strip())


def table_markup(header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]],
                 widths: Sequence[int] | None = None) -> str:
    """A table as synthdoc writes it into a document's Markdown: ``header`` is one Markdown line per
    column, each row a list of cells and each cell a list of Markdown blocks (paragraphs, lists).

    ``widths`` (relative, one per column) fix the column widths; without them they follow the content."""
    cols = len(header)
    for n, row in enumerate(rows, 1):
        if len(row) != cols:
            raise ValueError(f"table row {n} has {len(row)} cells for {cols} columns")
    attrs = [f".{TABLE}"]
    if widths:
        if len(widths) != cols:
            raise ValueError(f"{len(widths)} widths for {cols} columns")
        attrs.append(f'widths="{" ".join(str(float(w)) for w in widths)}"')
    if cols >= WIDE_COLUMNS:
        attrs.append(".wide")
    lines = ["", f"::::: {{{' '.join(attrs)}}}"]
    for kind, row in [("header", [[h] for h in header]), *(("body", r) for r in rows)]:
        lines.append(f":::: {{.{ROW} .{kind}}}")
        for cell in row:
            lines.append(f"::: {CELL}")
            for i, block in enumerate(cell):
                if i:
                    lines.append("")
                lines.append(_block(block))
            lines.append(":::")
        lines.append("::::")
    lines += [":::::", ""]
    return "\n".join(lines)


def from_divs(ast: Node, what: str = "document") -> Node:
    """The AST (changed in place) with every table written by ``table_markup`` made a pandoc Table
    (inside a Div with class ``wide`` when it has many columns, for the DOCX landscape section and
    the HTML layout)."""
    if next(find(ast["blocks"], _is_table), None) is None:  # the quick walk: most documents have none
        return ast
    for holder, index in list(find_in_lists(ast["blocks"], _is_table)):
        holder[index] = _table(holder[index], what)
    return ast


def _is_table(node: Node) -> bool:
    return node.get("t") == "Div" and TABLE in node["c"][0][1]


def _divs(blocks: list[Node], cls: str, what: str) -> list[Node]:
    for block in blocks:
        if block.get("t") != "Div" or cls not in block["c"][0][1]:
            raise SynthdocError.single(what, f"a table's structure was not kept (found {block.get('t')} where "
                                       f"a {cls} was expected); this is a bug in synthdoc", "table-structure")
    return blocks


def _attr(div: Node) -> dict[str, str]:
    return dict(div["c"][0][2])


def _cell(blocks: list[Node]) -> list:
    # In DOCX the cell's paragraphs take the compact "Table Text" style, not the 1.5-spaced body text.
    styled = [{"t": "Div", "c": [["", [], [["custom-style", TEXT_STYLE]]], blocks]}] if blocks else []
    return [["", [], []], {"t": "AlignDefault"}, 1, 1, styled]


def _table(div: Node, what: str) -> Node:
    rows = _divs(div["c"][1], ROW, what)
    grid = [[c["c"][1] for c in _divs(r["c"][1], CELL, what)] for r in rows]
    cols = len(grid[0]) if grid else 0
    if any(len(r) != cols for r in grid):
        raise SynthdocError.single(what, "a table's rows have different numbers of cells; this is a bug in "
                                   "synthdoc", "table-structure")
    given = _attr(div).get("widths")
    widths = [float(w) for w in given.split()] if given else content_widths(grid)
    total = sum(widths) or 1.0
    specs = [[{"t": "AlignLeft"}, {"t": "ColWidth", "c": w / total}] for w in widths]
    head = [r for r, row in zip(grid, rows, strict=True) if "header" in row["c"][0][1]]
    body = [r for r, row in zip(grid, rows, strict=True) if "header" not in row["c"][0][1]]

    def row(cells: list[list[Node]]) -> list:
        return [["", [], []], [_cell(c) for c in cells]]

    table = {"t": "Table", "c": [
        ["", [], []], [None, []], specs,
        [["", [], []], [row(r) for r in head]],
        [[["", [], []], 0, [], [row(r) for r in body]]],
        [["", [], []], []],
    ]}
    classes = ["wide"] if "wide" in div["c"][0][1] else []
    return {"t": "Div", "c": [[div["c"][0][0], classes, []], [table]]} if classes or div["c"][0][0] else table


def content_widths(grid: list[list[list[Node]]]) -> list[float]:
    """Relative column widths from the cells' text: each column at least its longest word, the rest of
    a line shared in proportion to the column's longest cell (as a browser lays out an automatic table)."""
    if not grid:
        return []
    cols = len(grid[0])
    least = [1] * cols
    most = [1] * cols
    for row in grid:
        for j, cell in enumerate(row):
            paragraphs = [stringify(block) for block in cell]
            words = [min(display_width(w), LONGEST_WORD) for p in paragraphs for w in p.split()]
            least[j] = max(least[j], max(words, default=1) + CELL_PADDING)
            most[j] = max(most[j], sum(display_width(p) for p in paragraphs) + CELL_PADDING)
    room = max(LINE_CHARACTERS, sum(least))
    if sum(most) <= room:
        return [float(m) for m in most]
    spare = room - sum(least)
    extra = [m - n for m, n in zip(most, least, strict=True)]
    share = sum(extra) or 1
    return [n + spare * e / share for n, e in zip(least, extra, strict=True)]


def is_wide(block: Node) -> bool:
    """Whether ``block`` is a wide table's Div (see ``WIDE_COLUMNS``), to be set on landscape pages."""
    return block.get("t") == "Div" and "wide" in block["c"][0][1]


def landscape_reach(before: Sequence[Node], after: Sequence[Node]) -> tuple[bool, bool]:
    """Where a top-level wide table's landscape pages reach, given the blocks around it: to the start of
    the document when little text and no other wide table stands before it (a title, an introduction),
    to its end when little text stands after it (a short bibliography). DOCX and PDF share this rule."""
    from_start = len(stringify(list(before)).strip()) < SHORT_TEXT and not any(is_wide(b) for b in before)
    return from_start, len(stringify(list(after)).strip()) < SHORT_TEXT
