"""A library's outline (what a build that read some of its entries depends on, for the no-op answer) made
from the index the build made of it is the outline made from its text alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from synthdoc.bibliography import bibtex

PLAIN = "@article{{{key},\n  title = {{{title}}},\n  date = {{2020}},\n}}\n"
# Parts an index does not take for one plainly well-formed entry, and text around entries.
OTHER = ["@string{jhi = {Jurnal}}\n", "@comment{jabref-meta: x;}\n", "% a comment line\n", "\n",
         "@book{two1, title = {A}} @book{two2, title = {B}}\n", "@article{broken,\n  title = {Unclosed,\n}\n",
         "@misc(paren, title = {In parentheses})\n", "@book{deep, title = {a{b{c{d{e{f}}}}}}}\n",
         "@book{quoted, title = \"In {braces}\"}\n", "\r\n", "@article{spaced key,\n  title = {x}\n}\n",
         "  @online{indented,\n  url = {https://example.org/a_b},\n}\n", "@Article{Case,\n  title = {Ünïcode —}\n}\n"]
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
