"""synthdoc import: a PDF highlighted in a reader, a Zotero 7 library and extraction sheets become claims
that check proves and documents cite by printed page; importing again adds nothing; bad input writes nothing."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfWriter
from typer.testing import CliRunner

from conftest import small_files, write_project
from importing_fixtures import GREEN, ZoteroLibrary, annotate, typst_pdf
from rendered import docx_as_pdf, pdf_text
from synthdoc.build.pipeline import build, check_project
from synthdoc.cli import app
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project
from synthdoc.core.yamlfile import load_yaml

runner = CliRunner()
FRONT = ["Preface. This excerpt was prepared for a reading group."]
SMITH = ["Recruiters promise good jobs abroad, and the promises are rarely kept.",
         "Debts tie workers to their employers for years."]
TRAN = ["Brokers at the border arrange papers and transport for most migrants.",
        "Most migrants never meet their employer before they leave home."]
LEE = ["Village recruiters are often relatives of the migrants they send abroad."]
BIB_LEE = """
@book{lee2019,
  author = {Lee, Min},
  title = {Kin and Recruitment},
  year = {2019},
  publisher = {Example Press},
}
"""


def project(tmp_path: Path) -> Path:
    """The small project without claims of its own: three entries, themes, and yellow → labour."""
    files = small_files("docx")
    del files["sources/smith2020.yaml"], files["sources/tran2021.yaml"]
    files["bibliography.bib"] += BIB_LEE
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("points:", "import:\n  colors:\n    yellow: labour\n"
                                                            "points:")
    root = write_project(tmp_path, {k: v for k, v in files.items() if not k.startswith("sources/")})
    (root / "sources").mkdir()
    return root


def smith_pdf() -> bytes:
    """Printed i, 87, 88; a highlight with a comment over a line break, an underline without one."""
    return annotate(typst_pdf(FRONT, SMITH), [
        {"page": 1, "phrase": "good jobs abroad, and the promises are rarely kept.",
         "comment": "Recruiters' promises of work abroad are rarely kept.", "name": "okular-1"},
        {"page": 2, "phrase": "tie workers to their employers", "subtype": "/Underline", "color": GREEN,
         "comment": "Debts bind workers."},
    ])


def zotero(folder: Path, version: int = 123) -> Path:
    """A Zotero data folder: tran2021 (Better BibTeX key in Extra) with a PDF Zotero numbers 87–88 though the
    PDF has no page labels; the highlights carry tags and comments."""
    lib = ZoteroLibrary(folder, version)
    item = lib.article("TRAN2021", "Borders and Brokers", extra="tex.type: book\nCitation Key: tran2021")
    lib.article("OTHER001", "Not in the bibliography", citation_key="nobody1999")
    pdf = lib.pdf(item, "ATTACH01", typst_pdf([], TRAN, first=None))
    lib.highlight(pdf, "ANNOT001", "arrange papers and transport", 0, "87",
                  comment="Brokers arrange papers and transport.", tags=("labour",))
    lib.highlight(pdf, "ANNOT002", "never meet their employer before they leave", 1, "88", color="#ff6666")
    return lib.close()


def sheet_rows() -> list[list[str]]:
    return [["source", "id", "kind", "themes", "says_en", "says_id", "quote", "page"],
            ["lee2019", "kin", "finding", "labour; law", "Recruiters are often kin.", "Perekrut sering kerabat.",
             "recruiters are often relatives of the migrants", "12"]]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(root: Path, *args: str):
    return runner.invoke(app, ["import", *args, "-C", str(root)])


def diagnose(root: Path):
    try:
        return check_project(load_project(root / "synthdoc.yaml"))[1]
    except SynthdocError as exc:
        return exc.diagnostics


def claims(root: Path, key: str) -> list[dict]:
    return load_yaml(root / "sources" / f"{key}.yaml").data["claims"]


# --- one project imported three ways, built once -----------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("import")
    root = project(tmp / "project")
    (tmp / "inbox").mkdir()
    (tmp / "inbox" / "smith2020.pdf").write_bytes(smith_pdf())
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=None))
    write_csv(tmp / "inbox" / "extraction.csv", sheet_rows())
    db = zotero(tmp / "Zotero")
    for args in ([str(tmp / "inbox" / "smith2020.pdf")], [str(db)], [str(tmp / "inbox" / "extraction.csv")]):
        result = run(root, *args)
        assert result.exit_code == 0, result.output
    lee = root / "sources" / "lee2019.yaml"
    lee.write_text(lee.read_text().replace("text: lee2019.pdf", "text: lee2019.pdf\nfirst_page: 12"))
    return root


def test_pdf_highlights_become_claims(imported):
    [promises, debts] = claims(imported, "smith2020")
    assert promises["quote"] == "good jobs abroad, and the promises are rarely kept."
    assert promises["at"] == {"page": 87} and promises["themes"] == ["labour"]  # yellow → labour
    assert promises["says"] == {"en": "Recruiters' promises of work abroad are rarely kept."}
    assert promises["from"] == {"file": "smith2020.pdf", "annotation": "okular-1"}
    assert "draft" not in promises
    assert debts["quote"] == "tie workers to their employers" and debts["at"] == {"page": 88}
    assert debts["draft"] is True and "themes" not in debts  # green: no theme configured
    lines = (imported / "sources" / "smith2020.yaml").read_text().splitlines()
    assert lines[1:4] == ["source: smith2020", "text: smith2020.pdf", "claims:"]  # no lang: the entry names none
    assert (imported / "sources" / "smith2020.pdf").is_file()


def test_zotero_highlights_become_claims(imported):
    [brokers, meet] = claims(imported, "tran2021")
    assert brokers["quote"] == "arrange papers and transport" and brokers["at"] == {"page": 87}
    assert brokers["themes"] == ["labour"]  # the tag names a theme
    assert brokers["from"] == {"file": "zotero.sqlite", "annotation": "ANNOT001"}
    assert meet["draft"] is True and meet["at"] == {"page": 88}
    data = load_yaml(imported / "sources" / "tran2021.yaml").data
    assert data["first_page"] == 87  # Zotero numbered the unlabelled PDF from 87
    assert not (imported / "sources" / "nobody1999.yaml").exists()


def test_sheet_rows_become_claims(imported):
    [kin] = claims(imported, "lee2019")
    assert kin["id"] == "kin" and kin["themes"] == ["labour", "law"]
    assert kin["says"] == {"en": "Recruiters are often kin.", "id": "Perekrut sering kerabat."}
    assert kin["at"] == {"page": 12} and kin["from"] == {"file": "extraction.csv", "annotation": "kin"}


def test_check_proves_every_imported_quote_and_notes_drafts(imported):
    diags = diagnose(imported)
    assert [str(d) for d in diags if d.severity.value == "error"] == []
    assert not [d for d in diags if d.code in ("locator-mismatch", "quote-not-found", "unknown-locator")]
    drafts = sorted(d.path for d in diags if d.code == "draft")
    assert drafts == ["sources/smith2020.yaml", "sources/tran2021.yaml"]


def test_importing_again_adds_nothing(imported, tmp_path):
    before = {p.name: p.read_bytes() for p in (imported / "sources").iterdir()}
    inbox = imported.parent / "inbox"
    for args in ([str(inbox / "smith2020.pdf")], [str(imported.parent / "Zotero" / "zotero.sqlite")],
                 [str(inbox / "extraction.csv")]):
        result = run(imported, *args)
        assert result.exit_code == 0 and "0 new claims" in result.output, result.output
    assert {p.name: p.read_bytes() for p in (imported / "sources").iterdir()} == before


@pytest.fixture(scope="module")
def built_pdf(imported, tmp_path_factory) -> Path:
    """The review as LibreOffice lays out its DOCX."""
    build(load_project(imported / "synthdoc.yaml"))
    return docx_as_pdf(imported / "output" / "review.docx", tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def built(built_pdf) -> str:
    return " ".join(pdf_text(built_pdf).split())


def test_documents_cite_printed_pages(built):
    assert "(Smith, 2020, p. 87)" in built
    assert "(Tran, 2021, p. 87)" in built
    assert "Lee, 2019, p. 12" in built


def test_highlights_in_a_pdf_made_by_another_producer(built_pdf, tmp_path):
    """LibreOffice writes its PDFs otherwise than typst (subset fonts, its own text runs and line breaks): a
    passage highlighted in one, across a line break, is read and proven the same way."""
    from importing_fixtures import _flat

    root = project(tmp_path / "p")
    pdf = built_pdf.read_bytes()
    import pypdfium2 as pdfium

    page = _flat(pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range())
    start = page.index("promises of work abroad")
    phrase = " ".join(page[start:].split()[:14])  # runs over a line end in the laid-out page
    (tmp_path / "smith2020.pdf").write_bytes(annotate(pdf, [{"page": 0, "phrase": phrase, "comment": "Seen."}]))
    result = run(root, str(tmp_path / "smith2020.pdf"), "--theme", "labour")
    assert result.exit_code == 0, result.output
    [claim] = claims(root, "smith2020")
    assert claim["quote"] == phrase and claim["at"] == {"page": 1}
    assert [str(d) for d in diagnose(root) if d.severity.value == "error" or d.code == "locator-mismatch"] == []


def test_documents_leave_drafts_out(built):
    assert "Debts bind workers" not in built and "Smith, 2020, p. 88" not in built and "p. 88" not in built


# --- a claims file a person keeps editing ---------------------------------------------------------

def test_edits_comments_and_order_are_kept(tmp_path):
    root = project(tmp_path / "p")
    pdf = tmp_path / "smith2020.pdf"
    first = annotate(typst_pdf(FRONT, SMITH), [{"page": 1, "phrase": "Recruiters promise good jobs abroad",
                                                 "comment": "Jobs are promised."}])
    pdf.write_bytes(first)
    assert run(root, str(pdf), "--theme", "law").exit_code == 0
    path = root / "sources" / "smith2020.yaml"
    edited = path.read_text().replace("Jobs are promised.", "Recruiters promise jobs abroad.")
    edited = edited.replace("claims:\n", "# my notes stay\nclaims:  # in order\n")
    path.write_text(edited)
    # the reader adds a second highlight; the first one is imported already (and was edited since)
    pdf.write_bytes(annotate(first, [{"page": 2, "phrase": "Debts tie workers", "comment": "Debts."}]))
    result = run(root, str(pdf), "--theme", "law")
    assert result.exit_code == 0 and "added 1 claim to sources/smith2020.yaml: debts-tie-workers" in result.output
    after = path.read_text()
    assert after.startswith(edited), after
    assert [c["id"] for c in claims(root, "smith2020")] == ["recruiters-promise-good-jobs", "debts-tie-workers"]


def test_dry_run_writes_nothing(tmp_path):
    root = project(tmp_path / "p")
    pdf = tmp_path / "smith2020.pdf"
    pdf.write_bytes(smith_pdf())
    result = run(root, str(pdf), "--dry-run")
    assert result.exit_code == 0 and "would add 2 claims to sources/smith2020.yaml" in result.output
    assert list((root / "sources").iterdir()) == []


# --- bad input: one clear message, nothing written ------------------------------------------------

def failing(root: Path, *args: str) -> str:
    result = run(root, *args)
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert list((root / "sources").iterdir()) == []
    return result.output


def test_encrypted_pdf(tmp_path):
    root = project(tmp_path / "p")
    writer = PdfWriter(clone_from=io.BytesIO(smith_pdf()))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "smith2020.pdf").write_bytes(out.getvalue())
    assert "the PDF is encrypted with a password" in failing(root, str(tmp_path / "smith2020.pdf"))


def test_pdf_protected_only_against_editing(tmp_path):
    """Most journal PDFs are encrypted with an empty password (no editing, no printing): they open in
    every reader, so synthdoc reads them too, for import and for check."""
    root = project(tmp_path / "p")
    writer = PdfWriter(clone_from=io.BytesIO(smith_pdf()))
    writer.encrypt(user_password="", owner_password="publisher", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "smith2020.pdf").write_bytes(out.getvalue())
    result = run(root, str(tmp_path / "smith2020.pdf"))
    assert result.exit_code == 0, result.output
    [promises, _] = claims(root, "smith2020")
    assert promises["quote"] == "good jobs abroad, and the promises are rarely kept." and promises["at"] == {"page": 87}
    assert [str(d) for d in diagnose(root) if d.severity.value == "error"] == []


def test_image_only_pdf(tmp_path):
    root = project(tmp_path / "p")
    blank = typst_pdf([], ["#rect(width: 5cm, height: 2cm)"], first=None)
    box = [72.0, 200.0, 200.0, 200.0, 72.0, 180.0, 200.0, 180.0]
    (tmp_path / "smith2020.pdf").write_bytes(annotate(blank, [{"page": 0, "quads": box}]))
    assert "no text layer" in failing(root, str(tmp_path / "smith2020.pdf"))


def test_highlight_with_no_text_under_it(tmp_path):
    root = project(tmp_path / "p")
    empty = [10.0, 30.0, 60.0, 30.0, 10.0, 12.0, 60.0, 12.0]  # the bottom margin of page 87
    (tmp_path / "smith2020.pdf").write_bytes(annotate(smith_pdf(), [{"page": 1, "quads": empty}]))
    output = failing(root, str(tmp_path / "smith2020.pdf"))
    assert "smith2020.pdf:2:1: error: the highlight on page 87 has no text under it" in output


def test_pdf_of_a_source_not_in_the_bibliography(tmp_path):
    root = project(tmp_path / "p")
    (tmp_path / "paper.pdf").write_bytes(smith_pdf())
    assert "give --source KEY" in failing(root, str(tmp_path / "paper.pdf"))
    assert "source 'smith2021' is not in bibliography.bib (did you mean 'smith2020'?)" in failing(
        root, str(tmp_path / "paper.pdf"), "--source", "smith2021")


def test_zotero_of_another_schema_version(tmp_path):
    root = project(tmp_path / "p")
    db = zotero(tmp_path / "Zotero", version=107)
    assert "schema version 107, from before Zotero 6" in failing(root, str(db))


def test_not_a_zotero_database(tmp_path):
    root = project(tmp_path / "p")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert "not a Zotero database" in failing(root, str(other))


def test_zotero_database_is_read_while_zotero_holds_it(tmp_path):
    """Zotero keeps its database open (and locked) while it runs; synthdoc reads it immutable, never writing."""
    root = project(tmp_path / "p")
    db = zotero(tmp_path / "Zotero")
    before = db.read_bytes()
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run(root, str(db))
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0, result.output
    assert db.read_bytes() == before and not (db.parent / "zotero.sqlite-journal").exists()
    assert len(claims(root, "tran2021")) == 2


def test_unknown_column(tmp_path):
    root = project(tmp_path / "p")
    rows = sheet_rows()
    rows[0][4] = "says_english"
    rows[0][6] = "qoute"
    output = failing(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert "x.csv:1:5: error: unknown column 'says_english'" in output
    assert "x.csv:1:7: error: unknown column 'qoute' (did you mean 'quote'?)" in output


def test_row_without_a_source(tmp_path):
    root = project(tmp_path / "p")
    rows = sheet_rows()
    rows.append(["", "other", "finding", "law", "Other.", "", "relatives of the migrants", "12"])
    output = failing(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert "x.csv:3:1: error: which source is this? give --source KEY" in output


def test_xlsx_sheet(tmp_path):
    from openpyxl import Workbook

    root = project(tmp_path / "p")
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=12))
    book = Workbook()
    for row in sheet_rows():
        book.active.append([int(v) if v.isdigit() else v for v in row])  # the page as a number, as Excel keeps it
    book.save(tmp_path / "x.xlsx")
    assert run(root, str(tmp_path / "x.xlsx")).exit_code == 0
    [kin] = claims(root, "lee2019")
    assert kin["at"] == {"page": 12} and kin["quote"] == "recruiters are often relatives of the migrants"
    assert [d for d in diagnose(root) if d.severity.value == "error"] == []
    assert "0 new claims" in run(root, str(tmp_path / "x.xlsx")).output


def test_words_broken_at_a_line_end_are_spelled_as_written(tmp_path):
    """A highlight across 'laki-⏎laki' (an Indonesian reduplicated word) and 'antar-⏎lembaga' (one word
    hyphenated by the layout) gives the quote 'laki-laki … antarlembaga', which check finds."""
    root = project(tmp_path / "p")
    body = ["Korban perempuan dan laki-\\\nlaki dirugikan oleh koordinasi antar-\\\nlembaga yang lemah."]
    pdf = annotate(typst_pdf([], body, first=5), [
        {"page": 0, "phrase": "perempuan dan laki- laki dirugikan oleh koordinasi antar- lembaga yang lemah",
         "comment": "Koordinasi lemah."}])
    (tmp_path / "smith2020.pdf").write_bytes(pdf)
    assert run(root, str(tmp_path / "smith2020.pdf"), "--theme", "law").exit_code == 0
    [claim] = claims(root, "smith2020")
    assert claim["quote"] == "perempuan dan laki-laki dirugikan oleh koordinasi antarlembaga yang lemah"
    assert claim["at"] == {"page": 5}
    # (the claim has two themes, the highlight's colour's and --theme's: the review tells it once, under the first)
    assert [str(d) for d in diagnose(root) if d.severity.value == "error" or d.path.startswith("sources")] == []


def test_imported_files_point_editors_at_their_schema(imported):
    import json

    import jsonschema

    path = imported / "sources" / "smith2020.yaml"
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/claims.schema.json"
    schema = json.loads((imported / "schemas" / "claims.schema.json").read_text())
    for key in ("smith2020", "tran2021", "lee2019"):
        jsonschema.validate(load_yaml(imported / "sources" / f"{key}.yaml").data, schema)


def test_semicolon_csv_as_excel_saves_it_in_indonesian(tmp_path):
    root = project(tmp_path / "p")
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=12))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(sheet_rows())
    (tmp_path / "x.csv").write_text(buffer.getvalue(), encoding="utf-8-sig")
    assert run(root, str(tmp_path / "x.csv")).exit_code == 0
    [kin] = claims(root, "lee2019")
    assert kin["themes"] == ["labour", "law"] and kin["at"] == {"page": 12}


def test_a_key_is_a_safe_file_name(tmp_path):
    """Keys name the files import creates; one with ':' (not allowed in Windows file names) or '/' must
    still give one file inside sources/."""
    root = project(tmp_path / "p")
    bib = root / "bibliography.bib"
    bib.write_text(bib.read_text().replace("@book{lee2019", "@book{lee:2019/../../x"))
    rows = sheet_rows()
    rows[1][0] = "lee:2019/../../x"
    assert run(root, str(write_csv(tmp_path / "x.csv", rows))).exit_code == 0
    assert [p.name for p in (root / "sources").iterdir()] == ["lee_2019_x.yaml"]
    assert load_yaml(root / "sources" / "lee_2019_x.yaml").data["source"] == "lee:2019/../../x"


def test_a_comment_that_repeats_the_marked_text_is_no_statement(tmp_path):
    """Several readers copy the marked text into the comment: the author's words must not become the
    researcher's statement, so the claim stays a draft."""
    root = project(tmp_path / "p")
    pdf = annotate(typst_pdf(FRONT, SMITH), [{"page": 2, "phrase": "Debts tie workers to their employers",
                                              "comment": "Debts tie workers to their employers"}])
    (tmp_path / "smith2020.pdf").write_bytes(pdf)
    assert run(root, str(tmp_path / "smith2020.pdf"), "--theme", "law").exit_code == 0
    [claim] = claims(root, "smith2020")
    assert claim["draft"] is True and "says" not in claim


