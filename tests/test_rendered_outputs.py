"""The example's outputs as a reader sees them: DOCX laid out by LibreOffice, PDF read by poppler, HTML in
Chromium. One build of the example (and one of its chapter with a note style) serves every test here."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import copy_example
from rendered import chromium_page, docx_as_pdf, need, overprinted, pdf_fonts, pdf_pages, pdf_text, pdf_words
from synthdoc.build.pipeline import build, load_inputs
from synthdoc.core.files import FILE_MODE
from synthdoc.core.project import load_project
from synthdoc.core.schema import pick


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("rendered") / "example")
    project = load_project(root / "synthdoc.yaml")
    build(project)
    notes = project.with_overrides(style="chicago-notes-bibliography", formats=("docx",))
    build(notes, ["tinjauan-pustaka"])
    shutil.copy(root / "output" / "tinjauan-pustaka.docx", root / "notes.docx")
    build(project.with_overrides(lang="en", style="chicago-notes-bibliography", formats=("docx",)),
          ["policy-brief"])
    shutil.copy(root / "output" / "policy-brief.docx", root / "notes-en.docx")
    return root


@pytest.fixture(scope="module")
def matrix_pdf(example: Path) -> Path:
    return docx_as_pdf(example / "output" / "evidence-matrix.docx", example / "lo")


@pytest.fixture(scope="module")
def notes_pdf(example: Path) -> Path:
    return docx_as_pdf(example / "notes.docx", example / "lo")


@pytest.fixture(scope="module")
def notes_en_pdf(example: Path) -> Path:
    return docx_as_pdf(example / "notes-en.docx", example / "lo")


def test_matrix_docx_is_a_few_landscape_pages_with_whole_words(example: Path, matrix_pdf: Path):
    pages = pdf_pages(matrix_pdf)
    assert len(pages) <= 6, f"the evidence matrix takes {len(pages)} pages in LibreOffice"
    assert all(w > h for w, h in pages), "the matrix is not on landscape pages"
    words = pdf_words(matrix_pdf)
    assert not overprinted(words)
    word = r"\w+(?:-\w+)*"  # laki-laki is one word; it may break at its hyphen (pdftotext then joins it)
    tokens = set(re.findall(word, pdf_text(matrix_pdf)))
    project = load_project(example / "synthdoc.yaml")
    expected = {w for t in project.themes for w in re.findall(word, pick(t.title, "id"))}
    expected |= {w for s in load_inputs(project).sources for c in s.claims
                 for w in re.findall(word, pick(c.short, "id"))}
    broken = sorted(w for w in expected if w not in tokens and w.replace("-", "") not in tokens)
    assert not broken, f"words broken across lines in the matrix's cells: {broken}"


def test_matrix_header_repeats_on_every_page(matrix_pdf: Path):
    words = pdf_words(matrix_pdf)
    table_pages = {w.page for w in words if w.text.startswith("Bagian")}  # every cell gives its locator
    assert len(table_pages) >= 3
    for page in table_pages:
        top = sorted((w for w in words if w.page == page), key=lambda w: w.y0)[:40]
        assert "Tema" in {w.text for w in top}, f"page {page} has no header row"


def footnote_lines(pdf: Path) -> list[tuple[int, str, str]]:
    """(page, number, text) of each footnote: its number (raised, small) at the left margin and the words
    beside it."""
    words = pdf_words(pdf)
    left = min(w.x0 for w in words)
    out = []
    for n in sorted(words, key=lambda w: (w.page, w.y0)):
        if n.text.isdigit() and n.y1 - n.y0 < 9 and n.x0 < left + 3:
            beside = [w for w in words if w.page == n.page and w.x0 > n.x1 and min(w.y1, n.y1) > max(w.y0, n.y0)]
            out.append((n.page, n.text, " ".join(w.text for w in sorted(beside, key=lambda w: w.x0))))
    return out


def docx_footnotes(docx: Path) -> list[str]:
    """The text of each footnote of a DOCX, in the order the document refers to them."""
    import xml.etree.ElementTree as ET
    import zipfile

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(docx) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
        notes = ET.fromstring(archive.read("word/footnotes.xml"))
    texts = {n.get(f"{w}id"): " ".join("".join(t.text or "" for t in n.iter(f"{w}t")).split())
             for n in notes.iter(f"{w}footnote")}
    return [texts[r.get(f"{w}id")] for r in body.iter(f"{w}footnoteReference")]


def test_note_style_footnotes_show_their_text_numbered_through(example: Path, notes_pdf: Path):
    notes = footnote_lines(notes_pdf)
    assert len(notes) > 20
    assert [int(n) for _, n, _ in notes] == list(range(1, len(notes) + 1)), "footnote numbers restart"
    empty = [(p, n) for p, n, text in notes if not text.strip()]
    assert not empty, f"footnotes shown without their text (page, number): {empty[:10]}"
    assert {p for p, _, _ in notes} >= {1, 2}
    # Each footnote shows its own citation, not the one after it (LibreOffice mixed up a footnote and a
    # comment of the same id): the first words on the page are those of the note the text refers to.
    written = docx_footnotes(example / "notes.docx")
    shown = [(int(n), text.split()[:3]) for _, n, text in notes]
    assert [(n, words) for n, words in shown if written[n - 1].split()[:3] != words] == []


def blue_pixels(pdf: Path, outdir: Path, page: int) -> int:
    """Pixels of a page (rendered at 40 dpi) that are clearly blue: links left in a link colour."""
    need("pdftoppm")
    out = outdir / f"page{page}"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(out)],
                   check=True)
    data = (outdir / f"page{page}.ppm").read_bytes()
    header = re.match(rb"P6\s+\d+\s+\d+\s+\d+\s", data)
    pixels = data[header.end():]
    return sum(1 for i in range(0, len(pixels) - 2, 3)
               if pixels[i + 2] > pixels[i] + 60 and pixels[i + 2] > pixels[i + 1] + 30)


def test_footnotes_and_citations_are_black(notes_pdf: Path, notes_en_pdf: Path, tmp_path: Path):
    assert blue_pixels(notes_pdf, tmp_path, 1) == 0
    assert blue_pixels(notes_en_pdf, tmp_path, 1) == 0


def test_note_style_bibliography_heading_follows_language(notes_pdf: Path, notes_en_pdf: Path):
    assert "Daftar Pustaka" in pdf_text(notes_pdf)
    english = pdf_text(notes_en_pdf)
    assert "Bibliography" in english and "References" not in english


def test_no_local_path_in_any_output(example: Path):
    root = str(example.resolve())
    home = str(Path.home())
    for path in (example / "output").iterdir():
        if zipfile.is_zipfile(path):  # docx, xlsx
            with zipfile.ZipFile(path) as archive:
                texts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        else:
            texts = [path.read_bytes().decode("latin-1")]
        if path.suffix == ".pdf":
            texts.append(pdf_text(path))
        for text in texts:
            assert root not in text and home + "/" not in text and ".venv" not in text, path.name


def test_outputs_follow_the_umask(example: Path):
    modes = {p.name: p.stat().st_mode & 0o777 for p in (example / "output").iterdir()}
    assert FILE_MODE & 0o044, "the test needs a umask that lets others read"
    assert all(m == FILE_MODE for m in modes.values()), modes


def test_matrix_html_fits_a_1280_pixel_window(example: Path):
    with chromium_page(example / "output" / "evidence-matrix.html", width=1280) as (page, errors):
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("document.documentElement.clientWidth")
        box = page.evaluate("(() => { const r = document.querySelector('table').getBoundingClientRect();"
                            " return [r.left, r.right]; })()")
        cell = page.evaluate("document.querySelector('tbody td:nth-child(3)').getBoundingClientRect().width")
    assert width <= inner, f"the matrix scrolls sideways: {width} px of content in {inner} px"
    assert box[0] >= 0 and box[1] <= inner
    assert cell > 120, f"a source's column is {cell:.0f} px wide"
    assert not errors.console and not errors.exceptions


def test_html_provenance_shows_on_hover_without_underlining_the_page(example: Path):
    with chromium_page(example / "output" / "tinjauan-pustaka.html") as (page, errors):
        styles = page.evaluate("""Array.from(document.querySelectorAll('.claim, .citation a')).map(
            e => getComputedStyle(e).textDecorationLine)""")
        assert len(styles) > 40
        assert set(styles) == {"none"}, f"underlined: {sorted(set(styles))}"
        page.hover(".claim")
        popover = page.inner_text(".synthdoc-popover")
        page.keyboard.press("Escape")
        page.focus(".claim >> nth=1")
        focused = page.inner_text(".synthdoc-popover")
    assert "“" in popover or "\u201c" in popover or len(popover) > 20
    assert focused
    assert not errors.console and not errors.exceptions and not errors.requests


# --- PDF (typst) ---------------------------------------------------------------------------------------------

LONG_TABLE = "| No | Sumber | Catatan |\n|----|--------|---------|\n" + "\n".join(
    f"| Baris{i} | Sumber nomor {i} dengan teks yang agak panjang untuk mengisi sel | Catatan {i} tentang kasus "
    "perdagangan orang di wilayah perbatasan |" for i in range(1, 41))


@pytest.fixture(scope="module")
def long_table_pdf(example: Path) -> Path:
    """A project's own template with a 40-row table, built to PDF."""
    (example / "templates").mkdir(exist_ok=True)
    (example / "templates" / "long-table.md.j2").write_text(f"Tabel panjang.\n\n{LONG_TABLE}\n", encoding="utf-8")
    config = example / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  - id: long-table\n    template: long-table.md.j2\n"
                      "    title: Tabel\n    lang: id\n    formats: [pdf]\n", encoding="utf-8")
    build(load_project(config), ["long-table"])
    return example / "output" / "long-table.pdf"


