"""Rebuilding as inputs change: nothing when nothing changed, exactly the dependents otherwise."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synthdoc.build.pipeline import build
from synthdoc.core import pandoc
from synthdoc.core.project import load_project

BRIEF = """
  - id: recs
    template: policy-brief.md.j2
    title: Recommendations only
    formats: [html]
    select:
      kinds: [recommendation]
"""


@pytest.fixture
def project(small: Path) -> Path:
    config = small / "synthdoc.yaml"
    config.write_text(config.read_text() + BRIEF)
    return small


@pytest.fixture
def pandoc_calls(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = pandoc.run

    def counting(args, *rest, **kw):
        calls.append(args)
        return real(args, *rest, **kw)

    monkeypatch.setattr(pandoc, "run", counting)
    return calls


def run(root: Path, **kw):
    return build(load_project(root / "synthdoc.yaml"), **kw)


def test_nothing_changed_runs_no_pandoc(project, pandoc_calls):
    first = run(project)
    assert len(first.outputs) == 2
    pandoc_calls.clear()
    again = run(project)
    assert again.outputs == () and sorted(again.up_to_date) == [("recs", "html"), ("review", "html")]
    assert [c for c in pandoc_calls if "--version" not in c] == []


def test_changing_a_finding_rebuilds_only_its_dependents(project):
    run(project)
    claims = project / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("Debts bind workers to employers.", "Debts bind workers."))
    result = run(project)
    assert [o.document for o in result.outputs] == ["review"]
    [change] = result.changes
    assert change.changed == ("smith2020/debts",)
    report = (project / "output" / "review.changes.md").read_text()
    assert "smith2020/debts" in report and "[@smith2020, sec. 1.1]" in report


def test_changing_a_recommendation_rebuilds_both(project):
    run(project)
    claims = project / "sources" / "tran2021.yaml"
    claims.write_text(claims.read_text().replace("should license brokers", "should register brokers"))
    assert sorted(o.document for o in run(project).outputs) == ["recs", "review"]


def test_template_change_and_force(project):
    run(project)
    (project / "templates").mkdir()
    mine = "# Mine\n\n{% for c in claims %}- {{ c.sentence }}\n{% endfor %}"
    (project / "templates" / "policy-brief.md.j2").write_text(mine)
    assert [o.document for o in run(project).outputs] == ["recs"]
    assert len(run(project, force=True).outputs) == 2


def test_outputs_made_by_other_code_of_synthdoc_are_made_again(project, monkeypatch):
    """An upgrade (or an edit of an installed synthdoc) that keeps the version string still changes what a
    build writes: the outputs of the old code are not up to date."""
    from synthdoc.build import manifest

    run(project)
    assert run(project).outputs == ()
    monkeypatch.setattr(manifest, "code_identity", lambda: "other code")
    manifest.tool_versions.cache_clear()
    try:
        assert len(run(project).outputs) == 2
    finally:
        manifest.tool_versions.cache_clear()


def test_corrupt_or_missing_record_means_full_rebuild(project):
    run(project)
    (project / ".synthdoc" / "manifest.json").write_text("{not json")
    assert len(run(project).outputs) == 2
    (project / ".synthdoc" / "manifest.json").unlink()
    assert len(run(project).outputs) == 2
    (project / "output" / "review.html").unlink()
    assert [o.document for o in run(project).outputs] == ["review"]


def test_a_killed_build_leaves_previous_outputs_readable(project):
    run(project)
    before = {p.name: p.read_bytes() for p in (project / "output").iterdir()}
    claims = project / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("Debts bind workers to employers.", "Debts bind workers."))
    code = "from synthdoc.cli import main; main()"
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-c", code, "build", "--force"], cwd=project,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for p in (project / "output").iterdir():
            if p.name in before and p.suffix == ".html":
                text = p.read_text()
                assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    run(project)
    assert [p.name for p in (project / "output").iterdir() if p.name.endswith(".tmp")] == []


def test_a_wording_edit_reuses_citeproc_and_writes_what_a_full_run_writes(project, tmp_path):
    """A claim's wording changed, its citations not: the previous citeproc result is reused, and the
    HTML is byte for byte the one a fresh build with a new citeproc run writes."""
    run(project)
    claims = project / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("Debts bind workers to employers.", "Debts tie workers down."))
    notes: list[str] = []
    result = run(project, report=notes.append)
    assert [o.document for o in result.outputs] == ["review"]
    assert any("citeproc result reused" in n for n in notes), notes
    fresh = shutil.copytree(project, tmp_path / "fresh", ignore=shutil.ignore_patterns(".synthdoc", "output"))
    notes.clear()
    run(fresh, report=notes.append)
    assert not any("reused" in n for n in notes)
    html = (project / "output" / "review.html").read_text()
    assert "Debts tie workers down" in html
    assert html == (fresh / "output" / "review.html").read_text()
