"""Hostile inputs on the newer surfaces (issue #30): review, import, Hayagriva, BibTeX and templates.

Each case was an attack that worked: a crash (exit 3), a hang, or memory running out. Each now ends in a
diagnostic naming the file (and its line where it has one), exit 1, within the time and memory stated here.
The heavy cases run ``synthdoc`` in a child process, so a hang is a failed test rather than a stuck run, and
the child's peak memory is measured.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from synthdoc.word.bookmarks import DOCUMENT_PROPERTY, claim_digest

POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs and peak memory (resource) as on POSIX")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# The bounds this file holds synthdoc to (docs/security.md states them).
SECONDS = 20.0
MEGABYTES = 200


def child(args: list[str], cwd: Path, setup: str = "", timeout: float = 60) -> tuple[int, str, float, float]:
    """``synthdoc ARGS`` in a new Python process: its exit code, what it printed, seconds taken and peak memory
    in MB (POSIX; 0 elsewhere). ``setup`` is Python run first (a smaller limit, for a short test)."""
    code = textwrap.dedent(f"""
        import sys
        {setup}
        from synthdoc.cli import main
        sys.argv = ["synthdoc", *sys.argv[1:]]
        try:
            main()
        finally:
            try:  # this process's own peak (Linux keeps the parent's in ru_maxrss across fork and exec)
                with open("/proc/self/status") as status:
                    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
            except OSError:
                try:
                    import resource
                    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # macOS: bytes
                except ImportError:  # Windows: not measured
                    peak = 0
            print("\\nmaxrss-kb", peak, file=sys.stderr)
    """)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    took = time.monotonic() - t0
    found = re.search(r"\nmaxrss-kb (\d+)", done.stderr)
    peak = int(found.group(1)) / 1024 if found else 0.0
    return done.returncode, done.stdout + re.sub(r"\nmaxrss-kb \d+\n?", "", done.stderr), took, peak


def refused(out: str, code: str, where: str) -> bool:
    """One diagnostic ``path:line:col: error: … [code]`` whose path or message names ``where``, no traceback."""
    return (re.search(rf"^\S.*:\d+:\d+: error: .*\[{code}\]$", out, re.M) is not None and where in out
            and "Traceback" not in out and "internal error" not in out)


# --- synthdoc review: a DOCX sent back by anyone -----------------------------------------------------

def docx(body: str, comments: str | None = None, document: str | None = None, *, deflate: bool = True) -> bytes:
    """A DOCX holding ``body`` as word/document.xml (and ``comments`` as word/comments.xml)."""
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("word/document.xml", body)
        if comments is not None:
            archive.writestr("word/comments.xml", comments)
        if document is not None:
            archive.writestr("docProps/custom.xml", f'<Properties xmlns="{CUSTOM_NS}"><property '
                             f'name="{DOCUMENT_PROPERTY}" fmtid="x" pid="2"><lpwstr>{document}</lpwstr>'
                             "</property></Properties>")
    return out.getvalue()


def body(inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>{inner}</w:body></w:document>'


def comment_part(*texts: str) -> str:
    items = "".join(f'<w:comment w:id="{i}" w:author="Dr. Sari"><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:comment>'
                    for i, t in enumerate(texts))
    return f'<w:comments xmlns:w="{W_NS}">{items}</w:comments>'


def run(text: str) -> str:
    return f"<w:r><w:t>{text}</w:t></w:r>"


def review(small: Path, data: bytes, setup: str = "") -> tuple[int, str, float, float]:
    path = small / "reviewed.docx"
    path.write_bytes(data)
    return child(["review", str(path), "-C", str(small)], small, setup)


@pytest.mark.parametrize("tag", ["w:sdt", "w:ins"])
def test_review_reads_a_5000_deep_nest_as_an_error(small, tag):
    nest = f"<{tag}>" * 5000 + run("x") + f"</{tag}>" * 5000
    code, out, took, _ = review(small, docx(body(f"<w:p>{nest}</w:p>")))
    assert code == 1 and refused(out, "docx-unreadable", "word/document.xml, line 1"), out
    assert "1,000 deep" in out and took < SECONDS


@POSIX
def test_review_bounds_what_a_zip_bomb_decompresses(small):
    # 40 MB of comment text in a zip of about 40 KB: refused by the size of the part, read a piece at a time.
    bomb = docx(body("<w:p/>"), comment_part("a" * 40_000_000))
    assert len(bomb) < 200_000
    code, out, took, peak = review(small, bomb)
    assert code == 1 and refused(out, "docx-too-large", "word/comments.xml"), out
    assert peak < MEGABYTES and took < SECONDS, (peak, took)
    # The document's parts together are bounded too (each part below its own limit).
    parts = io.BytesIO()
    with zipfile.ZipFile(parts, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/comments.xml", comment_part("b" * 31_000_000))
        archive.writestr("word/document.xml", body(run("c" * 31_000_000)))
        archive.writestr("docProps/custom.xml", f'<Properties xmlns="{CUSTOM_NS}">{" " * 5_000_000}</Properties>')
    code, out, took, peak = review(small, parts.getvalue())
    assert code == 1 and refused(out, "docx-too-large", "docProps/custom.xml") and "64 MB" in out, out
    assert peak < MEGABYTES and took < SECONDS, (peak, took)


@POSIX
def test_a_long_comment_is_shown_cut_with_its_length(small):
    # 20 MB of comment (within the part's limit): its first 10,000 characters and how long it is.
    text = "kata " * 4_000_000
    anchored = f'<w:p><w:commentRangeStart w:id="0"/>{run("Text")}<w:commentRangeEnd w:id="0"/></w:p>'
    code, out, took, peak = review(small, docx(body(anchored), comment_part(text)))
    assert code == 0, out
    line = next(x for x in out.splitlines() if "Dr. Sari" in x)
    assert len(line) < 10_200 and "[cut: 20,000,000 characters in all]" in line, line[-200:]
    assert peak < MEGABYTES and took < SECONDS, (peak, took)


def test_review_is_linear_on_small_files(small):
    # One comment whose 20,000 paragraphs nest (13.5 KB): refused by depth, at once.
    nested = '<w:comment w:id="0" w:author="A">' + "<w:p>" * 20_000 + "</w:p>" * 20_000 + "</w:comment>"
    code, out, took, _ = review(small, docx(body("<w:p/>"), f'<w:comments xmlns:w="{W_NS}">{nested}</w:comments>'))
    assert code == 1 and refused(out, "docx-unreadable", "word/comments.xml") and took < SECONDS, (took, out)
    # 20,000 comment ranges opened and never closed, then text: every comment listed, in seconds.
    opened = "".join(f'<w:commentRangeStart w:id="{i}"/>' for i in range(20_000))
    data = docx(body(f"<w:p>{opened}{run('Text a reviewer commented on. ' * 50)}</w:p>"),
                comment_part(*(f"comment {i}" for i in range(20_000))))
    code, out, took, _ = review(small, data)
    assert code == 0 and out.count("Dr. Sari: comment ") == 20_000, out[-500:]
    assert took < SECONDS, took
    # 900 claim bookmarks open around a tracked change of 20,000 runs.
    marks = "".join(f'<w:bookmarkStart w:id="{i}" w:name="_sd{claim_digest(f"smith2020/c{i}")}_{i}"/>'
                    for i in range(900))
    change = '<w:ins w:id="99999" w:author="Pak Budi">' + run("kata ") * 20_000 + "</w:ins>"
    code, out, took, _ = review(small, docx(body(f"<w:p>{marks}{change}</w:p>")))
    assert code == 0 and "Pak Budi: inserted" in out and "[cut: 100,000 characters in all]" in out, out[-500:]
    assert took < SECONDS, took


@POSIX
def test_review_refuses_a_fifo(small):
    os.mkfifo(small / "reviewed.docx")
    code, out, took, _ = child(["review", str(small / "reviewed.docx"), "-C", str(small)], small, timeout=60)
    assert code == 1 and refused(out, "file-special", "reviewed.docx") and took < SECONDS, out


def test_review_reads_an_unknown_encoding_as_an_error(small):
    xml = body("<w:p/>").replace('encoding="UTF-8"', 'encoding="TF-8"')
    code, out, _, _ = review(small, docx(xml))
    assert code == 1 and refused(out, "docx-unreadable", "word/document.xml, line 1") and "TF-8" in out, out


def test_review_refuses_a_document_type_with_entities(small):
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              f'<w:document xmlns:w="{W_NS}"><w:body><w:p>{run("&b;")}</w:p></w:body></w:document>')
    code, out, _, _ = review(small, docx(laughs))
    assert code == 1 and refused(out, "docx-unreadable", "word/document.xml, line 1") and "document type" in out, out


def test_review_renders_the_template_within_the_build_limits(small):
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text(
        "# Title\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text().replace("template: synthesis.md.j2", "template: t.md.j2"))
    anchored = f'<w:p><w:commentRangeStart w:id="0"/>{run("Title")}<w:commentRangeEnd w:id="0"/></w:p>'
    data = docx(body(anchored), comment_part("Rename this"), document="review")
    code, out, took, _ = review(small, data, "import synthdoc.render.templating as t; t.RENDER_SECONDS = 2.0")
    assert code == 1 and refused(out, "template-timeout", "templates/t.md.j2:3:") and took < SECONDS, (took, out)


# --- synthdoc import ---------------------------------------------------------------------------------

def test_a_superscript_page_label_is_text_not_a_crash(tmp_path):
    from importing_fixtures import ZoteroLibrary, typst_pdf
    from synthdoc.sources.texts import SourceText
    from test_import import LEE, sheet_rows, write_csv
    from test_import import project as import_project
    from test_import import run as import_run

    # A sheet's page column.
    root = import_project(tmp_path / "sheet")
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=12))
    rows = sheet_rows()
    rows[1][-1] = "²"
    result = import_run(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "page: ²" in (root / "sources" / "lee2019.yaml").read_text()
    done = child(["check"], root)
    assert done[0] == 1 and refused(done[1], "unknown-locator", "sources/lee2019.yaml"), done[1]
    # A Zotero annotation's pageLabel (on a PDF Zotero numbers itself).
    root = import_project(tmp_path / "zotero")
    lib = ZoteroLibrary(tmp_path / "Zotero")
    item = lib.article("TRAN2021", "Borders and Brokers", citation_key="tran2021")
    pdf = lib.pdf(item, "ATTACH01", typst_pdf([], ["Brokers at the border arrange papers and transport."], first=None))
    lib.highlight(pdf, "ANNOT001", "arrange papers and transport", 0, "²")
    result = import_run(root, str(lib.close()))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    # A PDF's own page labels.
    text = SourceText(Path("x.pdf"), "x.pdf", "abc", (0, 1, 2), ("1", "²", "3"), True)
    assert text.label_ranges() == "1, ², 3"


def test_a_zotero_position_nested_100000_deep_is_no_page_index(tmp_path):
    from importing_fixtures import ZoteroLibrary, typst_pdf
    from test_import import project as import_project
    from test_import import run as import_run

    root = import_project(tmp_path / "p")
    lib = ZoteroLibrary(tmp_path / "Zotero")
    item = lib.article("TRAN2021", "Borders and Brokers", citation_key="tran2021")
    pdf = lib.pdf(item, "ATTACH01", typst_pdf([], ["Brokers at the border arrange papers and transport."], first=None))
    note = lib.highlight(pdf, "ANNOT001", "arrange papers and transport", 0, "1")
    lib.db.execute("UPDATE itemAnnotations SET position = ? WHERE itemID = ?", ("[" * 100_000, note))
    result = import_run(root, str(lib.close()))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "page: 1" in (root / "sources" / "tran2021.yaml").read_text()


def test_a_csv_cell_over_the_field_limit_is_a_diagnostic(tmp_path):
    from test_import import failing, sheet_rows, write_csv
    from test_import import project as import_project

    root = import_project(tmp_path / "p")
    rows = sheet_rows()
    rows.append(["lee2019", "long", "finding", "labour", "Long.", "", "x" * 200_000, "12"])
    output = failing(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert re.search(r"x\.csv:3:1: error: .*\[sheet-format\]", output), output


# --- bibliographies and templates --------------------------------------------------------------------

HAYAGRIVA = """smith2020:
  type: book
  title: Recruitment Abroad
  author: Smith, Jane
  date: 2020
  publisher: Example Press
