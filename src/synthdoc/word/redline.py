"""A redline: the current version of a document with every difference from an earlier one as Word
tracked changes, word by word.

The two versions' pandoc ASTs are compared block by block (paragraphs, headings, list items, each
bibliography entry); a paragraph that changed is compared word by word, with each word's place in
emphasis, links and citations as part of what is compared (a citation that now points at another
work is a change even where its text reads the same). Deleted and inserted words become pandoc
spans of class ``deletion`` and ``insertion``, which pandoc's DOCX writer turns into ``w:del`` and
``w:ins`` runs; they are put innermost, inside links and citations, where Word allows them. A table with
the same columns is compared row by row: an unchanged row stays as it is, a changed one is compared cell
by cell, and rows only one version has are deleted or inserted whole.

Pandoc marks only runs of text. So that Word's and LibreOffice's *Accept All* leave exactly the new
version and *Reject All* exactly the old one, the DOCX is finished (:func:`tracked_structure`): a
paragraph or table row all of whose text is deleted (inserted) has its paragraph mark or the row itself
deleted (inserted) too, and every change gets a revision id of its own (pandoc gives an insertion and the
deletion beside it the same one).
"""

from __future__ import annotations

import io
import json
import zipfile
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..core.diagnostics import SynthdocError
from ..core.files import WORK_DIR, atomic_write, work_dir
from ..core.paths import shown_path
from ..core.project import Document, Project
from ..render import thesis
from ..render.astwalk import stringify
from . import versions
from .bookmarks import SYNTHDOC_AUTHOR, mark_claims
from .layout import docx_bytes

Node = dict[str, Any]
EQUAL, INSERTED, DELETED = "equal", "insertion", "deletion"
# How alike two rows' text must be to be one row changed rather than one row deleted and another inserted.
SAME_ROW = 0.6

# Inline containers whose content is a list of inlines, and where that list is in their "c".
_WRAPPERS = {"Emph": None, "Strong": None, "Underline": None, "Strikeout": None, "Superscript": None,
             "Subscript": None, "SmallCaps": None, "Quoted": 1, "Cite": 1, "Link": 1, "Span": 1}


def redline(old: Node, new: Node, author: str, date: str) -> Node:
    """``new`` with what differs from ``old`` marked as tracked changes by ``author`` at ``date``."""
    marker = _Marker(author, date)
    return {**new, "blocks": marker.blocks(old.get("blocks", []), new.get("blocks", []))}


def count_changes(ast: Node) -> dict[str, int]:
    """How many insertion and deletion spans an AST has (for the command's summary)."""
    counts = {INSERTED: 0, DELETED: 0}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("t") == "Span" and set(node["c"][0][1]) & counts.keys():
                counts[node["c"][0][1][0]] += 1
            for value in node.values():
                walk(value)

    walk(ast.get("blocks", []))
    return counts


def _key(node: Any) -> str:
    return json.dumps(node, sort_keys=True, ensure_ascii=False)


