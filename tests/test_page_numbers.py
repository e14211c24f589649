"""Printed page numbers as publishers make them (issue #29): an unnumbered cover before page 1 in a PDF
without page labels, first_page: over a PDF's own labels, a locator outside the entry's pages, and a
build that prints a page the quote is not on."""

from __future__ import annotations

from pathlib import Path

import pytest
import typst

from conftest import small_files, write_project
from rendered import libreoffice_convert
from synthdoc.build.pipeline import load_inputs
from synthdoc.core.project import load_project
from test_page_labels import A, diagnose, problems, set_page
from test_page_labels import project as labelled_project

COVER = "Laporan Tahunan 2021"
BODY = ["Recruiters promise good jobs abroad, and the promises are rarely kept.",
        "Debts tie workers to their employers for years."]

# typst: a cover without a number, then pages whose foot prints 1, 2 (a footer, not a numbering: no /PageLabels)
COVER_TYP = ('#set page(width: 12cm, height: 8cm, header: align(right, emph[Jurnal Fiktif]), footer: context {\n'
             '  let n = counter(page).get().first() - 1\n  if n > 0 { align(center, str(n)) }\n})\n'
             + f"#align(center)[*{COVER}*]\n#pagebreak()\n" + "\n#pagebreak()\n".join(BODY) + "\n")

# LibreOffice: the cover on a page style without a footer; the body restarts the page count at 1.
COVER_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="12cm" fo:page-height="8cm"
   fo:margin="1cm"/><style:footer-style/></style:page-layout>
  <style:style style:name="P0" style:family="paragraph" style:master-page-name="Cover"/>
  <style:style style:name="P1" style:family="paragraph" style:master-page-name="Standard">
   <style:paragraph-properties style:page-number="1" fo:break-before="page"/></style:style>
  <style:style style:name="P2" style:family="paragraph">
   <style:paragraph-properties fo:break-before="page"/></style:style>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Cover" style:page-layout-name="pm1"/>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:footer><text:p><text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
  <text:p text:style-name="P0">{cover}</text:p>
  <text:p text:style-name="P1">{one}</text:p>
  <text:p text:style-name="P2">{two}</text:p>
 </office:text></office:body>
