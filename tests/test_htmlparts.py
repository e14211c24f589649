"""The watch preview written in parts is, byte for byte, the page pandoc writes whole; and the page that
stays in output/ is always the page written whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_example
from synthdoc.build.pipeline import build
from synthdoc.core import pandoc, warm
from synthdoc.core.project import load_project
from synthdoc.render import htmlparts
from synthdoc.render.styles import resolve_style

# Blocks whose HTML could depend on the page around them, and ordinary ones.
BLOCKS = [
    "# Pendahuluan", "## Temuan {#temuan-1}", "### Ringkasan", "Teks biasa [@a] dan @b [hlm. 4].",
    "Catatan.^[Lihat [@c].] Lagi [@a; @b].", "Harga $5 dan $x$ tetap teks.", "Kode `x = 1` di sini.",
    "```python\nprint(1)\n```", "- butir [@a]\n- butir dua", "> kutipan panjang [@b]",
    "| a | b |\n|---|---|\n| [@b] | x |", "::: {.kotak}\nDi dalam div.\n:::", "Teks \"kutip\" [-@a, bab 2].",
    "1. satu\n2. dua", "![gambar](x.png)", "Judul setext\n============", "Baris<br>tidak mentah.",
]


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("parts")
    bib = folder / "refs.json"
    bib.write_text(json.dumps([{"id": k, "type": "book", "title": k.upper(), "author": [{"family": k.upper()}],
                                "issued": {"date-parts": [[2020]]}} for k in "abc"]), encoding="utf-8")
    return bib, resolve_style("apa", folder)


def cited(markdown: str, bib: Path, csl: Path) -> dict:
    return pandoc.read_markdown(markdown, bibliography=bib, csl=csl, metadata={"lang": "id-ID"}, what="test",
                                citeproc=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=10), st.integers(0, 9))
def test_a_page_written_in_parts_is_the_page_written_whole(setup, blocks, edited):
    bib, csl = setup
    warm.clear()
    markdown = "\n\n".join(blocks) + "\n"
    ast = cited(markdown, bib, csl)
    whole = pandoc.ast_to_bytes(ast, "html", what="test", extra=[])
    first, reused = htmlparts.write(ast, what="test", extra=[])
    assert first == whole and reused == 0
    again, reused = htmlparts.write(ast, what="test", extra=[])  # every free part from the kept HTML
    assert again == whole
    # one block edited: its part is written, the others come from the kept HTML
    changed = list(blocks)
    changed[edited % len(changed)] += " Kata baru."
    ast2 = cited("\n\n".join(changed) + "\n", bib, csl)
    assert htmlparts.write(ast2, what="test", extra=[])[0] == pandoc.ast_to_bytes(ast2, "html", what="test", extra=[])


def test_the_watch_preview_reuses_parts_and_the_page_left_is_pandocs_own(tmp_path, monkeypatch):
    warm.clear()
    root = copy_example(tmp_path / "example")
    config = root / "synthdoc.yaml"
    reused: list[int] = []
    real = htmlparts.write

    def counting(ast, **kw):
        data, n = real(ast, **kw)
        reused.append(n)
        return data, n

    monkeypatch.setattr(htmlparts, "write", counting)
    build(load_project(config), ["tinjauan-pustaka"], first=("html",))
    claims = root / "sources" / "amalia2025.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("      id: ", "      id: Sungguh, ", 1),
                      encoding="utf-8")
    said: list[str] = []
    build(load_project(config), ["tinjauan-pustaka"], first=("html",), report=said.append)
    assert reused[0] == 0 and reused[-1] > 0  # the second preview took unchanged parts from the first
    preview = (root / "output" / "tinjauan-pustaka.html").read_bytes()
    assert b"Sungguh, " in preview
    assert not [s for s in said if "differed" in s]
    warm.clear()
    build(load_project(config), ["tinjauan-pustaka"], force=True)  # the CLI: written whole, no parts
    assert (root / "output" / "tinjauan-pustaka.html").read_bytes() == preview


def test_a_preview_that_differs_is_replaced_by_the_page_written_whole(tmp_path, monkeypatch):
    warm.clear()
    root = copy_example(tmp_path / "example")
    config = root / "synthdoc.yaml"
    real = htmlparts.write

    def wrong(ast, **kw):
        data, _ = real(ast, **kw)
        return re.sub(rb"</h2>", b"</h2><!-- not pandoc's -->", data, count=1), 1

    monkeypatch.setattr(htmlparts, "write", wrong)
    monkeypatch.setattr(htmlparts, "_DISABLED", False)
    said: list[str] = []
    build(load_project(config), ["tinjauan-pustaka"], first=("html",), report=said.append)
    page = (root / "output" / "tinjauan-pustaka.html").read_bytes()
    assert b"not pandoc's" not in page
    assert [s for s in said if "differed" in s]
    assert htmlparts._DISABLED
