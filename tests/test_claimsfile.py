"""An import extends a claims file a person keeps editing: what is there stays byte for byte (comments,
order, quoting, Windows line ends, a byte-order mark), and any text comes back as it went in."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from synthdoc.core.yamlfile import parse_yaml
from synthdoc.sources.claimsfile import ClaimsFile

NEW = {"kind": "finding", "quote": "a new quote", "at": {"page": 87}}
EXAMPLES = [*sorted((REPO / "sources").glob("*.yaml")), REPO / "src/synthdoc/starter/sources/udhr1948.yaml"]


def extended(path: Path, claim: dict = NEW) -> tuple[str, ClaimsFile]:
    claims = ClaimsFile.open(path, path.name)
    claims.add(dict(claim))
    return claims.render(), claims


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files_are_kept_byte_for_byte(path):
    out, _ = extended(path)
    original = path.read_text(encoding="utf-8")
    assert out.startswith(original)
    assert out[len(original):] == "  - id: a-new-quote\n    kind: finding\n    quote: a new quote\n    at: {page: 87}\n"


CASES = {
    "no newline at the end": "source: a\nclaims:\n  - id: one  # mine\n    kind: finding\n    quote: q",
    "a comment at the end": "source: a\nclaims:\n  - id: one\n    quote: 'q'\n# the end\n",
    "dashes at column 0": "source: a\nclaims:\n- id: one\n  quote: \"q\"\n",
    "claims left empty": "source: a  # key\nclaims:\n",
    "a long line": "source: a\nclaims:\n  - id: one\n    quote: " + "word " * 60 + "end\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_what_is_there_stays(tmp_path, name):
    path = tmp_path / "a.yaml"
    path.write_text(CASES[name], encoding="utf-8")
    out, _ = extended(path)
    assert out.startswith(CASES[name].rstrip("\n"))
    data = parse_yaml(out, path, "a.yaml").data
    assert data["claims"][-1]["quote"] == "a new quote"


def test_windows_line_ends_and_byte_order_mark_stay(tmp_path):
    path = tmp_path / "a.yaml"
    original = "\ufeffsource: a\r\nclaims:\r\n  - id: one\r\n    quote: q\r\n"
    path.write_bytes(original.encode("utf-8"))
    out, _ = extended(path)
    assert out.startswith(original) and "\n" not in out.replace("\r\n", "")


def test_not_utf8_is_refused(tmp_path):
    from synthdoc.core.diagnostics import SynthdocError

    path = tmp_path / "a.yaml"
    path.write_bytes("source: a\nclaims:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SynthdocError, match="not UTF-8"):
        ClaimsFile.open(path, "a.yaml")


def test_ids_are_unique_and_readable(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("source: a\nclaims:\n  - id: a-new-quote\n    quote: x\n", encoding="utf-8")
    claims = ClaimsFile.open(path, "a.yaml")
    assert [claims.add(dict(NEW)) for _ in range(2)] == ["a-new-quote-2", "a-new-quote-3"]
    assert claims.add({**NEW, "quote": "Koordinasi “antar­lembaga” — lemah"}) == "koordinasi-antarlembaga-lemah"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(str.strip),
       comment=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_quote_and_comment_come_back_as_they_went_in(tmp_path, quote, comment):
    """Quotes hold colons, hashes, quotes, brackets, leading dashes, YAML keywords (yes, null, 1.10) …"""
    path = tmp_path / "a.yaml"
    path.write_text("source: a\nclaims:\n  - id: one\n    quote: q\n", encoding="utf-8")
    claim = {"kind": "finding", "quote": quote, "says": {"en": comment} if comment.strip() else None,
             "at": {"page": "xii"}}
    out, _ = extended(path, {k: v for k, v in claim.items() if v is not None})
    back = parse_yaml(out, path, "a.yaml").data["claims"][-1]
    assert back["quote"] == quote
    assert back["at"] == {"page": "xii"}
    if comment.strip():
        assert back["says"] == {"en": comment}
