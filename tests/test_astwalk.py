"""The AST walks every stage relies on (render.astwalk): what they find, in document order, against the plain
recursive walk they stand for, over any tree of mappings and lists (leaves matched where they are found)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from synthdoc.render.astwalk import find, find_in_lists

KINDS = ["Str", "Space", "Note", "Cite", "Span", "Para", "Div"]

# Elements as pandoc writes them ({"t": kind} or {"t": kind, "c": ...}), and mappings and values that are not:
# metadata's maps, an element with more keys, a "c" that is a number or None, a kind that is not a text.
scalars = st.one_of(st.text(max_size=3), st.integers(), st.none(), st.booleans())
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.builds(lambda t: {"t": t}, st.sampled_from(KINDS)),
        st.builds(lambda t, c: {"t": t, "c": c}, st.sampled_from(KINDS), inner),
        st.builds(lambda t, c: {"t": t, "c": c}, st.sampled_from(KINDS), st.lists(inner, min_size=1, max_size=4)),
        st.dictionaries(st.sampled_from(["t", "c", "x", "meta"]), inner, max_size=3),
    ),
    max_leaves=40,
)


def reference(node: Any, matches: Any, holder: Any = None, index: int = -1) -> list[tuple[Any, Any, int]]:
    """Every element ``matches`` finds, with its place, searching inside no element found: recursively."""
    if isinstance(node, dict):
        if matches(node):
            return [(node, node if holder is None else holder, index)]
        return [found for value in node.values() if isinstance(value, list | dict)
                for found in reference(value, matches, value, -1)]
    if isinstance(node, list):
        return [found for i, value in enumerate(node) if isinstance(value, list | dict)
                for found in reference(value, matches, node, i)]
    return []


@settings(max_examples=500, deadline=None)
@given(st.lists(trees, min_size=1, max_size=4), st.sets(st.sampled_from(KINDS), min_size=1))
def test_the_walks_find_what_the_recursive_walk_finds_in_its_order(tree, kinds):
    def matches(node: dict) -> bool:
        return isinstance(node.get("t"), str) and node["t"] in kinds

    expected = reference(tree, matches)
    assert [id(n) for n in find(tree, matches)] == [id(n) for n, _, _ in expected]
    places = list(find_in_lists(tree, matches))
    assert [(id(h), i) for h, i in places] == [(id(tree) if h is None else id(h), i) for _, h, i in expected]
    for (holder, index), (node, _, _) in zip(places, expected, strict=True):
        assert (holder[index] if index >= 0 else holder) is node


def test_a_leaf_is_found_in_its_place_and_nothing_is_found_in_a_value():
    str_a, str_b = {"t": "Str", "c": "a"}, {"t": "Str", "c": "b"}
    tree = {"t": "Para", "c": [str_a, {"t": "Span", "c": [["", [], []], [str_b]]}, {"t": "Space"}]}
    assert list(find(tree, lambda n: n["t"] == "Str")) == [str_a, str_b]
    assert list(find_in_lists(tree, lambda n: n["t"] in ("Str", "Space"))) == [
        (tree["c"], 0), (tree["c"][1]["c"][1], 0), (tree["c"], 2)]
    # a root that is not an element or a list holds nothing
    for root in (None, ("t", "Str"), "Str", 3):
        assert list(find(root, lambda n: True)) == [] and list(find_in_lists(root, lambda n: True)) == []
