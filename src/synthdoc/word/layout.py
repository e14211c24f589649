"""Page layout that only DOCX needs: wide tables on landscape pages, footnotes numbered through the document,
the bibliography's hanging indent whatever the reference document; the DOCX itself, written by pandoc with the
document's reference document (the project's template, respaced for a chosen line spacing).

A wide table (``tables.WIDE_COLUMNS`` columns or more, in a Div of class ``wide``) gets a section of
its own: before it, a paragraph ends the portrait section; after it, one ends the landscape section.
Both are written as placeholders into the AST (pandoc passes raw OpenXML through) and filled after
pandoc has written the DOCX with copies of the document's own final section — its page size, margins,
footer and page numbers from the reference document — the landscape one turned on its side.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from ..core import pandoc
from ..core.files import atomic_write, work_dir
from ..core.paths import shown_path
from ..core.project import Document, Project
from ..render import thesis
from ..render.astwalk import raw_block
from ..render.tables import is_wide, landscape_reach

Node = dict[str, Any]

_PLACEHOLDER = "<w:p><w:pPr><w:sectPr><!--synthdoc-section:{}--></w:sectPr></w:pPr></w:p>"
_FILLED = re.compile(r"<w:p><w:pPr><w:sectPr><!--synthdoc-section:(portrait|landscape)--></w:sectPr></w:pPr></w:p>")
_RESTART = re.compile(r'<w:numRestart w:val="(?:eachSect|eachPage)"\s*/>')


def landscape_tables(ast: Node) -> Node:
    """The AST with a section break before and after every wide table (top level or in a Div). When
    little text stands before a top-level wide table (a title, an introduction), its landscape section
    starts with the document; when little stands after it (a short bibliography), it runs to the end."""

    def blocks(items: list[Node], top: bool) -> list[Node]:
        out: list[Node] = []
        for i, block in enumerate(items):
            if is_wide(block):
                before, after = landscape_reach(items[:i], items[i + 1:]) if top else (False, False)
                out += [block] if before else [_raw("portrait"), block]
                if after:
                    return [*out, *items[i + 1:], _raw("landscape")]
                out.append(_raw("landscape"))
            elif block.get("t") == "Div":
                out.append({"t": "Div", "c": [block["c"][0], blocks(block["c"][1], False)]})
            else:
                out.append(block)
        return out

    return {**ast, "blocks": blocks(ast["blocks"], True)}



def _raw(kind: str) -> Node:
    return raw_block("openxml", _PLACEHOLDER.format(kind))


def finish(docx: bytes) -> bytes:
    """The DOCX pandoc wrote, with its section placeholders filled and footnotes numbered continuously
    (pandoc's default reference document restarts them in each section, which LibreOffice shows as a
    restart on every page), and its footnotes and comments numbered apart (:func:`_annotation_ids`)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    names = set(source.namelist())
    document = source.read("word/document.xml").decode("utf-8") if "word/document.xml" in names else ""
    footnotes, comments = _annotation_ids(document)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                document = _renumber(_FOOTNOTE_REFERENCE, footnotes, document)
                data = _sections(_renumber(_COMMENT_MARK, comments, document)).encode("utf-8")
            elif item.filename == "word/footnotes.xml":
                data = _renumber(_FOOTNOTE, footnotes, data.decode("utf-8")).encode("utf-8")
            elif item.filename == "word/comments.xml":
                data = _renumber(_COMMENT, comments, data.decode("utf-8")).encode("utf-8")
            elif item.filename == "word/styles.xml":
                data = _bibliography_style(data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


_FOOTNOTE_REFERENCE = re.compile(r'(<w:footnoteReference\b[^>]*?\bw:id=")(\d+)"')
_FOOTNOTE = re.compile(r'(<w:footnote\b[^>]*?\bw:id=")(\d+)"')
_COMMENT_MARK = re.compile(r'(<w:comment(?:RangeStart|RangeEnd|Reference)\b[^>]*?\bw:id=")(\d+)"')
_COMMENT = re.compile(r'(<w:comment\b[^>]*?\bw:id=")(\d+)"')


def _annotation_ids(document: str) -> tuple[dict[str, str], dict[str, str]]:
    """New ids for the footnotes (1, 2, 3 … in the order the text refers to them) and for the comments
    (after the last footnote's), by the ids pandoc wrote. pandoc numbers both from 1 or from where a counter
    stands (the first footnote of a chapter with a figure was 18); LibreOffice 7.4 mixes a footnote and a
    comment of the same id up: it showed footnotes empty, or with the text of the note after them — a
    citation printed under another work's number. Apart, they show as written, in Word too."""
    footnotes = dict.fromkeys(m.group(2) for m in _FOOTNOTE_REFERENCE.finditer(document))
    comments = dict.fromkeys(m.group(2) for m in _COMMENT_MARK.finditer(document))
    return ({old: str(new) for new, old in enumerate(footnotes, 1)},
            {old: str(new) for new, old in enumerate(comments, len(footnotes) + 1)})


def _renumber(pattern: re.Pattern[str], ids: dict[str, str], xml: str) -> str:
    return pattern.sub(lambda m: m.group(1) + ids.get(m.group(2), m.group(2)) + '"', xml)


# Word's Bibliography style as synthdoc's reference document has it: a 1.27 cm hanging indent.
BIBLIOGRAPHY_STYLE = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="Bibliography">'
                      '<w:name w:val="Bibliography"/><w:basedOn w:val="Normal"/><w:qFormat/>'
                      '<w:pPr><w:ind w:left="720" w:hanging="720"/></w:pPr></w:style>')


