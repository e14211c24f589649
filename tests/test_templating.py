from pathlib import Path

import pytest

from synthdoc.core.diagnostics import SynthdocError
from synthdoc.render import templating
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


# ---- the built-in templates, kept compiled between processes ------------------------------------------------


def _compiles(monkeypatch) -> list[str]:
    """The templates Jinja compiles from their text (not taken compiled from a cache), by name."""
    compiled: list[str] = []
    real = templating._Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(templating._Environment, "compile", counting)
    return compiled


def _new_process(monkeypatch, keep: Path) -> None:
    """As a new process finds it: nothing compiled in memory, what is kept in ``keep``."""
    monkeypatch.setattr(templating, "_KEEP", keep)
    monkeypatch.setattr(templating, "_COMPILED", templating._CompiledTemplates())
    monkeypatch.setattr(templating, "_REFERENCES", {})


def test_a_builtin_template_compiled_once_is_taken_compiled_by_the_next_process(tmp_path, monkeypatch):
    compiled = _compiles(monkeypatch)
    parsed: list[str] = []
    real_parse = templating._Environment.parse
    monkeypatch.setattr(templating._Environment, "parse", lambda self, source, *a: parsed.append(source)
                        or real_parse(self, source, *a))
    _new_process(monkeypatch, tmp_path / "kept")
    first = templating.environment(None).get_template("synthesis.md.j2")
    files = templating.template_files("synthesis.md.j2", None)
    assert "synthesis.md.j2" in compiled and parsed and any((tmp_path / "kept").iterdir())
    assert [f.name for f in files] == ["previous-table.md.j2", "synthesis.md.j2"]  # the one it includes
    compiled.clear()
    parsed.clear()
    _new_process(monkeypatch, tmp_path / "kept")
    again = templating.environment(None).get_template("synthesis.md.j2")
    assert templating.template_files("synthesis.md.j2", None) == files
    assert compiled == [] and parsed == [] and again.filename == first.filename


def test_kept_templates_are_compiled_again_by_other_code_or_when_spoilt(tmp_path, monkeypatch):
    compiled = _compiles(monkeypatch)
    keep = tmp_path / "kept"
    _new_process(monkeypatch, keep)
    templating.environment(None).get_template("policy-brief.md.j2")
    # synthdoc's code generator or sandbox changed (or Jinja, or Python): what was kept is not taken
    monkeypatch.setattr(templating, "_compiler_identity", lambda: "another")
    compiled.clear()
    _new_process(monkeypatch, keep)
    templating.environment(None).get_template("policy-brief.md.j2")
    assert compiled == ["policy-brief.md.j2"]
    # a kept file cut short or overwritten: compiled again, never an error
    for path in keep.iterdir():
        path.write_bytes(b"not bytecode")
    compiled.clear()
    _new_process(monkeypatch, keep)
    template = templating.environment(None).get_template("policy-brief.md.j2")
    assert compiled == ["policy-brief.md.j2"] and template.filename.endswith("policy-brief.md.j2")


def test_a_project_template_is_never_kept_and_an_unwritable_package_compiles_each_time(tmp_path, monkeypatch):
    compiled = _compiles(monkeypatch)
    project = tmp_path / "templates"
    project.mkdir()
    (project / "synthesis.md.j2").write_text("# {{ title }}\n", encoding="utf-8")
    _new_process(monkeypatch, tmp_path / "kept")
    assert templating.render("synthesis.md.j2", {"title": "Mine"}, project) == "# Mine\n"
    assert not (tmp_path / "kept").exists()  # a project's template (over a built-in one's name) is not kept
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    for _ in range(2):
        _new_process(monkeypatch, blocked / "kept")
        compiled.clear()
        assert templating.render("synthesis.md.j2", {"title": "Mine"}, project) == "# Mine\n"
        templating.environment(None).get_template("policy-brief.md.j2")
        assert compiled == ["synthesis.md.j2", "policy-brief.md.j2"]


def test_kept_templates_follow_the_filters_and_survive_a_file_cut_after_its_header(tmp_path, monkeypatch):
    """Jinja fixes when it compiles what a filter is passed (its context or not): a change to a module of the
    filters makes other compiled code, as a change here does. A kept file cut short after its header is compiled
    again, not an error."""
    import os

    from synthdoc.render import prose

    templating._compiler_identity.cache_clear()
    before = templating._compiler_identity()
    st = os.stat(prose.__file__)
    try:
        os.utime(prose.__file__, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        templating._compiler_identity.cache_clear()
        assert templating._compiler_identity() != before
    finally:
        os.utime(prose.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))
        templating._compiler_identity.cache_clear()
    compiled = _compiles(monkeypatch)
    keep = tmp_path / "kept"
    _new_process(monkeypatch, keep)
    templating.environment(None).get_template("policy-brief.md.j2")
    import jinja2.bccache

    for path in keep.iterdir():
        path.write_bytes(jinja2.bccache.bc_magic + b"\x80cut")
    compiled.clear()
    _new_process(monkeypatch, keep)
    assert templating.environment(None).get_template("policy-brief.md.j2") is not None
    assert compiled == ["policy-brief.md.j2"]
