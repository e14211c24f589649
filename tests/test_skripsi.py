"""A skripsi chapter as the reader sees it: "BAB II" and its title centred, sections 2.1 and 2.1.1, body
paragraphs with a first-line indent, the chosen line spacing — in the DOCX as LibreOffice lays it out, in
the PDF as poppler reads it and in the HTML as Chromium shows it."""

from __future__ import annotations

import io
import itertools
import re
import statistics
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import copy_example, small_files, write_project
from rendered import Word, chromium_page, docx_as_pdf, pdf_words
from synthdoc.build.pipeline import build
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import BUILTIN_REFERENCE_DOC, load_project
from synthdoc.render.thesis import chapter_label, docx_with_spacing, roman, typst_string

A4_WIDTH = 595.3
LEFT, RIGHT = 113.4, 85.0  # 4 cm and 3 cm margins, in points
INDENT = 35.4  # 1.25 cm
CM = 28.35


def lines(words: list[Word], page: int = 1) -> list[list[Word]]:
    """The words of a page grouped into lines (same baseline), top to bottom."""
    out: list[list[Word]] = []
    for w in sorted((w for w in words if w.page == page), key=lambda w: (round(w.y1), w.x0)):
        if out and abs(out[-1][0].y1 - w.y1) < 2:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in out]


def line_text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


def centre(line: list[Word]) -> float:
    return (line[0].x0 + line[-1].x1) / 2


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("skripsi"))
    build(load_project(root / "synthdoc.yaml"), ["tinjauan-pustaka", "penelitian-terdahulu"])
    return root


@pytest.fixture(scope="module")
def example_docx_pdf(example) -> Path:
    return docx_as_pdf(example / "output" / "tinjauan-pustaka.docx", example / "lo")


ENGLISH_CHAPTER = """
{% for theme in themes %}
# {{ theme.title }}

{% for c in theme.claims %}
## {{ c.short }}

{{ c.sentence }} {{ c.sentence }} {{ c.sentence }} {{ c.sentence }} {{ c.sentence }} {{ c.sentence }}

{% endfor %}
{% endfor %}
"""


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    """An English chapter 3, double-spaced, with sub-sections (a template of the project's own)."""
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace(
        "    template: synthesis.md.j2\n    title: A small review\n    formats: [html]",
        "    template: sections.md.j2\n    title: A small review\n    chapter: 3\n    line_spacing: 2\n"
        "    formats: [docx, pdf, html]")
    files["templates/sections.md.j2"] = ENGLISH_CHAPTER
    root = write_project(tmp_path_factory.mktemp("english"), files)
    build(load_project(root / "synthdoc.yaml"))
    return root


def html_text_of(fragment: str) -> str:
    """The text of an HTML fragment cut out of a page after a tag's name."""
    import html
    import re

    # a fragment split off after "<table" or "<tr": drop the rest of that tag, then every tag
    blocks = re.sub(r"</?(?:td|th|tr|p|div)\b[^>]*>", " ", fragment.split(">", 1)[1])  # cells stay apart
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", blocks)).split())


def heading_lines(page_lines: list[list[Word]]) -> list[str]:
    return [line_text(line) for line in page_lines]


