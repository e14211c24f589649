"""The commands as a user runs them: exit codes, messages, outputs."""

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synthdoc.cli import app

runner = CliRunner()


@pytest.fixture
def in_dir():
    old = Path.cwd()
    yield lambda p: os.chdir(p)
    os.chdir(old)


def test_init_scaffolds_a_project_that_builds(tmp_path, in_dir):
    result = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    in_dir(tmp_path / "new")
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "new" / "output").iterdir()) == ["review.docx", "review.html",
                                                                               "review.pdf"]
    html = (tmp_path / "new" / "output" / "review.html").read_text()
    assert "United Nations General Assembly" in html and "References" in html


def test_init_never_overwrites(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "never overwrites" in result.output


def test_check_exit_codes_and_json(small, in_dir):
    in_dir(small)
    assert runner.invoke(app, ["check"]).exit_code == 0
    claims = small / "sources" / "tran2021.yaml"
    claims.write_text(claims.read_text().replace("never meet", "never see"))
    result = runner.invoke(app, ["check", "--format", "json"])
    assert result.exit_code == 1
    assert '"code": "quote-not-found"' in result.stdout


def test_failed_build_keeps_previous_output(small, in_dir):
    in_dir(small)
    assert runner.invoke(app, ["build"]).exit_code == 0
    out = small / "output" / "review.html"
    before = out.read_bytes()
    claims = small / "sources" / "tran2021.yaml"
    claims.write_text(claims.read_text().replace("themes: [law]", "themes: [lwa]"))
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 1
    assert "sources/tran2021.yaml:11:1: error" in result.output and "previous outputs are unchanged" in result.output
    assert out.read_bytes() == before


def test_overrides_on_the_command_line(small, in_dir):
    in_dir(small)
    result = runner.invoke(app, ["build", "review", "--lang", "id", "--style", "ieee", "--format", "html"])
    assert result.exit_code == 0, result.output
    html = (small / "output" / "review.html").read_text()
    assert "Daftar Pustaka" in html and "[1" in html


def test_unknown_document_and_format(small, in_dir):
    in_dir(small)
    result = runner.invoke(app, ["build", "reviw"])
    assert result.exit_code == 1 and "did you mean 'review'" in result.output
    assert runner.invoke(app, ["build", "--format", "odt"]).exit_code == 2


def test_no_project_here(tmp_path, in_dir):
    in_dir(tmp_path)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1 and "synthdoc init" in result.output


def test_styles_search():
    result = runner.invoke(app, ["styles", "chicago", "notes"])
    assert result.exit_code == 0 and "chicago-notes-bibliography" in result.stdout


def test_quick_no_op_path_and_its_fall_through(small, in_dir, capsys):
    from synthdoc.entry import _quick_build

    in_dir(small)
    assert not _quick_build(["build"])  # never built: falls through to the full build
    assert runner.invoke(app, ["build"]).exit_code == 0
    assert _quick_build(["build"])
    assert "no input changed" in capsys.readouterr().err
    assert not _quick_build(["build", "--force"])
    text = small / "sources" / "smith2020.md"
    text.write_text(text.read_text() + "\nA new paragraph.\n")
    assert not _quick_build(["build"])
    (small / "output" / "review.html").unlink()
    assert runner.invoke(app, ["build"]).exit_code == 0
    assert _quick_build(["build"])
    (small / "output" / "review.html").unlink()
    assert not _quick_build(["build"])


def test_cite_previews_in_process(small, in_dir):
    in_dir(small)
    result = runner.invoke(app, ["cite", "smith2020", "--at", "page=12"])
    assert result.exit_code == 0
    assert "citation:  (Smith, 2020, p. 12)" in result.stdout
    assert "reference: Smith, J. (2020). Recruitment and its discontents. Example Press." in result.stdout
    result = runner.invoke(app, ["cite", "smith2020", "--lang", "id", "--style", "ieee", "--at", "section=2"])
    assert "[1, Bag. 2]" in result.stdout
    result = runner.invoke(app, ["cite", "smyth2020"])
    assert result.exit_code == 1 and "did you mean 'smith2020'" in result.output
    assert runner.invoke(app, ["cite", "smith2020", "--at", "verse=3"]).exit_code == 2
