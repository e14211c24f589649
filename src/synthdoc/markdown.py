"""Writing Pandoc Markdown safely: claim text as inert text, sentences with citations."""

from __future__ import annotations

import re
import unicodedata

# Every ASCII punctuation mark may be backslash-escaped in Pandoc Markdown. These are the ones
# that could start markup inside a paragraph: emphasis, links, citations, raw HTML, entities,
# math, code, footnotes, super/subscript, strike-out, attributes, tables.
_LITERAL = re.compile(r"([\\`*_{}\[\]<>#+|@$~^&=!\"'])")
_INLINE = re.compile(r"([\\`{}\[\]<>#+|@$~^&=!])")
_SENTENCE_END = re.compile(r"([.!?…]+)([\"'”’)\]]*)\s*$")


def literal(text: str) -> str:
    """``text`` exactly as written: every character that could be markup is escaped."""
    return safe_line_start(_LITERAL.sub(r"\\\1", _one_line(text)))


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
    # A blank line would end the paragraph, and a line starting with "-" or "1." would begin a list.
    return " ".join(text.split())


def with_citation(sentence: str, citation: str) -> str:
    """Put a parenthetical citation before a sentence's final punctuation: ``Text [@a].``"""
    sentence = sentence.strip()
    if not citation:
        return sentence
    m = _SENTENCE_END.search(sentence)
    if m is None:
        return f"{sentence} {citation}."
    return f"{sentence[: m.start()]} {citation}{m.group(1)}{m.group(2)}"


def without_end(sentence: str) -> str:
    """A sentence without its final full stop, to continue it."""
    return sentence.strip().rstrip(".").rstrip()


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced grid table (wide East Asian characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)