@pytest.mark.parametrize("reader", ["docx", "pdf"])
def test_chapter_heading_and_numbers_on_the_page(example, example_docx_pdf, reader):
    pdf = example_docx_pdf if reader == "docx" else example / "output" / "tinjauan-pustaka.pdf"
    words = pdf_words(pdf)
    page = lines(words)
    shown = heading_lines(page)
    assert shown[:2] == ["BAB II", "TINJAUAN PUSTAKA"], shown[:4]
    middle = (LEFT + A4_WIDTH - RIGHT) / 2
    for line in page[:2]:
        assert abs(centre(line) - middle) < 6, (line_text(line), centre(line), middle)
    assert shown[2] == "2.1 Penelitian Terdahulu"
    every = [line_text(line) for p in sorted({w.page for w in words}) for line in lines(words, p)]
    # The parts of a Bab II, numbered 2.1 …; the themes are the synthesis's sections 2.3.1 …
    numbered = [t for t in every if re.fullmatch(r"2\.\d [A-Z].*", t)]
    assert numbered == ["2.1 Penelitian Terdahulu", "2.2 Landasan Teori", "2.3 Sintesis Temuan Penelitian Terdahulu",
                        "2.4 Kerangka Pemikiran", "2.5 Celah Penelitian"]
    themes = [t for t in every if re.fullmatch(r"2\.3\.\d+ [A-Z].*", t)]
    assert [t.split()[0] for t in themes] == [f"2.3.{n}" for n in range(1, len(themes) + 1)]
    assert len(themes) >= 8  # one per theme the chapter tells
    assert "2.3.2 Peran organisasi internasional" in themes
    # The bibliography keeps its heading unnumbered; the old "1 …" numbering is gone.
    assert "Daftar Pustaka" in every
    assert not any(t.startswith("1 ") for t in every)


@pytest.mark.parametrize("reader", ["docx", "pdf"])
def test_body_paragraphs_indent_their_first_line(example, example_docx_pdf, reader):
    pdf = example_docx_pdf if reader == "docx" else example / "output" / "tinjauan-pustaka.pdf"
    page = lines(pdf_words(pdf))
    starts = [round(line[0].x0 - LEFT, 1) for line in page[3:]]
    indented = [s for s in starts if abs(s - INDENT) < 3]
    flush = [s for s in starts if abs(s) < 3]
    assert len(indented) >= 3, starts  # the theme's intro and each paragraph after it
    assert len(flush) > len(indented)  # the other lines of each paragraph start at the margin
    # the first paragraph under the heading is indented as well (Indonesian guides indent every paragraph)
    assert abs(starts[0] - INDENT) < 3, starts[:3]


def test_html_chapter_heading(example):
    with chromium_page(example / "output" / "tinjauan-pustaka.html") as (page, errors):
        h1 = page.locator("h1.chapter")
        assert h1.inner_text().split("\n") == ["BAB II", "TINJAUAN PUSTAKA"]
        assert h1.evaluate("e => getComputedStyle(e).textAlign") == "center"
        h2 = page.locator("h2").all_inner_texts()
        assert h2[:3] == ["2.1 Penelitian Terdahulu", "2.2 Landasan Teori", "2.3 Sintesis Temuan Penelitian Terdahulu"]
        h3 = page.locator("h3").all_inner_texts()
        assert h3[:2] == ["2.3.1 Rezim hukum internasional dan implementasinya", "2.3.2 Peran organisasi internasional"]
        assert page.title() == "Tinjauan Pustaka"
        assert errors.exceptions == []


def _pitch(page_lines: list[list[Word]]) -> float:
    """The distance between the baselines of consecutive lines of one paragraph (the most common one)."""
    ys = [line[0].y1 for line in page_lines]
    return statistics.mode(round(b - a, 1) for a, b in itertools.pairwise(ys) if b > a)


def test_english_chapter_sub_sections_and_double_spacing(english):
    docx_pdf = docx_as_pdf(english / "output" / "review.docx", english / "lo")
    pitches = {}
    for reader, pdf in (("docx", docx_pdf), ("pdf", english / "output" / "review.pdf")):
        page = lines(pdf_words(pdf))
        shown = heading_lines(page)
        assert shown[:2] == ["CHAPTER 3", "A SMALL REVIEW"], (reader, shown[:4])
        assert shown[2] == "3.1 Labour", (reader, shown)
        assert shown[3] == "3.1.1 Broken promises", (reader, shown)
        assert "3.2 Law" in shown and "3.2.1 Debts bind workers to employers" in shown, (reader, shown)
        pitches[reader] = _pitch(page)
    # double spacing: about twice Word's single line of 12 pt Times (13.8 pt), in both
    for reader, pitch in pitches.items():
        assert 25 < pitch < 30, (reader, pitches)
    with chromium_page(english / "output" / "review.html") as (page, _errors):
        assert page.locator("h1.chapter").inner_text().split("\n") == ["CHAPTER 3", "A SMALL REVIEW"]
        assert page.locator("h3").all_inner_texts()[0] == "3.1.1 Broken promises"


