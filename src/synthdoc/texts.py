"""Source texts: reading them, and finding their numbered sections."""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .diagnostics import SynthdocError
from .files import read_input
from .quotes import NormalizedText, normalize

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".pdf")
PAGE_BREAK = "\f"

# "4.1 Kesimpulan", "5.1. Kesimpulan", "## 5.1 Kesimpulan", "#### **VI.1 Kesimpulan**", "## Article 4"
_SECTION = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?[ \t]*((?:[IVXLCDM]+|\d+)(?:\.\d+)+)\.?[ \t]+\S"
                      r"|^[ \t]*#{1,6}[ \t]+(?:\*\*|__)?(?:Article|Section|Pasal|Bagian)[ \t]+(\d+(?:\.\d+)*)\b",
                      re.MULTILINE)
# "BAB IV", "## **BAB VI**", "Chapter 5"
_CHAPTER = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?[ \t]*(?:BAB|Bab|CHAPTER|Chapter)[ \t]+([IVXLCDM]+|\d+)\b",
                      re.MULTILINE)


@dataclass(frozen=True)
class SourceText:
    path: Path
    shown: str
    text: str
    page_starts: tuple[int, ...] = ()  # for a PDF: where each page's text starts in ``text``

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based PDF page that character ``offset`` of the text stands on."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize(self.text)

    @cached_property
    def sections(self) -> dict[str, int]:
        """Numbered section headings: number → line (``{"4.1": 7, "4.2": 19}``)."""
        return {(m.group(1) or m.group(2)): self.text.count("\n", 0, m.start()) + 1
                for m in _SECTION.finditer(self.text)}

    @cached_property
    def chapters(self) -> dict[str, int]:
        return {m.group(1): self.text.count("\n", 0, m.start()) + 1 for m in _CHAPTER.finditer(self.text)}

    def section_at(self, line: int) -> str | None:
        """The numbered section a line stands in: the last heading at or before it."""
        found = None
        for number, at in self.sections.items():
            if at <= line:
                found = number
        return found


def read_text(path: Path, shown: str) -> SourceText:
    """A source's text: Markdown, plain text, or the text layer of a PDF (page by page)."""
    if path.suffix.lower() == ".pdf":
        return _read_pdf(path, shown)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise SynthdocError.single(shown, f"cannot read '{path.suffix}' source texts; use one of "
                                   f"{', '.join(TEXT_SUFFIXES)}", "text-format")
    raw = read_input(path, shown, "a text file", missing="source text not found")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SynthdocError.single(shown, "not UTF-8 text; save it as UTF-8", "text-encoding", line) from None
    return SourceText(path, shown, text)


def _read_pdf(path: Path, shown: str) -> SourceText:
    """The text of each page of a PDF (pypdf), joined by form feeds, remembering where pages start."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    raw = read_input(path, shown, "a PDF file", missing="source text not found")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise SynthdocError.single(shown, "the PDF is encrypted; save an unencrypted copy", "text-format")
        pages = [page.extract_text() or "" for page in reader.pages]
    except SynthdocError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise SynthdocError.single(shown, f"cannot read the PDF: {exc}", "text-format") from None
    if not any(p.strip() for p in pages):
        raise SynthdocError.single(shown, "the PDF has no text layer (a scan?); run OCR on it or give the text "
                                   "as .md or .txt", "text-format")
    starts, parts, at = [], [], 0
    for page in pages:
        starts.append(at)
        parts.append(page)
        at += len(page) + len(PAGE_BREAK)
    return SourceText(path, shown, PAGE_BREAK.join(parts), tuple(starts))