def _bibliography_style(xml: str) -> str:
    """A reference document without a Bibliography style (a university's own template often has none)
    leaves pandoc's bibliography entries in Normal, without their hanging indent: synthdoc adds the style."""
    if 'w:styleId="Bibliography"' in xml or "</w:styles>" not in xml:
        return xml
    head, _, tail = xml.rpartition("</w:styles>")
    return f"{head}{BIBLIOGRAPHY_STYLE}</w:styles>{tail}"


def _sections(xml: str) -> str:
    xml = _RESTART.sub('<w:numRestart w:val="continuous"/>', xml)
    start = xml.rfind("<w:sectPr")
    if start < 0 or not _FILLED.search(xml, 0, start):
        return xml
    end = xml.index("</w:sectPr>", start) + len("</w:sectPr>")
    head, portrait, tail = xml[:start], xml[start:end], xml[end:]
    landscape = _turned(portrait)
    last = portrait
    ending = re.search(re.escape(_PLACEHOLDER.format("landscape")) + r"((?:\s*<w:bookmarkEnd\b[^>]*/>)*\s*)$", head)
    if ending:  # landscape to the very end: the last section itself is landscape, no empty page after it
        head, last = head[: ending.start()] + ending.group(1), landscape
    head = _FILLED.sub(lambda m: f"<w:p><w:pPr>{portrait if m.group(1) == 'portrait' else landscape}</w:pPr></w:p>",
                       head)
    return head + last + tail


def _turned(section: str) -> str:
    """A section's properties on a landscape page: width and height swapped, margins turned with the
    page (the binding edge, left on a portrait page, at the top)."""
    def size(m: re.Match[str]) -> str:
        attrs = dict(re.findall(r'(w:\w+)="([^"]*)"', m.group(0)))
        width, height = attrs.get("w:w", "11906"), attrs.get("w:h", "16838")
        attrs.update({"w:w": height, "w:h": width, "w:orient": "landscape"})
        return "<w:pgSz " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "/>"

    def margins(m: re.Match[str]) -> str:
        attrs = dict(re.findall(r'(w:\w+)="([^"]*)"', m.group(0)))
        # Turned clockwise: the left edge becomes the top, the top the right, and so on.
        turn = {"w:left": "w:top", "w:top": "w:right", "w:right": "w:bottom", "w:bottom": "w:left"}
        turned = {turn.get(k, k): v for k, v in attrs.items()}
        return "<w:pgMar " + " ".join(f'{k}="{v}"' for k, v in turned.items()) + "/>"

    section = re.sub(r"<w:pgSz\b[^>]*/>", size, section)
    return re.sub(r"<w:pgMar\b[^>]*/>", margins, section)


def docx_bytes(project: Project, doc: Document, doc_ast: dict, what: str) -> bytes:
    """The document's AST as a DOCX: wide tables on landscape pages, the document's template, its sections."""
    reference = _reference_doc(project, doc, work_dir(project.root) / "build")
    data = pandoc.ast_to_bytes(landscape_tables(doc_ast), "docx", what=what, extra=["--reference-doc", str(reference)])
    pandoc.check_format("docx", data, shown_path(project.output / f"{doc.id}.docx", project.root))  # before unzipping
    return finish(data)


def _reference_doc(project: Project, doc: Document, work: Path) -> Path:
    """The DOCX template of a document: the project's (or the built-in one), respaced when the document
    or project sets a line spacing."""
    if doc.line_spacing is None:
        return project.docx_template
    path = work / f"{doc.id}.reference.docx"
    atomic_write(path, thesis.docx_with_spacing(project.docx_template.read_bytes(), doc.line_spacing))
    return path
