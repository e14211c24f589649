"""What an Indonesian thesis (skripsi) asks of a chapter's pages: "BAB II" and its title, sections
numbered 2.1 and 2.1.1, a chosen line spacing — the same in DOCX, PDF and HTML.

The numbers are written into the headings' text (not left to each format's own numbering), so
Word, the PDF and the browser show the same "2.1"."""

from __future__ import annotations

import html
import io
import re
import zipfile
from typing import Any

from ..sources.texts import roman
from .astwalk import raw_block, words

# Word's "single" line for Times New Roman is about 1.15 em; typst's line pitch is its leading plus
# about 0.66 em (cap height to baseline). So that a PDF line is as far from the next as in Word:
_WORD_LINE_EM = 1.15
_TYPST_TEXT_EM = 0.66
BLOCK_QUOTE_WORDS = 40  # APA, and the Indonesian guides after it: a quotation this long stands as a block
INDENT = "1.25cm"  # first line of a body paragraph
QUOTE_INDENT = "1.27cm"

def chapter_label(chapter: int, lang: str) -> str:
    """``BAB II`` in Indonesian, ``CHAPTER 2`` in English (and any other language)."""
    return f"BAB {roman(chapter)}" if lang.split("-")[0].lower() == "id" else f"CHAPTER {chapter}"


def _unnumbered(header: dict[str, Any]) -> bool:
    return "unnumbered" in header["c"][1][1]


def without_number(heading: str, chapter: int) -> str:
    """A heading's text as its template wrote it: without the number ``number_chapter`` gave it (2.3.9)."""
    return re.sub(rf"^\s*{chapter}(\.[0-9]+)+\s+", "", heading)


def number_chapter(ast: dict[str, Any], chapter: int, title: str, lang: str) -> dict[str, Any]:
    """The AST as chapter ``chapter``: a centred "BAB II" / "TITLE" heading first, every heading one
    level lower, numbered 2.1, 2.1.1 … (headings marked unnumbered, such as the bibliography's, keep no
    number). Only top-level headings are numbered: a heading inside a table or quote is content."""
    counters = [0] * 9
    blocks = []
    for block in ast.get("blocks", []):
        if block.get("t") == "Header":
            level, attr, inlines = block["c"]
            level = min(level + 1, 6)
            if not _unnumbered(block):
                counters[level - 1] += 1
                counters[level:] = [0] * (len(counters) - level)
                number = ".".join(str(n) for n in [chapter, *counters[1:level]])
                inlines = [{"t": "Str", "c": number}, {"t": "Space"}, *inlines]
            block = {"t": "Header", "c": [level, attr, inlines]}
        blocks.append(block)
    head = {"t": "Header", "c": [1, [f"bab-{chapter}", ["chapter", "unnumbered"], []],
                                 [*words(chapter_label(chapter, lang)), {"t": "LineBreak"}, *words(title.upper())]]}
    return {**ast, "blocks": [head, *blocks]}


def chapter_heading_for(ast: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The chapter heading as ``fmt`` centres it: a Word Heading 1 paragraph, a typst heading in an
    ``align(center)``, an ``<h1>`` centred by its own style."""
    blocks = ast.get("blocks", [])
    if not blocks or blocks[0].get("t") != "Header" or "chapter" not in blocks[0]["c"][1][1]:
        return ast
    _level, (ident, _classes, _attrs), inlines = blocks[0]["c"]
    lines = [[]]
    for node in inlines:
        if node["t"] == "LineBreak":
            lines.append([])
        elif node["t"] == "Str":
            lines[-1].append(node["c"])
    lines_text = [" ".join(words) for words in lines]
    if fmt == "docx":
        runs = '<w:r><w:br/></w:r>'.join(f'<w:r><w:t xml:space="preserve">{html.escape(t, quote=False)}</w:t></w:r>'
                                           for t in lines_text)
        raw = raw_block("openxml", '<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:jc w:val="center"/>'
                                f'</w:pPr>{runs}</w:p>')
    elif fmt == "typst":
        body = " \\ ".join(f"#{typst_string(t)}" for t in lines_text)
        raw = raw_block("typst", f"#align(center)[#heading(level: 1, numbering: none)[{body}]]")
    else:
        body = "<br />".join(html.escape(t) for t in lines_text)
        raw = raw_block("html", f'<h1 id="{html.escape(ident)}" class="chapter" '
                                f'style="text-align: center">{body}</h1>')
    return {**ast, "blocks": [raw, *blocks[1:]]}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def typst_string(text: str) -> str:
    """``text`` as a typst string literal: inert, whatever it holds."""
    return '"' + _CONTROL.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_leading(spacing: float) -> str:
    """typst's paragraph leading for Word's line spacing ``spacing`` (1 single, 1.5, 2 double)."""
    return f"{spacing * _WORD_LINE_EM - _TYPST_TEXT_EM:.3f}em"


def typst_page_rules(spacing: float) -> str:
    """Body paragraphs: the first line indented (every paragraph, also after a heading), ``spacing``
    between lines; a block quotation single-spaced and indented; tables single-spaced in 10 pt."""
    single = typst_leading(1.0)
    return "\n".join([
        f"#set par(leading: {typst_leading(spacing)}, first-line-indent: (amount: {INDENT}, all: true))",
        "#show quote.where(block: true): it => block(inset: (left: " + QUOTE_INDENT + "), above: 1.2em, "
        f"below: 1.2em)[#set par(leading: {single}, first-line-indent: 0pt); #it.body]",
        "#show list: set par(first-line-indent: 0pt)",
        "#show enum: set par(first-line-indent: 0pt)",
        # Tables: single-spaced, ragged, 10 pt, and free to continue on the next page (a figure is not).
        "#show table: set par(first-line-indent: 0pt, leading: " + single + ", justify: false)",
        "#show table: set text(size: 10pt, hyphenate: true)",
        "#show figure.where(kind: table): set block(breakable: true)",
        "#show heading: set par(first-line-indent: 0pt)",
    ])


def typst_bibliography_rules() -> str:
    """The Daftar Pustaka: single-spaced within an entry, a blank line's space between entries."""
    return f"#set par(leading: {typst_leading(1.0)}, spacing: 1.4em)"


_LINE = re.compile(rb'(<w:spacing\b[^>]*?\bw:line=")(\d+)(")')


def docx_with_spacing(reference: bytes, spacing: float) -> bytes:
    """A DOCX template whose spaced styles (those set to 1.25 lines or more: body text, headings…) get
    ``spacing``; single-spaced styles (block quotations, the bibliography, footnotes) stay single."""
    target = str(round(spacing * 240)).encode()

    def respace(m: re.Match[bytes]) -> bytes:
        return m.group(1) + (target if int(m.group(2)) >= 300 else m.group(2)) + m.group(3)

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(reference)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/styles.xml":
                data = _LINE.sub(respace, data)
            dst.writestr(item, data)
    return out.getvalue()

