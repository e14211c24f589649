"""synthdoc's citations are exactly those of one plain `pandoc --citeproc` run on the same Markdown,
bibliography, style and metadata — on a first build and on a rebuild after a wording edit, when the
previous build's citeproc result is reused.

The corpus (``citation_corpus``) is adversarial: an organisation's several reports in one year, works
known only by their title, interviews, reviews, particles, diacritics, non-Latin and single names,
3/6/21+ authors, every citation shape. This is the fast subset; ``bench/differential.py`` runs the
full corpus (its count and result are in bench/RESULTS.md).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citation_corpus import STYLES, case
from synthdoc.core import pandoc
from synthdoc.core.cache import JsonCache
from synthdoc.render import citeproc
from synthdoc.render.astwalk import cites, stringify
from synthdoc.render.citeproc import read_cited
from synthdoc.render.styles import resolve_style

# (style, seed, references): every style, small bibliographies, and two large enough for what used to
# be the large-bibliography path (150 references and more)
CASES = ([(style, 0, 14) for style in STYLES]
         + [(style, 1, 40) for style in ("apa", "din-1505-2-alphanumeric", "american-medical-association", "ieee")]
         + [("apa", 7, 150), ("din-1505-2-alphanumeric", 7, 220)])


def metadata(lang: str) -> dict[str, str]:
    return {"lang": lang, "reference-section-title": "Daftar Pustaka", "link-citations": "true",
            "link-bibliography": "true"}


def plain_pandoc(markdown: str, bib: Path, csl: Path, meta: dict[str, str]) -> dict[str, Any]:
    """The oracle: one plain `pandoc --citeproc` run."""
    args = ["-f", pandoc.MARKDOWN_READER, "-t", "json", "--citeproc", "--bibliography", str(bib), "--csl", str(csl)]
    for name, value in meta.items():
        args += ["-M", f"{name}={value}"]
    return json.loads(pandoc.run(args, markdown.encode("utf-8"), what="oracle"))


def citations_of(markdown: str, bib: Path, csl: Path, meta: dict[str, str]) -> list[Any]:
    """Every citation as citeproc reads it (the Markdown's Cite elements, without pandoc's own counter)."""
    ast = pandoc.read_markdown(markdown, bibliography=bib, csl=csl, metadata=meta, what="test")
    return [[{k: v for k, v in c.items() if k != "citationHash"} for c in cite["c"][0]] for cite in cites(ast)]


def first_difference(a: Any, b: Any, at: str = "") -> str | None:
    """Where two ASTs first differ, and how: what a reader would see differ."""
    if type(a) is not type(b):
        return f"{at}: {json.dumps(a, ensure_ascii=False)[:300]} != {json.dumps(b, ensure_ascii=False)[:300]}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            found = first_difference(a.get(key), b.get(key), f"{at}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{at}[{i}]")
            if found:
                return found
        return None if len(a) == len(b) else f"{at}: {len(a)} elements != {len(b)}"
    return None if a == b else f"{at}: {a!r} != {b!r}"


def compare(style: str, seed: int, references: int, tmp_path: Path, notes: bool = True) -> list[str]:
    """The differences between synthdoc and the oracle on one case (empty when identical), first build
    and rebuild after a wording edit; also whether the rebuild reused the first build's result, and whether a
    first build of a document without footnotes ran citeproc over its citations alone."""
    items, blocks, edited, lang = case(style, seed, references, notes)
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style(style, Path("."))
    meta = metadata(lang)
    cache, sections = JsonCache(tmp_path / "cache"), JsonCache(tmp_path / "sections")
    problems = []
    for name, doc in (("first build", blocks), ("after a wording edit", edited)):
        markdown = "\n\n".join(doc) + "\n"
        ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test", cache=cache,
                          sections=sections)
        found = first_difference(ours.ast, plain_pandoc(markdown, bib, csl, meta))
        if found:
            problems.append(f"{style} seed {seed}, {references} references, {name}: {found}")
        if name == "first build" and not notes and STYLES[style] != "note" and "citations alone" not in ours.note:
            problems.append(f"{style} seed {seed}: the first build did not cite the citations alone ({ours.note})")
    before, after = ("\n\n".join(doc) for doc in (blocks, edited))
    same = citations_of(before, bib, csl, meta) == citations_of(after, bib, csl, meta)
    if same and STYLES[style] != "note" and not ours.reused:
        problems.append(f"{style} seed {seed}: the wording edit ran citeproc again ({ours.note})")
    return problems


@pytest.mark.parametrize(("style", "seed", "references"), CASES)
def test_citations_are_those_of_one_plain_pandoc_run(tmp_path, style, seed, references):
    assert compare(style, seed, references, tmp_path) == []


@pytest.mark.parametrize(("style", "seed", "references"), CASES)
def test_without_footnotes_citations_rendered_alone_are_those_of_one_plain_pandoc_run(tmp_path, style, seed,
                                                                                      references):
    """A document without footnotes: on a first build citeproc runs over a Markdown of its citations alone, beside
    the reading of its sections, and the citations it renders are those of one plain pandoc run on the whole."""
    assert compare(style, seed, references, tmp_path, notes=False) == []


def test_alphanumeric_labels_that_print_alike_keep_their_letters(tmp_path):
    """DIN 1505-2 cuts "Unique0001x" and "Unique0002x" to the same label: citeproc tells the works apart
    with letters (Uniq20a, Uniq20b). The large-bibliography path used to group references by their
    names, saw no collision, and printed "Uniq20" for several different works."""
    items = [{"id": f"u{i}", "type": "book", "title": f"Work {i}", "issued": {"date-parts": [[2020]]},
              "author": [{"family": f"Unique{i:04d}x", "given": "A"}]} for i in range(160)]
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items), encoding="utf-8")
    csl = resolve_style("din-1505-2-alphanumeric", Path("."))
    markdown = "\n\n".join(f"Text [@{item['id']}]." for _ in range(8) for item in items) + "\n"
    meta = metadata("en-US")
    ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test")
    labels = {}
    for cite in cites(ours.ast):
        labels.setdefault(cite["c"][0][0]["citationId"], set()).add(stringify(cite["c"][1]))
    assert all(len(shown) == 1 for shown in labels.values())
    assert len({next(iter(shown)) for shown in labels.values()}) == len(items)  # one label per work
    assert ours.ast == plain_pandoc(markdown, bib, csl, meta)


@pytest.mark.parametrize("change", ["a locator", "an entry", "the language"])
def test_what_citeproc_reads_changed_runs_citeproc_again(tmp_path, change):
    items, blocks, _, lang = case("apa", 3, 20)
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style("apa", Path("."))
    cache = JsonCache(tmp_path / "cache")
    markdown = "\n\n".join(blocks) + "\n"
    first = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=metadata(lang), what="test",
                       cache=cache)
    assert first.note == "citations: one citeproc run, kept for reuse"
    meta = metadata(lang)
    if change == "a locator":
        markdown = markdown.replace("[@r0001]", "[@r0001, p. 99]", 1) if "[@r0001]" in markdown \
            else markdown + "\nMore [@r0001, p. 99].\n"
    elif change == "an entry":
        cited = next(item for item in items if f"@{item['id']}" in markdown)
        items = [{**item, "title": "Another title"} if item is cited else item for item in items]
        bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    else:
        meta["lang"] = "en-GB" if lang != "en-GB" else "id-ID"
    again = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test", cache=cache)
    assert not again.reused
    assert again.ast == plain_pandoc(markdown, bib, csl, meta)


@pytest.mark.parametrize("span", ['<span class="csl&#45;quoted">own</span>', '[own]{class="csl&#45;quoted"}',
                                  '[own]{.csl-quoted}', "[see [own]{.csl-quoted}, p. 2; @r0001]"])
def test_the_documents_own_quotation_spans_become_plain_as_pandoc_makes_them(tmp_path, span):
    """pandoc turns every span of class csl-quoted plain, the document's own too (written with an entity,
    the class name never appears in the Markdown), also in a citation's prefix; a reused result must too."""
    items, blocks, edited, lang = case("apa", 2, 20)
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style("apa", Path("."))
    meta = metadata(lang)
    cache, sections = JsonCache(tmp_path / "cache"), JsonCache(tmp_path / "sections")
    for doc in (blocks, edited):
        markdown = "\n\n".join([*doc, f"A span {span} here."]) + "\n"
        ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test", cache=cache,
                          sections=sections)
        assert first_difference(ours.ast, plain_pandoc(markdown, bib, csl, meta)) is None
    assert ours.reused


