"""The bibliography stage: the project's bibliography files (BibTeX, BibLaTeX, CSL JSON/YAML, RIS,
Hayagriva) read into CSL JSON items with the file and line of each entry, their language and key checks.

May import: core.
"""

from __future__ import annotations

from .library import BibFile, Bibliography, load_bibliography

__all__ = ["BibFile", "Bibliography", "load_bibliography"]
