"""Citations and the bibliography, rendered by one plain ``pandoc --citeproc`` run per document.

citeproc decides what a citation prints (year suffixes, added initials, "et al." opened up, labels,
ibid.) from the printed text of every citation in the document at once: no part of a document can be
rendered without the rest and be guaranteed the same. synthdoc therefore never splits, groups or
batches citations; the only shortcut is reusing a whole previous result whose inputs were the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pandoc

AST = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    ast: AST
    reused: bool  # the previous build's citeproc result, not a new run
    note: str | None  # for the build's log


def read_cited(markdown: str, *, items: Sequence[dict[str, Any]], bibliography: Path, csl: Path,
               metadata: dict[str, str], what: str) -> Rendered:
    """Pandoc Markdown to an AST with its citations and bibliography rendered by pandoc's citeproc."""
    ast = pandoc.read_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what,
                               citeproc=True)
    return Rendered(ast, False, None)