</office:document>
"""


def cover_pdf(maker: str, folder: Path) -> bytes:
    """Three pages: an unnumbered cover, then two pages printed 1 and 2; no /PageLabels."""
    if maker == "typst":
        return typst.compile(COVER_TYP.encode())
    folder.mkdir(parents=True, exist_ok=True)
    fodt = folder / "cover.fodt"
    fodt.write_text(COVER_FODT.format(cover=COVER, one=BODY[0], two=BODY[1]), encoding="utf-8")
    return libreoffice_convert(fodt, "pdf", folder).read_bytes()


def cover_project(tmp_path: Path, maker: str, numbering: str = "") -> Path:
    files = small_files()
    files[A] = files[A].replace("text: smith2020.md", "text: smith2020.pdf" + (f"\n{numbering}" if numbering else ""))
    root = write_project(tmp_path / "p", files)
    (root / "sources" / "smith2020.pdf").write_bytes(cover_pdf(maker, tmp_path / "made"))
    set_page(root, "promises", None)  # inferred from where the quote stands
    set_page(root, "debts", "2")  # as the page prints it
    return root


def inferred(root: Path) -> dict[str, str]:
    inputs = load_inputs(load_project(root / "synthdoc.yaml"))
    return {c.id: c.at.value for s in inputs.sources for c in s.claims if s.key == "smith2020"}


@pytest.mark.parametrize("maker", ["typst", "libreoffice"])
def test_an_unnumbered_cover_is_said_and_page_labels_number_it(tmp_path, maker):
    root = cover_project(tmp_path, maker)
    found = problems(root)
    [said] = [p for p in found if p.startswith("page-labels:")]
    assert "1 (cited as page 2)" in said and "page_labels: [cover, 1]" in said, said
    assert inferred(root)["promises"] == "2"  # what a citation would say without page_labels

    fixed = cover_project(tmp_path / "fixed", maker, "page_labels: [cover, 1]")
    assert problems(fixed) == []
    assert inferred(fixed) == {"promises": "1", "debts": "2"}


def test_first_page_0_says_how_to_number_a_cover(tmp_path):
    root = cover_project(tmp_path, "typst", "first_page: 0")
    [d] = [d for d in diagnose(root) if d.code == "schema-type"]
    assert (d.path, d.line) == (A, 3) and "page_labels: [cover, 1]" in d.message


@pytest.mark.parametrize(("numbering", "where"), [
    ("page_labels: [cover]", "is no page number"),
    ("page_labels: []", "is a list"),
    ("first_page: 2\npage_labels: [cover, 1]", "not both"),
])
def test_page_labels_that_cannot_number_the_pages_are_errors(tmp_path, numbering, where):
    root = cover_project(tmp_path, "typst", numbering)
    [d] = [d for d in diagnose(root) if d.code == "schema-type"]
    assert d.path == A and where in d.message, d.message


def test_page_labels_count_on_in_roman_and_arabic(tmp_path):
    from synthdoc.sources.texts import count_on
    assert count_on(("cover", "i"), 4) == ("cover", "i", "ii", "iii")
    assert count_on(("cover", "I", "II", "1"), 5) == ("cover", "I", "II", "1", "2")
    assert count_on(("87",), 3) == ("87", "88", "89")


def test_first_page_over_the_pdfs_own_labels_says_which_wins(tmp_path):
    root = labelled_project(tmp_path, first_page=1)  # the PDF's own labels: i, ii, 87, 88
    set_page(root, "promises", "87")  # right by the PDF's labels
    set_page(root, "debts", "4")
    found = problems(root)
    [said, *_] = [p for p in found if p.startswith("page-labels:")]
    assert "page labels of its own (i–ii, 87–88)" in said and "first_page: 1 overrides them" in said, said
    assert any("remove first_page: 1" in p for p in found), found
    [unknown] = [p for p in found if p.startswith("unknown-locator")]
    assert "by those it is page 87" in unknown, unknown


# --- a locator outside the pages of the entry's own work ----------------------------------------------

CHAPTER = """@incollection{smith2020,
  author = {Smith, Jane},
  title = {Recruitment and Its Discontents},
  booktitle = {Migration in Southeast Asia},
  editor = {Lee, Ann},
  year = {2020},
  publisher = {Example Press},
  pages = {87--110},
}"""


def chapter_project(tmp_path: Path, labels: bool = True) -> Path:
    root = labelled_project(tmp_path, labels=labels)
    bib = root / "bibliography.bib"
    text = bib.read_text()
    start = text.index("@book{smith2020")
    bib.write_text(text[:start] + CHAPTER + text[text.index("}\n", text.index("publisher", start)) + 1:])
    return root


def test_a_page_outside_the_entrys_pages_is_a_warning(tmp_path):
    root = chapter_project(tmp_path)
    set_page(root, "promises", "87")
    set_page(root, "debts", "88")
    assert problems(root) == []
    path = root / A
    path.write_text(path.read_text().replace("Debts tie workers to their employers for years.",
                                             "Contents. Recruitment, debts, brokers."))
    set_page(root, "debts", "ii")  # stands there in the PDF: front matter of the volume, not of the chapter
    [d] = [d for d in diagnose(root) if d.code == "page-outside-entry"]
    assert d.path == A and d.severity.value == "warning"
    assert "cites page ii" in d.message and "87-110 (bibliography.bib:1)" in d.message, d.message


def test_an_inferred_page_outside_the_entrys_pages_says_how_to_number_the_pdf(tmp_path):
    root = chapter_project(tmp_path, labels=False)  # the excerpt's PDF counts 1, 2, 3, 4
    set_page(root, "promises", None)
    set_page(root, "debts", None)
    found = [d for d in diagnose(root) if d.code == "page-outside-entry"]
    assert len(found) == 2 and all("first_page:" in d.message for d in found), [d.message for d in found]


@pytest.mark.parametrize(("page", "ranges"), [
    ("87--110", [(87, 110, False)]), ("1234-56", [(1234, 1256, False)]),
    ("iii-xii, 1-20", [(3, 12, True), (1, 20, False)]),
    ("300", []), ("e1234", []), ("S12-S20", [])])
def test_entry_pages(page, ranges):
    from synthdoc.check.checks import entry_pages
    assert entry_pages(page.replace("--", "–")) == ranges


# --- a build that prints a page the quote is not on ---------------------------------------------------------

def run(root: Path, *args: str):
    from typer.testing import CliRunner

    from synthdoc.cli import app
    return CliRunner().invoke(app, [*args, "--project", str(root)])


def test_build_strict_refuses_a_citation_of_a_page_the_quote_is_not_on(tmp_path):
    root = labelled_project(tmp_path)
    set_page(root, "promises", "87")
    set_page(root, "debts", "88")
    done = run(root, "build")
    assert done.exit_code == 0, done.output
    html = (root / "output" / "review.html").read_bytes()

    set_page(root, "promises", "88")  # the quote stands on page 87
    done = run(root, "build", "--strict")
    assert done.exit_code == 1, done.output
    assert "sources/smith2020.yaml:" in done.output and ": error: claim 'promises': the quote stands on page 87" \
        in done.output and "[locator-mismatch]" in done.output, done.output
    assert "Traceback" not in done.output
    assert (root / "output" / "review.html").read_bytes() == html  # nothing written
    assert not (root / "output" / "review.changes.md").exists()

    done = run(root, "build")  # without --strict: built, and the change report says it
    assert done.exit_code == 0, done.output
    assert "1 citations of a place the quote is not on" in done.output, done.output
    report = (root / "output" / "review.changes.md").read_text(encoding="utf-8")
    section = report.split("## Citations of a place the quote is not on", 1)[1]
    assert "smith2020/promises" in section and "p. 88" in section and "stands on page 87" in section, report

    done = run(root, "build", "--strict")  # nothing changed since: its warnings still stop a strict build
    assert done.exit_code == 1 and "[locator-mismatch]" in done.output, done.output
