"""Quotes across languages and long quotes, as the reader sees them.

A document in another language than its source shows the author's translation of a quote, marked as
theirs, or the claim's own statement without quotation marks; check warns about the latter. A quote of
40 words or more stands as a single-spaced, indented block."""

from __future__ import annotations

import itertools
import re
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import small_files, write_project
from rendered import docx_as_pdf, pdf_words
from synthdoc.build.pipeline import build, check_project
from synthdoc.core.project import load_project
from test_example import html_text
from test_skripsi import LEFT, line_text, lines

TRANSLATION = "Perekrut menjanjikan pekerjaan yang baik di luar negeri, dan janji itu jarang ditepati"


def bilingual(root: Path, translation: str = TRANSLATION) -> Path:
    """The small project with English sources (lang: en) and an Indonesian chapter; one quote translated."""
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en\n", "lang: id\n")
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "text: smith2020.md\n", "text: smith2020.md\nlang: en\n").replace(
        '    at: {section: "1.1"}\n',
        f'    at: {{section: "1.1"}}\n    translation: {{id: {translation!r}}}\n', 1)
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace(
        "text: tran2021.md\n", "text: tran2021.md\nlang: en-GB\n")
    return write_project(root, files)


@pytest.fixture(scope="module")
def translated(tmp_path_factory) -> Path:
    root = bilingual(tmp_path_factory.mktemp("bilingual"))
    build(load_project(root / "synthdoc.yaml"))
    return root


def test_translation_is_shown_and_marked(translated):
    text = html_text(translated / "output" / "review.html")
    assert f"“{TRANSLATION}” (terjemahan penulis)" in text
    assert "Recruiters promise good jobs abroad" not in text


def test_untranslated_quote_becomes_a_paraphrase_without_quotation_marks(translated):
    text = html_text(translated / "output" / "review.html")
    assert "most migrants never meet their employer" not in text
    # the claim's own statement is no quote: introduced after a colon by a frame that does not call it the
    # author's words, never hung after "bahwa"
    assert re.search(r"(menyimpulkan|melaporkan|mendapati): Calo mengurus dokumen dan transportasi\.", text), text
    assert "bahwa Calo" not in text
    assert "“Calo" not in text


def test_check_warns_where_a_quote_has_no_translation(translated):
    _, diags = check_project(load_project(translated / "synthdoc.yaml"))
    found = [d for d in diags if d.code == "quote-untranslated"]
    assert [(d.path, d.line, d.severity.value) for d in found] == [("sources/tran2021.yaml", 5, "warning")]
    assert "claim 'brokers'" in found[0].message and "document 'review' (id)" in found[0].message
    assert "translation: {id:" in found[0].message


def test_no_warning_in_the_source_language(tmp_path):
    """The same project with an English chapter quotes both sources verbatim and warns about nothing."""
    root = bilingual(tmp_path)
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("lang: id\n", "lang: en\n"), encoding="utf-8")
    project = load_project(config)
    _, diags = check_project(project)
    assert [d for d in diags if d.code == "quote-untranslated"] == []
    build(project)
    text = html_text(root / "output" / "review.html")
    assert "“Recruiters promise good jobs abroad, and the promises are rarely kept”" in text
    assert "“most migrants never meet their employer before they leave”" in text
    assert "my translation" not in text and "terjemahan" not in text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1,
               max_size=60).filter(lambda t: t.strip()))
@example('"')  # its own quotation mark: turned, not lost
@example('kata "dalam" kutipan')
def test_any_translation_is_shown_as_written(tmp_path_factory, translation):
    """Whatever a translation holds — markup, brackets, quotes, @ — it is text in the page, never markup
    (its own double quotation marks turned to single ones inside the quotation's)."""
    from synthdoc.build.pipeline import load_inputs
    from synthdoc.core.pandoc import MARKDOWN_READER, run
    from synthdoc.render.document import render_markdown

    root = bilingual(tmp_path_factory.mktemp("prop"), translation.replace("\\", "/"))
    project = load_project(root / "synthdoc.yaml")
    claim = load_inputs(project).sources[0].claims[0]
    expected = " ".join(claim.translation["id"].split())
    if expected.endswith("."):
        expected = expected.rstrip(".").rstrip()
    markdown = render_markdown(load_inputs(project), project.documents[0])
    plain = run(["-f", MARKDOWN_READER, "-t", "plain", "--wrap=none"], markdown.encode("utf-8")).decode("utf-8")
    shown = " ".join(plain.split())
    assert " (terjemahan penulis)" in shown
    # Its own quotation marks stand turned inside the document's (“… ‘…’ …”): compare all but their kind.
    marks = str.maketrans({c: "'" for c in "“”‘’\"'"})
    assert f"“{expected}” (terjemahan penulis)".translate(marks) in shown.translate(marks)


LONG_QUOTE = ("Recruitment agencies in the sending districts are rarely registered, and the workers they send "
              "abroad sign contracts they cannot read, pay fees they cannot afford and borrow from the same "
              "brokers who later decide where they work, how long they stay and whether they are ever allowed "
              "to return home")


