"""Writing Pandoc Markdown safely: claim text as inert text, sentences with citations, grid tables."""

from __future__ import annotations

import re
import textwrap
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


def grid_table(header: list[str], rows: list[list[list[str]]], widths: list[int]) -> str:
    """A Pandoc grid table. Each cell is a list of Markdown blocks (paragraphs or list items).

    ``widths`` are the wished-for widths in characters; they also set the relative column widths
    of the output. A column grows when one of its words is longer than its width.
    """
    cols = len(header)
    widths = list(widths)
    for row in [[[h] for h in header], *rows]:
        for i, cell in enumerate(row):
            for block in cell:
                for word in block.split():
                    widths[i] = max(widths[i], display_width(word) + (2 if block.startswith("- ") else 0))

    def cell_lines(blocks: list[str], width: int) -> list[str]:
        lines: list[str] = []
        for n, block in enumerate(blocks):
            if n and not block.startswith("- "):
                lines.append("")
            bullet = block.startswith("- ")
            body = block[2:] if bullet else block
            wrapped = textwrap.wrap(body, width=width - (2 if bullet else 0), break_long_words=False,
                                    break_on_hyphens=False) or [""]
            for k, line in enumerate(wrapped):
                line = safe_line_start(line) if k else line
                lines.append(("- " if k == 0 else "  ") + line if bullet else line)
        return lines or [""]

    def render_row(row: list[list[str]]) -> list[str]:
        cells = [cell_lines(row[i], widths[i]) for i in range(cols)]
        height = max(len(c) for c in cells)
        out = []
        for k in range(height):
            parts = []
            for i in range(cols):
                text = cells[i][k] if k < len(cells[i]) else ""
                parts.append(" " + text + " " * (widths[i] - display_width(text)) + " ")
            out.append("|" + "|".join(parts) + "|")
        return out

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    head_rule = "+" + "+".join("=" * (w + 2) for w in widths) + "+"
    lines = [rule, *render_row([[h] for h in header]), head_rule]
    for row in rows:
        lines += [*render_row(row), rule]
    return "\n".join(lines)
