"""A PDF source's pages are known by the numbers printed on them (its page labels, or first_page),
as APA cites them: roman front matter, then an excerpt of a journal starting at page 87."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from conftest import small_files, write_project
from rendered import docx_as_pdf, pdf_text
from synthdoc.build.pipeline import build, check_project, load_inputs
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project

A = "sources/smith2020.yaml"
FRONT = ["Preface. This excerpt was prepared for a reading group.", "Contents. Recruitment, debts, brokers."]
BODY = ["Recruiters promise good jobs abroad, and the promises are rarely kept.",
        "Debts tie workers to their employers for years."]


def labelled_pdf(labels: bool = True) -> bytes:
    """Four pages: i, ii (roman), then 87, 88 (arabic), labelled by typst's page numbering."""
    if not labels:
        return typst.compile(("#set page(width: 12cm, height: 8cm)\n" + "\n#pagebreak()\n".join(FRONT + BODY)).encode())
    source = ('#set page(width: 12cm, height: 8cm, numbering: "i")\n' + "\n#pagebreak()\n".join(FRONT)
              + '\n#set page(numbering: "1")\n#counter(page).update(87)\n' + "\n#pagebreak()\n".join(BODY))
    return typst.compile(source.encode())


def project(tmp_path: Path, labels: bool = True, first_page: int | None = None) -> Path:
    files = small_files()
    files[A] = files[A].replace("text: smith2020.md", "text: smith2020.pdf" + (
        f"\nfirst_page: {first_page}" if first_page is not None else ""))
    root = write_project(tmp_path, files)
    (root / "sources" / "smith2020.pdf").write_bytes(labelled_pdf(labels))
    return root


def set_page(root: Path, claim: str, page: str | None) -> None:
    path = root / A
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {claim}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("at:"))
    lines[at] = f"    at: {{page: {page}}}\n" if page else ""
    path.write_text("".join(lines))


def diagnose(root: Path):
    try:
        return check_project(load_project(root / "synthdoc.yaml"))[1]
    except SynthdocError as exc:
        return exc.diagnostics


def problems(root: Path) -> list[str]:
    return [f"{d.code}: {d.message}" for d in diagnose(root) if d.severity.value != "note"]


def test_the_fixture_has_roman_and_arabic_labels():
    assert PdfReader(io.BytesIO(labelled_pdf())).page_labels == ["i", "ii", "87", "88"]


def test_page_locators_name_printed_pages(tmp_path):
    root = project(tmp_path)
    set_page(root, "promises", "87")
    set_page(root, "debts", "88")
    assert problems(root) == []


def test_the_pdf_index_is_not_a_printed_page(tmp_path):
    root = project(tmp_path)
    set_page(root, "promises", "3")  # the PDF's third page, printed 87
    set_page(root, "debts", "88")
    [problem] = problems(root)
    assert problem.startswith("unknown-locator: claim 'promises': no page of sources/smith2020.pdf is numbered 3")
    assert "its pages: i–ii, 87–88" in problem


def test_a_page_range_covers_its_pages(tmp_path):
    root = project(tmp_path)
    set_page(root, "promises", "87-88")
    set_page(root, "debts", "87–88")
    assert problems(root) == []


def test_roman_front_matter(tmp_path):
    root = project(tmp_path)
    path = root / A
    path.write_text(path.read_text().replace("Debts tie workers to their employers for years.",
                                             "Contents. Recruitment, debts, brokers."))
    set_page(root, "promises", "87")
    set_page(root, "debts", "ii")
    assert problems(root) == []
    set_page(root, "debts", "87")
    [problem] = problems(root)
    assert problem == ("locator-mismatch: claim 'debts': the quote stands on page ii of sources/smith2020.pdf, "
                       "not page 87")


def test_mismatch_and_beyond_the_end_speak_in_labels(tmp_path):
    root = project(tmp_path)
    set_page(root, "promises", "88")
    set_page(root, "debts", "120")
    found = problems(root)
    assert ("locator-mismatch: claim 'promises': the quote stands on page 87 of sources/smith2020.pdf, not page 88"
            in found)
    assert "unknown-locator: claim 'debts': page 120 is beyond the last page (88) of sources/smith2020.pdf" in found


def test_inferred_pages_are_printed_pages(tmp_path):
    root = project(tmp_path)
    set_page(root, "promises", None)
    set_page(root, "debts", None)
    notes = [d.message for d in diagnose(root) if d.code == "page-inferred"]
    assert any("stands on page 87 of" in n and "at: {page: 87}" in n for n in notes), notes
    inputs = load_inputs(load_project(root / "synthdoc.yaml"))
    pages = {c.id: c.at.value for s in inputs.sources for c in s.claims if s.key == "smith2020"}
    assert pages == {"promises": "87", "debts": "88"}


def test_first_page_numbers_a_pdf_without_labels(tmp_path):
    root = project(tmp_path, labels=False)
    set_page(root, "promises", "87")
    set_page(root, "debts", "88")
    found = problems(root)
    assert len(found) == 2 and all("first_page: 87" in p for p in found), found  # no labels: a hint
    assert "page 87 is beyond the last page (4) of sources/smith2020.pdf" in found[0]

    root = project(tmp_path / "set", labels=False, first_page=85)
    set_page(root, "promises", "87")
    set_page(root, "debts", "88")
    assert problems(root) == []


@pytest.mark.parametrize("value", ["0", "eighty", "true"])
def test_first_page_must_be_a_whole_number(tmp_path, value):
    root = project(tmp_path)
    path = root / A
    path.write_text(path.read_text().replace("text: smith2020.pdf", f"text: smith2020.pdf\nfirst_page: {value}"))
    [d] = [d for d in diagnose(root) if d.code == "schema-type"]
    assert (d.path, d.line) == (A, 3) and "first_page" in d.message


@pytest.fixture(scope="module")
def built_docx(tmp_path_factory) -> str:
    """The review, built to DOCX, as LibreOffice lays it out: its citations name the printed pages."""
    tmp = tmp_path_factory.mktemp("labels")
    root = project(tmp / "p")
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text().replace("formats: [html]", "formats: [docx]"))
    set_page(root, "promises", "87")
    set_page(root, "debts", None)  # inferred: printed 88
    build(load_project(config))
    return pdf_text(docx_as_pdf(root / "output" / "review.docx", tmp))


def test_documents_cite_the_printed_page(built_docx):
    text = " ".join(built_docx.split())
    assert "Smith, 2020, p. 87" in text and "Smith, 2020, p. 88" in text, text
    assert "p. 3" not in text and "p. 4" not in text