def _sectioned(style: str = "apa") -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    items, blocks, _, lang = case(style, 3, 14)
    parts = [f"# Bagian {i}\n\n{block}" for i, block in enumerate(blocks)]
    return "\n\n".join(parts) + "\n", items, metadata(lang)


def _runs(monkeypatch) -> list[list[str]]:
    seen: list[list[str]] = []
    real = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda args, *a, **k: seen.append(list(args)) or real(args, *a, **k))
    return seen


def _failing(*args: Any, **kwargs: Any) -> Any:
    """A pandoc run that fails."""
    raise pandoc.PandocError.single("test", "pandoc failed", "pandoc-failed")


@pytest.mark.parametrize("ahead", ["as pandoc prints it", "a word changed", "failing"])
def test_a_first_build_cites_the_markdown_beside_reading_its_sections(tmp_path, monkeypatch, ahead):
    """With nothing kept, citeproc runs on the Markdown as a whole while the sections are read, and its result
    is taken only when the sections' AST with its citations put in is exactly what it printed: otherwise
    citeproc runs over the sections' AST, as on any build. Either way the document is the oracle's."""
    markdown, items, meta = _sectioned()
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style("apa", Path("."))
    real = pandoc.cite_markdown
    if ahead == "a word changed":
        monkeypatch.setattr(pandoc, "cite_markdown", lambda *a, **k: real(*a, **k).replace(b'"Bagian"', b'"Bab"', 1))
    elif ahead == "failing":
        monkeypatch.setattr(pandoc, "cite_markdown", _failing)
    runs = _runs(monkeypatch)
    ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test",
                      cache=JsonCache(tmp_path / "cache"), sections=JsonCache(tmp_path / "sections"))
    assert first_difference(ours.ast, plain_pandoc(markdown, bib, csl, meta)) is None
    over_sections = [r for r in runs if r[:2] == ["-f", "json"] and "--citeproc" in r]
    assert len(over_sections) == (0 if ahead == "as pandoc prints it" else 1)
    assert ours.note == "citations: one citeproc run, kept for reuse"
    again = read_cited(markdown.replace("Bagian 1", "Bagian satu"), items=items, bibliography=bib, csl=csl,
                       metadata=meta, what="test", cache=JsonCache(tmp_path / "cache"),
                       sections=JsonCache(tmp_path / "sections"))
    assert again.reused  # what was kept is reused by the next build


