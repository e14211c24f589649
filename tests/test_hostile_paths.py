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

from conftest import small_files, write_project
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
