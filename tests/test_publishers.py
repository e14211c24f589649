"""PDFs as publishers make them — typst and LibreOffice Writer, with a running head, page numbers at the foot,
footnotes and (typst) hyphenation — are read alike by ``synthdoc import`` and ``check``: the author's hyphens,
quotes across a page break, note marks, and Zotero annotations over a line-end hyphen, and whose they are."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from conftest import small_files, write_project
from importing_fixtures import ZoteroLibrary, _flat, annotate, office_article, typst_article, zotero_rects
from synthdoc.build.pipeline import check_project
from synthdoc.cli import app
from synthdoc.core.project import load_project
from synthdoc.core.yamlfile import load_yaml

HEAD = "Jurnal Fiktif Vol. 3 No. 2"
ARTICLE = [
    "Ketidakberdayaan pemerintahan internasional dalam menanggulangi perdagangan orang terlihat jelas.",
    "Pernyataan-pernyataan negara-negara anggota tentang perdagangan orang masih tertunda[^Catatan kaki pertama "
    "tentang konvensi.], meskipun perusahaan-perusahaan besar sudah mendukung korban laki-laki dan perempuan di "
    "perbatasan. Konvensi C188 dan protokolnya belum diratifikasi oleh negara-negara anggota yang paling banyak "
    "mengirim awak kapal perikanan ke luar negeri setiap tahun, dan organisasi internasional belum mengawasi "
    "kapal-kapal itu.",
]
# Lines broken by hand after a reduplicated word's hyphen and a compound's; the text spells the compound on
# one line too, so its hyphen is known to be the author's.
WRAPPED = ["Korban perempuan dan laki-\nlaki dirugikan; kerja sama cross-border dan koordinasi cross-\nborder masih "
           "lemah di perbatasan laut."]
PRODUCERS = ["typst", "libreoffice"]
QUOTES = {
    "hyphens": "Pernyataan-pernyataan negara-negara anggota",  # typst gives these hyphens as U+00AD
    "mark": "orang masih tertunda, meskipun perusahaan-perusahaan besar",  # tertunda¹, — LibreOffice: over a page
    "pages": "diratifikasi oleh negara-negara anggota yang paling banyak mengirim awak kapal perikanan",
}
runner = CliRunner()


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> dict[str, bytes]:
    office = office_article(ARTICLE, HEAD, tmp_path_factory.mktemp("office"))
    return {"typst": typst_article(ARTICLE, HEAD), "libreoffice": office}


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory) -> dict[str, bytes]:
    office = office_article(WRAPPED, HEAD, tmp_path_factory.mktemp("office-wrapped"), height="8cm")
    return {"typst": typst_article(WRAPPED, HEAD, height="9cm"), "libreoffice": office}


def test_the_articles_are_laid_out_as_publishers_lay_them_out(articles):
    """The fixtures hold what the cases need: typst's hyphens read as U+00AD, a running head and a page
    number on every page, a footnote, and the passage of 'pages' broken over two pages."""
    typst = [p.extract_text() for p in PdfReader(io.BytesIO(articles["typst"])).pages]
    assert "Pernyataan\xadpernyataan" in typst[0] and "1Catatan kaki" in typst[0]
    office = [p.extract_text() for p in PdfReader(io.BytesIO(articles["libreoffice"])).pages]
    for pages in (typst, office):
        assert len(pages) >= 2 and all(p.startswith(HEAD) for p in pages)
        assert all(p.rstrip().endswith(str(i)) for i, p in enumerate(pages, 1))
        assert not any("diratifikasi" in p and "mengirim awak" in p for p in pages)


def project(tmp_path: Path, pdf: bytes, quotes: dict[str, str]) -> Path:
    files = small_files()
    del files["sources/smith2020.md"]
    claims = "".join(f"""
  - id: {ident}
    kind: finding
    themes: [labour]
    says: {{en: Statement {ident}., id: Pernyataan {ident}.}}
    quote: {json.dumps(quote)}