class _Marker:
    def __init__(self, author: str, date: str) -> None:
        self.attrs = [["author", author], ["date", date]]

    def span(self, status: str, content: list[Node]) -> Node:
        return {"t": "Span", "c": [["", [status], self.attrs], content]}

    # --- blocks ---------------------------------------------------------------------------------------

    def blocks(self, old: list[Node], new: list[Node]) -> list[Node]:
        out: list[Node] = []
        matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(new[j1:j2])
            else:
                out.extend(self.changed_blocks(old[i1:i2], new[j1:j2]))
        return out

    def changed_blocks(self, old: list[Node], new: list[Node]) -> list[Node]:
        """Blocks that differ: those of the same kind (and the same bibliography entry) are compared
        inside; the rest are whole deletions and insertions."""
        out: list[Node] = []
        matcher = SequenceMatcher(None, [_shape(b) for b in old], [_shape(b) for b in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(self.block(o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True))
            else:
                out.extend(self.whole(b, DELETED) for b in old[i1:i2])
                out.extend(self.whole(b, INSERTED) for b in new[j1:j2])
        return out

    def block(self, old: Node, new: Node) -> Node:
        t = new.get("t")
        if _key(old) == _key(new):
            return new
        if t in ("Para", "Plain"):
            return {"t": t, "c": self.inlines(old["c"], new["c"])}
        if t == "Header":
            return {"t": t, "c": [new["c"][0], new["c"][1], self.inlines(old["c"][2], new["c"][2])]}
        if t == "Div":
            return {"t": t, "c": [new["c"][0], self.blocks(old["c"][1], new["c"][1])]}
        if t == "BlockQuote":
            return {"t": t, "c": self.blocks(old["c"], new["c"])}
        if t == "BulletList":
            return {"t": t, "c": self.items(old["c"], new["c"])}
        if t == "OrderedList":
            return {"t": t, "c": [new["c"][0], self.items(old["c"][1], new["c"][1])]}
        if t == "Table" and (table := self.table(old, new)) is not None:
            return table
        # A table of other columns, a code block, a figure…: the old one deleted and the new one inserted, whole.
        return {"t": "Div", "c": [["", [], []], [self.whole(old, DELETED), self.whole(new, INSERTED)]]}

    def table(self, old: Node, new: Node) -> Node | None:
        """A table compared row by row, when both versions have the same columns and bodies (else None)."""
        _, _, old_specs, old_head, old_bodies, old_foot = old["c"]
        attr, caption, specs, head, bodies, foot = new["c"]
        if len(old_specs) != len(specs) or len(old_bodies) != len(bodies):
            return None
        return {"t": "Table", "c": [
            attr, [caption[0], self.blocks(old["c"][1][1], caption[1])], specs,
            [head[0], self.rows(old_head[1], head[1])],
            [[b[0], b[1], self.rows(ob[2], b[2]), self.rows(ob[3], b[3])] for ob, b in zip(old_bodies, bodies,
                                                                                          strict=True)],
            [foot[0], self.rows(old_foot[1], foot[1])]]}

    def rows(self, old: list[Node], new: list[Node]) -> list[Node]:
        """Table rows: unchanged ones as they are; the rest as :meth:`changed_rows` says."""
        out: list[Node] = []
        matcher = SequenceMatcher(None, [_key(r) for r in old], [_key(r) for r in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(new[j1:j2])
                continue
            out.extend(self.changed_rows(old[i1:i2], new[j1:j2]))
        return out

    def changed_rows(self, old: list[Node], new: list[Node]) -> list[Node]:
        """Rows that differ: a new row is an old one changed when their cells line up and their text is
        mostly the same (a thesis whose title or findings changed), and is compared cell by cell; the
        others are deleted or inserted whole, in order."""
        out: list[Node] = []
        texts = [stringify(r[1]) for r in new]
        j = 0
        for o in old:
            text = stringify(o[1])
            match = next((k for k in range(j, len(new)) if _cells_line_up(o, new[k])
                          and SequenceMatcher(None, text, texts[k], autojunk=False).ratio() >= SAME_ROW), None)
            if match is None:
                out.append(self.whole(o, DELETED))
                continue
            out.extend(self.whole(n, INSERTED) for n in new[j:match])
            out.append(self.row(o, new[match]))
            j = match + 1
        out.extend(self.whole(n, INSERTED) for n in new[j:])
        return out

    def row(self, old: Node, new: Node) -> Node:
        """A row compared cell by cell with the old row at its place (their cells line up)."""
        attr, cells = new
        return [attr, [[c[0], c[1], c[2], c[3], self.blocks(o[4], c[4])]
                       for o, c in zip(old[1], cells, strict=True)]]

    def items(self, old: list[list[Node]], new: list[list[Node]]) -> list[list[Node]]:
        """List items: an unchanged item as it is; changed ones compared with the item at the same place."""
        out: list[list[Node]] = []
        matcher = SequenceMatcher(None, [_key(i) for i in old], [_key(i) for i in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(new[j1:j2])
                continue
            olds, news = old[i1:i2], new[j1:j2]
            paired = min(len(olds), len(news)) if tag == "replace" else 0
            for o, n in zip(olds[:paired], news[:paired], strict=True):
                out.append(self.blocks(o, n))
            out.extend([self.whole(b, DELETED) for b in item] for item in olds[paired:])
            out.extend([self.whole(b, INSERTED) for b in item] for item in news[paired:])
        return out

    def whole(self, block: Any, status: str) -> Any:
        """A block (or a table row) all of whose text is deleted or inserted."""
        def walk(node: Any) -> Any:
            if isinstance(node, list):
                return [walk(item) for item in node]
            if not isinstance(node, dict):
                return node
            t = node.get("t")
            if t in ("Para", "Plain"):
                return {"t": t, "c": self.mark_all(node["c"], status)}
            if t == "Header":
                return {"t": t, "c": [node["c"][0], node["c"][1], self.mark_all(node["c"][2], status)]}
            return {k: walk(v) for k, v in node.items()}

        return walk(block)

    def mark_all(self, inlines: list[Node], status: str) -> list[Node]:
        return _rebuild([(status, leaf, path) for leaf, path in _tokens(inlines)], 0, self)

    # --- inlines --------------------------------------------------------------------------------------

    def inlines(self, old: list[Node], new: list[Node]) -> list[Node]:
        """``new`` with the words that differ from ``old`` marked."""
        old_tokens, new_tokens = _tokens(old), _tokens(new)
        matcher = SequenceMatcher(None, [_token_key(t) for t in old_tokens], [_token_key(t) for t in new_tokens],
                                  autojunk=False)
        merged: list[tuple[str, Node, tuple]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                merged.extend((EQUAL, leaf, path) for leaf, path in new_tokens[j1:j2])
                continue
            # Deleted words stay inside the new version's sentence, citation or link around them.
            beside = merged[-1][2] if merged else new_tokens[j1][1] if j1 < len(new_tokens) else ()
            merged.extend((DELETED, leaf, _adopt(path, beside)) for leaf, path in old_tokens[i1:i2])
            merged.extend((INSERTED, leaf, path) for leaf, path in new_tokens[j1:j2])
        return _rebuild(merged, 0, self)


def _cells_line_up(old: Node, new: Node) -> bool:
    """Whether two table rows have as many cells, each spanning as many rows and columns."""
    return len(old[1]) == len(new[1]) and all(o[2:4] == n[2:4] for o, n in zip(old[1], new[1], strict=True))


def _adopt(path: tuple, beside: tuple) -> tuple:
    """An old word's containers, each replaced by the new one beside it where they are of the same kind."""
    out = []
    for depth, container in enumerate(path):
        if depth < len(beside) and len(out) == depth and _wrapper_key(beside[depth]) == _wrapper_key(container):
            out.append(beside[depth])
        else:
            out.append(container)
    return tuple(out)


def _shape(block: Node) -> str:
    """What two blocks must share to be compared inside: their kind, a heading's level, a Div's id."""
    t = block.get("t", "")
    if t == "Header":
        return f"Header{block['c'][0]}"
    if t == "Div":
        return f"Div#{block['c'][0][0]}"
    if t == "OrderedList":
        return "OrderedList"
    return t


def _tokens(inlines: list[Node], path: tuple = ()) -> list[tuple[Node, tuple]]:
    """The leaves of an inline list (words, spaces, notes, images), each with the containers around it
    as ``(container node, container without its content)`` pairs, outermost first."""
    out: list[tuple[Node, tuple]] = []
    for node in inlines:
        t = node.get("t")
        if t in _WRAPPERS:
            content = _content(node)
            out.extend(_tokens(content, (*path, node)))
        else:
            out.append((node, path))
    return out


def _content(node: Node) -> list[Node]:
    index = _WRAPPERS[node["t"]]
    return node["c"] if index is None else node["c"][index]


def _with_content(node: Node, content: list[Node]) -> Node:
    index = _WRAPPERS[node["t"]]
    if index is None:
        return {"t": node["t"], "c": content}
    c = list(node["c"])
    c[index] = content
    return {"t": node["t"], "c": c}


def _wrapper_key(node: Node) -> str:
    """What of a container takes part in the comparison: its kind, a citation's works, a link's target
    (not a claim span's names, which only say where the words came from)."""
    t = node["t"]
    if t == "Cite":
        return "Cite:" + " ".join(c["citationId"] for c in node["c"][0])
    if t == "Link":
        return "Link:" + node["c"][2][0]
    if t == "Quoted":
        return "Quoted:" + _key(node["c"][0])
    if t == "Span":
        return "Span:" + " ".join(node["c"][0][1])
    return t


def _token_key(token: tuple[Node, tuple]) -> str:
    leaf, path = token
    return _key([leaf, [_wrapper_key(p) for p in path]])


def _rebuild(tokens: list[tuple[str, Node, tuple]], depth: int, marker: _Marker) -> list[Node]:
    """Inlines from marked leaves: consecutive leaves under the same container share it again, and
    consecutive inserted or deleted leaves share one span, innermost."""
    out: list[Node] = []
    i = 0
    while i < len(tokens):
        status, _, path = tokens[i]
        if len(path) > depth:
            container = path[depth]
            j = i
            while j < len(tokens) and len(tokens[j][2]) > depth and tokens[j][2][depth] is container:
                j += 1
            out.append(_with_content(container, _rebuild(tokens[i:j], depth + 1, marker)))
            i = j
            continue
        j = i
        while j < len(tokens) and len(tokens[j][2]) == depth and tokens[j][0] == status:
            j += 1
        leaves = [leaf for _, leaf, _ in tokens[i:j]]
        out.extend(leaves if status == EQUAL else [marker.span(status, leaves)])
        i = j
    return out


def write_redline(project: Project, document: str, since: str | None) -> tuple[Path, dict[str, int], str]:
    """Write ``output/<document>.redline.docx``: the document's newest version with its differences from
    the snapshot ``since`` (default: the build before the newest) as tracked changes. Returns the path,
    the counts of insertions and deletions, and what it was compared with."""
    doc = project.document(document)
    work = work_dir(project.root)
    config = shown_path(project.config_path, project.root)
    newest = versions.current(work, doc.id)
    if newest is None:
        raise SynthdocError.single(config, f"document '{doc.id}' has not been built yet; run synthdoc build",
                                   "redline-unbuilt", doc.line)
    if since is None:
        base = versions.previous(work, doc.id)
        if base is None:
            raise SynthdocError.single(config, f"document '{doc.id}' has no earlier build to compare with; "
                                       "build it again after a change, or name a snapshot with --since",
                                       "redline-no-previous", doc.line)
        against = f"the build of {base[1]}"
    else:
        taken = versions.find_snapshot(work, since, config)
        if doc.id not in taken.documents:
            raise SynthdocError.single(config, f"snapshot '{since}' has no document '{doc.id}' (it was taken "
                                       "before the document existed)", "snapshot-missing", doc.line)
        base = (taken.documents[doc.id], taken.time)
        against = f"snapshot '{since}' ({taken.time})"
    old, new = versions.load(work, doc.id, base[0]), versions.load(work, doc.id, newest[0])
    if old is None or new is None:
        raise SynthdocError.single(config, f"a kept version of '{doc.id}' is missing from {WORK_DIR}/; build "
                                   "again to compare from now on", "redline-version-missing", doc.line)
    marked = redline(old, new, SYNTHDOC_AUTHOR, versions.now())
    counts = count_changes(marked)
    data = version_docx(project, doc, marked, f"redline of '{doc.id}'")
    path = project.output / f"{doc.id}.redline.docx"
    atomic_write(path, data, shown_path(path, project.root))
    return path, counts, against


def version_docx(project: Project, doc: Document, ast: Node, what: str) -> bytes:
    """A kept version of a document (or a redline of two) as a DOCX, as the build writes it."""
    marked = mark_claims(thesis.chapter_heading_for(ast, "docx"), None, doc.id)  # versions carry claim names
    return tracked_structure(docx_bytes(project, doc, marked, what))


# --- the DOCX: tracked changes of structure, and their ids ---------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_INS, _DEL = f"{{{W}}}ins", f"{{{W}}}del"
# Elements whose w:id numbers annotations too (comments, bookmarks): a revision id must differ from them.
_ANNOTATIONS = {f"{{{W}}}{name}" for name in ("bookmarkStart", "bookmarkEnd", "commentRangeStart",
                                              "commentRangeEnd", "commentReference")}
_BLOCKS = {f"{{{W}}}{name}" for name in ("p", "tbl", "sdt")}
_TEXT = {f"{{{W}}}{name}" for name in ("t", "delText", "tab", "br", "cr", "sym", "drawing", "footnoteReference",
                                       "endnoteReference", "noBreakHyphen", "softHyphen", "fldChar", "instrText")}


def tracked_structure(docx: bytes) -> bytes:
    """The DOCX with its tracked changes made whole for Word and LibreOffice (see the module's docstring)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = _tracked_structure(data)
            target.writestr(item, data)
    return out.getvalue()


def _tracked_structure(xml: bytes) -> bytes:
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(xml), events=["start-ns"]):
        ET.register_namespace(prefix, uri)  # written back with the document's own prefixes
    root = ET.fromstring(xml)
    parents = {child: parent for parent in root.iter() for child in parent}
    body = root.find(f"{{{W}}}body")
    for row in root.iter(f"{{{W}}}tr"):
        if change := _whole_change(row, parents):
            _child(row, "trPr", at=1 if row.find(f"{{{W}}}tblPrEx") is not None else 0).append(_revision(change))
    for container in [body, *root.iter(f"{{{W}}}tc")]:
        if container is not None:
            _mark_paragraphs(container, parents)
            _join_replaced_tables(container)
    taken = [int(el.get(f"{{{W}}}id", "0")) for el in root.iter() if el.tag in _ANNOTATIONS
             if el.get(f"{{{W}}}id", "").isdigit()]
    for number, change in enumerate((el for el in root.iter() if el.tag in (_INS, _DEL)), max(taken, default=0) + 1):
        change.set(f"{{{W}}}id", str(number))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _mark_paragraphs(container: ET.Element, parents: dict[ET.Element, ET.Element]) -> None:
    """Each paragraph of ``container`` (the body, a table cell) whose text is all deleted (inserted) gets its
    paragraph mark deleted (inserted), so that no empty paragraph is left where it stood. The last
    paragraph's mark cannot go (Word and LibreOffice keep one to end the body or the cell): when that
    paragraph goes, the mark of the paragraph before the ones going goes instead, and its text joins it."""
    paragraphs = [child for child in container if child.tag == f"{{{W}}}p"]
    changes = [_whole_change(p, parents) for p in paragraphs]
    marks: dict[int, ET.Element] = {i: c for i, c in enumerate(changes[:-1]) if c is not None}
    if paragraphs and (last := changes[-1]) is not None:
        children = list(container)
        i = len(paragraphs) - 1
        while i > 0 and changes[i - 1] is not None and changes[i - 1].tag == last.tag:
            i -= 1
        between = children[children.index(paragraphs[i - 1]) + 1:children.index(paragraphs[i])] if i > 0 else []
        if i > 0 and not any(child.tag in _BLOCKS for child in between):  # bookmarks may stand between
            marks[i - 1] = last
    for i, change in marks.items():
        _child(_child(paragraphs[i], "pPr", at=0), "rPr").insert(0, _revision(change))


def _join_replaced_tables(container: ET.Element) -> None:
    """A table replaced whole (other columns) is the old table, all its rows deleted, then the new one, all
    inserted, with the empty paragraph pandoc puts between two tables: that paragraph belongs to neither
    version, so it goes, and the two stand as one table of deleted rows and inserted rows, as Word keeps
    a table whose rows were replaced."""
    children = list(container)
    for before, middle, after in zip(children, children[1:], children[2:], strict=False):
        if (before.tag == after.tag == f"{{{W}}}tbl" and middle.tag == f"{{{W}}}p" and len(middle) == 0
                and _rows_all(before, _DEL) and _rows_all(after, _INS)):
            container.remove(middle)


def _rows_all(table: ET.Element, kind: str) -> bool:
    rows = table.findall(f"{{{W}}}tr")
    return bool(rows) and all(row.find(f"{{{W}}}trPr/{kind}") is not None for row in rows)


def _whole_change(element: ET.Element, parents: dict[ET.Element, ET.Element]) -> ET.Element | None:
    """The ``w:ins`` or ``w:del`` that holds every piece of text of ``element``, when one kind does (else None)."""
    kinds: dict[str, ET.Element] = {}
    for leaf in element.iter():
        if leaf.tag not in _TEXT:
            continue
        up, change = parents.get(leaf), None
        while up is not None and up is not element:
            if up.tag in (_INS, _DEL):
                change = up
                break
            up = parents.get(up)
        if change is None:
            return None
        kinds.setdefault(change.tag, change)
    return next(iter(kinds.values())) if len(kinds) == 1 else None


def _child(parent: ET.Element, name: str, at: int | None = None) -> ET.Element:
    """``parent``'s child ``w:name``, made when it has none: at index ``at``, or where the schema puts it."""
    found = parent.find(f"{{{W}}}{name}")
    if found is None:
        found = ET.Element(f"{{{W}}}{name}")
        if at is not None:
            parent.insert(at, found)
        elif name == "rPr" and (later := [c for c in parent if c.tag in (f"{{{W}}}sectPr", f"{{{W}}}pPrChange")]):
            parent.insert(list(parent).index(later[0]), found)
        else:
            parent.append(found)
    return found


def _revision(change: ET.Element) -> ET.Element:
    """A mark of the same kind, author and date as ``change`` (its id is given with all the others)."""
    return ET.Element(change.tag, {k: v for k, v in change.attrib.items() if not k.endswith("}id")})
