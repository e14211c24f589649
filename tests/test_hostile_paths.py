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
from test_import import project as import_project
from test_import import sheet_rows, write_csv

runner = CliRunner()
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
