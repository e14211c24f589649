"""Tables synthdoc writes never misattribute: whatever a claim's text, each cell of the evidence matrix holds
exactly its claims, and each citation in a cell links to its own column's (or row's) source — asserted on
the HTML a reader gets."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from synthdoc.build.pipeline import build_document, load_inputs
from synthdoc.core.diagnostics import has_errors
from synthdoc.core.project import load_project
from synthdoc.render.document import render_document
from synthdoc.render.tables import table_markup

KEYS = ["k-one", "k2", "amalia2025"]
THEMES = ["t1", "t2"]
CHARS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFG0123456789 ,.;:-–—'\"“”()[]{}<>#*_`$@\\/&%!?|+=~^")
    + list("ăâđêôơưàảãáạ漢字ｗ한😀")
    + ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\n", "\t"]
)
WORD = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz漢ｗ")), min_size=30, max_size=90)
MARKERS = st.sampled_from(["- ", "* ", "+ ", "1. ", "(a) ", "# ", "> ", "| ", ":::", "::: x", "---", "p. 1",
                           "(AMPUH)", "\\", "|a|b|", "+---+", "[@k2]", "@k2", "[-@amalia2025, p. 3]", ""])


@st.composite
def short_text(draw) -> str:
    head = draw(MARKERS)
    body = draw(st.one_of(st.text(CHARS, max_size=70), WORD))
    tail = draw(st.sampled_from(["", " p. 1", " (AMPUH)", "\\", " |", "."]))
    return head + body + tail


@st.composite
def matrices(draw):
    claims = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(THEMES), short_text()),
                           min_size=1, max_size=8))
    return claims, draw(st.sampled_from([1, 5]))


def write(root: Path, claims: list[tuple[str, str, str]], across: int) -> None:
    bib = [{"id": k, "type": "book", "author": [{"family": f"Author{i}", "given": "A."}], "title": f"Book {i}",
            "issued": {"date-parts": [[2000 + i]]}, "publisher": "P"} for i, k in enumerate(KEYS)]
    config = {"title": "P", "bibliography": "refs.json", "lang": "en", "style": "apa",
              "themes": [{"id": t, "title": {"en": f"Theme {t}"}} for t in THEMES],
              "documents": [{"id": "m", "template": "m.md.j2", "title": "M", "formats": ["html"]}]}
    (root / "sources").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "templates" / "m.md.j2").write_text(f"{{{{ matrix_table(across={across}) }}}}\n", encoding="utf-8")
    (root / "synthdoc.yaml").write_text(json.dumps(config), encoding="utf-8")
    (root / "refs.json").write_text(json.dumps(bib), encoding="utf-8")
    for key in KEYS:
        mine = [(n, c) for n, c in enumerate(claims) if c[0] == key]
        entries = [{"id": f"c{n}", "kind": "finding", "themes": [theme], "says": {"en": f"Claim {n}."},
                    "short": {"en": short}, "quote": "word", "at": {"page": str(n + 1)}}
                   for n, (_, theme, short) in mine]
        (root / "sources" / f"{key}.md").write_text("word\n", encoding="utf-8")
        (root / "sources" / f"{key}.yaml").write_text(
            json.dumps({"source": key, "text": f"{key}.md", "claims": entries}, ensure_ascii=False), encoding="utf-8")


class Cells(HTMLParser):
    """The cells of the first table: per row, per cell, the claim spans (number, text) and link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[dict]] = []
        self.cell: dict | None = None
        self.span: list | None = None
        self.depth = 0
        self.done = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if self.done:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = {"claims": [], "links": []}
            self.rows[-1].append(self.cell)
        elif tag == "span" and self.cell is not None:
            if "claim" in (a.get("class") or "").split():
                self.span = [a["data-claims"], ""]
                self.depth = 1
            elif self.span is not None:
                self.depth += 1
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(a.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.done = True
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "span" and self.span is not None:
            self.depth -= 1
            if self.depth == 0:
                self.cell["claims"].append(tuple(self.span))
                self.span = None

    def handle_data(self, data: str) -> None:
        if self.span is not None:
            self.span[1] += data


def letters(text: str) -> str:
    """Letters and digits only: emphasis, smart quotes and escapes do not change them."""
    return re.sub(r"[\W_]", "", text)


def claim_cells(html: str) -> list[list[dict]]:
    parser = Cells()
    parser.feed(html)
    return parser.rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices())
def test_each_cell_holds_exactly_its_claims_cited_as_its_own_source(case):
    claims, across = case
    root = Path(tempfile.mkdtemp())
    try:
        write(root, claims, across)
        project = load_project(root / "synthdoc.yaml")
        inputs = load_inputs(project)
        assume(not has_errors(inputs.diagnostics))
        doc = project.document("m")
        number = {v.n: int(v.claim.id[1:]) for v in render_document(inputs, doc)[1].claims}
        build_document(inputs, doc, ["html"])
        rows = claim_cells((root / "output" / "m.html").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    used = [k for k in KEYS if any(c[0] == k for c in claims)]
    themes = [t for t in THEMES if any(c[1] == t for c in claims)]
    header, body = rows[0], rows[1:]
    expected: dict[tuple[str, str], list[int]] = {}
    for n, (key, theme, _) in enumerate(claims):
        expected.setdefault((theme, key), []).append(n)
    found: dict[tuple[str, str], list[int]] = {}
    if len(used) <= across:  # themes down, sources across
        assert len(header) == 1 + len(used)
        for key, cell in zip(used, header[1:], strict=True):
            assert cell["links"] == [f"#ref-{key}"]
        assert len(body) == len(themes)
        for theme, row in zip(themes, body, strict=True):
            assert len(row) == 1 + len(used), "a row's cells ran together"
            for key, cell in zip(used, row[1:], strict=True):
                assert set(cell["links"]) <= {f"#ref-{key}"}, f"a claim in {key}'s column cites another work"
                assert len(cell["links"]) == len(cell["claims"])
                found[(theme, key)] = [number[int(n)] for n, _ in cell["claims"]]
    else:  # a row per theme and source: theme, source, claims
        assert len(header) == 3
        for row in body:
            assert len(row) == 3, "a row's cells ran together"
            key = row[1]["links"][0].removeprefix("#ref-")
            assert row[1]["links"] == [f"#ref-{key}"]
            assert set(row[2]["links"]) == {f"#ref-{key}"}, "a claim in a source's row cites another work"
            numbers = [number[int(n)] for n, _ in row[2]["claims"]]
            theme = claims[numbers[0]][1]
            found[(theme, key)] = numbers
    assert {k: v for k, v in found.items() if v} == expected
    texts = {number[int(n)]: text for row in body for cell in row for n, text in cell["claims"]}
    for n, (_, _, short) in enumerate(claims):
        assert letters(texts[n]) == letters(short), f"claim {n}'s text was changed: {short!r} → {texts[n]!r}"


def test_table_markup_keeps_a_line_of_colons_inside_its_cell():
    markup = table_markup(["A", "B"], [[[":::"], ["x"]]])
    assert "\\:::" in markup
    with pytest.raises(ValueError):
        table_markup(["A", "B"], [[["only one cell"]]])
