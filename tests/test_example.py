"""The built-in example, built end to end into tmp_path; each output read as a user would read it."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from conftest import copy_example
from synthdoc.build.pipeline import build, load_inputs
from synthdoc.core.project import load_project
from synthdoc.core.schema import pick

KEYS = ["amalia2025", "skripsi-actip-indonesia", "skripsi-actipwc-asean", "skripsi-iom-indonesia",
        "skripsi-actipwc-vietnam"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("example"))
    result = build(load_project(root / "synthdoc.yaml"))
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []
    return root


@pytest.fixture(scope="module")
def bib(built):
    return load_inputs(load_project(built / "synthdoc.yaml")).bibliography


def html_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", raw, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).replace("’", "'").split())


def docx_text(path: Path) -> str:
    doc = Docx(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return " ".join(" ".join(parts).split())


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return " ".join(text.replace("-\n", "").split())


def texts(root: Path, doc: str, formats=("html", "docx", "pdf")) -> dict[str, str]:
    readers = {"html": html_text, "docx": docx_text, "pdf": pdf_text}
    return {fmt: readers[fmt](root / "output" / f"{doc}.{fmt}") for fmt in formats}


def author_label(item: dict) -> str:
    """How APA names an entry in a citation: family name, or the short title when there is no author."""
    if item.get("author"):
        return item["author"][0]["family"]
    return item.get("title-short") or item["title"]


def test_all_twelve_files(built):
    names = sorted(p.name for p in (built / "output").iterdir())
    assert names == ["evidence-matrix.docx", "evidence-matrix.html", "evidence-matrix.xlsx",
                     "penelitian-terdahulu.docx", "penelitian-terdahulu.html", "penelitian-terdahulu.pdf",
                     "policy-brief.docx", "policy-brief.html", "policy-brief.pdf", "tinjauan-pustaka.docx",
                     "tinjauan-pustaka.html", "tinjauan-pustaka.pdf"]


@pytest.mark.parametrize("doc", ["tinjauan-pustaka", "policy-brief"])
def test_each_thesis_is_in_the_bibliography_exactly_once(built, bib, doc):
    for fmt, text in texts(built, doc).items():
        heading = "Daftar Pustaka" if doc == "tinjauan-pustaka" else "References"
        assert text.count(heading) == 1, fmt
        # docx_text gives a document's tables after its paragraphs: the chapter's Tabel 2.1 (whose Judul column
        # names each work) is not part of the reference list
        references = text.split(heading, 1)[1].split("Peneliti (tahun)", 1)[0]
        for key in KEYS:
            title = bib.get(key)["title"]
            assert references.count(title[:40]) == 1, (fmt, key)
    html = (built / "output" / f"{doc}.html").read_text()
    assert sorted(re.findall(r'id="ref-([^"]+)"', html)) == sorted(KEYS)


def test_chapter_points_carry_one_cluster_with_every_source(built, bib):
    project = load_project(built / "synthdoc.yaml")
    inputs = load_inputs(project)
    text = texts(built, "tinjauan-pustaka")["html"]
    multi = 0
    for point in project.points:
        claims = [c for s in inputs.sources for c in s.claims if c.point == point.id]
        statement = pick(point.says, "id").rstrip(".")
        assert statement in text, point.id
        cluster = text.split(statement, 1)[1].split(")", 1)[0]
        for source in {c.source for c in claims}:
            assert author_label(bib.get(source)) in cluster, (point.id, source)
        multi += len({c.source for c in claims}) > 1 and cluster.count(";") >= 1
    assert multi >= 5


def test_every_claim_of_the_chapter_appears_with_its_citation(built, bib):
    project = load_project(built / "synthdoc.yaml")
    inputs = load_inputs(project)
    markdown = (built / ".synthdoc" / "build" / "tinjauan-pustaka.md").read_text()
    text = texts(built, "tinjauan-pustaka")["html"]
    points = {p.id: pick(p.says, "id").rstrip(".") for p in project.points}
    for claim in (c for s in inputs.sources for c in s.claims):
        assert f"@{claim.source}" in markdown
        label = author_label(bib.get(claim.source))
        if claim.point:
            # Told through its point: the point's cluster cites the claim's source at the claim's section.
            cluster = text.split(points[claim.point], 1)[1].split(")", 1)[0]
            item = cluster[cluster.index(label):].split(";")[0]
            assert re.search(rf"Bagian [^;]*\b{re.escape(claim.at.value)}\b", item), (claim.ref, item)
        else:
            told = pick(claim.says, "id").rstrip(".") in text or " ".join(claim.quote.split())[:40] in text
            assert told, claim.ref
    for key in KEYS:
        assert author_label(bib.get(key)) in text.split("Daftar Pustaka")[0]


def test_narrative_citations_and_contrasts(built):
    text = texts(built, "tinjauan-pustaka")["pdf"]
    assert "Amalia (2025, Bagian VI.1) mencatat bahwa" in text or "Amalia (2025, Bagian" in text
    assert re.search(r"Sebaliknya, (?:\w+ )?\[Skripsi ACTIP-?WC di kawasan ASEAN\] \(t\.t\., Bagian 5\.1\)", text)
    assert "fenomena gunung es" in text


def test_indonesian_terms_in_the_chapter(built):
    for fmt, text in texts(built, "tinjauan-pustaka").items():
        assert "t.t." in text and "Bagian" in text and "[Skripsi]" in text, fmt
        assert "n.d." not in text and "References" not in text and "Section" not in text, fmt


def test_english_terms_in_the_brief(built):
    for fmt, text in texts(built, "policy-brief").items():
        assert "n.d." in text and "Section" in text, fmt
        assert "t.t." not in text and "Daftar Pustaka" not in text and "Bagian" not in text, fmt
        assert "Key findings" in text and "Recommendations" in text, fmt


def test_english_brief_quotes_no_indonesian(built):
    """The brief quotes the Indonesian theses only through the author's marked translations."""
    sources = load_inputs(load_project(built / "synthdoc.yaml")).sources
    quotes = [" ".join(c.quote.split()) for s in sources for c in s.claims]
    for fmt, text in texts(built, "policy-brief").items():
        shown = re.findall(r"“([^”]*)”( \(my translation\))?", text)
        assert len(shown) == 2, (fmt, shown)
        assert all(mark for _, mark in shown), (fmt, shown)
        assert "“this is shown by the continuing increase in cases of human trafficking in the ASEAN region” " \
               "(my translation)" in text, fmt
        for quote in quotes:
            assert quote[:40] not in text, (fmt, quote)


