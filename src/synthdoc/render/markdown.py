"""Writing Pandoc Markdown safely: claim text as inert text, sentences with citations."""

from __future__ import annotations

import re
import unicodedata

from ..sources.quotes import without_controls

# Every ASCII punctuation mark may be backslash-escaped in Pandoc Markdown. These are the ones
# that could start markup inside a paragraph: emphasis, links, citations, raw HTML, entities,
# math, code, footnotes, super/subscript, strike-out, attributes, tables.
_LITERAL = re.compile(r"([\\`*_{}\[\]<>#+|@$~^&=!\"'])")
_INLINE = re.compile(r"([\\`{}\[\]<>#+|@$~^&=!])")
# Pandoc's smart punctuation turns "--" into a dash and "..." into an ellipsis: in a run of dashes or dots,
# each but the last is escaped, so that a verbatim quote prints as written.
_RUN = re.compile(r"([.-])(?=\1)")
# One character of Pandoc Markdown: an escaped character or a plain one.
_TOKEN = re.compile(r"\\.|.", re.S)
_END = {".", "!", "?", "…", "\\.", "\\!", "\\?"}
_CLOSING = {"\"", "'", "”", "’", ")", "\\]", "]", "\\\"", "\\'", "\\)"}


def literal(text: str) -> str:
    """``text`` exactly as written: every character that could be markup is escaped, and no dash or dots
    are turned into typographic ones."""
    return safe_line_start(_RUN.sub(r"\\\1", _LITERAL.sub(r"\\\1", _one_line(text))))


def unescape(markdown: str) -> str:
    """The text a run of escaped Markdown (``literal``, ``inline``) stands for."""
    return re.sub(r"\\(.)", r"\1", markdown)


def inline(text: str) -> str:
    """Claim prose: *emphasis* and _emphasis_ stay, everything else that could be markup is escaped."""
    return safe_line_start(_INLINE.sub(r"\\\1", _one_line(text)))


_LIST_MARKER = re.compile(r"^(\(?(?:[0-9]{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]+))([.)])(?=\s|$)")


def safe_line_start(line: str) -> str:
    """A line that cannot open a block: "(2015) ..." or "1. ..." or "- ..." would begin a list, "> " a quote."""
    if line.startswith("("):
        line = "\\" + line
    m = _LIST_MARKER.match(line)
    if m:
        return line[: m.end(1)] + "\\" + line[m.end(1):]
    if (line[:1] in ("-", "+", "*", ":") and line[1:2] in (" ", "\t", "")) or line[:1] in (">", "|") \
            or line[:3] in ("~~~", "===", "---", "```", "***", "___"):
        return "\\" + line
    return line


def _one_line(text: str) -> str:
    # A blank line would end the paragraph, and a line starting with "-" or "1." would begin a list; a control
    # character (NUL, BEL, ESC, from a comment imported before synthdoc dropped them) is no text at all.
    return " ".join(without_controls(text).split())


def _split_end(sentence: str) -> tuple[str, str, str]:
    """A Markdown sentence as (body, final punctuation, closing quotes or brackets), escapes kept whole."""
    tokens = _TOKEN.findall(sentence.strip())
    close = len(tokens)
    while close and tokens[close - 1] in _CLOSING:
        close -= 1
    end = close
    while end and tokens[end - 1] in _END:
        end -= 1
    return "".join(tokens[:end]), "".join(tokens[end:close]), "".join(tokens[close:])


def with_citation(sentence: str, citation: str) -> str:
    """Put a parenthetical citation before a sentence's final punctuation: ``Text [@a].``"""
    sentence = sentence.strip()
    if not citation:
        return sentence
    body, end, close = _split_end(sentence)
    if not end:
        return f"{sentence} {citation}."
    return f"{body.rstrip()} {citation}{end}{close}"


def without_end(sentence: str) -> str:
    """A sentence without its final full stops, to continue it."""
    tokens = _TOKEN.findall(sentence.strip())
    while tokens and tokens[-1] in (".", "\\."):
        tokens.pop()
    return "".join(tokens).rstrip()


# The marks a quotation's own quotation marks turn into inside the document's (“… ‘…’ …”).
_INNER = {"“": ("‘", "’"), "„": ("‚", "‘")}
_OPENS_AFTER = set(" \t([{\u2014\u2013-/")


def nested(text: str, open_mark: str = "“") -> str:
    """A quotation's text (plain, or Markdown as ``literal`` escapes it) to stand inside ``open_mark``:
    its own double quotation marks turned to single ones (“… ‘…’ …”), straight ones by where they stand
    (an opening one at the start or after a space or bracket)."""
    inner = _INNER.get(open_mark)
    if inner is None:
        return text
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token in ("“", "”", '"', '\\"'):
            if token == "“":
                opening = True
            elif token == "”":
                opening = False
            else:
                opening = not out or out[-1][-1] in _OPENS_AFTER
            out.append(inner[0] if opening else inner[1])
        else:
            out.append(token)
    return "".join(out)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced grid table (wide East Asian characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)
