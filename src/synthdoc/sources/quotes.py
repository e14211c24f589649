"""Finding a claim's verbatim quote in its source text.

Matching forgives exactly what text extraction and Markdown do to a text, and nothing
else: line breaks and runs of white space, curly versus straight quotes and dashes, and
Markdown emphasis and heading markers. Case, spelling and punctuation otherwise count.

A hyphen at a line end (or at the end of a PDF page) is ambiguous: ``antar-⏎lembaga`` is
the word ``antarlembaga`` hyphenated by the layout, ``laki-⏎laki`` and ``negara-⏎negara``
are Indonesian reduplicated words whose hyphen is the author's own. The folded text keeps
such a hyphen as a soft hyphen (``SOFT``), and a quote matches it with a hyphen or with
nothing, so both the author's ``laki-laki`` and ``antarlembaga`` are found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

_CHAR_FOLDS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00ad": "",  # soft hyphen
}
_EMPHASIS = set("*_")
# A hyphen between two letters, then a line break or a PDF page break (a form feed).
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W_])[-\u2010\u2011\u00ad][ \t]*[\r\n\f]\s*(?=[^\W_])")
SOFT = "\u00ad"  # a line-end hyphen in folded text: a quote may have a hyphen there, or nothing
_HYPHENS = frozenset("-" + SOFT)
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

    @cached_property
    def unhyphenated(self) -> tuple[str, tuple[int, ...]]:
        """The folded text without its hyphens (``-`` and ``SOFT``), and where each character stands in it."""
        kept = [i for i, ch in enumerate(self.text) if ch not in _HYPHENS]
        return "".join(self.text[i] for i in kept), tuple(kept)


def normalize(text: str) -> NormalizedText:
    """Fold ``text`` for matching and remember where each kept character came from."""
    removed = _removed_spans(text)
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    i = 0
    n = len(text)
    while i < n:
        span = removed.get(i)
        if span is not None:
            end, kept = span
            if kept:
                chars.append(kept)
                offsets.append(i)
            i = end
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


def _removed_spans(text: str) -> dict[int, tuple[int, str]]:
    """Spans replaced as a whole: a line-end hyphen by ``SOFT``, a Markdown heading marker by nothing."""
    spans: dict[int, tuple[int, str]] = {}
    for pattern, kept in ((_LINE_END_HYPHEN, SOFT), (_HEADING_MARK, "")):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                spans[m.start()] = (m.end(), kept)
    return spans


_FOLD_TABLE = str.maketrans({**_CHAR_FOLDS, **{ch: "" for ch in _EMPHASIS}})
_MARK = "\ue000"  # stands for a line-end hyphen while ``fold`` works


def fold(text: str) -> str:
    """The folded form of ``text`` alone (for a quote, say): ``normalize(text).text``, without the offsets."""
    if _MARK in text:
        return normalize(text).text
    marked = _HEADING_MARK.sub("", _LINE_END_HYPHEN.sub(_MARK, text))
    return " ".join(marked.translate(_FOLD_TABLE).split()).replace(_MARK, SOFT)


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote stands in the original text: character span and 1-based line."""

    start: int
    end: int
    line: int


def find_quote(quote: str, source: NormalizedText, original: str) -> QuoteMatch | None:
    """Locate ``quote`` in a normalized source; None when it is not there."""
    for match in find_quotes(quote, source, original):
        return match
    return None


def find_quotes(quote: str, source: NormalizedText, original: str) -> Iterator[QuoteMatch]:
    """Every place ``quote`` stands in a normalized source, in text order (non-overlapping)."""
    needle = fold(quote)
    if not needle:
        return
    text = source.text
    if SOFT not in needle and SOFT not in text:
        spans = ((at, at + len(needle)) for at in _plain_matches(needle, text))
    else:
        spans = _soft_matches(needle, source)
    done = 0
    for at, end in spans:
        # A quote is whole words: 'effective' is not found in 'ineffective', nor '20 persen' in '120 persen'.
        if at < done or _inside_word(text, at) or _inside_word(text, end):
            continue
        done = end
        start, stop = source.original_span(at, end)
        yield QuoteMatch(start, stop, original.count("\n", 0, start) + 1)