@pytest.fixture(scope="module")
def long_quote(tmp_path_factory) -> Path:
    files = small_files("docx, pdf, html")
    files["sources/smith2020.md"] += "\n" + LONG_QUOTE + ".\n"
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        'quote: "Recruiters promise good jobs abroad, and the promises are rarely kept."', f'quote: "{LONG_QUOTE}"')
    root = write_project(tmp_path_factory.mktemp("long"), files)
    build(load_project(root / "synthdoc.yaml"))
    return root


@pytest.fixture(scope="module")
def long_quote_docx(long_quote) -> Path:
    return docx_as_pdf(long_quote / "output" / "review.docx", long_quote / "lo")


@pytest.mark.parametrize("reader", ["docx", "pdf"])
def test_a_long_quote_is_a_single_spaced_indented_block(long_quote, long_quote_docx, reader):
    assert len(LONG_QUOTE.split()) >= 40
    pdf = long_quote_docx if reader == "docx" else long_quote / "output" / "review.pdf"
    page = lines(pdf_words(pdf))
    texts = [line_text(line) for line in page]
    intro = next(i for i, t in enumerate(texts) if t.endswith(":"))
    block = []
    for line in page[intro + 1:]:
        if abs(line[0].x0 - LEFT - 36) > 3:
            break
        block.append(line)
    quoted = " ".join(line_text(line) for line in block)
    assert quoted.replace("- ", "") .startswith("Recruitment agencies in the sending districts"), (reader, texts)
    assert quoted.endswith("to return home"), (reader, quoted)  # no quotation marks, no full stop added
    assert "“" not in quoted and "”" not in quoted
    pitches = [b[0].y1 - a[0].y1 for a, b in itertools.pairwise(block)]
    assert len(block) >= 3 and 12.5 < statistics.median(pitches) < 15, (reader, pitches)  # single-spaced 12 pt
    assert all(line[-1].x1 <= 595.3 - 85 + 1 for line in block)


def test_long_quote_in_html_is_a_blockquote(long_quote):
    html = (long_quote / "output" / "review.html").read_text(encoding="utf-8")
    assert "<blockquote>" in html
    block = html.split("<blockquote>")[1].split("</blockquote>")[0]
    assert "Recruitment agencies" in block and "“" not in block


def test_headings_of_a_document_that_is_no_chapter_read_alike(long_quote, long_quote_docx):
    """Without chapter: no numbers in any format (the PDF numbered "1 Labour" where Word showed "Labour")."""
    for pdf in (long_quote_docx, long_quote / "output" / "review.pdf"):
        shown = [line_text(line) for line in lines(pdf_words(pdf))]
        assert "Labour" in shown and "Law" in shown, (pdf, shown)
        assert not any(t.startswith(("1 ", "2 ")) for t in shown), (pdf, shown)


def test_a_warning_repeated_per_document_is_one_line_naming_the_documents(tmp_path):
    """Two Indonesian documents quote the same untranslated claim: the terminal says it once, naming both;
    --format json keeps one entry per document."""
    import json
    import subprocess
    import sys

    root = bilingual(tmp_path)
    config = root / "synthdoc.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "  - id: brief\n    template: synthesis.md.j2\n    title: A brief\n"
                      "    formats: [html]\n", encoding="utf-8")
    synthdoc = Path(sys.executable).parent / "synthdoc"
    done = subprocess.run([str(synthdoc), "check"], cwd=root, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if "[quote-untranslated]" in line]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sources/tran2021.yaml:5:1: warning:")
    assert "documents 'review' and 'brief' (id)" in lines[0]
    shown = sum(": warning: " in line for line in done.stderr.splitlines())
    assert done.stderr.splitlines()[-1].endswith(f"0 errors, {shown} warnings"), "the summary counts what is shown"
    listed = json.loads(subprocess.run([str(synthdoc), "check", "--format", "json"], cwd=root, capture_output=True,
                                       text=True, timeout=120).stdout)
    untranslated = [d for d in listed if d["code"] == "quote-untranslated"]
    assert [(d["path"], d["line"], d["document"]) for d in untranslated] == [
        ("sources/tran2021.yaml", 5, "review"), ("sources/tran2021.yaml", 5, "brief")]


def test_many_untranslated_quotes_of_one_document_are_one_line_and_json_lists_each(tmp_path):
    """The example's English brief over Indonesian theses: one line counting the claims, not one per claim."""
    import json
    import subprocess
    import sys

    from conftest import copy_example

    root = copy_example(tmp_path / "example")
    synthdoc = Path(sys.executable).parent / "synthdoc"
    done = subprocess.run([str(synthdoc), "check"], cwd=root, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if "[quote-untranslated]" in line]
    listed = json.loads(subprocess.run([str(synthdoc), "check", "--format", "json"], cwd=root, capture_output=True,
                                       text=True, timeout=120).stdout)
    each = [d for d in listed if d["code"] == "quote-untranslated"]
    assert len(each) > 5 and {d["document"] for d in each} == {"policy-brief"}
    assert len(lines) == 1 and f"{len(each)} claims quote their source in id" in lines[0], done.stderr
    assert "document 'policy-brief' (en)" in lines[0]