def test_example_is_one_and_a_half_spaced(example, example_docx_pdf):
    """The default: 1.5 lines (about 20.7 pt for 12 pt Times) in the DOCX and, matching it, the PDF."""
    for pdf in (example_docx_pdf, example / "output" / "tinjauan-pustaka.pdf"):
        assert 19 < _pitch(lines(pdf_words(pdf))) < 23


def test_line_spacing_is_checked(tmp_path):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en\n", "lang: en\nline_spacing: 3\n").replace(
        "    title: A small review\n", "    title: A small review\n    chapter: two\n")
    root = write_project(tmp_path, files)
    with pytest.raises(SynthdocError) as info:
        load_project(root / "synthdoc.yaml")
    shown = [str(d) for d in info.value.diagnostics]
    assert any(s.startswith("synthdoc.yaml:4:15:") and "line_spacing is one of 1, 1.5, 2" in s for s in shown), shown
    assert any(s.startswith("synthdoc.yaml:23:14:") and "chapter is the chapter's number" in s for s in shown), shown


def test_project_line_spacing_reaches_documents(tmp_path):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en\n", "lang: en\nline_spacing: 2\n")
    project = load_project(write_project(tmp_path, files) / "synthdoc.yaml")
    assert project.documents[0].line_spacing == 2.0


def test_docx_respacing_keeps_single_spaced_styles():
    def styles(data: bytes) -> str:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()

    before = styles(BUILTIN_REFERENCE_DOC.read_bytes())
    after = styles(docx_with_spacing(BUILTIN_REFERENCE_DOC.read_bytes(), 2.0))
    assert 'w:line="360"' not in after and after.count('w:line="480"') == before.count('w:line="360"') > 3
    # block quotations, the bibliography and the title stay single-spaced
    assert after.count('w:line="240"') == before.count('w:line="240"') >= 3


def test_labels_and_typst_strings():
    assert [roman(n) for n in (1, 2, 4, 9, 14, 40)] == ["I", "II", "IV", "IX", "XIV", "XL"]
    assert chapter_label(2, "id-ID") == "BAB II" and chapter_label(2, "en") == "CHAPTER 2"
    assert typst_string('a "b" \\ #c\n') == '"a \\"b\\" \\\\ #c "'


def test_chapter_title_is_inert(tmp_path):
    """A title with markup characters of every format is shown as written, never as code."""
    files = small_files()
    title = 'Risk <b>&amp;</b> "#strong[x]" \\\\ </w:t>'
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace(
        "    title: A small review\n", f"    title: '{title}'\n    chapter: 1\n").replace(
        "formats: [html]", "formats: [html, pdf, docx]")
    root = write_project(tmp_path, files)
    build(load_project(root / "synthdoc.yaml"))
    html = (root / "output" / "review.html").read_text(encoding="utf-8")
    assert "RISK &lt;B&gt;&amp;AMP;&lt;/B&gt;" in html and "<b>" not in html.split("<body")[1]
    shown = " ".join(w.text for w in pdf_words(root / "output" / "review.pdf")[:12])
    assert '"#STRONG[X]"' in shown and "</W:T>" in shown
    from docx import Document

    assert Document(str(root / "output" / "review.docx")).paragraphs[0].text.endswith('\\\\ </W:T>')


# --- Tabel penelitian terdahulu ----------------------------------------------------------------------------

