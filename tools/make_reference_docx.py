"""Make synthdoc's built-in DOCX reference document from pandoc's own, following the usual rules
for an Indonesian thesis: A4; margins 4 cm left and top, 3 cm right and bottom; Times New Roman
12 pt; 1.5 line spacing; body paragraphs with a 1.25 cm first-line indent; block quotations
single-spaced and indented 1.27 cm; black headings; page numbers; the bibliography with a 1.27 cm
hanging indent in Word's Bibliography style, single-spaced within an entry, a line's space between.

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


def main() -> None:
    base = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout
    doc = Document(io.BytesIO(base))
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.top_margin = Cm(4), Cm(4)
        section.right_margin, section.bottom_margin = Cm(3), Cm(3)
        page_number_footer(section)
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text",
                 "Table Caption", "Image Caption", "Abstract", "Date", "Author", "Subtitle", "Bibliography"):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        size = 10 if name == "Footnote Text" else 12
        set_font(style, size)
        fmt = style.paragraph_format
        if name not in ("Footnote Text", "Compact", "Table Caption", "Block Text"):
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
    bib = styles["Bibliography"]
    bib.base_style = styles["Normal"]
    bib.paragraph_format.left_indent = Cm(1.27)
    bib.paragraph_format.first_line_indent = Cm(-1.27)
    bib.paragraph_format.space_before, bib.paragraph_format.space_after = Pt(0), Pt(12)
    bib.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_font(styles["Title"], 14, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(styles["Subtitle"], 12, italic=True)
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for level, size in ((1, 14), (2, 12), (3, 12), (4, 12)):
        style = styles[f"Heading {level}"]
        set_font(style, size, bold=True, italic=level >= 3)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