""" for ident, quote in quotes.items())
    files["sources/smith2020.yaml"] = f"source: smith2020\ntext: smith2020.pdf\nclaims:{claims}"
    root = write_project(tmp_path / "p", files)
    (root / "sources" / "smith2020.pdf").write_bytes(pdf)
    return root


def problems(root: Path) -> list:
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return [d for d in diags if d.severity.value == "error" or d.code in ("locator-mismatch", "page-ambiguous")]


@pytest.mark.parametrize("producer", PRODUCERS)
def test_quotes_with_the_authors_hyphens_note_marks_and_page_breaks_are_found(articles, tmp_path, producer):
    root = project(tmp_path, articles[producer], QUOTES)
    assert [str(d) for d in problems(root)] == []


def hint(message: str) -> str:
    return re.search(r'closest passage \([^)]*\): "(.*)"$', message).group(1)


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_hint_holds_no_note_mark_nor_page_furniture_and_passes_when_copied(articles, tmp_path, producer):
    near = {"mark": "orang masih tertunda, meskipun perusahaan-perusahan besar",  # a letter missing
            "pages": "oleh negara-negara anggota yang paling banyak mengirm awak kapal perikanan"}
    root = project(tmp_path, articles[producer], near)
    found = problems(root)
    assert sorted(d.code for d in found) == ["quote-not-found"] * 2
    hints = {d.message.split("'")[1]: hint(d.message) for d in found}
    assert "tertunda, meskipun perusahaan-perusahaan besar" in hints["mark"]
    assert "negara-negara anggota yang paling banyak mengirim awak kapal perikanan" in hints["pages"]
    for text in hints.values():
        assert "Jurnal" not in text and "Catatan" not in text and not re.search(r"\d", text), text
    claims = root / "sources" / "smith2020.yaml"
    source = claims.read_text()
    for ident, quote in near.items():
        source = source.replace(json.dumps(quote), json.dumps(hints[ident]))
    claims.write_text(source)
    assert [str(d) for d in problems(root)] == []


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_quote_that_drops_a_reduplicated_words_hyphen_is_reported(articles, tmp_path, producer):
    root = project(tmp_path, articles[producer], {"victims": "sudah mendukung korban lakilaki dan perempuan"})
    [d] = problems(root)
    assert d.path == "sources/smith2020.yaml" and d.code in ("quote-hyphen", "quote-not-found")
    assert "laki-laki" in d.message


def phrase(pdf: bytes, page: int, first: str, last: str) -> str:
    """The words from ``first`` to ``last`` as PDFium reads the page (a reader highlights what it sees)."""
    text = _flat(pdfium.PdfDocument(pdf)[page].get_textpage().get_text_range())
    start = text.index(first)
    return text[start:text.index(last, start) + len(last)]


def import_project(tmp_path: Path) -> Path:
    files = small_files()
    root = write_project(tmp_path / "p", {k: v for k, v in files.items() if not k.startswith("sources/")})
    (root / "sources").mkdir()
    return root


def claims_of(root: Path, key: str = "smith2020") -> list[dict]:
    return load_yaml(root / "sources" / f"{key}.yaml").data["claims"]


@pytest.mark.parametrize("producer", PRODUCERS)
def test_import_and_check_read_the_pdf_alike(articles, tmp_path, producer):
    pdf = articles[producer]
    marks = [{"page": 0, "phrase": phrase(pdf, 0, "Pernyataan-", "anggota")},
             {"page": 0 if producer == "typst" else 1, "phrase": phrase(
                 pdf, 0 if producer == "typst" else 1, "tertunda", "besar")}]
    (tmp_path / "smith2020.pdf").write_bytes(annotate(pdf, marks))
    root = import_project(tmp_path)
    result = runner.invoke(app, ["import", str(tmp_path / "smith2020.pdf"), "--theme", "labour", "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert [c["quote"] for c in claims_of(root)] == ["Pernyataan-pernyataan negara-negara anggota",
                                                     "tertunda, meskipun perusahaan-perusahaan besar"]
    assert [str(d) for d in problems(root)] == []


def zotero_library(folder: Path, pdf: bytes, annotations: list[dict]) -> Path:
    lib = ZoteroLibrary(folder)
    item = lib.article("SMITH001", "Recruitment", extra="Citation Key: smith2020")
    attachment = lib.pdf(item, "ATTACH01", pdf)
    for n, annotation in enumerate(annotations, 1):
        lib.highlight(attachment, f"ANNOT00{n}", annotation.pop("text"), 0, "1", **annotation)
    return lib


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_zotero_quote_is_what_the_page_prints_under_the_annotation(wrapped, tmp_path, producer):
    """Zotero stores 'laki-⏎laki' as 'lakilaki'; the quote is read from the PDF under the annotation's
    rectangles, and a quote written Zotero's way is reported."""
    pdf = wrapped[producer]
    victims = phrase(pdf, 0, "Korban", "dirugikan")
    border = phrase(pdf, 0, "koordinasi", "lemah")
    lib = zotero_library(tmp_path / "Zotero", pdf, [
        {"text": "Korban perempuan dan lakilaki dirugikan", "rects": zotero_rects(pdf, 0, victims),
         "comment": "Korban laki-laki.", "tags": ("labour",)},
        {"text": "koordinasi crossborder masih lemah", "rects": zotero_rects(pdf, 0, border),
         "comment": "Koordinasi lemah.", "tags": ("labour",)}])
    root = import_project(tmp_path)
    result = runner.invoke(app, ["import", str(lib.close()), "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert [c["quote"] for c in claims_of(root)] == ["Korban perempuan dan laki-laki dirugikan",
                                                     "koordinasi cross-border masih lemah"]
    assert [str(d) for d in problems(root)] == []
    claims = root / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("laki-laki dirugikan", "lakilaki dirugikan")
                      .replace("cross-border masih", "crossborder masih"))
    assert [d.code for d in problems(root)] == ["quote-hyphen", "quote-hyphen"]


