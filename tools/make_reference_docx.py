"""Make synthdoc's built-in DOCX reference document from pandoc's own, following the usual rules
for an Indonesian thesis: A4; margins 4 cm left and top, 3 cm right and bottom; Times New Roman
12 pt; 1.5 line spacing; body paragraphs with a 1.25 cm first-line indent; block quotations
single-spaced and indented 1.27 cm; black headings and links; page numbers; footnotes in 10 pt
numbered through the document; the bibliography with a 1.27 cm hanging indent in Word's
Bibliography style, single-spaced within an entry, a line's space between; table cells in a
compact 10 pt "Table Text" style.

    python tools/make_reference_docx.py   # writes src/synthdoc/resources/reference.docx
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "src" / "synthdoc" / "resources" / "reference.docx"
FONT = "Times New Roman"


def set_font(style, size: float, bold: bool | None = None, italic: bool | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def page_setup(doc) -> None:
    """A4, margins 4 cm left and top, 3 cm right and bottom, page numbers, footnotes numbered through
    the document (pandoc's default restarts them in each section)."""
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.top_margin = Cm(4), Cm(4)
        section.right_margin, section.bottom_margin = Cm(3), Cm(3)
        page_number_footer(section)
        sect = section._sectPr
        for old in sect.findall(qn("w:footnotePr")):
            sect.remove(old)
        footnotes = OxmlElement("w:footnotePr")
        restart = OxmlElement("w:numRestart")
        restart.set(qn("w:val"), "continuous")
        footnotes.append(restart)
        # w:footnotePr comes right after the header and footer references.
        refs = sect.findall(qn("w:headerReference")) + sect.findall(qn("w:footerReference"))
        (refs[-1].addnext if refs else lambda e: sect.insert(0, e))(footnotes)


def paragraph_style(styles, name: str):
    try:
        return styles[name]
    except KeyError:
        return styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)


def body_styles(styles) -> None:
    """Times New Roman 12 pt, 1.5 line spacing, body text justified."""
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Table Caption",
                 "Image Caption", "Abstract", "Date", "Author", "Subtitle", "Bibliography"):
        style = paragraph_style(styles, name)
        set_font(style, 12)
        fmt = style.paragraph_format
        if name not in ("Compact", "Table Caption", "Block Text"):
            fmt.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
        if name in ("Body Text", "First Paragraph"):
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.space_before, fmt.space_after = Pt(0), Pt(6)
            fmt.first_line_indent = Cm(1.25)
    quote = styles["Block Text"]
    quote.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    quote.paragraph_format.left_indent, quote.paragraph_format.right_indent = Cm(1.27), Cm(0)
    quote.paragraph_format.first_line_indent = Cm(0)
    quote.paragraph_format.space_before, quote.paragraph_format.space_after = Pt(6), Pt(12)
    quote.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def footnote_styles(styles) -> None:
    """Footnotes in 10 pt, single-spaced, black."""
    style = paragraph_style(styles, "Footnote Text")
    set_font(style, 10)
    style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    style.paragraph_format.space_after = Pt(2)


def link_style(styles) -> None:
    """Links (citations linked to their entry) in the text's own black: a thesis is read on paper."""
    style = styles["Hyperlink"]
    style.font.color.rgb = RGBColor(0, 0, 0)
    color = style.element.rPr.find(qn("w:color"))
    for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
        color.attrib.pop(qn(attr), None)
    style.font.underline = False


def bibliography_style(styles) -> None:
    """Word's Bibliography style with a 1.27 cm hanging indent."""
    bib = styles["Bibliography"]
    bib.base_style = styles["Normal"]
    bib.paragraph_format.left_indent = Cm(1.27)
    bib.paragraph_format.first_line_indent = Cm(-1.27)
    bib.paragraph_format.space_before, bib.paragraph_format.space_after = Pt(0), Pt(12)
    bib.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def table_styles(doc) -> None:
    """Table cells (synthdoc's "Table Text") in 10 pt, single-spaced, left-aligned, no indent; thin rules
    between the rows of a table."""
    styles = doc.styles
    text = paragraph_style(styles, "Table Text")
    text.base_style = styles["Normal"]
    set_font(text, 10)
    fmt = text.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.first_line_indent, fmt.left_indent = Cm(0), Cm(0)
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    table = styles["Table"].element
    tbl_pr = table.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        table.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblBorders")) + tbl_pr.findall(qn("w:tblCellMar")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "bottom", "insideH"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:color"), "808080")
        borders.append(line)
    indent = tbl_pr.find(qn("w:tblInd"))  # the schema's order: tblInd, tblBorders, …, tblCellMar
    (indent.addnext if indent is not None else lambda e: tbl_pr.insert(0, e))(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 40), ("left", 80), ("bottom", 40), ("right", 80)):
        cell = OxmlElement(f"w:{edge}")
        cell.set(qn("w:w"), str(width))
        cell.set(qn("w:type"), "dxa")
        margins.append(cell)
    tbl_pr.append(margins)


def heading_styles(styles) -> None:
    """Black headings in the body font; the title centred."""
    set_font(styles["Title"], 14, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(styles["Subtitle"], 12, italic=True)
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for level, size in ((1, 14), (2, 12), (3, 12), (4, 12)):
        style = styles[f"Heading {level}"]
        set_font(style, size, bold=True, italic=level >= 3)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)


def main() -> None:
    base = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout
    doc = Document(io.BytesIO(base))
    page_setup(doc)
    body_styles(doc.styles)
    footnote_styles(doc.styles)
    link_style(doc.styles)
    bibliography_style(doc.styles)
    table_styles(doc)
    heading_styles(doc.styles)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
