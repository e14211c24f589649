"""Fuzzing the readers issue #30 hardened: a DOCX sent back for review, a Hayagriva file, a BibTeX file's
@strings, an extraction sheet. Whatever the bytes, each reader returns or raises SynthdocError (a diagnostic),
never another exception.

A fast subset runs by default; ``SYNTHDOC_FUZZ=1`` runs thousands of examples per reader (the full run).
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthdoc.bibliography.bibtex import split
from synthdoc.bibliography.readers import _yaml
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.sources.sheet import read_sheet
from synthdoc.word.comments import read_reviewed

FULL = bool(os.environ.get("SYNTHDOC_FUZZ"))
EXAMPLES = 3000 if FULL else 60
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
TAGS = ["w:p", "w:r", "w:t", "w:ins", "w:del", "w:delText", "w:sdt", "w:pPr", "w:pStyle", "w:rPr", "w:tab",
        "w:commentRangeStart", "w:commentRangeEnd", "w:commentReference", "w:bookmarkStart", "w:bookmarkEnd",
        "w:comment", "w:body"]
ATTRS = st.dictionaries(st.sampled_from(["w:id", "w:name", "w:author", "w:date", "w:val"]),
                        st.one_of(st.sampled_from(["0", "1", "_sd0123456789abcdef0123_1", "Heading1"]),
                                  st.text(max_size=8)), max_size=3)


@st.composite
def xml(draw, depth: int = 0) -> str:
    """Word-like XML: the elements the review reader looks at, nested, with text, and sometimes broken."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 6 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(f' {k}="{_attr(v)}"' for k, v in draw(ATTRS).items())
            parts.append(f"<{tag}{attrs}>{draw(xml(depth + 1))}</{tag}>")
        else:
            parts.append(_text(draw(st.text(max_size=12))))
    out = "".join(parts)
    if depth == 0 and draw(st.integers(0, 9)) == 0:  # broken on purpose now and then
        cut = draw(st.integers(0, len(out)))
        out = out[:cut] + draw(st.sampled_from(["<", "&x;", "</w:p>", "<!DOCTYPE d>", "\x00"])) + out[cut:]
    return out


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@given(body=xml(), comments=st.one_of(st.none(), xml()), raw=st.one_of(st.none(), st.binary(max_size=200)))
@FUZZ
def test_the_review_reader_never_crashes(tmp_path: Path, body: str, comments: str | None, raw: bytes | None):
    path = tmp_path / "r.docx"
    if raw is not None and raw[:1] == b"x":
        path.write_bytes(raw)  # not a zip at all
    else:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
            if comments is not None:
                archive.writestr("word/comments.xml", f"<w:comments {W}>{comments}</w:comments>")
        data = out.getvalue()
        if raw:  # damage some bytes of the zip
            at = len(raw) % max(len(data), 1)
            data = data[:at] + raw + data[at + len(raw):]
        path.write_bytes(data)
    try:
        reviewed = read_reviewed(path, "r.docx")
    except SynthdocError as exc:
        assert all(d.path == "r.docx" for d in exc.diagnostics)
        return
    for remark in reviewed.remarks:
        assert remark.kind in ("comment", "insertion", "deletion") and len(remark.anchored) < 10_100


YAML_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(
                                                       ["type", "title", "author", "date", "parent", "editor",
                                                        "publisher", "affiliated", "names", "role", "name",
                                                        "location", "volume", "url", "serial-number"]),
                                                       inner, max_size=4)),
                           max_leaves=12)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True),
                       st.dictionaries(st.sampled_from(["type", "title", "author", "date", "parent", "editor",
                                                        "publisher", "affiliated", "page-range", "volume"]),
                                       YAML_VALUES, min_size=1, max_size=5), min_size=1, max_size=3))
@FUZZ
def test_the_hayagriva_reader_never_crashes(entries):
    import yaml

    text = yaml.safe_dump(entries, allow_unicode=True)
    with contextlib.suppress(SynthdocError):
        _yaml(Path("b.yml"), text, "b.yml")


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "jan"]), st.lists(
    st.one_of(st.sampled_from(["a", "b", "c", "jan", "12"]), st.text(alphabet="xyz {}", max_size=5).map(
        lambda t: "{" + t.replace("{", "").replace("}", "") + "}")), min_size=1, max_size=4)), max_size=30))
@FUZZ
def test_bibtex_strings_stay_within_their_limit(strings):
    text = "".join(f"@string{{{name} = {' # '.join(parts)}}}\n" for name, parts in strings)
    scan = split(text + "@book{k, title = a # b # c, year = 2000}\n")
    assert scan.entries or scan.problems
    # what any value stands for is bounded, whatever the @strings do
    from synthdoc.bibliography import bibtex

    assert all(p.line >= 1 for p in scan.problems) and bibtex.MAX_EXPANDED == 1_000_000


@given(st.lists(st.lists(st.text(max_size=20), max_size=8), max_size=6), st.sampled_from([",", ";", "\t"]),
       st.binary(max_size=40))
@FUZZ
def test_the_sheet_reader_never_crashes(tmp_path: Path, rows, delimiter, noise):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([["source", "quote", "page", "themes"], *rows])
    path = tmp_path / "x.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass") + noise)
    try:
        read_sheet(path, "x.csv")
    except SynthdocError as exc:
        assert all(d.path == "x.csv" for d in exc.diagnostics)
