"""Shared fixtures: the built-in example and small projects written into tmp_path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ("synthdoc.yaml", "bibliography.bib")
EXAMPLE_DIRS = ("sources", "templates")


def copy_example(dest: Path) -> Path:
    """The repository's example project (config, bibliography, sources, templates) copied into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        shutil.copy(REPO / name, dest / name)
    for name in EXAMPLE_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, dirs_exist_ok=True)
    return dest


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "example")


def write_project(root: Path, files: dict[str, str]) -> Path:
    """A project from a mapping of relative path to (dedented) file content."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


SMALL_CONFIG = """
title: Small
style: apa
lang: en
themes:
  - id: labour
    title: {en: Labour, id: Tenaga kerja}
  - id: law
    title: {en: Law, id: Hukum}
points:
  - id: shared
    theme: labour
    says:
      en: Both sources see recruitment as the weak point.
      id: Kedua sumber melihat perekrutan sebagai titik lemah.
actors:
  - id: government
    title: {en: Governments, id: Pemerintah}
documents:
  - id: review
    template: synthesis.md.j2
    title: A small review
    formats: [html]
"""

SMALL_BIB = """
@book{smith2020,
  author = {Smith, Jane},
  title = {Recruitment and Its Discontents},
  year = {2020},
  publisher = {Example Press},
}

@book{tran2021,
  author = {Tran, Van An},
  title = {Borders and Brokers},
  year = {2021},
  publisher = {Example Press},
}
"""

SMALL_TEXT_A = """
# Chapter

## 1.1 Findings

Recruiters promise good jobs abroad, and the
promises are rarely kept. Debts tie workers to
their employers for years.
"""

SMALL_TEXT_B = """
## 2.1 Results

Brokers at the border arrange papers and transport; *most* migrants never meet their
employer before they leave.
"""

SMALL_CLAIMS_A = """
source: smith2020
text: smith2020.md
claims:
  - id: promises
    kind: finding
    themes: [labour]
    point: shared
    says: {en: Recruiters promise jobs abroad that rarely exist., id: Perekrut menjanjikan pekerjaan yang jarang ada.}
    short: {en: Broken promises, id: Janji palsu}
    quote: "Recruiters promise good jobs abroad, and the promises are rarely kept."
    at: {section: "1.1"}
  - id: debts
    kind: finding
    themes: [law]
    says: {en: Debts bind workers to employers., id: Utang mengikat pekerja.}
    quote: "Debts tie workers to their employers for years."
    at: {section: "1.1"}
"""

SMALL_CLAIMS_B = """
source: tran2021
text: tran2021.md
claims:
  - id: brokers
    kind: finding
    themes: [labour]
    point: shared
    says: {en: Brokers arrange papers and transport., id: Calo mengurus dokumen dan transportasi.}
    quote: "most migrants never meet their employer before they leave"
    at: {section: "2.1"}
  - id: regulate-brokers
    kind: recommendation
    themes: [law]
    actors: [government]
    says: {en: Governments should license brokers., id: Pemerintah perlu memberi izin kepada calo.}
    quote: "Brokers at the border arrange papers and transport"
    at: {section: "2.1"}
"""


def small_files(formats: str = "html") -> dict[str, str]:
    """The small project's files; its document written to ``formats`` ("html, docx", …)."""
    return {
        "synthdoc.yaml": SMALL_CONFIG.replace("formats: [html]", f"formats: [{formats}]"),
        "bibliography.bib": SMALL_BIB,
        "sources/smith2020.md": SMALL_TEXT_A,
        "sources/smith2020.yaml": SMALL_CLAIMS_A,
        "sources/tran2021.md": SMALL_TEXT_B,
        "sources/tran2021.yaml": SMALL_CLAIMS_B,
    }


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A two-source project whose check is clean, building HTML only (fast)."""
    return write_project(tmp_path / "small", small_files())


def filling_disk(monkeypatch: pytest.MonkeyPatch, writes_allowed: int = 0) -> list[int]:
    """Files opened through os.fdopen (synthdoc's atomic writes) take ``writes_allowed`` writes, then the disk
    is full (ENOSPC). The sizes of the writes tried are listed in the list returned."""
    import os

    real_fdopen, writes = os.fdopen, []

    class Filling:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            writes.append(len(data))
            if len(writes) > writes_allowed:
                raise OSError(28, "No space left on device")
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Filling(real_fdopen(fd, mode)))
    return writes
