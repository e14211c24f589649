"""Finding a claim's verbatim quote in its source text.

Matching forgives exactly what text extraction and Markdown do to a text, and nothing
else: line breaks and runs of white space, a word hyphenated at a line end, curly
versus straight quotes and dashes, and Markdown emphasis and heading markers. Case,
spelling and punctuation otherwise count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CHAR_FOLDS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00ad": "",  # soft hyphen
}
_EMPHASIS = set("*_")
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=\w)")
_HEADING_MARK = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)


@dataclass(frozen=True)
class NormalizedText:
    """A text folded for quote matching, with each folded character's offset in the original."""

    text: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded characters ``start:end`` come from."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(text: str) -> NormalizedText:
    """Fold ``text`` for matching and remember where each kept character came from."""
    removed = _removed_spans(text)
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    i = 0
    n = len(text)
    while i < n:
        skip_to = removed.get(i)
        if skip_to is not None:
            i = skip_to
            continue
        ch = text[i]
        ch = _CHAR_FOLDS.get(ch, ch)
        if ch in _EMPHASIS or ch == "":
            i += 1
            continue
        if ch.isspace():
            pending_space = bool(chars)
            i += 1
            continue
        if pending_space:
            chars.append(" ")
            offsets.append(i - 1)
            pending_space = False
        chars.append(ch)
        offsets.append(i)
        i += 1
    return NormalizedText("".join(chars), tuple(offsets))


def _removed_spans(text: str) -> dict[int, int]:
    """Spans dropped entirely: line-end hyphenation and Markdown heading markers."""
    spans: dict[int, int] = {}
    for pattern in (_LINE_END_HYPHEN, _HEADING_MARK):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                spans[m.start()] = m.end()
    return spans


def fold(text: str) -> str:
    """The folded form of ``text`` alone (for a quote, say)."""
    return normalize(text).text


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote stands in the original text: character span and 1-based line."""

    start: int
    end: int
    line: int


def find_quote(quote: str, source: NormalizedText, original: str) -> QuoteMatch | None:
    """Locate ``quote`` in a normalized source; None when it is not there."""
    needle = fold(quote)
    if not needle:
        return None
    at = source.text.find(needle)
    if at < 0:
        return None
    start, end = source.original_span(at, at + len(needle))
    return QuoteMatch(start, end, original.count("\n", 0, start) + 1)


@dataclass(frozen=True)
class NearMiss:
    """The passage of a source closest to a quote that is not there, and how similar it is (0-100)."""

    passage: str
    similarity: float
    line: int
    start: int = 0


def closest_passage(quote: str, source: NormalizedText, original: str) -> NearMiss | None:
    """The best-aligned passage of the source for ``quote`` (rapidfuzz's partial-ratio alignment)."""
    from rapidfuzz import fuzz

    needle = fold(quote)
    if not needle or not source.text:
        return None
    found = fuzz.partial_ratio_alignment(needle, source.text, score_cutoff=0)
    if found is None:
        return None
    start, end = source.original_span(found.dest_start, max(found.dest_end, found.dest_start + 1))
    passage = " ".join(original[start:end].split())
    return NearMiss(passage, round(found.score, 1), original.count("\n", 0, start) + 1, start)
