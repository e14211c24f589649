"""The example's chapter in four styles and two languages, as a reader checks them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import copy_example
from synthdoc.build.pipeline import build
from synthdoc.core.project import load_project
from test_example import KEYS, html_text


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory) -> Path:
    return copy_example(tmp_path_factory.mktemp("styles"))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("style", ["apa", "ieee", "chicago-notes-bibliography", "harvard-cite-them-right"])
def test_chapter_in_each_style_and_language(example_copy, style, lang):
    root = example_copy
    shutil.rmtree(root / "output", ignore_errors=True)
    project = load_project(root / "synthdoc.yaml").with_overrides(style=style, lang=lang, formats=("html",))
    build(project, ["tinjauan-pustaka"])
    raw = (root / "output" / "tinjauan-pustaka.html").read_text()
    text = html_text(root / "output" / "tinjauan-pustaka.html")
    # A note style lists a bibliography: "Bibliography" in English; Indonesian says "Daftar Pustaka" for both.
    heading = "Daftar Pustaka" if lang == "id" else "Bibliography" if "notes" in style else "References"
    assert text.count(heading) == 1
    assert sorted(re.findall(r'id="ref-([^"]+)"', raw)) == sorted(KEYS)
    body = text.split(heading)[0]
    if style == "chicago-notes-bibliography":
        assert raw.count('class="footnote-ref"') > 40  # real footnotes
        assert "(Amalia, 2025" not in body
    elif style == "ieee":
        numbers = [int(n) for n in re.findall(r"\[(\d+), (?:Bag|Sec)\.", body)]
        assert numbers[0] == 1 and max(numbers) == 5  # numbered by first citation
        firsts = list(dict.fromkeys(numbers))
        assert firsts == sorted(firsts)
    else:
        assert "Amalia, 2025" in body
    if style == "apa":
        assert ("t.t." if lang == "id" else "n.d.") in body
        assert ("Bagian VI.2.1" if lang == "id" else "Section VI.2.1") in body
