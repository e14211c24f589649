"""Source texts: reading them, and finding their numbered sections."""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.diagnostics import SynthdocError
from ..core.files import read_input
from ..core.warm import Memo, digest
from .quotes import NearMiss, NormalizedText, QuoteMatch, closest_passage, find_quotes, normalize, normalize_parts

if TYPE_CHECKING:
    from pypdf import PdfReader

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
    labels: tuple[str, ...] = ()  # for a PDF: the number printed on each page ("i", "ii", "87", …)
    printed: bool = False  # whether the labels are the PDF's own (or first_page's), not just 1, 2, 3 …
    # for a PDF with page labels of its own that the claims file's first_page: or page_labels: overrides: its own
    own_labels: tuple[str, ...] = ()
    digest: str = field(default="", compare=False)  # of the file's bytes: what checks of this text are kept by
    # for a PDF: the spans of ``text`` that are page furniture (running heads and feet, page numbers, footnotes)
    furniture: tuple[tuple[int, int], ...] = ()

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based PDF page that character ``offset`` of the text stands on."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)

    def label_at(self, offset: int) -> str | None:
        """The printed page number (label) of the page that character ``offset`` stands on."""
        index = self.page_at(offset)
        return self.labels[index - 1] if index is not None else None

    def page_of(self, label: str) -> int | None:
        """The 1-based PDF page printed ``label`` (the first such page; roman numerals in any case)."""
        wanted = label.strip().lower()
        for index, printed in enumerate(self.labels, 1):
            if printed.lower() == wanted:
                return index
        return None

    def label_ranges(self) -> str:
        """The printed page numbers in short: ``i–iv, 87–110``."""
        return label_ranges(self.labels)

    @cached_property
    def printed_numbers(self) -> dict[int, int]:
        """For a PDF: the arabic number each page prints on a line of its own at its head or foot (its
        page number, as the reader sees it), by 1-based page; pages that print none are left out."""
        out: dict[int, int] = {}
        for index, start in enumerate(self.page_starts, 1):
            end = self.page_starts[index] - len(PAGE_BREAK) if index < len(self.page_starts) else len(self.text)
            lines = [line.strip() for line in self.text[start:end].splitlines() if line.strip()]
            ends = [*lines[-_REACH:][::-1], *lines[:_REACH]] if len(lines) > 1 else []
            numbers = [int(m.group(1)) for line in ends if (m := _PRINTED_NUMBER.fullmatch(line))]
            if numbers:
                out[index] = numbers[0]
        return out

    @cached_property
    def normalized(self) -> NormalizedText:
        """The text folded for matching; a PDF's without its page furniture, so that a quote runs on from
        the foot of one page to the top of the next (its offsets are still those of ``text``)."""
        if not self.furniture:
            return normalize(self.text)
        body, at = [], 0
        for start, end in self.furniture:
            body.append((at, start))
            at = end
        body.append((at, len(self.text)))
        return normalize_parts(self.text, [(a, b) for a, b in body if b > a])

    @cached_property
    def asides(self) -> NormalizedText | None:
        """A PDF's page furniture folded for matching, each block on its own: a quote from a footnote is
        found there, and no quote runs from the body into a footnote or a running head."""
        return normalize_parts(self.text, self.furniture, "\n\ufffc\n") if self.furniture else None

    def find_quotes(self, quote: str) -> Iterator[QuoteMatch]:
        """Every place ``quote`` stands in the text, in text order: in its body, or within one footnote
        block, running head or foot."""
        found = find_quotes(quote, self.normalized, self.text)
        if self.asides is None:
            return found
        return iter(sorted([*found, *find_quotes(quote, self.asides, self.text)], key=lambda m: m.start))

    def find_quote(self, quote: str) -> QuoteMatch | None:
        return next(self.find_quotes(quote), None)

    def closest(self, quote: str) -> NearMiss | None:
        """The passage closest to a quote that is not found (a hint): from the body, or from the furniture
        when a footnote is closer; never a passage that runs into the furniture."""
        near = closest_passage(quote, self.normalized, self.text)
        if self.asides is None:
            return near
        aside = closest_passage(quote, self.asides, self.text)
        if aside is not None and "\ufffc" not in aside.passage and (near is None or aside.similarity > near.similarity):
            return aside
        return near

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