def test_brief_recommendations_grouped_by_actor_and_cited(built):
    # the evidence before them tells recommendations as statements too: the section itself is what counts
    text = texts(built, "policy-brief")["html"].rsplit("Recommendations", 1)[1]
    headings = ["For Governments", "For IOM", "For ASEAN", "For Researchers"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    project = load_project(built / "synthdoc.yaml")
    recs = [c for s in load_inputs(project).sources for c in s.claims if c.kind == "recommendation"]
    assert recs
    for claim in recs:
        sentence = pick(claim.says, "en").rstrip(".")
        assert sentence in text, claim.ref
        after = text.split(sentence, 1)[1][:120]
        assert re.match(r"\s*\(.*?(\d{4}|n\.d\.), Section", after), (claim.ref, after)


def test_matrix_lists_claims_by_theme_and_thesis(built):
    doc = Docx(str(built / "output" / "evidence-matrix.docx"))
    [table] = doc.tables
    header = [c.text for c in table.rows[0].cells]
    assert header[0] == "Tema" and len(header) == 6
    assert any("Amalia" in h for h in header)
    project = load_project(built / "synthdoc.yaml")
    claims = {c.ref: c for s in load_inputs(project).sources for c in s.claims}
    body = " ".join(c.text for row in table.rows[1:] for c in row.cells)
    for claim in claims.values():
        assert pick(claim.short, "id") in body, claim.ref
    assert body.count("Bagian") >= len(claims)
    assert "Kasus menurun 2023–2024 (2025, Bagian VI.1)" in " ".join(body.split())


def test_html_sentences_carry_their_claims_quotes(built):
    import json

    html = (built / "output" / "tinjauan-pustaka.html").read_text()
    table = json.loads(re.search(r'<script type="application/json" id="synthdoc-claims">(.*?)</script>', html,
                                 re.S).group(1))
    marked = re.findall(r'<span class="claim" data-claims="([^"]+)">', html)
    assert len(marked) > 40
    project = load_project(built / "synthdoc.yaml")
    claims = {c.ref: c for s in load_inputs(project).sources for c in s.claims}
    for ids in marked:
        for n in ids.split():
            entry = table[n]
            assert entry["quote"] == " ".join(claims[entry["ref"]].quote.split())
            assert entry["where"] == f"bag. {claims[entry['ref']].at.value}"
    assert 'href="#ref-amalia2025"' in html  # citations link to their entries


def test_docx_comments_give_each_sentence_its_claims(built):
    import zipfile

    xml = zipfile.ZipFile(built / "output" / "tinjauan-pustaka.docx").read("word/comments.xml").decode()
    assert xml.count("<w:comment ") > 40
    assert "amalia2025/cases-fell" in xml and "secara langsung berdampak pada menurunnya" in xml


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_chapter_docx(built, tmp_path):
    import subprocess

    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(built / "output" / "tinjauan-pustaka.docx")], capture_output=True, text=True,
                          timeout=180)
    pdf = tmp_path / "tinjauan-pustaka.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert "Daftar Pustaka" in " ".join(p.extract_text() for p in reader.pages)


def test_pdf_is_a4_with_page_numbers_and_embedded_fonts(built):
    reader = PdfReader(str(built / "output" / "tinjauan-pustaka.pdf"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert len(reader.pages) >= 5
    assert reader.pages[1].extract_text().strip().endswith("2")
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object()
            fonts.add(str(descriptor.get("/BaseFont")))
            assert "/DescendantFonts" in descriptor or "/FontDescriptor" in descriptor
    assert fonts
