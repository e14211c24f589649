"""Property-based: generated claims, bibliographies and texts either build or end in diagnostics.

Never a traceback, never a partial output. Text is drawn from Indonesian and Vietnamese letters
with their diacritics, right-to-left scripts, emoji, Markdown and markup characters; fields may
be empty or long.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from synthdoc.build.pipeline import build
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project

ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:-–—'\"“”()[]{}<>#*_`$@\\/&%!?\n\t")
    + list("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
    + list("éÉ") + list("مرحبا بالعالم") + list("שלום") + ["😀", "🇮", "🇩", "‏", "‎", "\u00ad", "\u200b"]
)
TEXT = st.text(ALPHABET, min_size=0, max_size=400)
NAME = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzĐăâêôơưÁÉ -'")), min_size=1, max_size=30)


def project_files(text: str, quote: str, says: str, family: str, title: str, year: int, key: str) -> dict[str, str]:
    bib = [{"id": key, "type": "thesis", "author": [{"family": family, "given": "A."}], "title": title,
            "issued": {"date-parts": [[year]]}, "publisher": "Universitas X", "language": "id-ID"}]
    claims = {"source": key, "text": "t.md", "claims": [
        {"id": "c1", "kind": "finding", "themes": ["t"], "says": {"id": says, "en": says},
         "short": {"id": says[:20], "en": says[:20]}, "quote": quote, "at": {"section": "1.1"}}]}
    config = {"title": "P", "bibliography": "refs.json", "lang": "id", "style": "apa",
              "themes": [{"id": "t", "title": {"id": "Tema", "en": "Theme"}}],
              "documents": [{"id": "d", "template": "synthesis.md.j2", "title": "Dok", "formats": ["html", "docx"]}]}
    return {
        "synthdoc.yaml": json.dumps(config, ensure_ascii=False),
        "refs.json": json.dumps(bib, ensure_ascii=False),
        "sources/t.md": "## 1.1 Bagian\n\n" + text,
        "sources/c.yaml": json.dumps(claims, ensure_ascii=False),
    }


@st.composite
def projects(draw):
    text = draw(TEXT)
    if text.strip() and draw(st.booleans()):
        a = draw(st.integers(0, max(0, len(text) - 1)))
        quote = text[a: a + draw(st.integers(1, 120))]
    else:
        quote = draw(TEXT)
    key = draw(st.sampled_from(["k1", "amalia2025", "a-b_c", "Ünï", "x:y"]))
    return project_files(text, quote, draw(TEXT), draw(NAME), draw(TEXT), draw(st.integers(1, 2100)), key)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_every_build_succeeds_or_ends_in_diagnostics(files):
    root = Path(tempfile.mkdtemp())
    try:
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content, encoding="utf-8")
        try:
            result = build(load_project(root / "synthdoc.yaml"))
        except SynthdocError as exc:
            event(f"diagnostics: {sorted({d.code for d in exc.diagnostics})}")
            assert exc.diagnostics and all(str(d) for d in exc.diagnostics)
            out = root / "output"
            assert not out.exists() or not any(out.iterdir()), "a failed build left files behind"
            return
        event("built")
        assert sorted(o.path.name for o in result.outputs) == ["d.docx", "d.html"]
        assert all(o.path.stat().st_size > 0 for o in result.outputs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_DOCS = st.sampled_from(["", "chapter", "brief", "matrix"])


@st.composite
def _diagnostics(draw):
    from synthdoc.core.diagnostics import Diagnostic, Severity

    out = []
    for _ in range(draw(st.integers(0, 30))):
        document = draw(_DOCS)
        many = draw(st.sampled_from(["", "entries are not cited"]))
        named = f" in document '{document}'" if document and draw(st.booleans()) else ""
        out.append(Diagnostic(draw(st.sampled_from(["a.yaml", "b.bib"])), draw(st.integers(1, 3)), 1,
                              draw(st.sampled_from(list(Severity))), f"problem {draw(st.integers(0, 2))}{named}",
                              draw(st.sampled_from(["x", "y"])), document, many))
    return out


@given(_diagnostics())
@settings(max_examples=300, deadline=None)
def test_grouping_twice_lists_what_grouping_once_lists(diags):
    """The build stores its warnings as listed (grouped); the no-op answer lists them again: the same lines,
    and the same count of errors and warnings."""
    from synthdoc.core import console
    from synthdoc.core.diagnostics import grouped

    once = grouped(diags)
    assert [str(d) for d in grouped(once)] == [str(d) for d in once]
    assert console.summary(once) == console.summary(diags)