def _without_notes() -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    items, blocks, _, lang = case("apa", 3, 14, notes=False)
    parts = [f"# Bagian {i}\n\n{block}" for i, block in enumerate(blocks)]
    return "\n\n".join(parts) + "\n", items, metadata(lang)


@pytest.mark.parametrize("alone", ["as pandoc prints it", "another document printed", "a citation left out",
                                   "failing"])
def test_a_first_build_cites_the_citations_alone_beside_reading_its_sections(tmp_path, monkeypatch, alone):
    """A document without footnotes: citeproc runs over a Markdown of its citations alone while the sections are
    read, and its result is taken only where citeproc read of it what it reads of the document and the result is
    kept as any result is: otherwise citeproc runs over the sections' AST. Either way the document is the
    oracle's, and what is kept is reused by the next build."""
    markdown, items, meta = _without_notes()
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style("apa", Path("."))
    real, real_alone = pandoc.cite_markdown_read, citeproc.citations_alone
    if alone == "another document printed":
        def changed(*a, **k):
            read, printed = real(*a, **k)
            next(cites(printed["blocks"]))["c"][0][0]["citationNoteNum"] += 1
            return read, printed
        monkeypatch.setattr(pandoc, "cite_markdown_read", changed)
    elif alone == "a citation left out":
        monkeypatch.setattr(citeproc, "citations_alone", lambda md: real_alone(md).replace("[@", "[", 1))
    elif alone == "failing":
        monkeypatch.setattr(pandoc, "cite_markdown_read", _failing)
    runs = _runs(monkeypatch)
    ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test",
                      cache=JsonCache(tmp_path / "cache"), sections=JsonCache(tmp_path / "sections"))
    made = list(runs)
    assert first_difference(ours.ast, plain_pandoc(markdown, bib, csl, meta)) is None
    assert any(str(pandoc.KEEP_READ) in r for r in made) == (alone != "failing")
    over_sections = [r for r in made if r[:2] == ["-f", "json"] and "--citeproc" in r]
    assert len(over_sections) == (0 if alone == "as pandoc prints it" else 1)
    assert ours.note == ("citations: one citeproc run, over the citations alone, kept for reuse"
                         if alone == "as pandoc prints it" else "citations: one citeproc run, kept for reuse")
    again = read_cited(markdown.replace("Bagian 1", "Bagian satu"), items=items, bibliography=bib, csl=csl,
                       metadata=meta, what="test", cache=JsonCache(tmp_path / "cache"),
                       sections=JsonCache(tmp_path / "sections"))
    assert again.reused
    assert first_difference(again.ast, plain_pandoc(markdown.replace("Bagian 1", "Bagian satu"), bib, csl,
                                                    meta)) is None


