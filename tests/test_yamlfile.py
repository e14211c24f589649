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
