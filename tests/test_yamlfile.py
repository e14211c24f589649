from pathlib import Path

import pytest

from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.yamlfile import parse_yaml


def parse(text: str):
    return parse_yaml(text, Path("x.yaml"), "x.yaml")


def test_positions_of_nested_values():
    doc = parse("claims:\n  - id: a\n    at: {section: 4.10}\n")
    assert doc.where("claims", 0, "at") == (3, 9)


def test_section_numbers_keep_their_written_form():
    doc = parse("at: {section: 4.10}\n")
    assert doc.data["at"]["section"] == "4.10"


def test_syntax_error_names_line():
    with pytest.raises(SynthdocError) as info:
        parse("a: [1, 2\nb: 3\n")
    d = info.value.diagnostics[0]
    assert d.code == "yaml-syntax" and d.path == "x.yaml" and d.line >= 2


def test_duplicate_key_is_an_error_with_its_line():
    with pytest.raises(SynthdocError) as info:
        parse("a: 1\nb: 2\na: 3\n")
    d = info.value.diagnostics[0]
    assert (d.code, d.line) == ("yaml-duplicate-key", 3)


def test_billion_laughs_is_refused():
    lol = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lol += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(SynthdocError) as info:
        parse(lol)
    assert info.value.diagnostics[0].code == "yaml-too-large"


def test_python_tags_are_not_executed():
    with pytest.raises(SynthdocError):
        parse("a: !!python/object/apply:os.system ['echo hi']\n")


@pytest.mark.parametrize("loader", ["C", "Python"])
@pytest.mark.parametrize("text", [
    "x: " + "[" * 150 + "]" * 150 + "\n",  # below libyaml's own limit of 1,000: synthdoc's limit
    "x: " + "[" * 5000 + "]" * 5000 + "\n",  # past it: libyaml's error is reported as synthdoc's
    "x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "a:\n" + "".join("  " * i + "-\n" for i in range(1, 400)),  # block lists, by indentation
])
def test_nesting_past_synthdocs_limit_is_its_own_diagnostic_whatever_the_parser(text, loader, monkeypatch):
    """A fresh install's PyYAML may bring libyaml (with a nesting limit and an error of its own) or not:
    the user sees synthdoc's diagnostic, at the line and column where the nesting passes the limit."""
    import yaml

    from synthdoc.core import yamlfile

    if loader == "Python":
        monkeypatch.setattr(yamlfile, "_LOADER", yaml.SafeLoader)
    with pytest.raises(SynthdocError) as info:
        parse(text)
    d = info.value.diagnostics[0]
    assert d.code == "yaml-too-large" and d.path == "x.yaml"
    assert str(yamlfile.MAX_DEPTH) in d.message and (d.line, d.col) != (1, 1)


def test_nesting_within_the_limit_reads():
    depth = 99
    assert parse("x: " + "[" * depth + "]" * depth + "\n").data["x"] is not None