def test_annotations_by_someone_else_keep_their_author_and_are_drafts(wrapped, tmp_path):
    pdf = wrapped["typst"]
    victims = phrase(pdf, 0, "Korban", "dirugikan")
    border = phrase(pdf, 0, "koordinasi", "lemah")
    lib = zotero_library(tmp_path / "Zotero", pdf, [
        # embedded in the PDF by its previous reader, imported by Zotero from the file
        {"text": victims, "rects": zotero_rects(pdf, 0, victims), "comment": "Korban laki-laki.",
         "tags": ("labour",), "author": "Dewi Lestari", "external": True},
        # made by another member of the group library
        {"text": border, "rects": zotero_rects(pdf, 0, border), "comment": "Koordinasi lemah.",
         "tags": ("labour",), "created_by": 8}])
    lib.account(7, "budi", {8: "rina"})
    root = import_project(tmp_path)
    result = runner.invoke(app, ["import", str(lib.close()), "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert "[import-author]" in result.output and "Dewi Lestari (1)" in result.output
    victims_claim, border_claim = claims_of(root)
    assert victims_claim["draft"] is True and victims_claim["from"]["author"] == "Dewi Lestari"
    assert border_claim["draft"] is True and border_claim["from"]["author"] == "rina"
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    notes = [d for d in diags if d.code == "draft"]
    assert len(notes) == 2 and "by Dewi Lestari, not by you" in notes[0].message
    assert "by rina" in notes[1].message


def test_a_pdf_annotation_keeps_its_author_unless_it_is_yours(wrapped, tmp_path):
    pdf = wrapped["libreoffice"]
    victims = phrase(pdf, 0, "Korban", "dirugikan")
    marked = annotate(pdf, [{"page": 0, "phrase": victims, "comment": "Korban laki-laki.", "name": "a1"}])
    writer_pdf = tmp_path / "smith2020.pdf"
    reader = PdfReader(io.BytesIO(marked))
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=reader)
    writer.pages[0]["/Annots"][0].get_object()[NameObject("/T")] = TextStringObject("Dewi Lestari")
    out = io.BytesIO()
    writer.write(out)
    writer_pdf.write_bytes(out.getvalue())
    root = import_project(tmp_path)
    assert runner.invoke(app, ["import", str(writer_pdf), "--theme", "labour", "-C", str(root)]).exit_code == 0
    [claim] = claims_of(root)
    assert claim["draft"] is True and claim["from"]["author"] == "Dewi Lestari"
    # the same annotation, for a user who says that name is theirs: their own claim
    mine = import_project(tmp_path / "mine")
    config = mine / "synthdoc.yaml"
    config.write_text(config.read_text() + "import:\n  me: [Dewi Lestari]\n")
    assert runner.invoke(app, ["import", str(writer_pdf), "--theme", "labour", "-C", str(mine)]).exit_code == 0
    [claim] = claims_of(mine)
    assert "draft" not in claim and "author" not in claim["from"]
