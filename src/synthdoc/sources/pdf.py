"""Highlights, underlines and squiggly lines of a PDF (made in Acrobat, Edge, Okular, Foxit, …): the text
under each annotation's quadrilaterals, read from the page's text layer with PDFium, its comment, colour
and printed page number."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.colors import from_rgb
from ..core.diagnostics import Diagnostic, SynthdocError, error
from ..core.files import read_input
from .quotes import _LINE_END_HYPHEN as LINE_END_HYPHEN
from .quotes import SOFT, hyphen_kept
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
    author: str | None = None  # the name the reader wrote on the annotation (/T), if any


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
    unders = texts_under(raw, shown, {index: [mark[1] for mark in items] for index, items in marks.items()},
                         text.normalized.spellings)
    for index, items in sorted(marks.items()):
        for (kind, _, comment, color, name, author), under in zip(items, unders[index], strict=True):
            label = text.labels[index] if index < len(text.labels) else str(index + 1)
            if not under.strip():
                problems.append(error(shown, index + 1, 1, f"the {kind} on page {label} has no text under it "
                                      "(a scanned page, or a mark over a picture?); remove it or run OCR on the "
                                      "PDF", "import-empty-highlight"))
                continue
            highlights.append(Highlight(index + 1, label, under, comment, color, name, author))
    if problems:
        raise SynthdocError(problems)
    return text, highlights


Mark = tuple[str, list[tuple[float, float, float, float]], str, "str | None", str, "str | None"]


def _annotations(raw: bytes, shown: str) -> dict[int, list[Mark]]:
    """Each page's markup annotations: kind, rectangles (from /QuadPoints, else /Rect), comment, colour, name
    and author (/T)."""
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
                author = str(annot.get("/T") or "").strip() or None
                out.setdefault(index, []).append((kind, quads, comment, color, name, author))
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


Char = tuple[str, float, float, float, float]  # a character, its box's centre, and its box's bottom and height


def _chars(textpage: object) -> list[Char]:
    count = textpage.count_chars()
    out = []
    for i in range(count):
        ch = textpage.get_text_range(i, 1)
        left, bottom, right, top = textpage.get_charbox(i)
        out.append((ch, (left + right) / 2, (bottom + top) / 2, bottom, top - bottom))
    return out


def texts_under(raw: bytes, shown: str, wanted: dict[int, list[list[tuple[float, float, float, float]]]],
                spellings: dict[str, int] | None = None) -> dict[int, list[str]]:
    """For each page index, the text under each list of boxes (PDF points), as ``_text_under`` reads it;
    a page the PDF does not have gives empty texts."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise SynthdocError.single(shown, f"cannot read the PDF: {exc}", "text-format") from None
    out: dict[int, list[str]] = {}
    try:
        for index, areas in sorted(wanted.items()):
            if not 0 <= index < len(document):
                out[index] = ["" for _ in areas]
                continue
            chars = _chars(document[index].get_textpage())
            out[index] = [_text_under(chars, boxes, spellings) for boxes in areas]
    finally:
        document.close()
    return out


def _text_under(chars: list[Char], boxes: list[tuple[float, float, float, float]],
                spellings: dict[str, int] | None = None) -> str:
    """The characters whose centre lies in one of the boxes, in reading order; a line break wherever
    the marked characters are not consecutive, so that quote matching joins lines as it joins a text's.
    A note mark (digits raised above the word they are glued to: ``tertunda¹``) is left out: it is not
    the author's sentence, and check matches the quote without it."""
    chosen = sorted({i for left, bottom, right, top in boxes for i, (_, x, y, _, _) in enumerate(chars)
                     if left <= x <= right and bottom <= y <= top})
    parts: list[str] = []
    previous = None
    for i in chosen:
        ch = chars[i][0]
        if ch in "\r\n" or _raised_digit(chars, i):
            continue
        if ch == _PDFIUM_LINE_END_HYPHEN:
            ch = "-\n"
        if previous is not None and i != previous + 1 and not _past_a_mark(chars, previous, i):
            parts.append("\n")
        parts.append(ch)
        previous = i
    return joined("".join(parts), spellings)


def _past_a_mark(chars: list[Char], before: int, after: int) -> bool:
    """Whether only a note mark stands between characters ``before`` and ``after`` of one line (PDFium
    breaks the line after a raised mark: ``tertunda¹⏎,``)."""
    between = range(before + 1, after)
    if not any(_raised_digit(chars, k) for k in between) or \
            not all(_raised_digit(chars, k) or chars[k][0] in "\r\n" for k in between):
        return False
    (_, x0, _, bottom0, height0), (_, x1, _, bottom1, _) = chars[before], chars[after]
    return x1 > x0 and abs(bottom1 - bottom0) < max(height0, 1.0)


def _raised_digit(chars: list[Char], i: int) -> bool:
    """Whether character ``i`` is a digit of a note mark: raised well above the baseline of the letter or
    punctuation it is glued to (the nearest one before it on the page, past other digits of the mark)."""
    if not chars[i][0].isdigit():
        return False
    k = i - 1
    while k >= 0 and chars[k][0].isdigit():
        k -= 1
    if k < 0 or not (chars[k][0].isalpha() or chars[k][0] in ".,;:!?)]\"'\u201d\u2019"):
        return False
    bottom, base, height = chars[i][3], chars[k][3], chars[k][4]
    if chars[k][0].isalpha():
        return bottom - base > max(0.35 * height, 1.0)
    return bottom - base > 2.0 and chars[i][4] < 0.8 * max(height, 1.0) + 4.0


def joined(text: str, spellings: dict[str, int] | None = None) -> str:
    """Marked lines as one quote, in single spaces, a word hyphenated at a line end spelled as the source
    text (its ``spellings``) and quote matching read it: ``laki-laki`` keeps its hyphen, ``antar-⏎lembaga``
    becomes ``antarlembaga``."""
    marked = LINE_END_HYPHEN.sub(SOFT, text)
    words = spellings or {}
    return " ".join(_BROKEN.sub(lambda m: m.group(1) + ("-" if hyphen_kept(m.group(1), m.group(2), words) else "")
                                + m.group(2), marked).split())


_BROKEN = re.compile(rf"([^\W_]*){SOFT}([^\W_]*)")
