"""Bad input, hostile content and faults: refused or reported clearly, never run, never losing an output."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from docx import Document as Docx
from pypdf import PdfReader
from typer.testing import CliRunner

from conftest import filling_disk, small_files, write_project
from synthdoc.build.pipeline import build, check_project
from synthdoc.cli import app
from synthdoc.core import pandoc
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project

runner = CliRunner()


def errors_of(root: Path) -> list:
    try:
        _, diags = check_project(load_project(root / "synthdoc.yaml"))
    except SynthdocError as exc:
        diags = exc.diagnostics
    return [d for d in diags if d.severity.value == "error"]


# --- paths that leave the project ------------------------------------------------------------------

OUTSIDE = {
    "absolute bibliography": ("synthdoc.yaml", "style: apa", "style: apa\nbibliography: /etc/passwd"),
    "parent output": ("synthdoc.yaml", "style: apa", "style: apa\noutput: ../elsewhere"),
    "absolute templates": ("synthdoc.yaml", "style: apa", "style: apa\ntemplates: /tmp"),
    "parent sources": ("synthdoc.yaml", "style: apa", "style: apa\nsources: ../../sources"),
    "csl outside": ("synthdoc.yaml", "style: apa", "style: ../styles/x.csl"),
    "claim text up": ("sources/smith2020.yaml", "text: smith2020.md", "text: ../../secret.md"),
    "claim text absolute": ("sources/smith2020.yaml", "text: smith2020.md", "text: /etc/hostname"),
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_paths_outside_the_project_are_refused(tmp_path, case):
    name, old, new = OUTSIDE[case]
    files = small_files()
    files[name] = files[name].replace(old, new, 1)
    errs = errors_of(write_project(tmp_path / "p", files))
    assert [d.code for d in errs] == ["path-outside"], [str(d) for d in errs]
    assert errs[0].path == name and "inside the project folder" in errs[0].message


@pytest.mark.parametrize("ident", ["../escape", "sub/review", ".hidden"])
def test_a_document_id_that_is_not_a_plain_file_name_is_refused(tmp_path, ident):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("  - id: review", f"  - id: '{ident}'", 1)
    root = write_project(tmp_path / "p", files)
    errs = errors_of(root)
    assert [d.code for d in errs] == ["schema-type"], [str(d) for d in errs]
    assert errs[0].path == "synthdoc.yaml" and ident in errs[0].message and "letters, digits" in errs[0].message
    assert not (tmp_path / "escape.html").exists()


def test_symlink_pointing_out_is_refused(tmp_path):
    root = write_project(tmp_path / "p", small_files())
    (tmp_path / "secret.md").write_text("Recruiters promise good jobs abroad, and the promises are rarely kept.")
    (root / "sources" / "smith2020.md").unlink()
    (root / "sources" / "smith2020.md").symlink_to(tmp_path / "secret.md")
    errs = errors_of(root)
    assert [d.code for d in errs] == ["path-outside"] and "symbolic link" in errs[0].message


# --- claims are data ---------------------------------------------------------------------------------

PAYLOADS = {
    "html": "<img src=x onerror=alert(1)>",
    "latex": r"\input{/etc/passwd} $\alpha$",
    "typst": '#read("/etc/passwd")',
    "raw attribute": "`<b>x</b>`{=html}",
    "raw block": "```{=typst}",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    files = small_files("html, docx, pdf")
    says = "; ".join(PAYLOADS.values())
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "{en: Debts bind workers to employers., id: Utang mengikat pekerja.}",
        "{en: " + json.dumps("Debts bind. " + says) + ", id: x}")
    root = write_project(tmp_path_factory.mktemp("hostile"), files)
    build(load_project(root / "synthdoc.yaml"))
    return root


def test_payloads_come_out_as_text_in_html(hostile):
    html = (hostile / "output" / "review.html").read_text()
    assert "<img" not in html and "onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "#read(" in html and "\\input{/etc/passwd}" in html


def test_payloads_come_out_as_text_in_docx(hostile):
    text = " ".join(p.text for p in Docx(str(hostile / "output" / "review.docx")).paragraphs)
    text = text.replace("“", '"').replace("”", '"')
    for needle in ("<img src=x onerror=alert(1)>", "\\input{/etc/passwd}", '#read("/etc/passwd")', "<b>x</b>"):
        assert needle in text


def test_payloads_come_out_as_text_in_pdf(hostile):
    text = " ".join(p.extract_text() for p in PdfReader(str(hostile / "output" / "review.pdf")).pages)
    text = re.sub(r"\s+", " ", text)
    assert "root:" not in text  # /etc/passwd was not read
    assert "#read(" in text.replace("# read", "#read") and "onerror=alert(1)" in text


# --- YAML bombs and huge files -------------------------------------------------------------------------

def test_billion_laughs_claims_file(tmp_path):
    lol = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    files = small_files()
    files["sources/smith2020.yaml"] = lol
    errs = errors_of(write_project(tmp_path, files))
    assert [(d.code, d.path) for d in errs] == [("yaml-too-large", "sources/smith2020.yaml")]


def test_a_50_mb_claims_file_is_refused_quickly(tmp_path):
    root = write_project(tmp_path, small_files())
    with open(root / "sources" / "huge.yaml", "w") as handle:
        handle.write("source: smith2020\nclaims: []\nnotes: |\n")
        line = "  " + "x" * 98 + "\n"
        handle.write(line * (50 * 1024 * 1024 // len(line)))
    errs = errors_of(root)
    assert [(d.code, d.path) for d in errs] == [("file-too-large", "sources/huge.yaml")]


# --- faults --------------------------------------------------------------------------------------------

def test_pandoc_missing_keeps_outputs(small, monkeypatch):
    build(load_project(small / "synthdoc.yaml"))
    before = (small / "output" / "review.html").read_bytes()
    (small / "sources" / "smith2020.yaml").write_text((small / "sources" / "smith2020.yaml").read_text()
                                                      .replace("Debts bind", "Debts tie"))
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: "/nonexistent/pandoc")
    with pytest.raises(SynthdocError) as info:
        build(load_project(small / "synthdoc.yaml"))
    assert info.value.diagnostics[0].code == "pandoc-failed"
    assert (small / "output" / "review.html").read_bytes() == before


def test_typst_failure_is_a_message(small, monkeypatch):
    real = pandoc.ast_to_bytes

    def broken(ast, fmt, **kwargs):  # typst source that makes the compiler fail
        return b'#panic("font exploded")' if fmt == "typst" else real(ast, fmt, **kwargs)

    monkeypatch.setattr(pandoc, "ast_to_bytes", broken)
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text().replace("formats: [html]", "formats: [pdf]"))
    with pytest.raises(SynthdocError) as info:
        build(load_project(config))
    d = info.value.diagnostics[0]
    assert d.code == "typst-failed" and "font exploded" in d.message
    assert not (small / "output" / "review.pdf").exists()


def test_read_only_output_dir(small, monkeypatch):
    build(load_project(small / "synthdoc.yaml"))
    out = small / "output"
    before = (out / "review.html").read_bytes()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as it would for a user
        import tempfile

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        result = runner.invoke(app, ["build", "--force", "-C", str(small)])
        assert result.exit_code == 1 and "output-unwritable" in result.output
        assert "Permission denied" in result.output
        assert (out / "review.html").read_bytes() == before
    finally:
        out.chmod(stat.S_IRWXU)


def test_full_disk_leaves_the_previous_output(small, monkeypatch):
    build(load_project(small / "synthdoc.yaml"))
    before = (small / "output" / "review.html").read_bytes()
    filling_disk(monkeypatch)
    result = runner.invoke(app, ["build", "--force", "-C", str(small)])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert (small / "output" / "review.html").read_bytes() == before
    assert [p.name for p in (small / "output").iterdir() if p.name.endswith(".tmp")] == []


def test_outputs_are_flushed_to_disk_and_caches_are_not(small, monkeypatch):
    """An output, the manifest and the bibliography file pandoc reads survive a power cut whole (flushed before
    their rename); a cache entry and the no-op record are only renamed, and one a power cut left cut short is
    taken for missing (the record: the next build checks and builds)."""
    import tempfile

    opened: dict[int, str] = {}
    flushed: list[str] = []
    real_mkstemp, real_fsync = tempfile.mkstemp, os.fsync

    def mkstemp(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        opened[fd] = name
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(opened.get(fd, "?")) or real_fsync(fd))
    assert CliRunner().invoke(app, ["build", "-C", str(small)]).exit_code == 0
    flushed_paths = [Path(p) for p in flushed]
    assert any(p.name.startswith(".review.html.") for p in flushed_paths)  # the output's temporary file
    assert not any(p.name.startswith(".quick.json.") for p in flushed_paths)
    cache = small / ".synthdoc" / "cache"
    assert list(cache.rglob("*.json"))
    for_pandoc = [p for p in flushed_paths if cache in p.parents]
    assert for_pandoc and all(p.name.startswith(".bibliography-") for p in for_pandoc)
    # every cache entry cut short (as a power cut between write and rename may leave it): the build is the same
    page = (small / "output" / "review.html").read_bytes()
    for path in [*cache.rglob("*.json"), small / ".synthdoc" / "quick.json"]:
        if path.name.startswith("bibliography-"):
            continue
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(ValueError):
            json.loads(path.read_bytes())
    (small / "output" / "review.html").unlink()
    again = CliRunner().invoke(app, ["build", "-C", str(small)])
    assert again.exit_code == 0, again.output
    assert "wrote output/review.html" in again.output.replace("\\", "/")
    assert (small / "output" / "review.html").read_bytes() == page