def test_pdf_table_longer_than_a_page_breaks_with_its_header(long_table_pdf: Path):
    words = pdf_words(long_table_pdf)
    assert not overprinted(words), "rows drawn over each other"
    rows = [w.text for w in words if w.text.startswith("Baris")]
    assert rows == [f"Baris{i}" for i in range(1, 41)], "rows lost or out of order"
    pages = sorted({w.page for w in words if w.text.startswith("Baris")})
    assert len(pages) >= 2
    for page in pages:
        on_page = [w for w in words if w.page == page]
        header = min((w for w in on_page if w.text == "Sumber"), key=lambda w: w.y0)
        first_row = min((w for w in on_page if w.text.startswith("Baris")), key=lambda w: w.y0)
        assert header.y0 < first_row.y0, f"page {page} has no header row above its rows"
    height = pdf_pages(long_table_pdf)[0][1]
    assert all(w.y1 < height - 0.5 * 72 for w in words), "text runs into the bottom margin"


def test_pdf_is_set_in_one_bundled_family(example: Path, long_table_pdf: Path):
    for pdf in (example / "output" / "tinjauan-pustaka.pdf", long_table_pdf):
        families = {re.sub(r"^[A-Z]{6}\+", "", f.name).split("-")[0] for f in pdf_fonts(pdf)}
        assert families == {"TeXGyreTermes"}, f"{pdf.name} uses {sorted(families)}"
        assert all(f.embedded for f in pdf_fonts(pdf))


