"""The bibliography stage: reading the project's bibliography files into CSL JSON items."""

from __future__ import annotations

from .library import BibFile, Bibliography, load_bibliography

__all__ = ["BibFile", "Bibliography", "load_bibliography"]
