import pytest

from synthdoc.core.diagnostics import SynthdocError
from synthdoc.render.templating import render


def test_project_template_overrides_builtin(tmp_path):
    (tmp_path / "synthesis.md.j2").write_text("mine: {{ x }}")
    assert render("synthesis.md.j2", {"x": 1}, tmp_path) == "mine: 1"


def test_undefined_name_names_template_and_line(tmp_path):
    (tmp_path / "t.md.j2").write_text("line one\n{{ nothing_here }}\n")
    with pytest.raises(SynthdocError) as info:
        render("t.md.j2", {}, tmp_path)
    d = info.value.diagnostics[0]
    assert (d.path, d.line, d.code) == ("templates/t.md.j2", 2, "template-error")
    assert "nothing_here" in d.message


def test_sandbox_blocks_python_internals(tmp_path):
    (tmp_path / "t.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SynthdocError) as info:
        render("t.md.j2", {}, tmp_path)
    assert info.value.diagnostics[0].code == "template-error"


def test_syntax_error_line(tmp_path):
    (tmp_path / "t.md.j2").write_text("ok\n{% for x in %}\n")
    with pytest.raises(SynthdocError) as info:
        render("t.md.j2", {}, tmp_path)
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].code) == (2, "template-syntax")


def test_missing_template_lists_the_known_ones(tmp_path):
    with pytest.raises(SynthdocError) as info:
        render("nope.md.j2", {}, tmp_path)
    assert "policy-brief.md.j2" in info.value.diagnostics[0].message


def test_templates_cannot_read_files_outside_the_template_folders(tmp_path):
    for attempt in ('{% include "/etc/passwd" %}', '{% include "../../../../etc/passwd" %}'):
        (tmp_path / "t.md.j2").write_text(attempt)
        with pytest.raises(SynthdocError) as info:
            render("t.md.j2", {}, tmp_path)
        assert "root:" not in str(info.value)