ROWS = {  # each thesis as its row's first cell names it (APA, id-ID), and its theory claims
    "skripsi-actip-indonesia": ("[Skripsi implementasi ACTIP di Indonesia] (t.t.)",
                                ["Tiga tahap implementasi rezim (Andresen)"]),
    "amalia2025": ("Amalia (2025)", ["—"]),
    "skripsi-actipwc-asean": ("[Skripsi ACTIP-WC di kawasan ASEAN] (t.t.)", ["Tata kelola regional belum efektif"]),
    "skripsi-iom-indonesia": ("[Skripsi peran IOM di Indonesia] (t.t.)",
                              ["Fungsi IGO dominan", "Liberalisme dan kerja sama"]),
    "skripsi-actipwc-vietnam": ("[Skripsi efektivitas ACTIP-WC di Vietnam] (t.t.)",
                                ["Teori efektivitas rezim (Underdal)"]),
}
HEADER = ["Peneliti (tahun)", "Judul", "Teori/pendekatan", "Temuan utama", "Relevansi dengan penelitian ini"]


@pytest.fixture(scope="module")
def sources(example):
    from synthdoc.build.pipeline import load_inputs

    return {s.key: s for s in load_inputs(load_project(example / "synthdoc.yaml")).sources}


def test_previous_research_docx_has_a_row_per_thesis(example, sources):
    from docx import Document

    [table] = Document(str(example / "output" / "penelitian-terdahulu.docx")).tables
    cells = [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]
    assert cells[0] == HEADER
    assert [row[0] for row in cells[1:]] == [first for first, _ in ROWS.values()]
    for row, (key, (_first, theories)) in zip(cells[1:], ROWS.items(), strict=True):
        source = sources[key]
        assert row[2] == " ".join(theories)
        findings = [c for c in source.claims if c.kind == "finding"]
        assert all(c.short["id"] in row[3] for c in findings), (key, row[3])
        assert row[4] == " ".join(source.relevance["id"].split())
    assert cells[2][1].startswith("Upaya International Organization for Migration dalam Penanganan")
    assert cells[1][1].startswith("[Skripsi tentang implementasi ACTIP")  # the bracketed description, as known


def test_previous_research_on_the_page(example, tmp_path):
    """The table as LibreOffice and the PDF show it: every row there, no word drawn over another."""
    from rendered import overprinted, pdf_text

    for pdf in (docx_as_pdf(example / "output" / "penelitian-terdahulu.docx", tmp_path),
                example / "output" / "penelitian-terdahulu.pdf"):
        assert overprinted(pdf_words(pdf), share=0.2) == [], pdf
        words = pdf_words(pdf)
        assert "Relevansi dengan penelitian ini" in " ".join(pdf_text(pdf).split())
        # the first column, read down: the words left of the header's "Judul", below the header
        judul = next(w for w in words if w.text == "Judul")
        column = [w for w in words if w.x1 <= judul.x0 and (w.page, w.y0) > (judul.page, judul.y1)]
        column.sort(key=lambda w: (w.page, round(w.y1), w.x0))
        text = " ".join(w.text for w in column).replace("- ", "-")  # "ACTIP-" at a line end, "WC" below
        for first, _ in ROWS.values():
            assert first in text, (pdf, first, text)
        assert text.index(ROWS["amalia2025"][0]) < text.index(ROWS["skripsi-actipwc-vietnam"][0])


def test_previous_research_pages_turn_alike_in_docx_and_pdf(example, tmp_path):
    """Little text stands around the wide table, so both formats set the whole document on landscape pages:
    the PDF's first page held only the title and the introduction, the table starting on a page turned
    after it, while LibreOffice showed the DOCX landscape throughout."""
    from rendered import pdf_pages

    docx_pdf = docx_as_pdf(example / "output" / "penelitian-terdahulu.docx", tmp_path)
    typst_pdf = example / "output" / "penelitian-terdahulu.pdf"
    for pdf in (docx_pdf, typst_pdf):
        assert all(width > height for width, height in pdf_pages(pdf)), pdf
        header = next(w for w in pdf_words(pdf) if w.text == "Judul")
        assert header.page == 1, f"{pdf.name}: the table starts on page {header.page}"


