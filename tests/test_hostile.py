"""Hostile projects and faults (issue #15): each attack or fault that once worked, as a test.

A project can be a zip from a classmate, a repository, a template downloaded from a forum. Nothing in it may
read or write outside the project, put script in a page, or make a failed build replace a good output.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import small_files, write_project
from synthdoc.build.pipeline import build, check_project
from synthdoc.cli import app
from synthdoc.core import pandoc
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project
from synthdoc.render.phrases import phrases
from synthdoc.render.styles import styles_dir

runner = CliRunner()
POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs and devices as on POSIX")
SYNTHDOC = Path(sys.executable).parent / "synthdoc"


def cli(*args: str):
    """``synthdoc ARGS`` in process; an exception other than an exit is a crash (exit 3 or a traceback)."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 3 and "Traceback" not in result.output, result.output
    return result


def codes(root: Path) -> list[str]:
    """The error codes ``synthdoc check`` reports for the project at ``root``."""
    try:
        _, diags = check_project(load_project(root / "synthdoc.yaml"))
    except SynthdocError as exc:
        diags = exc.diagnostics
    return [d.code for d in diags if d.severity.value == "error"]


def messages(root: Path) -> str:
    try:
        _, diags = check_project(load_project(root / "synthdoc.yaml"))
    except SynthdocError as exc:
        diags = exc.diagnostics
    return "\n".join(str(d) for d in diags)


def project(tmp_path: Path, **changes: tuple[str, str]) -> Path:
    """The small project with text replaced: ``file=(old, new)`` (file names with / written as __)."""
    files = small_files()
    for name, (old, new) in changes.items():
        name = name.replace("__", "/").replace("_yaml", ".yaml")
        assert old in files[name]
        files[name] = files[name].replace(old, new, 1)
    return write_project(tmp_path / "p", files)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# --- 1. every path synthdoc opens stays inside the project ------------------------------------------

def evil_style(tmp_path: Path) -> Path:
    """A valid style outside the project (a copy of APA)."""
    (tmp_path / "x").mkdir(exist_ok=True)
    shutil.copy(styles_dir() / "apa.csl", tmp_path / "x" / "evil.csl")
    return tmp_path / "x" / "evil"


def test_a_style_name_is_only_ever_a_bundled_style(tmp_path):
    evil = evil_style(tmp_path)
    climb = os.path.relpath(evil, styles_dir())  # ../../../../tmp/.../x/evil, from the bundled styles
    root = project(tmp_path, synthdoc_yaml=("style: apa", f"style: {climb}"))
    assert codes(root) == ["unknown-style"]
    for style in (str(evil), f"{evil}.csl"):  # --style /abs/evil and /abs/evil.csl
        result = cli("build", "--style", style, "-C", str(root))
        assert result.exit_code == 1 and ("unknown-style" in result.output or "path-outside" in result.output)
        assert not (root / "output" / "review.html").exists()


DEPENDENT = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text" default-locale="en-US">
  <info><title>Dependent</title><id>dep</id><link href="{parent}" rel="independent-parent"/>
  <updated>2020-01-01T00:00:00+00:00</updated></info>
