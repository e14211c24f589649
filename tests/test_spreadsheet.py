"""The evidence matrix as a spreadsheet: one row per claim with its citation, and the theme × source grid."""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import openpyxl

from conftest import small_files, write_project
from synthdoc.build.pipeline import build
from synthdoc.core.project import load_project


def test_xlsx_has_a_row_per_claim_and_the_grid(tmp_path: Path):
    files = small_files("xlsx")
    # A statement a spreadsheet would take for a formula, and one with a control character.
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "says: {en: Debts bind workers to employers., id: Utang mengikat pekerja.}",
        'says: {en: "=HYPERLINK(\\"http://x.example\\", \\"debts\\")", id: "@SUM(1)\\u0007 utang"}')
    root = write_project(tmp_path / "p", files)
    build(load_project(root / "synthdoc.yaml"))
    path = root / "output" / "review.xlsx"
    book = openpyxl.load_workbook(path)
    claims, grid = book.worksheets
    rows = list(claims.iter_rows(values_only=True))
    assert rows[0] == ("Theme", "Source", "Citation", "Statement", "Quote", "Locator")
    by_source = sorted((r[1], r[3], r[2], r[5]) for r in rows[1:])
    assert [s for s, *_ in by_source] == ["smith2020", "smith2020", "tran2021", "tran2021"]
    for source, _, citation, locator in by_source:
        author = "Smith" if source == "smith2020" else "Tran"
        assert citation.startswith(f"({author}, 20") and citation.endswith(".1)"), citation
        assert locator.startswith("sec.")
    formula = [r for r in rows if r[3].startswith("=HYPERLINK")]
    assert len(formula) == 1 and formula[0][0] == "Law"
    with zipfile.ZipFile(path) as xlsx:
        sheets = [xlsx.read(n).decode() for n in xlsx.namelist() if n.startswith("xl/worksheets/")]
    assert all("<f>" not in s and "<f " not in s for s in sheets), "a claim became a formula"
    assert [c.data_type for c in claims["D"]][1:] == ["s"] * 4
    head = [c.value for c in grid[1]]
    assert head[0] == "Theme" and head[1:] == ["Smith (2020)", "Tran (2021)"]
    grid_rows = {r[0]: r[1:] for r in grid.iter_rows(min_row=2, values_only=True)}
    assert set(grid_rows) == {"Labour", "Law"}
    assert grid_rows["Labour"][0] == "Broken promises (sec. 1.1)"
    assert grid_rows["Law"][1].startswith("Governments should license brokers (sec. 2.1)")


MINE = """\
# {{ title }}

Earlier work by the same author [@smith2020b].

{% for c in claims %}
{{ c.sentence }}

{% endfor %}
"""

OTHER_SMITH = """
@book{smith2020b,
  author = {Smith, Jane},
  title = {Another Book of the Same Year},
  year = {2020},
  publisher = {Example Press},
}
"""


def _workbook_citations(root: Path) -> dict[str, str]:
    rows = list(openpyxl.load_workbook(root / "output" / "review.xlsx").worksheets[0].iter_rows(values_only=True))
    return {r[3]: r[2] for r in rows[1:]}


def test_the_workbook_shows_the_citation_the_document_prints(tmp_path: Path):
    """The template's own citation of a second Smith (2020) makes the document print 2020a / 2020b: the
    workbook's Citation column says what the document says, not what the claims alone would make."""
    files = small_files("html, xlsx")
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2", "template: mine.md.j2")
    files["templates/mine.md.j2"] = MINE
    files["bibliography.bib"] += OTHER_SMITH
    root = write_project(tmp_path / "p", files)
    build(load_project(root / "synthdoc.yaml"))
    html = " ".join(unescape(re.sub(r"<[^>]+>", "", (root / "output" / "review.html").read_text())).split())
    cites = _workbook_citations(root)
    debts = cites["Debts bind workers to employers."]
    assert debts == "(Smith, 2020b, Section 1.1)", debts  # the template's own citation came first: 2020a
    assert debts in html and "(Smith, 2020a)" in html


def test_a_note_styles_workbook_never_says_ibid(tmp_path: Path):
    """Two claims of one source follow each other: the document's second note is "Ibid."; a row of the
    workbook stands alone and names its work."""
    files = small_files("html, xlsx")
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("style: apa",
                                                                "style: universitas-gadjah-mada-departemen-sejarah")
    root = write_project(tmp_path / "p", files)
    build(load_project(root / "synthdoc.yaml"))
    cites = _workbook_citations(root)
    assert all("Ibid" not in c and "ibid" not in c for c in cites.values()), cites
    assert "Recruitment and Its Discontents" in cites["Debts bind workers to employers."]