tran2021:
  type: article
  title: Borders and Brokers
  author: Tran, Minh
  date: 2021
  parent: [1, 2]
"""


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_hayagriva_parent_that_is_no_entry_is_a_diagnostic(small, command):
    (small / "bibliography.yml").write_text(HAYAGRIVA)
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text().replace("style: apa", "style: apa\nbibliography: bibliography.yml"))
    code, out, _, _ = child([command], small)
    assert code == 1 and refused(out, "bibliography-format", "bibliography.yml:12:"), out
    assert not (small / "output" / "review.html").exists()


@POSIX
def test_bibtex_strings_that_double_are_capped(small):
    doubling = "@string{a0 = {xxxxxxxxxxxxxxxx}}\n" + "".join(f"@string{{a{k} = a{k - 1} # a{k - 1}}}\n"
                                                             for k in range(1, 25))
    bib = small / "bibliography.bib"
    bib.write_text(doubling + bib.read_text().replace("title = {", "title = a24 # {", 1))
    assert len(doubling) < 2_000
    code, out, took, peak = child(["check"], small)
    # a16 would be 16 × 2^16 = 1,048,576 characters: the first over the limit, at its line.
    assert code == 1 and refused(out, "bibliography-\\w+", "bibliography.bib:17:"), out
    assert "@string 'a16' expands to more than 1,000,000 characters" in out
    assert took < SECONDS and peak < MEGABYTES, (took, peak)


@pytest.mark.parametrize("body", [
    '{% set ns = namespace(s="x") %}{% for i in range(31) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}',
    '{% set ns = namespace(s="x") %}{% for i in range(31) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}',
    '{% set ns = namespace(s=[1]) %}{% for i in range(31) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}',
])
def test_a_template_cannot_double_a_text_or_list_without_end(small, body):
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text("# Title\n\n" + body + "\n")
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text().replace("template: synthesis.md.j2", "template: t.md.j2"))
    code, out, took, peak = child(["build"], small)
    assert code == 1 and refused(out, "template-error", "templates/t.md.j2:3:"), out
    assert "more than 1,000,000" in out and took < SECONDS and (peak < MEGABYTES or os.name != "posix"), (took, peak)


# --- two older promises -------------------------------------------------------------------------------

def test_an_unreadable_templates_folder_is_an_error_not_the_built_in_template(small, monkeypatch):
    from test_hostile import cli

    (small / "templates").mkdir()
    (small / "templates" / "synthesis.md.j2").write_text("# My own chapter\n")
    real = os.lstat

    def lstat(path, *args, **kwargs):
        if Path(path).parent == small / "templates":  # as in a folder without read and search permission
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and refused(result.output, "file-unreadable", "templates/synthesis.md.j2"), \
        result.output
    assert "Permission denied" in result.output and not (small / "output" / "review.html").exists()


PRINTED = {"not JSON": "pandoc 9: unknown option", "empty": "", "an object without blocks": "{}",
           "a list": "[1, 2]", "null": "null", "blocks that are no list": '{"blocks": 5, "meta": {}}'}


@POSIX
@pytest.mark.parametrize("target", ["json", "csljson"])
@pytest.mark.parametrize("case", list(PRINTED))
def test_a_pandoc_printing_other_json_is_a_diagnostic(small, tmp_path, monkeypatch, target, case):
    from synthdoc.core import pandoc

    if target == "csljson" and case in ("an object without blocks", "blocks that are no list"):
        pytest.skip("an object is no list of entries either way")
    fake = tmp_path / "fake-pandoc"
    (tmp_path / "printed").write_text(PRINTED[case])
    fake.write_text(f'#!/bin/sh\nprev=""\nfor a in "$@"; do\n  if [ "$prev" = -t ] && [ "$a" = {target} ]; then '
                    f'cat "{tmp_path / "printed"}"; exit 0; fi\n  prev="$a"\ndone\n'
                    f'exec {pandoc.pandoc_binary()} "$@"\n')
    fake.chmod(0o755)
    from test_hostile import cli

    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: str(fake))
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "pandoc printed something other than the JSON" in result.output, result.output
    assert re.search(r"\[(pandoc-output|bibliography-syntax)\]$", result.output, re.M), result.output
    assert repr(PRINTED[case][:120]) in result.output and not (small / "output" / "review.html").exists()
