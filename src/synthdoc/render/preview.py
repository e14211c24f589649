"""``synthdoc cite``: a citation and its reference, rendered in process by citeproc-py (no pandoc)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.diagnostics import SynthdocError
from ..core.schema import did_you_mean
from .styles import locale_tag, resolve_style


@dataclass(frozen=True)
class Preview:
    citation: str
    reference: str
    warnings: tuple[str, ...]


def preview(items: tuple[dict[str, Any], ...] | list[dict[str, Any]], key: str, style: str, lang: str,
            root: Path, locator: tuple[str, str] | None = None) -> Preview:
    """How ``key`` is cited (with an optional locator such as ("section", "4.1")) and listed."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    keys = [str(i.get("id")) for i in items]
    if key not in keys:
        raise SynthdocError.single("bibliography", f"no entry '{key}'{did_you_mean(key, keys)}", "unknown-key")
    path = resolve_style(style, root)
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            csl = CitationStylesStyle(str(path), locale=locale_tag(lang), validate=False)
            source = CiteProcJSON([dict(i) for i in items if i.get("id") == key])
            bib = CitationStylesBibliography(csl, source, formatter.plain)
            item = CitationItem(key.lower(), locator=Locator(*locator)) if locator else CitationItem(key.lower())
            citation = Citation([item])
            bib.register(citation)
            text = bib.cite(citation, lambda missing: notes.append(f"missing entry {missing.key}"))
            reference = "\n".join(str(entry) for entry in bib.bibliography())
    except Exception as exc:  # citeproc-py fails on a malformed style or entry in its own many ways
        raise SynthdocError.single(style, f"citeproc-py could not render with this style or entry "
                                   f"({type(exc).__name__}: {exc}); 'synthdoc build' reports what pandoc makes of it",
                                   "style-invalid") from None
    return Preview(str(text), reference, tuple(notes))
