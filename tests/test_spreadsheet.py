"""The evidence matrix as a spreadsheet: one row per claim with its citation, and the theme × source grid."""

from __future__ import annotations

import zipfile
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