</style>
"""


def test_a_dependent_style_takes_its_parent_only_among_the_bundled_styles(tmp_path):
    root = project(tmp_path, synthdoc_yaml=("style: apa", "style: dep.csl"))
    (root / "dep.csl").write_text(DEPENDENT.format(parent="file:///etc/passwd"))
    result = cli("build", "-C", str(root))
    assert result.exit_code == 1 and "unknown-style" in result.output and "root:" not in result.output
    # A parent named by its URL is the bundled style of that name: nothing is fetched.
    (root / "dep.csl").write_text(DEPENDENT.format(parent="http://www.zotero.org/styles/apa"))
    result = cli("build", "-C", str(root))
    assert result.exit_code == 0, result.output
    assert "Smith, J. (2020)" in (root / "output" / "review.html").read_text()


@POSIX
@pytest.mark.parametrize("how", ["template", "include"])
def test_a_template_linked_out_of_the_project_is_not_rendered(tmp_path, how):
    root = project(tmp_path, synthdoc_yaml=("template: synthesis.md.j2", "template: main.md.j2"))
    (tmp_path / "secret.txt").write_text("SECRET-TOKEN-1234")
    (root / "templates").mkdir()
    if how == "template":
        (root / "templates" / "main.md.j2").symlink_to(tmp_path / "secret.txt")
    else:
        (root / "templates" / "main.md.j2").write_text('# Title\n\n{% include "leak.txt" %}\n')
        (root / "templates" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    result = cli("build", "-C", str(root))
    assert result.exit_code == 1 and "path-outside" in result.output
    assert "SECRET-TOKEN" not in result.output and not (root / "output" / "review.html").exists()


@POSIX
def test_claims_files_and_texts_are_read_only_inside_and_only_when_regular(tmp_path):
    root = project(tmp_path)
    (tmp_path / "outside.yaml").write_text("source: leaked-key-from-outside\nclaims: []\n")
    (root / "sources" / "evil.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "sources" / "zero.yaml").symlink_to("/dev/zero")  # read until memory ran out
    os.mkfifo(root / "sources" / "pipe.yaml")  # check waited forever
    (root / "sources" / "smith2020.md").unlink()
    os.mkfifo(root / "sources" / "smith2020.md")
    t0 = time.monotonic()
    found = messages(root)
    assert time.monotonic() - t0 < 30
    assert "leaked-key-from-outside" not in found
    assert re.search(r"sources/evil.yaml:1:1: error: .*\[path-outside\]", found)
    assert re.search(r"sources/zero.yaml:1:1: error: .*\[path-outside\]", found)
    assert re.search(r"sources/pipe.yaml:1:1: error: .*not a regular file.*\[file-special\]", found)
    assert re.search(r"sources/smith2020.yaml:\d+:1: error: .*not a regular file.*\[file-special\]", found)


@POSIX
def test_a_linked_lock_never_truncates_its_target(tmp_path):
    root = project(tmp_path)
    victim = tmp_path / "bashrc"
    victim.write_text("export PATH=$HOME/bin:$PATH\n")
    (root / ".synthdoc").mkdir()
    (root / ".synthdoc" / "build.lock").symlink_to(victim)
    result = cli("build", "-C", str(root))
    assert victim.read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert result.exit_code == 1 and "[work-dir]" in result.output


@POSIX
def test_a_linked_work_folder_gets_nothing_written(tmp_path):
    root = project(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / ".synthdoc").symlink_to(outside)
    result = cli("build", "-C", str(root))
    assert result.exit_code == 1 and "[work-dir]" in result.output
    assert list(outside.iterdir()) == []


# --- 2. values that reach markup ----------------------------------------------------------------------

LANG = 'en" onfocus="alert(1)" autofocus tabindex="1'


def test_lang_must_be_a_language_tag(tmp_path):
    root = project(tmp_path, synthdoc_yaml=("lang: en", f"lang: '{LANG}'"))
    assert codes(root) == ["lang-invalid"]
    root = project(tmp_path / "doc", synthdoc_yaml=("    formats: [html]", f"    formats: [html]\n    lang: '{LANG}'"))
    assert codes(root) == ["lang-invalid"]
    result = cli("build", "--lang", LANG, "-C", str(project(tmp_path / "cli")))
    assert result.exit_code == 2 and "BCP 47" in result.output


HOSTILE_TEXT = """
## 1.1 Findings

