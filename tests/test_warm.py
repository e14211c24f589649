"""What a process keeps between builds (``synthdoc watch``): a warm build says and makes exactly what a
cold one does, after every kind of change, and never trusts a kept value where the file system changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import copy_example, small_files, write_project
from synthdoc.build.pipeline import build, check_project
from synthdoc.core import warm
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project


def diagnostics(root: Path) -> list[str]:
    try:
        _, diags = check_project(load_project(root / "synthdoc.yaml"))
    except SynthdocError as exc:
        diags = exc.diagnostics
    return [str(d) for d in diags]


def cold(root: Path) -> list[str]:
    warm.clear()
    return diagnostics(root)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    warm.clear()
    return write_project(tmp_path / "p", small_files())


CHANGES = {
    "a quote no longer in its text": ("sources/smith2020.yaml", "Recruiters promise good jobs",
                                      "Recruiters promise bad jobs"),
    "the text no longer holds a quote": ("sources/smith2020.md", "Recruiters promise good jobs", "Agents promise jobs"),
    "a section locator": ("sources/smith2020.yaml", 'section: "1.1"', 'section: "9.9"'),
    "a claim's wording": ("sources/smith2020.yaml", "says: {en: ", "says: {en: Indeed, "),
    "a YAML error": ("sources/tran2021.yaml", "source: tran2021", "source: [tran2021"),
    "a heading of the text": ("sources/tran2021.md", "## 2.1 Results", "## 3.1 Results"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_warm_check_says_what_a_cold_one_says(small, change):
    name, old, new = CHANGES[change]
    diagnostics(small)  # warm: what the first check made is kept
    edit(small / name, old, new)
    warm_says = diagnostics(small)
    assert warm_says == cold(small)
    edit(small / name, new, old)  # and back again, warm
    assert diagnostics(small) == cold(small)


def test_a_text_that_becomes_a_link_out_of_the_project_is_refused_though_no_byte_changed(small, tmp_path):
    assert diagnostics(small) == cold(small)
    assert not [d for d in diagnostics(small) if "error" in d]
    outside = tmp_path / "outside.md"
    outside.write_bytes((small / "sources" / "smith2020.md").read_bytes())  # the same bytes, elsewhere
    (small / "sources" / "smith2020.md").unlink()
    try:
        os.symlink(outside, small / "sources" / "smith2020.md")
    except OSError:
        pytest.skip("symbolic links are not available")
    says = diagnostics(small)
    assert any("path-outside" in d or "out of the project" in d for d in says), says
    assert says == cold(small)


def test_a_warm_build_writes_what_a_cold_build_writes(tmp_path):
    warm.clear()
    root = copy_example(tmp_path / "example")
    config = root / "synthdoc.yaml"
    build(load_project(config), ["tinjauan-pustaka"])
    claims = root / "sources" / "amalia2025.yaml"
    edit(claims, "      id: ", "      id: Sungguh, ")
    build(load_project(config), ["tinjauan-pustaka"])
    warm_html = (root / "output" / "tinjauan-pustaka.html").read_bytes()
    assert b"Sungguh, " in warm_html
    warm.clear()
    build(load_project(config), ["tinjauan-pustaka"], force=True)
    assert (root / "output" / "tinjauan-pustaka.html").read_bytes() == warm_html


def test_what_a_build_did_not_use_is_dropped(small):
    diagnostics(small)
    kept = sum(len(memo) for memo in warm._MEMOS)
    assert kept > 0
    for n in range(5):  # five versions of one claims file: only the last two builds' values stay
        edit(small / "sources" / "smith2020.yaml", "says: {en: ", f"says: {{en: Version {n}. ")
        diagnostics(small)
    assert sum(len(memo) for memo in warm._MEMOS) <= 2 * kept


def test_a_warm_check_reads_again_only_what_changed(small, monkeypatch):
    from synthdoc.check import checks
    from synthdoc.sources import texts

    diagnostics(small)
    folded, checked = [], []
    real_normalize, real_problems = texts.normalize, checks._quote_problems
    monkeypatch.setattr(texts, "normalize", lambda text: folded.append(text) or real_normalize(text))
    monkeypatch.setattr(checks, "_quote_problems", lambda c, *a: checked.append(c.id) or real_problems(c, *a))
    diagnostics(small)
    assert folded == [] and checked == []
    edit(small / "sources" / "tran2021.md", "most", "*most*")
    diagnostics(small)
    assert len(folded) == 1 and checked == ["brokers", "regulate-brokers"]  # the claims of the changed text only


def test_first_page_added_to_a_pdf_without_labels_changes_the_message_warm_as_cold(tmp_path):
    """The same PDF bytes and the same page numbers, but the numbers are now known to be printed ones:
    the page check stops suggesting first_page, warm as cold."""
    from test_page_labels import A, project, set_page

    warm.clear()
    root = project(tmp_path / "pdf", labels=False)
    set_page(root, "promises", "9")
    before = diagnostics(root)
    assert any("first_page" in d for d in before)
    claims = root / A
    claims.write_text(claims.read_text().rstrip("\n") + "\nfirst_page: 1\n")  # every claim keeps its line
    after = diagnostics(root)
    assert after == cold(root)
    assert not any("add first_page" in d for d in after)