@pytest.mark.parametrize(("args", "message"), [(["--kind", "findings"], "unknown kind 'findings' (did you mean "
                                                "'finding'?)"), (["--theme", "labor"], "unknown theme 'labor'")])
def test_options_are_usage_errors(tmp_path, args, message):
    root = project(tmp_path / "p")
    (tmp_path / "smith2020.pdf").write_bytes(smith_pdf())
    result = run(root, str(tmp_path / "smith2020.pdf"), *args)
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


def test_zotero_keys_trash_and_missing_files(tmp_path):
    """Zotero's own citationKey field wins over an Extra line; trashed annotations and items without their
    PDF on disk are left out (the latter with a warning), and the rest is imported."""
    root = project(tmp_path / "p")
    lee_pdf = typst_pdf([], LEE, first=12)
    (root / "sources" / "lee2019.pdf").write_bytes(lee_pdf)
    lib = ZoteroLibrary(tmp_path / "Zotero")
    lee = lib.article("LEE2019A", "Kin and Recruitment", extra="Citation Key: wrong2019", citation_key="lee2019")
    pdf = lib.pdf(lee, "LEEPDF01", lee_pdf)
    lib.highlight(pdf, "KEEP0001", "often relatives of the migrants", 0, "12", comment="Kin recruit.")
    trashed = lib.highlight(pdf, "TRASH001", "Village recruiters", 0, "12", comment="Gone.")
    lib.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (trashed,))
    smith = lib.article("SMITH20A", "Recruitment", extra="Citation Key: smith2020")
    gone = lib.pdf(smith, "SMITHPDF", typst_pdf(FRONT, SMITH))
    lib.highlight(gone, "SMITHH01", "rarely kept", 1, "87")
    (lib.folder / "storage" / "SMITHPDF" / "paper.pdf").unlink()
    result = run(root, str(lib.close()))
    assert result.exit_code == 0, result.output
    assert "smith2020: its PDF is not in Zotero's storage folder" in result.output
    assert [c["from"]["annotation"] for c in claims(root, "lee2019")] == ["KEEP0001"]
    assert not (root / "sources" / "smith2020.yaml").exists()
    assert "import-other-text" not in result.output  # sources/lee2019.pdf is the same PDF


