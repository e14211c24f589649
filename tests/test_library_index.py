"""A library's index: found the fast way (its plain entries matched while pandoc converts the cited ones), it is
the index found the slow way; and the library's outline (what a build that read some of its entries depends on,
for the no-op answer) made from the index is the outline made from its text alone."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthdoc.bibliography import bibtex, readers
from synthdoc.core.cache import JsonCache

PLAIN = "@article{{{key},\n  title = {{{title}}},\n  date = {{2020}},\n}}\n"
# Parts an index does not take for one plainly well-formed entry, and text around entries.
OTHER = ["@string{jhi = {Jurnal}}\n", "@comment{jabref-meta: x;}\n", "% a comment line\n", "\n",
         "@book{two1, title = {A}} @book{two2, title = {B}}\n", "@article{broken,\n  title = {Unclosed,\n}\n",
         "@misc(paren, title = {In parentheses})\n", "@book{deep, title = {a{b{c{d{e{f}}}}}}}\n",
         "@book{quoted, title = \"In {braces}\"}\n", "\r\n", "@article{spaced key,\n  title = {x}\n}\n",
         "  @online{indented,\n  url = {https://example.org/a_b},\n}\n", "@Article{Case,\n  title = {Ünïcode —}\n}\n",
         "@article{\n", "@book{ \n  \n"]
KEYS = st.sampled_from(["smith2020", "Smith2020", "tan2019", "lim", "ref-1", "a:b", "x_y"])
PARTS = st.one_of(st.builds(lambda k, t: PLAIN.format(key=k, title=t), KEYS, st.sampled_from(["T", "{ASEAN} x", "é"])),
                  st.sampled_from(OTHER), st.text(alphabet="@{}(),=\" \nab%#", max_size=20))


@given(st.lists(PARTS, max_size=12), st.sets(KEYS.map(str.casefold), max_size=3))
@settings(max_examples=300, deadline=None)
def test_the_outline_from_the_index_is_the_outline_from_the_text(parts, read):
    text = "".join(parts)
    index = bibtex.index(text)
    digest, unread = bibtex.outline(text, read)
    assert index.outline(read) == digest
    # and from the digests of its plain parts, as the next build's no-op answer makes it
    assert bibtex.outline(text, read, set(index.plain_digests())) == (digest, unread)


@given(st.lists(PARTS, max_size=12))
@settings(max_examples=300, deadline=None)
def test_the_index_finds_the_keys_and_problems_the_splitter_finds(parts):
    text = "".join(parts)
    index, scan = bibtex.index(text), bibtex.split(text)
    assert [(key, line) for key, line, _ in index.keys] == [(e.key, e.line) for e in scan.entries]
    assert index.problems == scan.problems


def _fields(index: bibtex.Index) -> tuple:
    return index.bounds, index.lines, index.keys, index.plain, index.macros, index.problems


@given(st.lists(PARTS, max_size=12))
@settings(max_examples=300, deadline=None)
def test_the_index_found_without_matching_is_the_index_once_verified(parts):
    text = "".join(parts)
    fast, slow = bibtex.index(text, verify=False), bibtex.index(text)
    if fast.verify():
        assert _fields(fast) == _fields(slow)
    else:  # a part taken for a plain entry is not one: the slow index splits it
        assert any(n not in slow.plain for n in fast.plain)


@given(st.lists(PARTS, min_size=1, max_size=8), st.sets(KEYS, max_size=3))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_library_read_for_its_cited_entries_is_read_as_with_the_slow_index(tmp_path, parts, cited):
    text = "".join(parts)
    path = tmp_path / "library.bib"
    fast = readers.read_cited(path, "library.bib", text, set(cited), JsonCache(tmp_path / "a"), "salt")
    slow = readers._read_cited(bibtex.index(text), readers.BIBLATEX, "library.bib", set(cited),
                               JsonCache(tmp_path / "b"), "salt", False)
    assert fast is not None and fast.index is not None and fast.index.verified
    assert {**fast.as_dict(), "index": None} == {**slow.as_dict(), "index": None}
    assert _fields(fast.index) == _fields(slow.index)


@given(st.lists(PARTS, max_size=12))
@settings(max_examples=200, deadline=None)
def test_an_index_kept_as_json_is_the_index_again(parts):
    """What a build keeps of a library's index (as JSON, for the next build of the same bytes) gives back the
    index itself, with the parts it split split again in its order."""
    import json

    text = "".join(parts)
    made = bibtex.index(text)
    back = bibtex.index_from(text, json.loads(json.dumps(bibtex.index_dump(made))))
    assert back is not None and _fields(back) == _fields(made)
    assert back.scans == made.scans and back.expansions == made.expansions
    assert bibtex.index_from(text + "x", json.loads(json.dumps(bibtex.index_dump(made)))) is None


# The pattern the index first proved parts plain with (atomic groups around alternatives): the one it uses now,
# written for speed, must accept exactly the same parts.
_OLD_BRACED = r"\{(?>[^{}]++|\{(?>[^{}]++|\{(?>[^{}]++|\{[^{}]*+\})*+\})*+\})*+\}"
_OLD_PART = rf"(?>{_OLD_BRACED}|\"[^\"{{}}]*\"|\d+|[A-Za-z_][\w\-:.+/]*)"
_OLD_VALUE = rf"{_OLD_PART}(?>\s*#\s*{_OLD_PART})*"
_OLD_FIELD = rf"[A-Za-z_][\w\-:.+/]*\s*=\s*{_OLD_VALUE}"
OLD_WELL_FORMED = re.compile(rf"[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t\r\n]*\{{\s*[^\s,{{}}\"#%\\~=()]+[ \t]*,"
                             rf"(?>\s*{_OLD_FIELD}\s*,)*+(?>\s*{_OLD_FIELD})?+\s*\}}\s*")
VALUES = ["{A}", "{A {B} c}", "{a{b{c{d}}}}", "{a{b{c{d{e}}}}}", '"q"', '"q {b}"', "2020", "jhi", "jhi # { x}",
          "{", "}", '"', "a # ", "{x}#{y}"]
PIECES = st.sampled_from(["@", "article", "book", "{", "}", "(", ")", ",", "=", "#", '"', " ", "\t", "\n", "\r\n",
                          "key1", "title", "jhi", "2020", "a b", "{x}", "{{y}}", "{{{z}}}", "{{{{w}}}}", "\\", "%",
                          "é", "-", "_", ":", "@string"])
ENTRYISH = st.builds(lambda kind, key, fields, end: f"@{kind}{{{key},{''.join(fields)}{end}",
                     st.sampled_from(["article", "book", "Online", "x-y"]),
                     st.sampled_from(["k", "smith2020", "a:b", "x y", "", "k{"]),
                     st.lists(st.builds(lambda sp, n, v, sep: f"{sp}{n} = {v}{sep}",
                                        st.sampled_from(["\n  ", " ", ""]), st.sampled_from(["title", "date", "x_1"]),
                                        st.one_of(st.sampled_from(VALUES),
                                                  st.text(alphabet="{}\"# ab1\n,=", max_size=12)),
                                        st.sampled_from([",", "", " ,", "\n"])), max_size=5),
                     st.sampled_from(["}", "\n}\n", "}\n\n", "", "}}", "} x", ")"]))


@given(st.one_of(ENTRYISH, st.lists(PIECES, max_size=40).map("".join)))
@settings(max_examples=3000, deadline=None)
def test_the_plain_entry_pattern_accepts_what_it_accepted_before_it_was_made_faster(text):
    assert bool(bibtex._WELL_FORMED.fullmatch(text)) == bool(OLD_WELL_FORMED.fullmatch(text))