def _plain_matches(needle: str, text: str) -> Iterator[int]:
    """Every place ``needle`` stands in ``text``, overlapping ones too."""
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def _word_char(ch: str) -> bool:
    """A character of a word in a script that separates words by spaces (CJK and Thai do not)."""
    if ch == SOFT:
        return True
    if not (ch.isalnum() or unicodedata.category(ch).startswith("M")):
        return False
    return unicodedata.east_asian_width(ch) not in ("W", "F") and not "\u0e00" <= ch <= "\u109f"


def _inside_word(text: str, at: int) -> bool:
    """Whether position ``at`` (between ``text[at-1]`` and ``text[at]``) falls inside a word."""
    return 0 < at < len(text) and _word_char(text[at - 1]) and _word_char(text[at])


def _soft_matches(needle: str, source: NormalizedText) -> Iterator[tuple[int, int]]:
    """Matches where line-end hyphens are involved: candidates are found in the text without hyphens
    (fast), then each is confirmed at its place by ``_match_at``."""
    text = source.text
    key = "".join(ch for ch in needle if ch not in _HYPHENS)
    if not key:  # a quote of hyphens only
        candidates = (i for i, ch in enumerate(text) if ch in _HYPHENS)
        lead = 0
    else:
        plain, where = source.unhyphenated
        lead = len(needle) - len(needle.lstrip("-" + SOFT))
        candidates = (where[at] for at in _plain_matches(key, plain))
    for first in candidates:
        for start in range(max(0, first - lead), first + 1):
            end = _match_at(needle, text, start)
            if end is not None:
                yield start, end
                break


def _match_at(needle: str, text: str, start: int) -> int | None:
    """Where ``needle`` ends when it stands in folded ``text`` at ``start``, else None. A ``SOFT`` of the
    text (a line-end hyphen) may stand between any two characters of the quote and matches a hyphen of
    the quote; a ``SOFT`` of the quote itself (a quote wrapped by hand) matches a hyphen or nothing."""
    j, n = start, len(text)
    for i, ch in enumerate(needle):
        if ch == "-":
            if j < n and text[j] in _HYPHENS:
                j += 1
                continue
            return None
        if ch == SOFT:
            if j < n and text[j] in _HYPHENS:
                j += 1
            continue
        if i and j < n and text[j] == SOFT and needle[i - 1] not in _HYPHENS:
            j += 1
        if j < n and text[j] == ch:
            j += 1
            continue
        return None
    return j


@dataclass(frozen=True)
class NearMiss:
    """The passage of a source closest to a quote that is not there, and how similar it is (0-100)."""

    passage: str
    similarity: float
    line: int
    start: int = 0


def closest_passage(quote: str, source: NormalizedText, original: str) -> NearMiss | None:
    """The best-aligned passage of the source for ``quote`` (rapidfuzz's partial-ratio alignment).

    The passage is cut from the folded text at word boundaries, so that it is itself a quote that
    is found: a hint the user can copy."""
    from rapidfuzz import fuzz

    needle = fold(quote)
    if not needle or not source.text:
        return None
    found = fuzz.partial_ratio_alignment(needle, source.text, score_cutoff=0)
    if found is None:
        return None
    text = source.text
    at, end = found.dest_start, max(found.dest_end, found.dest_start + 1)
    for _ in range(_WORD_REACH):
        if not _inside_word(text, at):
            break
        at -= 1
    for _ in range(_WORD_REACH):
        if not _inside_word(text, end):
            break
        end += 1
    passage = _spelled(text[at:end]).strip()
    if not passage:
        return None
    start, _ = source.original_span(at, end)
    return NearMiss(passage, round(found.score, 1), original.count("\n", 0, start) + 1, start)


_WORD_REACH = 200  # how far a hint is widened to whole words
_WORD = re.compile(rf"[^\s\-{SOFT}]*{SOFT}[^\s\-{SOFT}]*")


def _spelled(folded: str) -> str:
    """Folded text as the author likely spelled it: a line-end hyphen stays in a reduplicated word
    (``laki-laki``, ``berhati-hati``) or before a capital (``Asia-Pasifik``), and goes otherwise
    (``antarlembaga``). Either spelling is found; this one reads right."""
    def word(m: re.Match[str]) -> str:
        before, _, after = m.group(0).partition(SOFT)
        keep = after[:1].isupper() or before.isupper() or _shared_stem(before.lower(), after.lower())
        return before + ("-" if keep else "") + after
    return _WORD.sub(word, folded).replace(SOFT, "-")


def _shared_stem(a: str, b: str) -> bool:
    if a and a == b:
        return True
    return any(a[i:i + 3] in b for i in range(len(a) - 2))