def read_text(path: Path, shown: str, first_page: int | None = None, root: Path | None = None,
              keep: bool = True, labels: tuple[str, ...] = ()) -> SourceText:
    """A source's text: Markdown, plain text, or the text layer of a PDF (page by page), whose pages
    are known by their printed numbers: the PDF's page labels, or ``first_page`` onwards when given, or
    ``labels`` (those of its first pages, the rest counting on from the last: ``("cover", "1")``).
    With ``root``, only from inside that folder. The file is read every time; what is made of its
    bytes is kept for the process's next build (``warm``), unless ``keep`` is off (an import reads
    hundreds of PDFs once each)."""
    pdf = path.suffix.lower() == ".pdf"
    if not pdf and path.suffix.lower() not in TEXT_SUFFIXES:
        raise SynthdocError.single(shown, f"cannot read '{path.suffix}' source texts; use one of "
                                   f"{', '.join(TEXT_SUFFIXES)}", "text-format")
    raw = read_input(path, shown, "a PDF file" if pdf else "a text file", missing="source text not found",
                     root=root)
    key = digest(raw)

    def make() -> SourceText:
        numbering = (str(first_page),) if first_page is not None else labels
        return replace(_read_pdf(raw, path, shown, numbering) if pdf else _read_plain(raw, path, shown), digest=key)

    return _READ.get((str(path), shown, first_page, labels, key), make) if keep else make()


_READ = Memo()


def _read_plain(raw: bytes, path: Path, shown: str) -> SourceText:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SynthdocError.single(shown, "not UTF-8 text; save it as UTF-8", "text-encoding", line) from None
    return SourceText(path, shown, text)


