"""A build's pandoc work on its documents (pandoc reading the Markdown, citeproc rendering the citations)
runs while the project is checked, on a second core: and yet a check that fails writes nothing, says
only what the check found, and only the documents to be rebuilt are read at all."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import small_files, write_project
from synthdoc.build import pipeline
from synthdoc.cli import app
from synthdoc.core import pandoc
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project

runner = CliRunner()
# How long the slowed check waits for citeproc to start beside it (on the old, serial build it never does).
PATIENCE = 20.0


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output, result.output
    return result


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "output").iterdir())}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Recorder:
    """The build's check, slowed until citeproc has run beside it (or ``PATIENCE`` passed), and its
    citeproc runs, in the order they happened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, patience: float = PATIENCE) -> None:
        self.events: list[str] = []
        self.cited = threading.Event()
        real_check, real_cite = pipeline.check, pipeline.read_cited

        def slow_check(inputs, *args):
            self.events.append("check starts")
            self.cited.wait(patience)
            self.events.append("check ends")
            return real_check(inputs, *args)

        def cite(markdown, **kwargs):
            self.events.append(f"citeproc {kwargs['what']}")
            try:
                return real_cite(markdown, **kwargs)
            finally:
                self.cited.set()

        monkeypatch.setattr(pipeline, "check", slow_check)
        monkeypatch.setattr(pipeline, "read_cited", cite)

    def again(self) -> None:
        """Forget what was recorded: for the next build."""
        self.events.clear()
        self.cited.clear()

    def citeproc_runs(self) -> list[str]:
        return [e for e in self.events if e.startswith("citeproc")]

    def during_check(self) -> list[str]:
        """The citeproc runs that started before the check ended."""
        return [e for e in self.events[:self.events.index("check ends")] if e.startswith("citeproc")]


def test_citeproc_runs_while_the_check_does(small, monkeypatch):
    seen = Recorder(monkeypatch)
    result = pipeline.build(load_project(small / "synthdoc.yaml"))
    assert seen.during_check() == seen.citeproc_runs() == ["citeproc document 'review'"]
    assert [o.path.name for o in result.outputs] == ["review.html"]
    assert (small / "output" / "review.html").is_file()


def test_a_check_error_wins_over_a_pandoc_failure_beside_it_and_nothing_is_written(small, monkeypatch):
    assert cli("build", "-C", str(small)).exit_code == 0
    before = outputs(small)
    # The quote no longer stands in its source (a check error), and pandoc cannot run (its own failure).
    edit(small / "sources" / "smith2020.yaml", "Debts tie workers to their employers for years.",
         "Debts tie workers to their employers for decades.")
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: str(small / "no-such-pandoc"))
    seen = Recorder(monkeypatch)
    result = cli("build", "-C", str(small))
    assert seen.during_check() == ["citeproc document 'review'"]  # it ran, and failed, during the check
    assert result.exit_code == 1
    assert "sources/smith2020.yaml:" in result.output and "[quote-not-found]" in result.output
    assert "pandoc-failed" not in result.output and "no-such-pandoc" not in result.output
    assert outputs(small) == before


def test_a_pandoc_failure_is_reported_once_the_check_passes(small, monkeypatch):
    assert cli("build", "-C", str(small)).exit_code == 0
    before = outputs(small)
    edit(small / "sources" / "smith2020.yaml", "Debts bind workers", "Debts hold workers")  # to be rebuilt
    monkeypatch.setattr(pandoc, "pandoc_binary", lambda: str(small / "no-such-pandoc"))
    seen = Recorder(monkeypatch)
    with pytest.raises(SynthdocError) as info:
        pipeline.build(load_project(small / "synthdoc.yaml"))
    assert seen.during_check() == ["citeproc document 'review'"]
    assert [d.code for d in info.value.diagnostics] == ["pandoc-failed"]
    assert outputs(small) == before