def test_a_claims_file_with_another_text_is_told_so(tmp_path):
    root = project(tmp_path / "p")
    (root / "sources" / "smith2020.md").write_text(" ".join(SMITH), encoding="utf-8")
    (root / "sources" / "smith2020.yaml").write_text("source: smith2020\ntext: smith2020.md\nclaims: []\n")
    (tmp_path / "smith2020.pdf").write_bytes(smith_pdf())
    result = run(root, str(tmp_path / "smith2020.pdf"))
    assert result.exit_code == 0, result.output
    assert ("sources/smith2020.yaml:1:1: warning: quotes from smith2020.pdf are checked against this file's "
            "text, sources/smith2020.md, and their pages are not") in " ".join(result.output.split())
    assert not (root / "sources" / "smith2020.pdf").exists()


def test_one_bad_file_among_several_writes_nothing(tmp_path):
    root = project(tmp_path / "p")
    (tmp_path / "smith2020.pdf").write_bytes(smith_pdf())
    rows = sheet_rows()
    rows[0][0] = "sumber"
    output = failing(root, str(tmp_path / "smith2020.pdf"), str(write_csv(tmp_path / "x.csv", rows)))
    assert "x.csv:1:1: error: unknown column 'sumber'" in output


def test_missing_files_and_zotero_data_folder(tmp_path):
    root = project(tmp_path / "p")
    output = failing(root, str(tmp_path / "nothere.pdf"), str(tmp_path))
    assert f"{tmp_path / 'nothere.pdf'}:1:1: error: file not found [file-missing]" in output
    assert f"{tmp_path}:1:1: error: is a folder, not a file to import" in output
    zotero(tmp_path / "Zotero")
    result = run(root, str(tmp_path / "Zotero"))  # the data folder names its database
    assert result.exit_code == 0 and "added 2 claims to sources/tran2021.yaml" in result.output, result.output


