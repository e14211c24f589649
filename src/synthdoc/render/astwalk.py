"""Reading pandoc's JSON AST: citations in document order, and an element's plain text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Node = dict[str, Any]


def raw_block(fmt: str, text: str) -> Node:
    """A block of ``fmt`` (``typst``, ``openxml``, ``html``) that pandoc's writer for it passes through."""
    return {"t": "RawBlock", "c": [fmt, text]}


def raw_inline(fmt: str, text: str) -> Node:
    """An inline of ``fmt`` that pandoc's writer for it passes through."""
    return {"t": "RawInline", "c": [fmt, text]}


def find(node: Any, matches: Callable[[Node], bool]) -> Iterator[Node]:
    """Every element under ``node`` that ``matches``, in document order, without searching inside
    the elements found. (A stack, not recursion: a 10,000-claim document is millions of nodes.)"""
    stack = [node]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        if type(item) is dict:
            if matches(item):
                yield item
                continue
            values = [v for v in item.values() if type(v) is list or type(v) is dict]
        elif type(item) is list:
            values = []
            for v in item:
                if type(v) is dict:
                    if _leaf(v):  # (most of a document: matched here, never pushed)
                        if matches(v):
                            values.append(_Matched(v))
                        continue
                    values.append(v)
                elif type(v) is list:
                    values.append(v)
        elif type(item) is _Matched:  # a leaf that matched, in its place
            yield item.node
            continue
        else:
            continue
        values.reverse()
        push(values)


def find_in_lists(node: Any, matches: Callable[[Node], bool]) -> Iterator[tuple[Any, int]]:
    """Where each element :func:`find` finds stands: ``(list, index)``, or ``(element, -1)`` for an
    element that is not in a list (``node`` itself, or a mapping's value). In document order; a
    stack rather than recursion (a 10,000-claim document is millions of nodes)."""
    stack: list[tuple[Any, Any, int]] = [(node, node, -1)]
    pop, push = stack.pop, stack.extend
    while stack:
        item, holder, index = pop()
        if type(item) is dict:
            if matches(item):
                yield holder, index
                continue
            push([(v, v, -1) for v in reversed(item.values()) if type(v) is list or type(v) is dict])
        elif type(item) is list:
            places: list[tuple[Any, Any, int]] = []
            for i, v in enumerate(item):
                if type(v) is dict:
                    if _leaf(v):  # (most of a document: matched here, never pushed)
                        if matches(v):
                            places.append((_Matched(v), item, i))
                        continue
                    places.append((v, item, i))
                elif type(v) is list:
                    places.append((v, item, i))
            places.reverse()
            push(places)
        elif type(item) is _Matched:  # a leaf that matched, in its place
            yield holder, index


class _Matched:
    """A leaf the walks matched, on their stack until its turn comes."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node


def _leaf(node: Node) -> bool:
    """An element that holds no other (``Str``, ``Space``…: most of a document), by its keys and their values:
    the walks above match it where they find it, and look no further into it."""
    return type(node.get("t")) is str and (len(node) == 1 or (len(node) == 2 and type(node.get("c")) is str))


def cites(node: Any) -> Iterator[Node]:
    """Every ``Cite`` under ``node``, in the order pandoc's citeproc takes them (a Cite's own
    content is not searched: citeproc replaces it)."""
    return find(node, is_cite)


def is_cite(node: Node) -> bool:
    return node.get("t") == "Cite"


def has_cite(node: Any) -> bool:
    return next(cites(node), None) is not None


def cite_ids(cite: Node) -> list[str]:
    return [c["citationId"] for c in cite["c"][0]]


def stringify(node: Any) -> str:
    """The plain text of an element, as pandoc's ``stringify`` gives it (spaces and breaks as spaces)."""
    if isinstance(node, list):
        return "".join(stringify(x) for x in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    content = node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind == "Quoted":
        quote = '"' if content[0]["t"] == "DoubleQuote" else "'"
        return quote + stringify(content[1]) + quote
    if kind == "Cite":
        return stringify(content[1])
    if kind in ("Link", "Image"):
        return stringify(content[1])
    if kind == "Span":
        return stringify(content[1])
    if kind in ("Note", "RawInline"):
        return ""
    return stringify(content)


def words(text: str) -> list[Node]:
    """Plain ``text`` as AST inlines: its words as ``Str``, a ``Space`` between them."""
    out: list[Node] = []
    for i, word in enumerate(text.split()):
        if i:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out
