"""The PDF's typography (typst): one Times-like family on every machine, tables that break across pages,
space around headings.

The family is TeX Gyre Termes (GUST Font License, a free licence derived from the LPPL), which the
``mplhep-data`` package ships as package data: pip brings it on Windows, macOS and Linux alike, and
typst is given its folder, so a PDF never depends on which fonts a machine happens to have. Glyphs
the family lacks (Arabic, CJK, emoji in a claim) fall back to typst's own fonts and the system's.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .astwalk import raw_block
from .tables import is_wide, landscape_reach

FAMILY = "TeX Gyre Termes"

# Typst rules at the start of the body (after pandoc's template has set the page and the font):
# - pandoc wraps every table in a figure, and a figure never breaks: a table longer than the page
#   ran off its foot, rows drawn over each other. Breakable, with its header row repeated (typst
#   repeats a table.header by default).
#   Cells are set ragged-right: justified in a narrow column, words stood far apart.
# - headings: a little space above and below, not glued to their first paragraph.
RULES = "\n".join([
    "#show figure.where(kind: table): set block(breakable: true)",
    "#show table: set par(justify: false)",
    "#show heading: set block(above: 1.8em, below: 1.1em)",
])


def variables() -> list[str]:
    """Pandoc variables for its typst template: the family, set before the title."""
    return ["-V", f"mainfont={FAMILY}"]


@lru_cache(maxsize=1)
def font_paths() -> tuple[str, ...]:
    """The folders typst reads the family from (none when the package is missing: typst then falls back)."""
    import importlib.util

    spec = importlib.util.find_spec("mplhep_data")
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "texgyretermes"
    return (str(folder),) if folder.is_dir() else ()


def landscape_tables(ast: dict) -> dict:
    """The AST with every wide table (a Div of class ``wide``, see ``tables``) on landscape pages, in 10 pt.

    A top-level table's pages reach as ``tables.landscape_reach`` says, as in the DOCX: with little text
    before it the whole document starts landscape (its title page too, instead of a page holding only an
    introduction), with little after it the landscape pages run to the end."""
    def raw(code: str) -> dict:
        return raw_block("typst", code)

    def small(block: dict) -> list[dict]:
        return [raw("#[#set text(size: 10pt)"), block, raw("]")]

    def nested(items: list[dict]) -> list[dict]:
        out: list[dict] = []
        for block in items:
            if is_wide(block):
                out += [raw("#page(flipped: true)[#set text(size: 10pt)"), block, raw("]")]
            elif block.get("t") == "Div":
                out.append({"t": "Div", "c": [block["c"][0], nested(block["c"][1])]})
            else:
                out.append(block)
        return out

    items = ast["blocks"]
    out: list[dict] = []
    meta = ast.get("meta", {})
    for i, block in enumerate(items):
        if not is_wide(block):
            out += nested([block])
            continue
        from_start, to_end = landscape_reach(items[:i], items[i + 1:])
        if from_start:
            headers = meta.get("header-includes", {"t": "MetaList", "c": []})
            headers = headers if headers.get("t") == "MetaList" else {"t": "MetaList", "c": [headers]}
            meta = {**meta, "header-includes": {"t": "MetaList", "c": [
                *headers["c"], {"t": "MetaBlocks", "c": [raw("#set page(flipped: true)")]}]}}
        else:
            out.append(raw("#set page(flipped: true)"))
        out += small(block)
        if to_end:
            out += nested(items[i + 1:])
            break
        out.append(raw("#set page(flipped: false)"))
    return {**ast, "meta": meta, "blocks": out}