def test_warnings_under_strict_stop_the_build_with_pandoc_beside_it(small, monkeypatch):
    assert cli("build", "-C", str(small)).exit_code == 0
    before = outputs(small)
    edit(small / "sources" / "smith2020.yaml", "Debts bind workers", "Debts hold workers")
    with (small / "bibliography.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@book{nobody2019,\n  author = {Nobody, Ann},\n  title = {Never Cited},\n  year = {2019},\n"
                  "  publisher = {Example Press},\n}\n")
    seen = Recorder(monkeypatch)
    result = cli("build", "--strict", "-C", str(small))
    assert result.exit_code == 1 and "[uncited-entry]" in result.output and "bibliography.bib:" in result.output
    assert seen.during_check() == ["citeproc document 'review'"]
    assert outputs(small) == before


def test_only_the_documents_to_rebuild_are_read(tmp_path, monkeypatch):
    files = small_files()
    files["synthdoc.yaml"] += ("  - id: brief\n    template: synthesis.md.j2\n    title: A brief\n"
                               "    formats: [html]\n")
    root = write_project(tmp_path / "two", files)
    pipeline.build(load_project(root / "synthdoc.yaml"))
    seen = Recorder(monkeypatch)
    seen.cited.set()  # a check that waits for nothing
    result = pipeline.build(load_project(root / "synthdoc.yaml"))
    assert seen.citeproc_runs() == [] and result.outputs == ()
    edit(root / "synthdoc.yaml", "title: A brief", "title: A shorter brief")
    result = pipeline.build(load_project(root / "synthdoc.yaml"))
    assert seen.citeproc_runs() == ["citeproc document 'brief'"]
    assert [o.path.name for o in result.outputs] == ["brief.html"]
    result = pipeline.build(load_project(root / "synthdoc.yaml"), ["review"], force=True)
    assert seen.citeproc_runs() == ["citeproc document 'brief'", "citeproc document 'review'"]


def test_a_template_that_fails_is_reported_by_the_check_alone(small, monkeypatch):
    assert cli("build", "-C", str(small)).exit_code == 0
    before = outputs(small)
    (small / "templates").mkdir()
    (small / "templates" / "broken.md.j2").write_text("# Title\n\n{{ nothing.at.all }}\n", encoding="utf-8")
    edit(small / "synthdoc.yaml", "template: synthesis.md.j2", "template: broken.md.j2")
    seen = Recorder(monkeypatch)
    seen.cited.set()
    result = cli("build", "-C", str(small))
    assert result.exit_code == 1 and "templates/broken.md.j2:3" in result.output
    assert seen.citeproc_runs() == []
    assert outputs(small) == before


def test_after_a_failed_check_the_next_build_checks_before_pandoc_starts(small, monkeypatch):
    """A writer fixing errors one build at a time waits for the check alone, not for pandoc beside it."""
    edit(small / "sources" / "smith2020.yaml", "Debts tie workers to their employers for years.",
         "Debts tie workers to their employers for decades.")
    with pytest.raises(SynthdocError):
        pipeline.build(load_project(small / "synthdoc.yaml"))
    seen = Recorder(monkeypatch, patience=2.0)
    with pytest.raises(SynthdocError) as info:  # still wrong: nothing read while it is checked
        pipeline.build(load_project(small / "synthdoc.yaml"))
    assert [d.code for d in info.value.diagnostics if d.severity.value == "error"] == ["quote-not-found"]
    assert seen.citeproc_runs() == []
    edit(small / "sources" / "smith2020.yaml", "for decades.", "for years.")
    seen.again()
    pipeline.build(load_project(small / "synthdoc.yaml"))  # fixed: checked, then read
    assert seen.events == ["check starts", "check ends", "citeproc document 'review'"]
    edit(small / "sources" / "smith2020.yaml", "Debts bind workers", "Debts hold workers")
    seen.again()
    pipeline.build(load_project(small / "synthdoc.yaml"))  # the check passed last time: read beside it
    assert seen.during_check() == ["citeproc document 'review'"]
