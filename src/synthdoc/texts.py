"""Source texts: reading them, and finding their numbered sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .diagnostics import SynthdocError
from .quotes import NormalizedText, normalize

TEXT_SUFFIXES = (".md", ".markdown", ".txt")

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
    """A source's text (Markdown or plain text)."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise SynthdocError.single(shown, f"cannot read '{path.suffix}' source texts; use one of "
                                   f"{', '.join(TEXT_SUFFIXES)}", "text-format")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SynthdocError.single(shown, "source text not found", "file-missing") from None
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot read the source text: {exc.strerror}", "file-unreadable") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SynthdocError.single(shown, "not UTF-8 text; save it as UTF-8", "text-encoding", line) from None
    return SourceText(path, shown, text)
