"""Highlights, underlines and squiggly lines of a PDF (made in Acrobat, Edge, Okular, Foxit, …): the text
under each annotation's quadrilaterals, read from the page's text layer with PDFium, its comment, colour
and printed page number."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from ..core.colors import from_rgb
from ..core.diagnostics import Diagnostic, SynthdocError, error
from ..core.files import read_input
from .quotes import _LINE_END_HYPHEN as LINE_END_HYPHEN
from .quotes import SOFT
from .quotes import _spelled as spelled
from .texts import SourceText, opens_without_password, read_text

_PDFIUM_LINE_END_HYPHEN = "\ufffe"  # how PDFium gives a hyphen that ends a line (it drops the line break)
MARKUP = {"/Highlight": "highlight", "/Underline": "underline", "/Squiggly": "squiggly"}


@dataclass(frozen=True)
class Highlight:
    """One marked passage: its page (1-based index and printed label), text, comment and colour."""

    page: int
    label: str
    text: str
    comment: str
    color: str | None
    annotation: str  # a name that stays the same from one import to the next


def read_highlights(path: Path, shown: str, first_page: int | None = None) -> tuple[SourceText, list[Highlight]]:
    """The PDF's text (as ``check`` reads it) and its marked passages, in page order; a highlight
    with no text under it, or a PDF that cannot be read, is an error naming the page."""
    text = read_text(path, shown, first_page, keep=False)  # encrypted, broken, or image-only PDFs stop here
    raw = read_input(path, shown, "a PDF file")
    marks = _annotations(raw, shown)
    highlights: list[Highlight] = []
    problems: list[Diagnostic] = []
    if not marks:
        return text, []
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise SynthdocError.single(shown, f"cannot read the PDF: {exc}", "text-format") from None
    try:
        for index, items in sorted(marks.items()):
            page = document[index]
            textpage = page.get_textpage()
            chars = _chars(textpage)
            for kind, quads, comment, color, name in items:
                under = _text_under(chars, quads)
                label = text.labels[index] if index < len(text.labels) else str(index + 1)
                if not under.strip():
                    problems.append(error(shown, index + 1, 1, f"the {kind} on page {label} has no text under it "
                                          "(a scanned page, or a mark over a picture?); remove it or run OCR on the "
                                          "PDF", "import-empty-highlight"))
                    continue
                highlights.append(Highlight(index + 1, label, under, comment, color, name))
    finally:
        document.close()
    if problems:
        raise SynthdocError(problems)
    return text, highlights


Mark = tuple[str, list[tuple[float, float, float, float]], str, "str | None", str]


def _annotations(raw: bytes, shown: str) -> dict[int, list[Mark]]:
    """Each page's markup annotations: kind, rectangles (from /QuadPoints, else /Rect), comment, colour, name."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    out: dict[int, list[Mark]] = {}
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            opens_without_password(reader)  # read_text has refused a PDF that needs a password
        for index, page in enumerate(reader.pages):
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                kind = MARKUP.get(str(annot.get("/Subtype")))
                if kind is None:
                    continue
                quads = _rects(annot.get("/QuadPoints"), annot.get("/Rect"))
                comment = str(annot.get("/Contents") or "").strip()
                color = from_rgb(list(annot.get("/C") or [])) if annot.get("/C") else None
                name = str(annot.get("/NM") or "").strip() or _digest(index, quads)
                out.setdefault(index, []).append((kind, quads, comment, color, name))
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SynthdocError.single(shown, f"cannot read the PDF's annotations: {exc}", "text-format") from None
    return out


def _rects(quad_points: object, rect: object) -> list[tuple[float, float, float, float]]:
    """One (left, bottom, right, top) box per quadrilateral (8 numbers each), or the /Rect without any."""
    numbers = [float(n) for n in quad_points] if quad_points else []
    boxes = []
    for i in range(0, len(numbers) - 7, 8):
        xs, ys = numbers[i:i + 8:2], numbers[i + 1:i + 8:2]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    if not boxes and rect:
        x1, y1, x2, y2 = (float(n) for n in rect)
        boxes.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return boxes


def _digest(index: int, boxes: list[tuple[float, float, float, float]]) -> str:
    """A name for an annotation without /NM: its page and where it stands (rounded to a point)."""
    where = ";".join(",".join(f"{v:.0f}" for v in box) for box in boxes)
    return f"p{index + 1}-" + hashlib.sha256(where.encode()).hexdigest()[:10]


Char = tuple[str, float, float]  # a character and its box's centre


def _chars(textpage: object) -> list[Char]:
    count = textpage.count_chars()
    out = []
    for i in range(count):
        ch = textpage.get_text_range(i, 1)
        left, bottom, right, top = textpage.get_charbox(i)
        out.append((ch, (left + right) / 2, (bottom + top) / 2))
    return out


def _text_under(chars: list[Char], boxes: list[tuple[float, float, float, float]]) -> str:
    """The characters whose centre lies in one of the boxes, in reading order; a line break wherever
    the marked characters are not consecutive, so that quote matching joins lines as it joins a text's."""
    chosen = sorted({i for left, bottom, right, top in boxes for i, (_, x, y) in enumerate(chars)
                     if left <= x <= right and bottom <= y <= top})
    parts: list[str] = []
    previous = None
    for i in chosen:
        ch = chars[i][0]
        if ch in "\r\n":
            continue
        if ch == _PDFIUM_LINE_END_HYPHEN:
            ch = "-\n"
        if previous is not None and i != previous + 1:
            parts.append("\n")
        parts.append(ch)
        previous = i
    return joined("".join(parts))


def joined(text: str) -> str:
    """Marked lines as one quote, in single spaces, a word hyphenated at a line end spelled as quote
    matching reads it: ``laki-laki`` keeps its hyphen, ``antar-⏎lembaga`` becomes ``antarlembaga``."""
    return " ".join(spelled(LINE_END_HYPHEN.sub(SOFT, text)).split())
