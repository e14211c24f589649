"""Hostile paths, state and faults (issue #30, the second pass): links that lead writes out of the project,
links that lead reads into devices, a build's version recorded before it was built, templates that change
what the next one sees or escape their limit, an import that is no transaction, a watch that says
"unchanged" too early.

Each case was an attack or a fault that worked. Each now ends in a diagnostic naming the file (and its line
where it has one), exit 1, within the time and memory stated here (docs/security.md lists them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import filling_disk, small_files, write_project
from synthdoc.cli import app
from test_hostile_surfaces import MEGABYTES, SECONDS, child
from test_import import project as import_project
from test_import import sheet_rows, smith_pdf, write_csv

runner = CliRunner()
# A child process that reads /dev/zero into memory fails at this address-space limit rather than the machine's.
ONE_GB = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))"
POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs and devices as on POSIX")


def cli(*args: str):
    """``synthdoc ARGS`` in process; an exception other than an exit is a crash (exit 3 or a traceback)."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 3 and "Traceback" not in result.output, result.output
    return result


def refused(out: str, code: str, where: str) -> bool:
    """A diagnostic ``path:line:col: error: … [code]`` whose path names ``where``, and no traceback."""
    return (re.search(rf"^{re.escape(where)}\S*:\d+:\d+: error: .*\[{code}\]$", out, re.M) is not None
            and "Traceback" not in out and "internal error" not in out)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 15. a linked schemas/, .synthdoc or .synthdoc/snapshots gets nothing written ----------------------