def test_previous_research_html_rows(example):
    with chromium_page(example / "output" / "penelitian-terdahulu.html") as (page, errors):
        rows = page.locator("table tbody tr")
        assert rows.count() == 5
        firsts = [" ".join(t.split()) for t in page.locator("table tbody tr td:first-child").all_inner_texts()]
        assert firsts == [first for first, _ in ROWS.values()]
        assert [" ".join(t.split()) for t in page.locator("table thead th").all_inner_texts()] == HEADER
        assert errors.exceptions == []


def test_previous_research_without_relevance_has_four_columns(tmp_path):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2",
                                                            "template: previous-research.md.j2")
    root = write_project(tmp_path, files)
    build(load_project(root / "synthdoc.yaml"))
    table = (root / "output" / "review.html").read_text(encoding="utf-8").split("<table")[1]
    head, body = table.split("</thead>")
    assert html_text_of(head) == "Researcher (year) Title Theory/approach Main findings"
    rows = [html_text_of(row) for row in body.split("<tr")[1:]]
    assert [r.split(") ")[0] + ")" for r in rows] == ["Smith (2020)", "Tran (2021)"]
    # the title as the bibliography gives it to citeproc (pandoc sentence-cases English BibTeX titles)
    assert rows[0].startswith("Smith (2020) Recruitment and its discontents")



# --- synthdoc init --lang id ---------------------------------------------------------------------------------

def test_init_lang_id_starts_a_skripsi_that_builds(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from synthdoc.build.pipeline import check_project
    from synthdoc.cli import app
    from test_example import html_text

    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["init", "--lang", "id", "bab2"])
    assert done.exit_code == 0, done.output
    project = load_project(tmp_path / "bab2" / "synthdoc.yaml")
    assert [d.id for d in project.documents] == ["bab-ii", "penelitian-terdahulu"]
    assert project.documents[0].chapter == 2 and project.documents[0].line_spacing == 1.5
    _, diags = check_project(project)
    assert diags == []  # not even a warning: every quote stands, the English one is translated
    build(project)
    chapter = html_text(tmp_path / "bab2" / "output" / "bab-ii.html")
    assert chapter.startswith("Tinjauan Pustaka BAB II TINJAUAN PUSTAKA 2.1 Hak asasi dan perlindungan korban")
    assert "“Tidak seorang pun boleh diperbudak atau diperhambakan; perbudakan dan perdagangan budak dilarang " \
           "dalam segala bentuknya” (terjemahan penulis)" in chapter
    assert "Daftar Pustaka" in chapter
    with chromium_page(tmp_path / "bab2" / "output" / "penelitian-terdahulu.html") as (page, _errors):
        firsts = [" ".join(t.split()) for t in page.locator("table tbody tr td:first-child").all_inner_texts()]
        assert firsts == ["Amalia (2025)", "United Nations General Assembly (1948)"]
    bad = CliRunner().invoke(app, ["init", "--lang", "fr", "other"])
    assert bad.exit_code == 2 and not (tmp_path / "other").exists()


def test_line_spacing_as_yaml_gives_it(tmp_path):
    """``line_spacing: 1.5`` as typed in YAML (synthdoc's reader keeps decimals as text)."""
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en\n", "lang: en\nline_spacing: 1.5\n")
    assert load_project(write_project(tmp_path, files) / "synthdoc.yaml").documents[0].line_spacing == 1.5


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=25), st.integers(1, 12))
def test_chapter_numbers_are_an_outline(levels, chapter):
    """Whatever the headings' levels, the numbers read as an outline: each the one before it, one step on."""
    from synthdoc.render.thesis import number_chapter

    blocks = [{"t": "Header", "c": [lv, ["", [], []], [{"t": "Str", "c": "x"}]]} for lv in levels]
    out = number_chapter({"blocks": blocks}, chapter, "t", "en")["blocks"]
    assert out[0]["c"][1][1] == ["chapter", "unnumbered"]
    previous: list[int] = []
    for block, level in zip(out[1:], levels, strict=True):
        assert block["c"][0] == level + 1
        number = [int(n) for n in block["c"][2][0]["c"].split(".")]
        assert number[0] == chapter and len(number) == level + 1
        parts = number[1:]
        depth = len(parts)
        base = (previous + [0] * depth)[:depth - 1]
        assert parts[:-1] == [p if p else 0 for p in base]
        assert parts[-1] == (previous[depth - 1] + 1 if len(previous) >= depth else 1)
        previous = parts