Recruiters promise good jobs abroad <!--<script> and the promises are rarely kept.
Debts -- and fees... tie workers to their employers for years.
"""


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> Path:
    """A project whose quotes hold ``<!--<script>``, ``--`` and ``...`` and whose locator holds a link."""
    files = small_files("html, docx")
    files["sources/smith2020.md"] = HOSTILE_TEXT
    files["sources/smith2020.yaml"] = (files["sources/smith2020.yaml"]
        .replace('"Recruiters promise good jobs abroad, and the promises are rarely kept."',
                 '"Recruiters promise good jobs abroad <!--<script> and the promises are rarely kept."')
        .replace('"Debts tie workers to their employers for years."',
                 '"Debts -- and fees... tie workers to their employers for years."')
        .replace('at: {section: "1.1"}\n  - id: debts', 'at: {paragraph: "3 <javascript:alert(1)>"}\n  - id: debts'))
    root = write_project(tmp_path_factory.mktemp("marked"), files)
    build(load_project(root / "synthdoc.yaml"))
    return root


def test_locators_are_text_not_links(marked):
    html = (marked / "output" / "review.html").read_text()
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html).replace("synthdoc-claims", "")  # in no attribute
    assert "&lt;javascript:alert(1)&gt;" in html
    with zipfile.ZipFile(marked / "output" / "review.docx") as docx:
        assert not any("javascript" in docx.read(n).decode("utf-8", "replace") for n in docx.namelist()
                       if n.endswith(".rels"))
        assert "&lt;javascript:alert(1)&gt;" in docx.read("word/document.xml").decode()


def test_quotes_print_as_written(marked):
    html = (marked / "output" / "review.html").read_text()
    assert "Debts -- and fees... tie workers" in html
    assert "–" not in html and "…" not in html


def test_the_provenance_script_survives_a_quote_that_opens_a_comment_and_a_script(marked):
    from rendered import chromium_page

    with chromium_page(marked / "output" / "review.html") as (page, errors):
        claim = page.locator(".claim").first
        claim.click()
        popover = page.locator(".synthdoc-popover").inner_text()
        assert "<!--<script>" in popover or "Debts -- and fees..." in popover
        page.locator(".claim").nth(1).click()
        shown = page.locator(".synthdoc-popover").inner_text()
        assert "<!--<script>" in popover + shown and "3 <javascript:alert(1)>" in popover + shown
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert errors.exceptions == [] and errors.console == [] and errors.requests == []


def test_a_key_that_would_break_out_of_its_citation_is_refused(tmp_path):
    key = "smith2020}[x](javascript:alert(1))"
    root = project(tmp_path, sources__smith2020_yaml=("source: smith2020", f"source: '{key}'"))
    bib = [{"id": key, "type": "book", "title": "T", "author": [{"family": "S"}], "issued": {"date-parts": [[2020]]},
            "publisher": "P"},
           {"id": "tran2021", "type": "book", "title": "B", "author": [{"family": "T"}],
            "issued": {"date-parts": [[2021]]}, "publisher": "P"}]
    (root / "bibliography.json").write_text(json.dumps(bib))
    edit(root / "synthdoc.yaml", "style: apa", "style: apa\nbibliography: bibliography.json")
    assert codes(root) == ["key-invalid"]


def test_the_change_report_shows_claim_text_as_text(small):
    assert cli("build", "-C", str(small)).exit_code == 0
    edit(small / "sources" / "smith2020.yaml", "Debts bind workers to employers.",
         json.dumps("<img src=x onerror=alert(1)> [click](javascript:alert(1)) @tran2021"))
    assert cli("build", "-C", str(small)).exit_code == 0
    report = (small / "output" / "review.changes.md").read_text()
    html = pandoc.run(["-f", "markdown", "-t", "html", "--wrap=none"], report.encode()).decode()
    assert "<img" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, html


def test_a_template_cannot_change_the_phrase_book(small):
    (small / "templates").mkdir()
    (small / "templates" / "evil.md.j2").write_text('{% set _ = words.update({"references": "HACKED"}) %}x\n')
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: evil.md.j2")
    with pytest.raises(SynthdocError):
        build(load_project(small / "synthdoc.yaml"))
    assert phrases("en")["references"] == "References"


# --- 3. a build is a transaction ----------------------------------------------------------------------

@pytest.fixture
def built(small) -> Path:
    """The small project built to HTML and DOCX once, with a claim then edited (so all outputs rebuild)."""
    edit(small / "synthdoc.yaml", "formats: [html]", "formats: [html, docx]")
    assert cli("build", "-C", str(small)).exit_code == 0
    edit(small / "sources" / "smith2020.yaml", "Debts bind workers", "Debts tie workers")
    return small


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "output").iterdir())}


def test_one_failing_format_replaces_no_output(built, monkeypatch):
    edit(built / "synthdoc.yaml", "formats: [html, docx]", "formats: [html, docx, pdf]")
    before = outputs(built)
    real = pandoc.ast_to_bytes
    rejected = b'#panic("unknown language")'  # typst rejects what it is given (a language, a font)
    monkeypatch.setattr(pandoc, "ast_to_bytes",
                        lambda ast, fmt, **kw: rejected if fmt == "typst" else real(ast, fmt, **kw))
    result = cli("build", "-C", str(built))
    assert result.exit_code == 1 and "[typst-failed]" in result.output
    assert outputs(built) == before


def test_a_manifest_that_cannot_be_written_replaces_no_output(built):
    before = outputs(built)
    (built / ".synthdoc" / "manifest.json").unlink()
    (built / ".synthdoc" / "manifest.json").mkdir()
    result = cli("build", "-C", str(built))
    assert result.exit_code == 1 and "output-unwritable" in result.output
    assert outputs(built) == before


def test_an_unreadable_sources_folder_is_an_error_not_an_empty_chapter(built, monkeypatch):
    before = outputs(built)
    real = os.scandir

    def scandir(path="."):
        if Path(path) == built / "sources":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("build", "-C", str(built))
    assert result.exit_code == 1 and "Permission denied" in result.output
    assert outputs(built) == before


def fake_pandoc(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-pandoc"
    path.write_text(f"#!/bin/sh\n{script}\nexec {pandoc.pandoc_binary()} \"$@\"\n")
    path.chmod(0o755)
    return str(path)


@POSIX
def test_a_pandoc_that_prints_nonsense_makes_no_docx(built, tmp_path, monkeypatch):
    before = outputs(built)
    fake = fake_pandoc(tmp_path, 'for a in "$@"; do [ "$a" = docx ] && { echo "{}"; exit 0; }; done')
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: fake)
    result = cli("build", "-C", str(built))
    assert result.exit_code == 1 and "[output-invalid]" in result.output
    assert outputs(built) == before


# --- 4. time limits -----------------------------------------------------------------------------------

@POSIX
def test_a_hanging_pandoc_is_stopped(small, tmp_path, monkeypatch):
    fake = fake_pandoc(tmp_path, 'for a in "$@"; do [ "$a" = html5 ] && sleep 20; done')
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: fake)
    monkeypatch.setattr(pandoc, "TIMEOUT", 1.0, raising=False)
    t0 = time.monotonic()
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[pandoc-timeout]" in result.output
    assert time.monotonic() - t0 < 15


def test_a_typst_that_never_finishes_is_stopped(small, monkeypatch):
    edit(small / "synthdoc.yaml", "formats: [html]", "formats: [pdf]")
    real = pandoc.ast_to_bytes
    endless = b"#let s = 0\n#for i in range(100000000) { s += i }\n#s\n"  # about two minutes
    monkeypatch.setattr(pandoc, "ast_to_bytes",
                        lambda ast, fmt, **kw: endless if fmt == "typst" else real(ast, fmt, **kw))
    monkeypatch.setattr(pandoc, "TIMEOUT", 2.0, raising=False)
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[typst-timeout]" in result.output


TEMPLATES = {
    "includes itself": ('{% include "t.md.j2" %}', "template-error"),
    "extends itself": ('{% extends "t.md.j2" %}', "template-error"),
    "imports itself": ('{% import "t.md.j2" as t %}x', "template-error"),
    "recursive macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "template-error"),
    "range(10**9)": ("{% for i in range(10**9) %}x{% endfor %}", "template-error"),
    "huge repetition": ('{{ "x" * 2000000 }}', "template-error"),
    "huge power": ("{{ 7 ** 100000000 }}", "template-error"),
    "billion iterations": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                           "template-timeout"),
}


@pytest.mark.parametrize("case", list(TEMPLATES))
def test_templates_have_limits(small, monkeypatch, case):
    import synthdoc.render.templating

    monkeypatch.setattr(synthdoc.render.templating, "RENDER_SECONDS", 2.0, raising=False)
    body, code = TEMPLATES[case]
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text(body)
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and f"[{code}]" in result.output and "templates/t.md.j2:" in result.output


def test_a_template_that_runs_out_of_time_is_run_once_per_build(small, monkeypatch):
    """The build plans (and starts pandoc on) the documents before the check: a template that is stopped
    after the time limit is not run a second time by the check, so the writer waits the limit once."""
    import synthdoc.render.document
    import synthdoc.render.templating

    monkeypatch.setattr(synthdoc.render.templating, "RENDER_SECONDS", 1.0, raising=False)
    runs: list[str] = []
    real = synthdoc.render.document.render
    monkeypatch.setattr(synthdoc.render.document, "render",
                        lambda name, *a, **k: runs.append(name) or real(name, *a, **k))
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text(TEMPLATES["billion iterations"][0])
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[template-timeout]" in result.output
    assert runs.count("t.md.j2") == 1


# --- 5. no traceback, no exit 3 -----------------------------------------------------------------------

CSL_JSON = {
    "not a list of objects": b'[1, 2, "three"]',
    "truncated": b'[{"id": "smith2020", "type": "book"',
    "empty": b"",
    "deeply nested": b"[" * 100_000,
    "not UTF-8": b'[{"id": "smith2020", "title": "\xff\xfe"}]',
}


@pytest.mark.parametrize("case", list(CSL_JSON))
def test_broken_csl_json_is_a_diagnostic(small, case):
    (small / "bibliography.json").write_bytes(CSL_JSON[case])
    edit(small / "synthdoc.yaml", "style: apa", "style: apa\nbibliography: bibliography.json")
    result = cli("check", "-C", str(small))
    assert result.exit_code == 1 and re.search(r"bibliography.json:\d+:\d+: error: .*\[(bibliography-\w+|encoding)\]",
                                               result.output), result.output


def test_a_non_utf8_template_and_a_nul_in_a_path_are_diagnostics(small):
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_bytes(b"# Title\n\n\xff\xfe\n")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "templates/t.md.j2:3:1: error:" in result.output
    edit(small / "sources" / "smith2020.yaml", "text: smith2020.md", 'text: "smith\\0.md"')
    assert "path-outside" in codes(small)


def test_yaml_nested_5000_deep_on_the_no_op_path(small):
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text() + "x: " + "[" * 5000 + "]" * 5000 + "\n")
    done = subprocess.run([str(SYNTHDOC), "build"], cwd=small, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "[yaml-too-large]" in done.stderr


@POSIX
def test_a_file_name_that_is_not_utf8_under_sources(small):
    name = os.fsdecode(b"notes-\xff.yaml")
    (small / "sources" / name).write_text("source: smith2020\nclaims: []\n")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "notes-\ufffd.yaml" in result.output and "[duplicate-source]" in result.output
    (small / "sources" / name).unlink()
    (small / "sources" / os.fsdecode(b"scan-\xff.pdf")).write_bytes(b"%PDF-1.4")
    assert cli("build", "-C", str(small)).exit_code == 0
    assert cli("build", "-C", str(small)).exit_code == 0


def test_an_unusable_work_folder_or_lock_is_a_diagnostic(small):
    (small / ".synthdoc").write_text("not a folder")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[work-dir]" in result.output
    (small / ".synthdoc").unlink()
    (small / ".synthdoc").mkdir()
    (small / ".synthdoc" / "build.lock").mkdir()
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[work-dir]" in result.output


def test_an_unreadable_template_is_a_diagnostic(small, monkeypatch):
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text("x\n")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    real_open, real_io = os.open, open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("t.md.j2"):
            raise PermissionError(13, "Permission denied", str(path))
        return (real_open if isinstance(args[0] if args else 0, int) and not kwargs else real_io)(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", lambda path, *a, **k: refuse(path, *a, **k) if str(path).endswith("t.md.j2")
                        else real_open(path, *a, **k))
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: refuse(path) if str(path).endswith("t.md.j2")
                        else real_io(path, *a, **k))
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "Permission denied" in result.output and "t.md.j2" in result.output


@pytest.mark.parametrize("style", ['<style xmlns="http://purl.org/net/xbiblio/csl"/>', "<style"])
def test_a_malformed_style_in_cite_is_a_diagnostic(small, style):
    (small / "bad.csl").write_text(style)
    result = cli("cite", "smith2020", "--style", "bad.csl", "-C", str(small))
    assert result.exit_code == 1 and "bad.csl" in result.output


def test_a_port_out_of_range_is_a_usage_error(small):
    result = cli("watch", "--serve", "--port", "99999", "-C", str(small))
    assert result.exit_code == 2 and "65535" in result.output


def test_watch_survives_a_template_mistake(small, capsys):
    from synthdoc.build.watching import watch

    (small / "templates").mkdir()
    template = small / "templates" / "t.md.j2"
    template.write_text("# Fine\n")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")

    def changes():
        template.write_text("{% for i in range(10**9) %}x{% endfor %}")
        yield {("modified", str(template))}
        template.write_text("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
        yield {("modified", str(template))}

    watch(small / "synthdoc.yaml", changes=changes())
    err = capsys.readouterr().err
    assert err.count("still watching") == 2 and err.rstrip().endswith("stopped watching")


@POSIX
def test_serve_answers_only_for_regular_outputs_on_its_own_host(tmp_path, monkeypatch, capsys):
    import synthdoc.build.watching as watching

    monkeypatch.setattr(watching, "IDLE_SECONDS", 1, raising=False)
    output = tmp_path / "output"
    output.mkdir()
    (output / "review.html").write_text("<html><body>review</body></html>")
    (output / "etc.html").symlink_to("/etc/passwd")
    (output / "etc").symlink_to("/etc")
    server = watching._Server(output, 0)
    host, port = server.httpd.server_address[:2]
    try:
        def get(path: str, headers: dict | None = None) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()

        assert get("/review.html")[0] == 200
        for path in ("/etc.html", "/etc/passwd", "/%00", "/review.html%00.txt", "/../output/review.html"):
            status, body = get(path)
            assert status == 404 and b"root:" not in body, path
        assert get("/review.html", {"Host": "evil.example"})[0] == 421  # DNS rebinding
        idle = socket.create_connection((host, port))
        idle.settimeout(10)
        assert idle.recv(100) == b""  # closed by the server, not held open forever
        idle.close()
        broken = socket.create_connection((host, port))
        broken.sendall(f"GET /review.html HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        broken.close()
        time.sleep(0.3)
    finally:
        server.close()
    assert "Traceback" not in capsys.readouterr().err


# --- 6. cost ------------------------------------------------------------------------------------------

def test_a_no_op_build_reads_only_input_files(small, monkeypatch):
    from synthdoc.build import quickcheck

    assert cli("build", "-C", str(small)).exit_code == 0
    (small / "sources" / "scan-nobody-cites.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 1_000_000)
    opened: list[str] = []
    real_open, real_io = os.open, open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(str(path)) or real_open(path, *a, **k))
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: opened.append(str(path)) or real_io(path, *a, **k))
    project_ = load_project(small / "synthdoc.yaml")
    state = quickcheck.recorded(project_)
    assert quickcheck.inputs_digest(project_, (), quickcheck.snapshot(project_, state.texts)) is not None
    assert any(p.endswith("smith2020.md") for p in opened)  # a source text a claims file names
    assert not any("scan-nobody-cites" in p for p in opened)


def test_a_yaml_alias_bomb_by_size_is_refused(small):
    big = "x" * 1_000_000
    aliases = ", ".join(["*a"] * 2000)
    (small / "sources" / "bomb.yaml").write_text(f"source: smith2020\nnote: &a {big}\nmore: [{aliases}]\n")
    assert "yaml-too-large" in codes(small)


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_pandoc_reads_no_file_a_template_names(small, tmp_path, fmt):
    import base64

    picture = tmp_path / "outside.png"  # a 1×1 PNG outside the project
    picture.write_bytes(base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text(f"# Title\n\n![leak]({picture})\n")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    edit(small / "synthdoc.yaml", "formats: [html]", f"formats: [{fmt}]")
    assert cli("build", "-C", str(small)).exit_code == 0
    if fmt == "docx":
        with zipfile.ZipFile(small / "output" / "review.docx") as docx:
            assert not [n for n in docx.namelist() if n.startswith("word/media/")]
    else:
        assert "data:image" not in (small / "output" / "review.html").read_text()


# --- 7. docs/security.md: each statement names its tests ----------------------------------------------

def test_every_statement_of_the_security_page_has_a_test():
    page = (Path(__file__).parent.parent / "docs" / "security.md").read_text()
    statements = [line for line in page.splitlines() if line.startswith("- ")]
    assert len(statements) >= 30
    for line in statements:
        m = re.search(r"<!-- tests: (.+?) -->$", line)
        assert m, f"no test named for: {line[:80]}"
        for ref in m.group(1).split():
            module, _, name = ref.partition("::")
            source = (Path(__file__).parent / module).read_text()
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{ref} does not exist"


@pytest.mark.parametrize("block", ["css: http://evil.example/x.css", "citation-abbreviations: /etc/hostname"])
def test_a_template_cannot_write_pandoc_metadata(small, block):
    (small / "templates").mkdir()
    (small / "templates" / "t.md.j2").write_text(f"# Title\n\nText.\n\n---\n{block}\n---\n\nMore.\n\n---\n\nA rule.\n")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: t.md.j2")
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "[template-metadata]" in result.output
    (small / "templates" / "t.md.j2").write_text("# Title\n\nText.\n\n---\n\nA rule, with a blank line below it.\n")
    assert cli("build", "-C", str(small)).exit_code == 0
    assert "<hr" in (small / "output" / "review.html").read_text()