def _read_pdf(raw: bytes, path: Path, shown: str, numbering: tuple[str, ...]) -> SourceText:
    """The text of each page of a PDF (pypdf), joined by form feeds, remembering where pages start."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not opens_without_password(reader):
            raise SynthdocError.single(shown, "the PDF is encrypted with a password; save a copy without one (in "
                                       "a PDF reader: print it to PDF)", "text-format")
        pages = [page.extract_text() or "" for page in reader.pages]
        own, printed = page_labels(reader)
        labels = count_on(numbering, len(pages)) if numbering else own
    except SynthdocError:
        raise
    except DependencyError:  # pypdf opens AES-encrypted PDFs with cryptography, a dependency of synthdoc's
        raise SynthdocError.single(shown, "the PDF is encrypted (AES), and the cryptography package that reads "
                                   "it is missing; install synthdoc again", "text-format") from None
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise SynthdocError.single(shown, f"cannot read the PDF: {exc}", "text-format") from None
    if not any(p.strip() for p in pages):
        raise SynthdocError.single(shown, "the PDF has no text layer (a scan?); run OCR on it or give the text "
                                   "as .md or .txt", "text-format")
    starts, parts, furniture, at = [], [], [], 0
    for page, spans in zip(pages, _furniture(pages, labels), strict=True):
        starts.append(at)
        parts.append(page)
        furniture += [(at + a, at + b) for a, b in spans]
        at += len(page) + len(PAGE_BREAK)
    return SourceText(path, shown, PAGE_BREAK.join(parts), tuple(starts), labels, printed or bool(numbering),
                      own_labels=own if numbering and printed and own != labels else (),
                      furniture=tuple(furniture))


_LINE = re.compile(r"[^\n]*\n?")
_BARE_NUMBER = re.compile(r"[\s\-\u2013\u2014|.]*(?:\d{1,4}|[ivxlcdm]{1,8})[\s\-\u2013\u2014|.]*", re.IGNORECASE)
_NOTE_START = re.compile(r"[ \t]*(\d{1,3}|[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+)[ \t]*\S")
_PRINTED_NUMBER = re.compile(r"[\s\-\u2013\u2014|.]*(\d{1,4})[\s\-\u2013\u2014|.]*")
_REACH = 2  # how many lines at a page's head or foot may be furniture


def _furniture(pages: list[str], labels: tuple[str, ...]) -> list[list[tuple[int, int]]]:
    """For each page, the spans of its text that are page furniture, not the running text: lines at its
    head and foot that are a bare page number or repeat (numbers aside) at the head or foot of another
    page, and the footnote block at its foot (lines from the first that starts with the number of a note
    mark glued to a word above it)."""
    lines = [[(m.start(), m.end()) for m in _LINE.finditer(page) if page[m.start():m.end()].strip()]
             for page in pages]

    def key(page: int, span: tuple[int, int]) -> str:
        return re.sub(r"\d+", "#", " ".join(pages[page][span[0]:span[1]].split())).lower()

    heads: dict[str, set[int]] = {}
    feet: dict[str, set[int]] = {}
    for index, spans in enumerate(lines):
        for span in spans[:_REACH]:
            heads.setdefault(key(index, span), set()).add(index)
        for span in spans[-_REACH:]:
            feet.setdefault(key(index, span), set()).add(index)
    out = []
    for index, spans in enumerate(lines):
        page = pages[index]
        label = labels[index] if index < len(labels) else ""

        def furniture(span: tuple[int, int], repeated: dict[str, set[int]], page: str = page, label: str = label,
                      index: int = index) -> bool:
            line = page[span[0]:span[1]].strip()
            return bool(_BARE_NUMBER.fullmatch(line)) or line.lower() == label.lower() \
                or len(repeated.get(key(index, span), ())) > 1
        first, last = 0, len(spans)
        while first < min(_REACH, last) and furniture(spans[first], heads):
            first += 1
        while last > max(first, len(spans) - _REACH) and furniture(spans[last - 1], feet):
            last -= 1
        notes = _footnotes(page, spans[first:last])
        taken = [*spans[:first], *spans[first:last][notes:], *spans[last:]]
        out.append(_merged(taken))
    return out


def _footnotes(page: str, spans: list[tuple[int, int]]) -> int:
    """Where the footnote block at the foot of a page's body starts (an index into its lines), or the
    number of lines when it has none: the first line after the first that starts with a note number
    whose mark is glued to a word (or to the punctuation after one) above it."""
    for k in range(1, len(spans)):
        m = _NOTE_START.match(page, spans[k][0])
        if m is None:
            continue
        number = re.escape(m.group(1))
        if re.search(rf"(?:[^\W\d_]{{2}}|[^\W\d_][.,;:!?)\]\"'\u201d]){number}(?!\d)",
                     page[spans[0][0]:spans[k][0]]):
            return k
    return len(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent line spans as one (a page's furniture in as few blocks as it has)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def opens_without_password(reader: PdfReader) -> bool:
    """Whether an encrypted PDF opens with the empty password, as most journal PDFs do (they are only
    protected against editing or printing): then it is decrypted in place and can be read."""
    from pypdf.errors import PyPdfError

    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError, ValueError):
        return False


def page_labels(reader: PdfReader, first_page: int | None = None) -> tuple[tuple[str, ...], bool]:
    """The number printed on each page of a PDF, and whether it is known rather than assumed:
    ``first_page`` onwards when given, else the PDF's own page labels (/PageLabels: roman front
    matter, an excerpt starting at 87 …), else 1, 2, 3 …"""
    from pypdf.errors import PyPdfError

    count = len(reader.pages)
    if first_page is not None:
        return count_on((str(first_page),), count), True
    if "/PageLabels" in reader.root_object:
        try:
            labels = [str(label) for label in reader.page_labels]
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            labels = []
        if len(labels) == count and all(label.strip() for label in labels):
            return tuple(label.strip() for label in labels), True
    return tuple(str(i) for i in range(1, count + 1)), False


def count_on(first: tuple[str, ...], count: int) -> tuple[str, ...]:
    """The printed numbers of ``count`` pages, given those of the first pages (``("cover", "1")``): the
    pages after them count on from the last number given, arabic or roman in its own case; a page
    before that has the name it was given (an unnumbered cover)."""
    labels = list(first[:count])
    numbered = [label for label in first if page_number(label) is not None]
    last = numbered[-1] if numbered else str(len(labels))
    value = page_number(last) or len(labels)
    for step in range(1, count - len(labels) + 1):
        if last.isdecimal():
            labels.append(str(value + step))
        else:
            numeral = roman(value + step)
            labels.append(numeral if last.isupper() else numeral.lower())
    return tuple(labels)


def label_ranges(labels: tuple[str, ...]) -> str:
    """Printed page numbers in short: ``i–iv, 87–110``."""
    return ", ".join(first if first == last else f"{first}–{last}" for first, last in _runs(labels))


def _runs(labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Consecutive labels grouped where each is the one before plus one (arabic or roman)."""
    runs: list[tuple[str, str]] = []
    previous: int | None = None
    for label in labels:
        value = page_number(label)
        if runs and value is not None and previous is not None and value == previous + 1 \
                and label.isdecimal() == runs[-1][1].isdecimal():
            runs[-1] = (runs[-1][0], label)
        else:
            runs.append((label, label))
        previous = value
    return runs


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def page_number(label: str) -> int | None:
    """An arabic or roman page label's value (None for a label that is neither, such as ``cover``)."""
    if label.isdecimal():  # not isdigit: a superscript ² is a digit that int() refuses
        return int(label)
    lowered = label.lower()
    if not lowered or any(ch not in _ROMAN for ch in lowered):
        return None
    total = 0
    for ch, nxt in zip(lowered, [*lowered[1:], ""], strict=True):
        value = _ROMAN[ch]
        total += -value if nxt and _ROMAN[nxt] > value else value
    return total


_NUMERALS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
             (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """``number`` in upper-case roman numerals (``XIV``)."""
    out = []
    for value, letters in _NUMERALS:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)
