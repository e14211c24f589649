"""Property tests for the Word features' text handling: a redline is exactly the two versions (accept all
changes → the new text, reject all → the old), and a Zotero field carries any bibliography data intact."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from synthdoc.render.styles import resolve_style
from synthdoc.word.redline import redline
from synthdoc.word.zotero import live_citations

WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=6)


def _inlines(words: list[tuple[str, int]]) -> list[dict]:
    """Words, some emphasised (1) or inside a citation (2), separated by spaces."""
    out: list[dict] = []
    for i, (word, kind) in enumerate(words):
        if i:
            out.append({"t": "Space"})
        leaf = {"t": "Str", "c": word}
        if kind == 1:
            leaf = {"t": "Emph", "c": [leaf]}
        elif kind == 2:
            leaf = {"t": "Cite", "c": [[{"citationId": "k", "citationPrefix": [], "citationSuffix": [],
                                         "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1,
                                         "citationHash": 0}], [leaf]]}
        out.append(leaf)
    return out


def _resolve(node, keep: str, drop: str):
    """The text with every ``keep`` change accepted and every ``drop`` change removed."""
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "Span" and item["c"][0][1] in ([keep], [drop]):
                if item["c"][0][1] == [keep]:
                    out.extend(_resolve(item["c"][1], keep, drop))
                continue
            out.append(_resolve(item, keep, drop))
        return out
    if isinstance(node, dict):
        return {k: _resolve(v, keep, drop) for k, v in node.items()}
    return node


def _words(blocks) -> list[tuple[str, str]]:
    """Each word with what it stands in (Emph, Cite), in order: what a reader of either version sees."""
    found: list[tuple[str, str]] = []

    def walk(node, inside: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, inside)
        elif isinstance(node, dict):
            t = node.get("t")
            if t == "Str":
                found.append((node["c"], inside))
            elif t in ("Emph", "Cite"):
                walk(node["c"] if t == "Emph" else node["c"][1], t)
            else:
                for value in node.values():
                    walk(value, inside)

    walk(blocks, "")
    return found


paragraph = st.lists(st.tuples(WORDS, st.integers(0, 2)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph, max_size=4), st.lists(paragraph, max_size=4))
def test_accepting_gives_the_new_version_and_rejecting_the_old(old_paras, new_paras) -> None:
    old = {"blocks": [{"t": "Para", "c": _inlines(p)} for p in old_paras]}
    new = {"blocks": [{"t": "Para", "c": _inlines(p)} for p in new_paras]}
    marked = redline(old, new, "synthdoc", "2026-01-01T00:00:00Z")
    accepted = _resolve(marked["blocks"], "insertion", "deletion")
    rejected = _resolve(marked["blocks"], "deletion", "insertion")
    assert _words(accepted) == _words(new["blocks"])
    assert _words(rejected) == _words(old["blocks"])
    if old_paras == new_paras:
        assert marked == new


ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.text(alphabet=st.sampled_from(["\ufffe", "\uffff", "\x00", "\x01", "&", "<", "]", ">", "}", '"', "é", "\u200b"]),
            max_size=12))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@settings(max_examples=100, deadline=None)
@given(title=ANY_TEXT, key=st.from_regex(r"[A-Za-z][A-Za-z0-9_:.-]{0,20}", fullmatch=True))
def test_a_zotero_field_carries_any_entry_intact(tmp_path_factory, title: str, key: str) -> None:
    apa = resolve_style("apa", Path.cwd())
    item = {"id": key, "type": "book", "title": title}
    cite = {"t": "Cite", "c": [[{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                                  "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1, "citationHash": 0}],
                                [{"t": "Str", "c": "(X)"}]]}
    ast = {"meta": {}, "blocks": [{"t": "Para", "c": [cite]}]}
    out = live_citations(ast, items=[item], csl=apa, lang="en", locale="en-US", document="d", shown_style="s")
    xml = "".join(i["c"][1] for i in out["blocks"][0]["c"] if i.get("t") == "RawInline")
    wrapped = ET.fromstring(f'<w:p xmlns:w="{W[1:-1]}">{xml}</w:p>')
    code = "".join(t.text or "" for t in wrapped.iter(f"{W}instrText")).strip()
    data = json.loads(code.removeprefix("ADDIN ZOTERO_ITEM CSL_CITATION "))
    assert data["citationItems"][0]["itemData"] == item
