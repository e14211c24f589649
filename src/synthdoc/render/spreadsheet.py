"""A document's claims as a spreadsheet (``xlsx``): researchers keep extraction tables in Excel.

Sheet 1, one row per claim: theme, source, citation (as the document's style writes it), statement,
quote, locator. Sheet 2, the evidence matrix: themes down, sources across, each cell the short
statements of its claims with their locators.

Every value is written as text: a claim that begins with ``=`` stays a sentence, never a formula.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ..core.schema import pick
from .astwalk import cites, stringify
from .citations import locator_text
from .citeproc import printed_citation
from .synthesis import ClaimView, Context

# Characters XML 1.0 cannot hold (openpyxl refuses them): control characters other than tab and newlines.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CLAIM_COLUMNS = ("theme", "source", "citation", "statement", "quote", "locator")
_HEADINGS = {
    "id": ("Tema", "Sumber", "Sitasi", "Pernyataan", "Kutipan", "Lokasi"),
    "en": ("Theme", "Source", "Citation", "Statement", "Quote", "Locator"),
}
_SHEETS = {"id": ("Klaim", "Matriks"), "en": ("Claims", "Matrix")}

# Each citation the workbook shows stands after the document, in a section of its own that starts citeproc's
# positions again (a note style's first, full note; never "Ibid." of the row above), in a Div named here.
_CELL = "synthdoc-cell-"


def citation_markdown(ctx: Context, document: str) -> str:
    """The document's own Markdown followed by the citations the workbook shows, so that one citeproc run
    renders them with the document's own (its template's citations too): the same year suffixes, added
    initials and numbers the document prints. Each claim's citation, then each source's narrative one
    (for the matrix's column headings), each in a section of its own."""
    cells = [v.cite for v in ctx.claims] + [s.citet for s in ctx.sources]
    parts = [document.rstrip("\n")]
    for i, cite in enumerate(cells):
        parts.append(f"# {i} {{.reset-citation-positions .unnumbered}}\n\n::: {{#{_CELL}{i}}}\n{cite}\n:::")
    return "\n\n".join(parts) + "\n"


def rendered_citations(ast: dict[str, Any]) -> list[str]:
    """The text of each citation ``citation_markdown`` added, in its order, from the citeproc-rendered AST
    (a note style's citation: its note's text)."""
    found: dict[int, str] = {}
    for block in ast.get("blocks", []):
        if block.get("t") != "Div" or not block["c"][0][0].startswith(_CELL):
            continue
        cite = next(cites(block["c"][1]), None)
        text = printed_citation(cite) if cite else " ".join(stringify(block["c"][1]).split())
        found[int(block["c"][0][0].removeprefix(_CELL))] = text
    return [found[i] for i in sorted(found)]


def workbook(ctx: Context, citations: list[str]) -> bytes:
    """The xlsx file of ``ctx``'s claims and matrix; ``citations`` as ``citation_markdown`` ordered them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    lang = ctx.lang if ctx.lang in _HEADINGS else "en"
    n = len(ctx.claims)
    claim_cites = dict(zip((v.ref for v in ctx.claims), citations[:n], strict=True))
    source_cites = dict(zip((s.key for s in ctx.sources), citations[n:], strict=True))
    titles = {t.id: _plain(t.title) for t in ctx.themes}

    book = Workbook()
    book.properties.creator = "synthdoc"
    sheet = book.active
    sheet.title = _SHEETS[lang][0]
    sheet.append([_text(h) for h in _HEADINGS[lang]])
    for view in ctx.claims:
        row = [
            "; ".join(titles.get(t, t) for t in view.claim.themes),
            view.source,
            claim_cites[view.ref],
            pick(view.claim.says, ctx.lang),
            view.claim.quote,
            _locator(view, ctx.lang),
        ]
        sheet.append([_text(" ".join(str(v).split())) for v in row])
    _shape(sheet, [28, 22, 34, 60, 60, 16], Alignment, Font)

    grid = book.create_sheet(_SHEETS[lang][1])
    grid.append([_text(_HEADINGS[lang][0]), *(_text(source_cites[s.key]) for s in ctx.sources)])
    for row in ctx.matrix:
        cells = ["\n".join(f"{_short(v, ctx.lang)} ({_locator(v, ctx.lang)})" if v.claim.at else _short(v, ctx.lang)
                           for v in cell) for cell in row.cells]
        grid.append([_text(titles[row.theme.id]), *(_text(c) for c in cells)])
    _shape(grid, [28] + [40] * len(ctx.sources), Alignment, Font)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shape(sheet: Any, widths: list[int], alignment: Any, font: Any) -> None:
    """Column widths, wrapped text aligned to the top, a bold header row frozen in place."""
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = font(bold=True)
    sheet.freeze_panes = "A2"


def _text(value: str) -> Any:
    """A cell that holds ``value`` as text, whatever it begins with."""
    from openpyxl.cell.cell import Cell

    from_value = _ILLEGAL.sub("", value)
    cell = Cell(None, value=None)
    cell._value = from_value
    cell.data_type = "s"
    return cell


def _locator(view: ClaimView, lang: str) -> str:
    return locator_text([view.claim.at], lang).replace("\\", "") if view.claim.at else ""


def _short(view: ClaimView, lang: str) -> str:
    claim = view.claim
    return pick(claim.short, lang) if claim.short else pick(claim.says, lang).strip().rstrip(".")


def _plain(markdown_text: str) -> str:
    """Claim text the context escaped for Markdown, as the reader writes it."""
    return re.sub(r"\\(.)", r"\1", markdown_text)
