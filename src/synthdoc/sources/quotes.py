"""Finding a claim's verbatim quote in its source text.

Matching forgives exactly what text extraction and Markdown do to a text, and nothing
else: line breaks and runs of white space, curly versus straight quotes and dashes, and
Markdown emphasis and heading markers. Case, spelling and punctuation otherwise count.

A hyphen at a line end (or at the end of a PDF page) is ambiguous: ``antar-⏎lembaga`` is
the word ``antarlembaga`` hyphenated by the layout, ``laki-⏎laki`` and ``negara-⏎negara``
are Indonesian reduplicated words whose hyphen is the author's own. The folded text keeps
such a hyphen as a soft hyphen (``SOFT``), and a quote matches it with a hyphen or with
nothing, so both the author's ``laki-laki`` and ``antarlembaga`` are found. A U+00AD between two
letters on one line is folded the same way: some PDFs (typst's, once it has hyphenated a word) give
every hyphen of a font as U+00AD, where the page prints ``negara-negara``.

What a quote drops from the page is told apart from what the layout did: a quote that writes
``lakilaki`` where the page prints ``laki-⏎laki`` (a reduplicated word, or a word the text spells
with its hyphen elsewhere) is found, and its match names the word (``QuoteMatch.dropped``), so that
check reports the misquote. A note mark glued to a word (``tertunda¹,`` read as ``tertunda1,``) is a
possible note mark: a quote may leave it out, and a hint leaves it out unless the quote has it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

# Control characters (C0 but tab and line feed, DEL, C1): a comment or a cell can carry NUL, BEL or an ESC that
# starts a terminal sequence, and none of them is text a reader could see.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def with_line_feeds(text: str) -> str:
    """``text`` with a line ended by a carriage return (Windows' ``\\r\\n``, old Mac's ``\\r``) ended by ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def without_controls(text: str) -> str:
    """``text`` without control characters, its line ends as :func:`with_line_feeds` makes them."""
    return CONTROL.sub("", with_line_feeds(text))


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
# A U+00AD between two letters of one line: a hyphen the page prints (typst gives its hyphens so).
_MID_SOFT = re.compile(r"(?<=[^\W_])\u00ad(?=[^\W_])")
SOFT = "\u00ad"  # a line-end hyphen in folded text: a quote may have a hyphen there, or nothing
_HYPHENS = frozenset("-" + SOFT)
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
# A possible note mark in folded text: digits glued to a word of two or more letters (``tertunda1,``)
# or to the punctuation after one (``impendere.1``), or superscript digits anywhere.
_NOTE_MARK = re.compile(rf"(?<=[^\W\d_]{{2}})\d{{1,3}}(?![\w{SOFT}])|(?<=[^\W\d_][.,;:!?)\]\"'])\d{{1,3}}(?=\s|$)"
                        rf"|[{_SUPERSCRIPTS}]+")
# A footnote's own number glued to its first word at a line start (``1Catatan kaki …``).
_LEADING_MARK = re.compile(r"\d{1,3}(?=[A-Z\u00c0-\u00de][^\W\d_])")
_HEADING_MARK = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)