def test_two_rows_with_one_id(tmp_path):
    root = project(tmp_path / "p")
    rows = sheet_rows()
    rows.append(["lee2019", "kin", "finding", "law", "Other.", "", "Village recruiters", "12"])
    output = failing(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert "x.csv:3:1: error: row 3: claim id 'kin' is the id of row 2 too" in output


def test_zotero_fills_in_an_existing_claims_file_without_text(tmp_path):
    """A claims file written by hand before the PDF was at hand gets the PDF as its text, and the first
    printed page Zotero found; its own claim is kept."""
    root = project(tmp_path / "p")
    path = root / "sources" / "tran2021.yaml"
    path.write_text("source: tran2021  # Tran's book\nclaims:\n  - id: mine\n    kind: finding\n"
                    "    themes: [law]\n    says: {en: Brokers matter.}\n    quote: arrange papers\n"
                    "    at: {page: 87}\n", encoding="utf-8")
    result = run(root, str(zotero(tmp_path / "Zotero")))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith("source: tran2021  # Tran's book\ntext: tran2021.pdf\nfirst_page: 87\n"
                           "claims:\n  - id: mine\n")
    assert [str(d) for d in diagnose(root) if d.severity.value == "error"] == []


def test_aes_pdf_without_cryptography_is_refused_not_a_crash(tmp_path, monkeypatch):
    """Where cryptography is missing, pypdf raises its DependencyError (not a PyPdfError) for AES."""
    import pypdf._encryption
    from pypdf.errors import DependencyError

    def missing(*_args):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    root = project(tmp_path / "p")
    writer = PdfWriter(clone_from=io.BytesIO(smith_pdf()))
    writer.encrypt(user_password="", owner_password="publisher", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    (tmp_path / "smith2020.pdf").write_bytes(out.getvalue())
    monkeypatch.setattr(pypdf._encryption, "aes_cbc_decrypt", missing)
    assert "the cryptography package that reads it is missing" in failing(root, str(tmp_path / "smith2020.pdf"))


def test_annotation_values_given_by_reference(tmp_path):
    root = project(tmp_path / "p")
    pdf = annotate(typst_pdf(FRONT, SMITH), [{"page": 2, "phrase": "Debts tie workers", "indirect": True,
                                              "comment": "Debts bind."}])
    (tmp_path / "smith2020.pdf").write_bytes(pdf)
    assert run(root, str(tmp_path / "smith2020.pdf"), "--theme", "law").exit_code == 0
    assert claims(root, "smith2020")[0]["quote"] == "Debts tie workers"


def test_a_new_claims_file_takes_the_language_of_its_entry(tmp_path):
    """The quotes' language is the source's, as its entry says (langid), not the project's (en)."""
    root = project(tmp_path / "p")
    bib = root / "bibliography.bib"
    bib.write_text(bib.read_text().replace("  title = {Kin and Recruitment},", "  title = {Kin and Recruitment},\n"
                                           "  langid = {indonesian},"))
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=12))
    assert run(root, str(write_csv(tmp_path / "x.csv", sheet_rows()))).exit_code == 0
    assert load_yaml(root / "sources" / "lee2019.yaml").data["lang"] == "id"