@POSIX
def test_a_linked_schemas_folder_gets_no_schema_written(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = import_project(tmp_path / "p")
    (root / "schemas").symlink_to(outside, target_is_directory=True)
    sheet = write_csv(tmp_path / "extraction.csv", sheet_rows())
    before = tree(root / "sources")

    result = cli("import", str(sheet), "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "path-outside", "schemas"), result.output
    assert tree(root / "sources") == before  # the claims file is not written either

    result = cli("schema", "--write", "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "path-outside", "schemas"), result.output
    assert list(outside.iterdir()) == []


@POSIX
@pytest.mark.parametrize("linked", [".synthdoc", ".synthdoc/snapshots"])
def test_a_linked_work_folder_gets_no_snapshot_written(tmp_path, linked):
    root = write_project(tmp_path / "p", small_files())
    assert cli("build", "-C", str(root)).exit_code == 0
    outside = tmp_path / "elsewhere"
    if linked == ".synthdoc":
        (root / ".synthdoc").rename(outside)
    else:
        outside.mkdir()
    (root / linked).symlink_to(outside, target_is_directory=True)
    before = tree(outside)

    result = cli("snapshot", "sent", "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "work-dir", ".synthdoc"), result.output
    assert tree(outside) == before and not list(outside.rglob("sent.json"))
    result = cli("redline", "review", "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "work-dir", ".synthdoc"), result.output


@POSIX
def test_import_keeps_its_bibliography_cache_inside_the_project(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = import_project(tmp_path / "p")
    (root / ".synthdoc").symlink_to(outside, target_is_directory=True)
    sheet = write_csv(tmp_path / "extraction.csv", sheet_rows())
    result = cli("import", str(sheet), "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "work-dir", ".synthdoc"), result.output
    assert list(outside.iterdir()) == []


# --- 16. links into devices, pipes and loops ------------------------------------------------------------

@pytest.fixture(scope="module")
def highlighted(tmp_path_factory) -> Path:
    """smith2020's PDF with two highlights, outside any project (as a download folder holds it)."""
    path = tmp_path_factory.mktemp("inbox") / "smith2020.pdf"
    path.write_bytes(smith_pdf())
    return path


@POSIX
@pytest.mark.parametrize("what", ["dev-zero", "fifo", "loop"])
def test_import_reads_no_device_pipe_or_loop_standing_at_the_pdf_place(tmp_path, highlighted, what):
    """``import`` copies a PDF to ``sources/<key>.pdf`` unless the same file stands there: what stands there
    is read only as an input (inside the project, a regular file), never /dev/zero through a link, never a
    FIFO waited on for ever."""
    root = import_project(tmp_path / "p")
    place = root / "sources" / "smith2020.pdf"
    if what == "dev-zero":
        place.symlink_to("/dev/zero")
    elif what == "fifo":
        os.mkfifo(place)
    else:
        place.symlink_to(place.name)
    code, out, took, peak = child(["import", str(highlighted)], root, ONE_GB, timeout=60)
    assert code == 1 and refused(out, "path-outside|file-special|file-unreadable", "sources/smith2020.pdf"), out
    assert took < SECONDS and peak < MEGABYTES, (took, peak)
    assert not (root / "sources" / "smith2020.yaml").exists()


@POSIX
def test_a_link_pointing_at_itself_is_a_diagnostic(tmp_path):
    """A claims file, a template folder or a reviewed DOCX that is a link to itself: an error naming it, for
    check, build and review alike (Path.resolve raised RuntimeError on it, exit 3)."""
    root = write_project(tmp_path / "p", small_files())
    loop = root / "sources" / "loop.yaml"
    loop.symlink_to(loop.name)
    for command in ("check", "build"):
        result = cli(command, "-C", str(root))
        assert result.exit_code == 1 and refused(result.output, "file-unreadable", "sources/loop.yaml"), result.output
    loop.unlink()
    assert cli("build", "-C", str(root)).exit_code == 0
    (root / "templates").symlink_to("templates")  # never the built-in template in place of the project's
    result = cli("build", "--force", "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "file-unreadable", "templates/"), result.output
    (root / "templates").unlink()
    (root / "sent.docx").symlink_to("sent.docx")
    result = cli("review", str(root / "sent.docx"), "-C", str(root))
    assert result.exit_code == 1 and refused(result.output, "file-unreadable", ""), result.output
    assert "sent.docx" in result.output


@POSIX
def test_watch_survives_a_link_pointing_at_itself_anywhere(tmp_path, capsys):
    """``watch`` is told of every file that appears under the project, node_modules/ included: a link that
    points at itself is left out or reported, never the end of the watch."""
    from synthdoc.build.watching import describe, watch, watch_filter

    root = write_project(tmp_path / "p", small_files())
    (root / "node_modules").mkdir()
    ignored = root / "node_modules" / "x"
    ignored.symlink_to("x")
    loop = root / "sources" / "loop.yaml"
    loop.symlink_to(loop.name)
    accept = watch_filter(root, root / "output")
    assert not accept("added", str(ignored))
    assert accept("added", str(loop))
    assert describe({("added", str(ignored)), ("added", str(loop))}, root) == "node_modules/x, sources/loop.yaml"

    def changes():
        yield {("added", str(loop))}
        loop.unlink()
        yield {("deleted", str(loop))}
        raise KeyboardInterrupt

    watch(root / "synthdoc.yaml", changes=changes())
    err = capsys.readouterr().err
    assert "sources/loop.yaml:1:1: error:" in err and "still watching" in err
    assert err.rstrip().endswith("stopped watching")


# --- 17. a build that failed or was killed records no version -------------------------------------------

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def sent(tmp_path) -> Path:
    """The small project built to HTML and DOCX; its claim then reworded (the next build's text)."""
    root = write_project(tmp_path / "p", small_files("html, docx"))
    assert cli("build", "-C", str(root)).exit_code == 0
    edit(root / "sources" / "smith2020.yaml", "Debts bind workers to employers.", "Debts never bind anyone.")
    return root


def versions_kept(root: Path) -> dict[str, bytes]:
    return tree(root / ".synthdoc" / "versions")


def test_a_failed_build_records_no_version(sent, monkeypatch, capsys):
    """In ``watch``, the HTML preview of the rebuild is written and then its DOCX fails: the record of what was
    built does not change, so ``redline`` cannot show the reworded claim as built and ``snapshot`` cannot
    name it as sent."""
    from synthdoc.build.watching import rebuild
    from synthdoc.core import pandoc

    before = versions_kept(sent)
    real = pandoc.ast_to_bytes
    monkeypatch.setattr(pandoc, "ast_to_bytes",
                        lambda ast, fmt, **kw: b"not a docx" if fmt == "docx" else real(ast, fmt, **kw))
    assert not rebuild(sent / "synthdoc.yaml", ())
    assert "[output-invalid]" in capsys.readouterr().err
    assert versions_kept(sent) == before
    result = cli("redline", "review", "-C", str(sent))
    assert result.exit_code == 1 and refused(result.output, "redline-no-previous", "synthdoc.yaml"), result.output
    assert cli("snapshot", "sent", "-C", str(sent)).exit_code == 0
    monkeypatch.undo()
    assert cli("build", "-C", str(sent)).exit_code == 0
    result = cli("redline", "review", "--since", "sent", "-C", str(sent))
    assert result.exit_code == 0 and "since snapshot 'sent'" in result.output, result.output


def test_a_build_killed_before_its_outputs_are_in_place_records_no_version(sent, monkeypatch):
    """Killed after every output was made and before they were renamed into place (KeyboardInterrupt stands
    for the kill): the version is not recorded, and the next build records it."""
    from synthdoc.build import pipeline

    before = versions_kept(sent)
    real = pipeline.put_in_place

    def killed(files, root, journal=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "put_in_place", killed)
    result = runner.invoke(app, ["build", "-C", str(sent)])
    assert isinstance(result.exception, KeyboardInterrupt | SystemExit)
    assert versions_kept(sent) == before
    monkeypatch.setattr(pipeline, "put_in_place", real)
    assert cli("build", "-C", str(sent)).exit_code == 0
    assert versions_kept(sent) != before
    assert cli("redline", "review", "-C", str(sent)).exit_code == 0


# --- 18. a template cannot change what the next template sees --------------------------------------------

EVIL_DOCUMENT = """
  - id: evil
    template: evil.md.j2
    title: First
    formats: [html]
"""


@pytest.mark.parametrize("field", ["says", "short", "translation"])
def test_a_template_cannot_rewrite_the_claims_for_later_documents(tmp_path, capsys, field):
    """A first document's template that updates a claim's ``says``, ``short`` or ``translation`` (dicts it
    receives) is stopped at its line; the next document, and the next rebuild in ``watch`` once the template
    is fixed, print the claims as written."""
    from synthdoc.build.watching import rebuild

    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("documents:\n", "documents:\n" + EVIL_DOCUMENT)
    files["templates/evil.md.j2"] = (
        "# Evil\n\n{% for c in claims %}{% set _ = c.claim." + field + '.update({"en": "HACKED"}) %}'
        "{% endfor %}Nothing.\n")
    root = write_project(tmp_path / "p", files)
    config = root / "synthdoc.yaml"
    assert not rebuild(config, ())
    err = capsys.readouterr().err
    assert re.search(r"^templates/evil\.md\.j2:3:\d+: error: .*\[template-error\]$", err, re.M), err
    (root / "templates" / "evil.md.j2").write_text("# Evil, fixed\n\nNothing.\n")
    assert rebuild(config, ())
    page = (root / "output" / "review.html").read_text()
    assert "HACKED" not in page, page
    assert "Debts bind workers to employers" in page


# --- 19. a template's one C call stays within the limit ----------------------------------------------

SHARED = "{% set ns = namespace(a=[0], b=[0]) %}\n{% for i in range(64) %}{% set ns.a = [ns.a, ns.a] %}" \
         "{% set ns.b = [ns.b, ns.b] %}{% endfor %}\n"


@pytest.mark.parametrize("use", ["{{ ns.a == ns.b }}", "{{ [ns.b, ns.a] | sort | length }}", "{{ ns.a }}",
                                 "{{ ns.a in [ns.b] }}", "{{ ns.a | tojson | length }}",
                                 "{% set t = namespace(x=(0,)) %}{% for i in range(64) %}{% set t.x = (t.x, t.x) %}"
                                 "{% endfor %}{{ {t.x: 1} | length }}"])
def test_a_template_cannot_compare_sort_or_print_a_list_shared_without_end(tmp_path, use):
    """Lists made of two references to the list before, 64 times: a few hundred bytes, but 2^64 items once
    compared, sorted, hashed or printed, which Python does in one C call that no time limit interrupts (the
    build ran past its 120 s). The template is stopped where it uses such a list, at its line."""
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2", "template: shared.md.j2")
    files["templates/shared.md.j2"] = "# Shared\n\n" + SHARED + use + "\n"
    root = write_project(tmp_path / "p", files)
    setup = ONE_GB + "; import synthdoc.render.templating as t; t.RENDER_SECONDS = 5"
    code, out, took, peak = child(["build"], root, setup, timeout=60)
    assert code == 1 and refused(out, "template-error", "templates/shared.md.j2"), out
    assert "templates/shared.md.j2:5:1: error:" in out
    assert took < SECONDS and peak < MEGABYTES, (took, peak)


# --- 20. an import is a transaction, and linear in the rows of a sheet ---------------------------------------

def two_source_sheet(path: Path, rows: int = 1) -> Path:
    """New claims for both sources of the small project (whose claims files exist)."""
    lines = [["source", "kind", "themes", "says_en", "quote", "page"]]
    for i in range(rows):
        lines += [["smith2020", "finding", "labour", f"Recruiters promise, {i}.", f"Recruiters promise jobs {i}", "1"],
                  ["tran2021", "finding", "law", f"Brokers arrange, {i}.", f"Brokers at the border {i}", "2"]]
    return write_csv(path, lines)


def test_an_import_on_a_filling_disk_changes_no_file(tmp_path, monkeypatch):
    """The disk fills after the first claims file was written: neither claims file changes, no temporary file
    stays, and "nothing was written" is true."""
    root = write_project(tmp_path / "p", small_files())
    sheet = two_source_sheet(tmp_path / "rows.csv")
    assert cli("import", "--dry-run", str(sheet), "-C", str(root)).exit_code == 0  # the bibliography's cache
    before = tree(root)
    filling_disk(monkeypatch, writes_allowed=1)
    result = cli("import", str(sheet), "-C", str(root))
    assert result.exit_code == 1 and "No space left on device" in result.output, result.output
    assert refused(result.output, "output-unwritable", "sources/"), result.output
    assert "nothing was written" in result.output
    assert tree(root) == before  # no claims file replaced, no temporary file left
    monkeypatch.undo()
    assert cli("import", str(sheet), "-C", str(root)).exit_code == 0
    assert tree(root) != before


def test_a_sheet_import_is_linear_in_its_rows(tmp_path):
    """4,000 rows (2,000 per source) took 33 s, 8,000 more than 120 s: each row asked the claims file again
    for all its ids, origins and quotes."""
    root = write_project(tmp_path / "p", small_files())
    sheet = two_source_sheet(tmp_path / "rows.csv", rows=2000)
    code, out, took, peak = child(["import", str(sheet)], root, timeout=60)
    assert code == 0 and "4000 new claims" in out, out
    assert took < SECONDS and peak < MEGABYTES, (took, peak)


# --- 21. watch says what a failed rebuild changed ---------------------------------------------------------

def test_watch_says_the_preview_was_replaced_when_a_later_format_fails(sent, monkeypatch, capsys):
    """The HTML preview of a rebuild is put in place at once; when the DOCX then fails, the message says the
    preview shows the new text and the other outputs are unchanged, not that all outputs are."""
    from synthdoc.build.watching import rebuild
    from synthdoc.core import pandoc

    docx = (sent / "output" / "review.docx").read_bytes()
    real = pandoc.ast_to_bytes
    monkeypatch.setattr(pandoc, "ast_to_bytes",
                        lambda ast, fmt, **kw: b"not a docx" if fmt == "docx" else real(ast, fmt, **kw))
    assert not rebuild(sent / "synthdoc.yaml", ())
    err = capsys.readouterr().err
    assert "Debts never bind anyone" in (sent / "output" / "review.html").read_text()
    assert (sent / "output" / "review.docx").read_bytes() == docx
    assert "previous outputs are unchanged" not in err, err
    assert "output/review.html was replaced by the new preview; the other outputs are unchanged" in err, err


def test_a_build_killed_between_two_renames_is_completed_by_the_next(tmp_path):
    """Killed after it put the new HTML in place and before the DOCX: the next build, even one that stops at an
    error in the project, first completes the renames, so the outputs are never a new HTML beside an old DOCX."""
    import subprocess
    import sys
    import zipfile

    root = write_project(tmp_path / "p", small_files("docx, html"))
    config = root / "synthdoc.yaml"
    assert cli("build", "-C", str(root)).exit_code == 0
    config.write_text(config.read_text(encoding="utf-8").replace("A small review", "A renamed review"),
                      encoding="utf-8")
    kill = ("import os, sys\nreal = os.replace\nseen = []\n"
            "def replace(src, dst, *a, **k):\n"
            "    if os.path.basename(os.path.dirname(str(dst))) == 'output':\n"
            "        seen.append(dst)\n"
            "        if len(seen) == 2:\n"
            "            os._exit(9)\n"
            "    return real(src, dst, *a, **k)\n"
            "os.replace = replace\n"
            "from synthdoc.cli import main\nsys.argv = ['synthdoc', 'build']\nmain()\n")
    done = subprocess.run([sys.executable, "-c", kill], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 9, done.stderr[-2000:]

    def renamed() -> dict[str, bool]:
        html = (root / "output" / "review.html").read_text(encoding="utf-8")
        with zipfile.ZipFile(root / "output" / "review.docx") as archive:
            docx = archive.read("word/document.xml").decode("utf-8")
        return {"html": "A renamed review" in html, "docx": "A renamed review" in docx}

    assert sorted(renamed().values()) == [False, True]  # killed between the two renames
    claims = root / "sources" / "smith2020.yaml"  # a claim now names a theme the project does not have
    claims.write_text(claims.read_text(encoding="utf-8").replace("themes: [labour]", "themes: [nope]", 1),
                      encoding="utf-8")
    failed = cli("build", "-C", str(root))
    assert failed.exit_code == 1
    assert renamed() == {"html": True, "docx": True}
    assert not list((root / "output").glob(".*.tmp")) and not (root / ".synthdoc" / "renames.json").exists()


def test_a_renames_journal_cannot_move_files_out_of_the_project(tmp_path):
    """The journal is a project file: one that names a file outside, or no temporary file of synthdoc's, is
    ignored and removed."""
    root = write_project(tmp_path / "p", small_files())
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    (root / "output").mkdir(exist_ok=True)
    (root / "output" / "victim.html").write_text("mine", encoding="utf-8")
    (root / ".synthdoc").mkdir(exist_ok=True)
    journal = root / ".synthdoc" / "renames.json"
    journal.write_text('[["../outside.txt", "output/victim.html"], ["output/victim.html", "../x.txt"], 7]',
                       encoding="utf-8")
    assert cli("build", "-C", str(root)).exit_code == 0
    assert outside.read_text(encoding="utf-8") == "keep" and not (tmp_path / "x.txt").exists()
    assert not journal.exists()