@dataclass(frozen=True)
class NormalizedText:
    """A text folded for quote matching, with each folded character's offset in the original."""

    text: str
    offsets: tuple[int, ...]
    printed: frozenset[int] = frozenset()  # SOFTs that were a U+00AD inside a line: the page prints a hyphen
    marks: frozenset[int] = frozenset()  # characters of possible note marks

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded characters ``start:end`` come from."""
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1

    @cached_property
    def unhyphenated(self) -> tuple[str, tuple[int, ...]]:
        """The folded text without its hyphens (``-`` and ``SOFT``) and possible note marks, and where each
        character stands in it."""
        kept = [i for i, ch in enumerate(self.text) if ch not in _HYPHENS and i not in self.marks]
        return "".join(self.text[i] for i in kept), tuple(kept)

    @cached_property
    def spellings(self) -> dict[str, int]:
        """How often the text writes each word (lower case) on one line: ``negara-negara`` with its hyphen,
        ``antarlembaga`` without. Words broken at a line end are not counted: they are what is asked."""
        counts: dict[str, int] = {}
        for word in _SPELLED_WORD.findall(self.text.lower()):
            counts[word] = counts.get(word, 0) + 1
        return counts

    def hyphen_at(self, at: int, spellings: dict[str, int] | None = None) -> bool:
        """Whether the SOFT at ``at`` is a hyphen to print: one the page prints inside a line, or one
        ``hyphen_kept`` keeps (by ``spellings``, the text's own by default)."""
        return at in self.printed or hyphen_kept(_word_before(self.text, at), _word_after(self.text, at),
                                                 self.spellings if spellings is None else spellings)

    def authors_hyphen(self, at: int) -> bool:
        """Whether a quote that leaves out the SOFT at ``at`` misquotes the page: the text spells the word
        with its hyphen elsewhere, or it is a reduplicated word (a U+00AD inside a line stays a hyphen or
        nothing, as the PDF cannot say which)."""
        return hyphen_kept(_word_before(self.text, at), _word_after(self.text, at), self.spellings, capitals=False)


def hyphen_kept(before: str, after: str, spellings: dict[str, int], capitals: bool = True) -> bool:
    """Whether ``before``-⏎``after``, broken at a line end, is written with its hyphen: as the text spells the
    word on one line elsewhere (``negara-negara``, ``antarlembaga``), else when it is a reduplicated word
    (``laki-laki``, ``berhati-hati``) or, with ``capitals``, a compound before a capital (``Asia-Pasifik``)."""
    joined, hyphenated = spellings.get((before + after).lower(), 0), spellings.get(f"{before}-{after}".lower(), 0)
    if joined != hyphenated:
        return hyphenated > joined
    return (capitals and (after[:1].isupper() or before.isupper())) or reduplicated(before.lower(), after.lower())


_SPELLED_WORD = re.compile(r"(?<![\w\-\u00ad])[^\W_]+(?:-[^\W_]+)*(?![\w\-\u00ad])")


def _word_before(text: str, at: int) -> str:
    start = at
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return text[start:at]


def _word_after(text: str, at: int) -> str:
    end = at + 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[at + 1:end]


def reduplicated(a: str, b: str) -> bool:
    """Whether ``a-b`` is a reduplicated word: the end of ``a`` is the start of ``b`` (``laki-laki``,
    ``berhati-hati``, ``anak-anaknya``, ``kemerah-merahan``), at least three letters and all but at most
    three of the shorter half; ``menang-gulangi`` or ``ka-kak``, broken by the layout, are not."""
    shorter = min(len(a), len(b))
    for k in range(shorter, 2, -1):
        if a[-k:] == b[:k]:
            return k >= shorter - 3
    return False


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
    folded = "".join(chars)
    printed = frozenset(k for k, ch in enumerate(folded) if ch == SOFT and text[offsets[k]] == SOFT
                        and _MID_SOFT.match(text, offsets[k]))
    return NormalizedText(folded, tuple(offsets), printed, _marks(folded, offsets, text))


def normalize_parts(text: str, spans: Sequence[tuple[int, int]], separator: str = "") -> NormalizedText:
    """Fold the parts ``spans`` of ``text`` (in order), joined by ``separator``, as one text: the offsets
    point into ``text`` itself. A PDF's body is its text without the pages' running heads, page numbers
    and footnotes, so that a quote running from one page to the next is found."""
    pieces: list[str] = []
    where: list[int] = []
    for k, (a, b) in enumerate(spans):
        if k and separator:
            pieces.append(separator)
            where.extend([a] * len(separator))
        pieces.append(text[a:b])
        where.extend(range(a, b))
    folded = normalize("".join(pieces))
    offsets = tuple(where[o] for o in folded.offsets)
    return NormalizedText(folded.text, offsets, folded.printed, folded.marks)


def _marks(folded: str, offsets: list[int] | None = None, original: str = "") -> frozenset[int]:
    """The characters of ``folded`` that are possible note marks (footnote numbers at a line start too,
    when the ``original`` text and the offsets into it are given)."""
    marks = {k for m in _NOTE_MARK.finditer(folded) for k in range(m.start(), m.end())}
    if offsets is not None:
        for m in _LEADING_MARK.finditer(folded):
            at = offsets[m.start()]
            if at == 0 or original[at - 1] in "\n\r\f\ufffc":
                marks.update(range(m.start(), m.end()))
    return frozenset(marks)


def _removed_spans(text: str) -> dict[int, tuple[int, str]]:
    """Spans replaced as a whole: a line-end hyphen by ``SOFT``, a Markdown heading marker by nothing."""
    spans: dict[int, tuple[int, str]] = {}
    for pattern, kept in ((_LINE_END_HYPHEN, SOFT), (_MID_SOFT, SOFT), (_HEADING_MARK, "")):
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
    marked = _HEADING_MARK.sub("", _MID_SOFT.sub(_MARK, _LINE_END_HYPHEN.sub(_MARK, text)))
    return " ".join(marked.translate(_FOLD_TABLE).split()).replace(_MARK, SOFT)


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote stands in the original text: character span and 1-based line; ``dropped``: the words
    the page prints with the author's hyphen that the quote writes without it (``laki-laki``)."""

    start: int
    end: int
    line: int
    dropped: tuple[str, ...] = ()


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
    if SOFT not in needle and SOFT not in text and not source.marks:
        spans: Iterator[tuple[int, int, tuple[int, ...]]] = (
            (at, at + len(needle), ()) for at in _plain_matches(needle, text))
    else:
        spans = _soft_matches(needle, source)
    done = 0
    for at, end, skipped in spans:
        # A quote is whole words: 'effective' is not found in 'ineffective', nor '20 persen' in '120 persen'.
        if at < done or _inside_word(source, at) or _inside_word(source, end):
            continue
        done = end
        start, stop = source.original_span(at, end)
        dropped = tuple(dict.fromkeys(_word_at(source, k) for k in skipped if source.authors_hyphen(k)))
        yield QuoteMatch(start, stop, original.count("\n", 0, start) + 1, dropped)


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


def _inside_word(source: NormalizedText, at: int) -> bool:
    """Whether position ``at`` (between ``text[at-1]`` and ``text[at]``) falls inside a word; a note mark
    glued to a word is not part of it."""
    text = source.text
    if (at in source.marks and at - 1 not in source.marks) or (at - 1 in source.marks and at not in source.marks):
        return False
    return 0 < at < len(text) and _word_char(text[at - 1]) and _word_char(text[at])


def _soft_matches(needle: str, source: NormalizedText) -> Iterator[tuple[int, int, tuple[int, ...]]]:
    """Matches where line-end hyphens or note marks are involved: candidates are found in the text without
    hyphens and marks (fast), then each is confirmed at its place by ``_match_at``."""
    text = source.text
    own = _marks(needle)
    key = "".join(ch for i, ch in enumerate(needle) if ch not in _HYPHENS and i not in own)
    if not key:  # a quote of hyphens or marks only
        candidates: Iterator[int] = (i for i, ch in enumerate(text) if ch in _HYPHENS)
        lead = 0
    else:
        plain, where = source.unhyphenated
        lead = len(needle) - len(needle.lstrip("-" + SOFT))
        candidates = (where[at] for at in _plain_matches(key, plain))
    for first in candidates:
        for start in range(max(0, first - lead), first + 1):
            found = _match_at(needle, source, start)
            if found is not None:
                yield start, *found
                break


def _match_at(needle: str, source: NormalizedText, start: int) -> tuple[int, tuple[int, ...]] | None:
    """Where ``needle`` ends when it stands in folded text at ``start`` (and the text's SOFTs it passed
    without a hyphen of its own), else None. A ``SOFT`` of the text (a line-end hyphen) may stand between
    any two characters of the quote and matches a hyphen of the quote; a ``SOFT`` of the quote itself (a
    quote wrapped by hand) matches a hyphen or nothing. A possible note mark of the text that the quote
    does not have is passed over."""
    text, marks = source.text, source.marks
    j, n = start, len(text)
    skipped: list[int] = []
    for i, ch in enumerate(needle):
        if j < n and j in marks and text[j] != ch and j > start:
            while j < n and j in marks:
                j += 1
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
            skipped.append(j)
            j += 1
        if j < n and text[j] == ch:
            j += 1
            continue
        return None
    return j, tuple(skipped)


def _word_at(source: NormalizedText, at: int) -> str:
    """The word around the SOFT at ``at``, spelled with its hyphen: ``laki-laki``."""
    return f"{_word_before(source.text, at)}-{_word_after(source.text, at)}"


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
    is found: a hint the user can copy, spelled as the page prints it (``spelled``)."""
    from rapidfuzz import fuzz

    needle = fold(quote)
    if not needle or not source.text:
        return None
    found = fuzz.partial_ratio_alignment(needle, source.text, score_cutoff=0)
    if found is None:
        return None
    at, end = found.dest_start, max(found.dest_end, found.dest_start + 1)
    for _ in range(_WORD_REACH):
        if not _inside_word(source, at) or at - 1 in source.marks:
            break
        at -= 1
    for _ in range(_WORD_REACH):
        if not _inside_word(source, end) and end not in source.marks:
            break
        end += 1
    passage = spelled(source, at, end, needle).strip()
    if not passage:
        return None
    start, _ = source.original_span(at, end)
    return NearMiss(passage, round(found.score, 1), original.count("\n", 0, start) + 1, start)


_WORD_REACH = 200  # how far a hint is widened to whole words


def spelled(source: NormalizedText, at: int = 0, end: int | None = None, quote: str | None = None,
            spellings: dict[str, int] | None = None) -> str:
    """Folded text ``at:end`` as the page prints it and the author spelled it: a line-end hyphen stays
    where ``hyphen_at`` says it is the author's and goes otherwise (``antarlembaga``); a possible note
    mark goes unless ``quote`` (folded) has it glued to the same word. Either spelling of a hyphen is
    found; this one reads right."""
    text = source.text
    end = len(text) if end is None else end
    out: list[str] = []
    i = at
    while i < end:
        ch = text[i]
        if i in source.marks:
            run = i
            while run < end and run in source.marks:
                run += 1
            word = _word_before(text, i) + text[i:run]
            if quote is not None and _has_word(quote, word):
                out.append(text[i:run])
            i = run
            continue
        if ch == SOFT:
            out.append("-" if source.hyphen_at(i, spellings) else "")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _has_word(quote: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", quote) is not None