@pytest.mark.parametrize("reader", ["docx", "pdf"])
def test_daftar_pustaka_single_spaced_with_space_between_entries(example, example_docx_pdf, reader):
    pdf = example_docx_pdf if reader == "docx" else example / "output" / "tinjauan-pustaka.pdf"
    words = pdf_words(pdf)
    every = [line for p in sorted({w.page for w in words}) for line in lines(words, p)]
    start = next(i for i, line in enumerate(every) if line_text(line) == "Daftar Pustaka")
    entries = [line for line in every[start + 1:] if not line_text(line).isdigit()]  # not the page number
    assert len(entries) >= 10
    within, between = [], []
    for a, b in itertools.pairwise(entries):
        if a[0].page != b[0].page:
            continue
        gap = b[0].y1 - a[0].y1
        hanging = abs(b[0].x0 - LEFT - 36) < 3  # a continuation line of the same entry
        assert hanging or abs(b[0].x0 - LEFT) < 3, (reader, line_text(b))
        (within if hanging else between).append(gap)
    assert within and between
    assert all(12.5 < g < 15.5 for g in within), (reader, within)  # single-spaced 12 pt
    assert min(between) > max(within) + 8, (reader, within, between)  # a line's space between entries


def _line_index(every: list[str], start: str) -> int:
    return next(i for i, t in enumerate(every) if t.startswith(start))


@pytest.mark.parametrize("reader", ["docx", "pdf"])
def test_bab_ii_parts_captions_and_figure_on_the_page(example, example_docx_pdf, reader):
    """The parts of a Bab II, Tabel 2.1 captioned above its table, Gambar 2.1 below its figure, both named in
    the text — in Word's layout (LibreOffice) and in the PDF (poppler); the figure an image at 300 ppi in the
    DOCX and vector text in the PDF."""
    pdf = example_docx_pdf if reader == "docx" else example / "output" / "tinjauan-pustaka.pdf"
    words = pdf_words(pdf)
    every = [line_text(line) for p in sorted({w.page for w in words}) for line in lines(words, p)]
    text = " ".join(every)
    assert "Ringkasannya disajikan dalam Tabel 2.1." in text and "digambarkan pada Gambar 2.1." in text
    caption = _line_index(every, "Tabel 2.1 Penelitian terdahulu")
    assert every[caption + 1].startswith("Peneliti (tahun) / Judul"), every[caption:caption + 2]
    figure = _line_index(every, "Gambar 2.1 Kerangka pemikiran")
    assert _line_index(every, "2.4 Kerangka Pemikiran") < figure < _line_index(every, "2.5 Celah Penelitian")
    if reader == "docx":
        listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        images = [row.split() for row in listed.splitlines()[2:] if row.split()[2:3] == ["image"]]
        assert len(images) == 1 and int(images[0][-4]) >= 290, listed  # x-ppi of the one image
    else:
        assert "Masalah penelitian" in " ".join(every[figure - 40:figure])  # the figure's words, as text
    assert "Tiga dari lima penelitian yang ditinjau" in text


def test_html_figure_is_svg_with_its_caption_below(example):
    with chromium_page(example / "output" / "tinjauan-pustaka.html") as (page, errors):
        svg = page.locator("div.figure svg")
        assert svg.count() == 1
        box = svg.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
        caption = page.get_by_text("Gambar 2.1", exact=False).last.bounding_box()
        assert caption["y"] > box["y"] + box["height"]
        table_caption = page.get_by_text("Tabel 2.1 Penelitian terdahulu").bounding_box()
        assert table_caption["y"] < page.locator("table").first.bounding_box()["y"]
        assert "Masalah penelitian" in svg.inner_html()
        assert errors.exceptions == []
