"""The commands as a user runs them: exit codes, messages, outputs."""

import json
import os
import subprocess
import sys
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


def _entry_build(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    from synthdoc.entry import main

    monkeypatch.setattr(sys, "argv", ["synthdoc", "build", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_quick_no_op_path_and_its_fall_through(small, in_dir, monkeypatch, capsys):
    in_dir(small)
    code, said = _entry_build(monkeypatch, capsys)
    assert code == 0 and "built 1 file" in said  # never built: the full build
    code, said = _entry_build(monkeypatch, capsys)
    assert code == 0 and "no input changed" in said
    code, said = _entry_build(monkeypatch, capsys, "--force")
    assert code == 0 and "built 1 file" in said
    text = small / "sources" / "smith2020.md"
    text.write_text(text.read_text() + "\nA new paragraph.\n")
    assert "no input changed" not in _entry_build(monkeypatch, capsys)[1]
    assert "no input changed" in _entry_build(monkeypatch, capsys)[1]
    (small / "output" / "review.html").unlink()
    assert "built 1 file" in _entry_build(monkeypatch, capsys)[1]
    code, said = _entry_build(monkeypatch, capsys, "nosuchdoc")
    assert code == 1 and "build failed" in said and "nosuchdoc" in said and "Traceback" not in said


def test_build_without_options_starts_no_cli_framework(small):
    """`synthdoc build [DOCUMENT...]`, the command run most, does not load the CLI framework: its start is
    a tenth of a second of every build. Nor does an HTML build load lxml (the styles' package imports it: a
    folder's name is all a build needs of it)."""
    probe = ("import sys; sys.argv = ['synthdoc', *sys.argv[1:]]; from synthdoc.entry import main\n"
             "try:\n    main()\nfinally:\n    sys.stderr.write(f'framework loaded: {\"typer\" in sys.modules}; '\n"
             "                     f'lxml loaded: {\"lxml\" in sys.modules}')")
    for args, loaded in ((["build"], False), (["build", "review"], False), (["build", "--force"], True)):
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=small, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert f"framework loaded: {loaded}; lxml loaded: False" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_command_ends_with_its_output_flushed_and_its_exit_code(small):
    """The console script leaves without Python's slow teardown (entry.leave): what it printed is all there,
    through a pipe too, and its exit code is the command's."""
    def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = ["-m", "synthdoc", *args] if code is None else ["-c", code]
        return subprocess.run([sys.executable, *argv], cwd=small, capture_output=True, text=True, timeout=300)

    done = run("build")
    assert done.returncode == 0 and "built 1 file" in done.stderr
    done = run("check", "--format", "json")
    assert done.returncode == 0 and isinstance(json.loads(done.stdout), list)
    done = run("build", "nosuchdoc")
    assert done.returncode == 1 and "build failed" in done.stderr and "Traceback" not in done.stderr
    # a SystemExit's message is printed, with exit code 1, as Python does
    done = run(code="from synthdoc.entry import leave; print('said', end=''); leave('stopped: why')")
    assert (done.returncode, done.stdout, done.stderr.strip()) == (1, "said", "stopped: why")
    # another thread still at work: the usual exit, which waits for it
    done = run(code="import threading, time; from synthdoc.entry import leave\n"
                    "threading.Thread(target=lambda: (time.sleep(0.3), print('late'))).start(); leave(3)")
    assert (done.returncode, done.stdout) == (3, "late\n")
    # exit handlers run (a temporary folder is removed)
    done = run(code="import tempfile, pathlib; from synthdoc.entry import leave\n"
                    "t = tempfile.TemporaryDirectory(); print(t.name); leave(0)")
    assert done.returncode == 0 and not Path(done.stdout.strip()).exists()


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