# Text around citations that is not one, or is one only in its context: links, spans, code, e-mail addresses,
# escaped brackets, citations at the start of a span, a metadata block naming a field citeproc reads.
_AROUND = st.sampled_from([
    "Teks biasa.", "[teks dengan @r0001 di dalam](https://contoh.id)", "[@r0002]{.kelas}", "`@r0003 [hlm. 2]`",
    "surel budi@contoh.id dan @r0004.", "\\[@r0005\\] bukan sitasi.", "[@r0006 [hlm. 3] berkata]{.claim}",
    "[Pernyataan [@r0007, bag. 1.1].]{.claim data-claims=\"3\"}", "@{r0008} dengan kurung kurawal.",
    "Email@r0009 lekat.", "[lihat @r0010; @r0001, hlm. 4 dst.]", "-@r0002 tanpa nama.", "@r0003, @r0004; @r0005.",
    "[@r0006]: https://definisi.link", "Teks [@r0007].[^1]\n\n[^1]: Catatan.", "Teks^[catatan @r0001].",
    "```\n[@r0002]\n```", "<span>@r0003</span>", "![gambar @r0004](x.png)", "[@r0005][ref]", "@r0006.",
    "$[@r0007]$", "Dolar $10 [@r0008]."])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_AROUND, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=4), st.booleans())
def test_any_document_cited_on_its_first_build_as_one_plain_pandoc_run(tmp_path, paragraphs, front):
    """Whatever the Markdown of the citations alone makes of a document's text, a first build's citations are
    those of one plain pandoc run."""
    items, _, _, lang = case("apa", 5, 12)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example (hypothesis runs one example again)
    bib = folder / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    csl = resolve_style("apa", Path("."))
    head = "---\ntitle: Judul\nlink-citations: false\n---\n\n" if front else ""
    markdown = head + "\n\n".join(f"# Bagian {i}\n\n{p}" for i, p in enumerate(paragraphs)) + "\n"
    meta = metadata(lang)
    ours = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata=meta, what="test",
                      cache=JsonCache(folder / "cache"), sections=JsonCache(folder / "sections"))
    assert first_difference(ours.ast, plain_pandoc(markdown, bib, csl, meta)) is None