def test_pdf_headings_stand_apart_from_their_text(example: Path):
    words = pdf_words(example / "output" / "tinjauan-pustaka.pdf")
    lines: dict[tuple[int, float], list] = {}
    for w in words:
        lines.setdefault((w.page, round(w.y0)), []).append(w)
    ordered = sorted(lines.items())
    project = load_project(example / "synthdoc.yaml")
    gaps = []
    for theme in project.themes:
        first = pick(theme.title, "id").split()[0]
        for n, ((page, _), ws) in enumerate(ordered[:-1]):
            text = " ".join(w.text for w in sorted(ws, key=lambda w: w.x0))
            # a numbered heading line (the Kerangka Pemikiran figure names the themes too)
            if text[:1].isdigit() and first in text and text.endswith(pick(theme.title, "id").split()[-1]):
                (next_page, _), below = ordered[n + 1]
                if next_page == page:
                    gaps.append(min(w.y0 for w in below) - max(w.y1 for w in ws))
    assert gaps, "no heading found"
    assert min(gaps) >= 8, f"a heading stands {min(gaps):.1f} pt above its first paragraph"


# --- a university's own reference document -------------------------------------------------------------------

@pytest.fixture(scope="module")
def own_reference_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's brief built with a reference document that has no Bibliography style (python-docx's
    own default document), as LibreOffice lays it out."""
    docx = pytest.importorskip("docx")
    root = copy_example(tmp_path_factory.mktemp("reference") / "example")
    docx.Document().save(str(root / "kampus.docx"))
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("\nstyle: apa\n", "\nstyle: apa\nreference_doc: "
                                                                  "kampus.docx\n", 1), encoding="utf-8")
    build(load_project(config).with_overrides(formats=("docx",)), ["policy-brief"])
    return docx_as_pdf(root / "output" / "policy-brief.docx", root / "lo")


def test_bibliography_keeps_its_hanging_indent_with_a_reference_doc_without_the_style(own_reference_pdf: Path):
    words = pdf_words(own_reference_pdf)
    heading = next(w for w in words if w.text == "References")
    after = [w for w in words if (w.page, w.y0) > (heading.page, heading.y1)]
    starts: dict[tuple[int, int], float] = {}
    for w in after:
        key = (w.page, round(w.y0))
        starts[key] = min(starts.get(key, w.x0), w.x0)
    left = min(starts.values())
    indented = [x for x in starts.values() if 30 < x - left < 42]  # 1.27 cm = 36 pt
    assert indented, "no bibliography line hangs under its first (every line starts at the margin)"
    assert sum(1 for x in starts.values() if abs(x - left) < 2) >= 5  # each entry's first line at the margin
