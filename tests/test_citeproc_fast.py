"""The citation fast path renders exactly what one full `pandoc --citeproc` run renders.

The differential test generates bibliographies made to collide (shared family names, same
initials, one author's several works in a year, particles, institutions, works without names or
dates, long author lists) and documents citing them in every shape pandoc knows, and compares
the fast path's AST with one full run's, for styles with each given-name rule. Each case is
first shown to need disambiguation at all: without it, the full run would print differently.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import pytest

from collision_corpus import bibliography, document
from conftest import copy_example
from synthdoc import citeproc, pandoc
from synthdoc.astwalk import cite_ids, cites
from synthdoc.build import build
from synthdoc.cache import JsonCache
from synthdoc.citeproc import read_cited, render_citations
from synthdoc.collisions import group_references, pack, plan_batches, style_facts
from synthdoc.project import load_project
from synthdoc.styles import resolve_style

CASES = ([("apa", seed) for seed in range(12)]  # primary-name-with-initials
         + [("harvard-cite-them-right", seed) for seed in range(6)]  # by-cite
         + [("elsevier-harvard", seed) for seed in range(4)]  # given names and year suffixes, no added names
         + [("harvard-leeds-beckett-university", seed) for seed in range(4)])  # all-names-with-initials


def one_full_run(markdown: str, bib: Path, csl: Path) -> dict:
    out = pandoc.run(["-f", pandoc.MARKDOWN_READER, "-t", "json", "--citeproc", "--bibliography", str(bib),
                      "--csl", str(csl), "-M", "lang=id-ID"], markdown.encode("utf-8"), what="oracle")
    return json.loads(out)


def corpus(tmp_path: Path, seed: int) -> tuple[list[dict], str, Path]:
    rng = random.Random(seed)
    items = bibliography(rng, rng.randint(12, 60))
    markdown = document(rng, items, rng.randint(5, 30))
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return items, markdown, bib


def fast(markdown: str, items: list[dict], bib: Path, csl: Path, **options) -> citeproc.Rendered:
    parsed = pandoc.read_markdown(markdown, bibliography=bib, csl=csl, metadata={"lang": "id-ID"}, what="test")
    return render_citations(parsed, items=items, csl=csl, what="test", **options)


@pytest.mark.parametrize(("style", "seed"), CASES)
def test_fast_path_output_is_identical_to_one_full_run(tmp_path, style, seed):
    items, markdown, bib = corpus(tmp_path, seed)
    csl = resolve_style(style, Path("."))
    expected = one_full_run(markdown, bib, csl)

    without = tmp_path / "without.csl"
    without.write_text(style_facts(csl.read_text(encoding="utf-8")).without_disambiguation, encoding="utf-8")
    assert one_full_run(markdown, bib, without) != expected, "this case has nothing to disambiguate"

    rendered = fast(markdown, items, bib, csl, min_references=0, batch_references=random.Random(seed).choice([1, 4]),
                    max_cost=math.inf)
    assert rendered.fast, rendered.note
    assert "batch" in rendered.note
    assert rendered.ast == expected


def test_the_corpus_has_independent_groups_and_year_suffixes(tmp_path):
    items, markdown, bib = corpus(tmp_path, 0)
    parsed = pandoc.read_markdown(markdown, bibliography=bib, csl=resolve_style("apa", Path(".")), metadata={},
                                  what="test")
    cited = [key for cite in cites(parsed["blocks"]) for key in cite_ids(cite)]
    grouping = group_references({i["id"]: i for i in items}, cited, all_names=False)
    assert len(grouping.groups) >= 3
    html = pandoc.run(["-f", "json", "-t", "html"], json.dumps(one_full_run(markdown, bib, resolve_style(
        "apa", Path(".")))).encode(), what="t").decode()
    assert "2020a" in html and "2020b" in html


@pytest.mark.parametrize(("style", "front"), [
    ("chicago-notes-bibliography", ""),  # a note style
    ("apa", "---\nnocite: '@k000'\n---\n\n"),  # metadata that adds citations
])
def test_what_the_fast_path_cannot_prove_takes_the_full_run(tmp_path, style, front):
    items, markdown, bib = corpus(tmp_path, 3)
    markdown = front + markdown
    csl = resolve_style(style, Path("."))
    rendered = fast(markdown, items, bib, csl, min_references=0)
    assert not rendered.fast
    assert rendered.ast == one_full_run(markdown, bib, csl)


def test_a_small_bibliography_takes_the_full_run(tmp_path):
    items, markdown, bib = corpus(tmp_path, 5)
    rendered = fast(markdown, items, bib, resolve_style("apa", Path(".")))
    assert not rendered.fast and rendered.note is None


def test_a_bibliography_too_small_for_the_fast_path_is_read_and_rendered_in_one_run(tmp_path, monkeypatch):
    items, markdown, bib = corpus(tmp_path, 5)
    csl = resolve_style("apa", Path("."))
    runs: list[list[str]] = []
    real = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda args, *a, **k: runs.append(args) or real(args, *a, **k))
    rendered = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata={"lang": "id-ID"}, what="test")
    assert len(runs) == 1 and "--citeproc" in runs[0]
    assert rendered.ast == one_full_run(markdown, bib, csl)

    monkeypatch.setattr(citeproc, "FAST_MIN_REFERENCES", len(items))  # large enough: read, then rendered
    runs.clear()
    rendered = read_cited(markdown, items=items, bibliography=bib, csl=csl, metadata={"lang": "id-ID"}, what="test")
    assert len(runs) == 2 and "--citeproc" not in runs[0]
    assert rendered.ast == one_full_run(markdown, bib, csl)


def test_a_check_that_fails_after_the_runs_falls_back_and_says_so(tmp_path, monkeypatch):
    items, markdown, bib = corpus(tmp_path, 6)
    csl = resolve_style("apa", Path("."))
    shapes = iter(range(10**6))
    monkeypatch.setattr(citeproc, "_punctuation_shape", lambda content: next(shapes))  # never equal
    rendered = fast(markdown, items, bib, csl, min_references=0, max_cost=math.inf)
    assert not rendered.fast
    assert "punctuation" in rendered.note
    assert rendered.ast == one_full_run(markdown, bib, csl)


def counting_runs(monkeypatch) -> list[int]:
    """Count the pandoc citeproc runs the fast path makes (the skeleton and each batch)."""
    runs: list[int] = []
    real = citeproc._citeproc

    def counted(ast, what):
        runs.append(1)
        return real(ast, what)

    monkeypatch.setattr(citeproc, "_citeproc", counted)
    return runs


def test_unchanged_batches_come_from_the_cache_and_the_output_stays_identical(tmp_path, monkeypatch):
    items, markdown, bib = corpus(tmp_path, 3)
    csl = resolve_style("apa", Path("."))
    cache = JsonCache(tmp_path / "cache")
    options = {"min_references": 0, "batch_references": 4, "max_cost": math.inf, "cache": cache}
    runs = counting_runs(monkeypatch)

    first = fast(markdown, items, bib, csl, **options)
    batches = len(list((tmp_path / "cache").glob("*.json")))
    assert first.fast and "unchanged" not in first.note and f"{batches} batch(es)" in first.note
    assert batches >= 3 and len(runs) == 1 + batches

    runs.clear()
    again = fast(markdown, items, bib, csl, **options)
    assert len(runs) == 1, "only the skeleton runs again"
    assert f"{batches} unchanged since the last build" in again.note
    assert again.ast == first.ast == one_full_run(markdown, bib, csl)

    # One more citation: only the batches holding its reference run again; the rest are reused.
    edited = markdown + f"\n\nSatu lagi [@{items[0]['id']}, hlm. 999].\n"
    runs.clear()
    after = fast(edited, items, bib, csl, **options)
    assert 1 < len(runs) < 1 + batches
    assert after.ast == one_full_run(edited, bib, csl)
    assert len(list((tmp_path / "cache").glob("*.json"))) == batches, "what the edit replaced is removed"

    runs.clear()
    forced = fast(edited, items, bib, csl, **options, reuse=False)
    assert len(runs) == 1 + batches and "unchanged" not in forced.note
    assert forced.ast == after.ast


def test_an_unreadable_cache_entry_is_rendered_again(tmp_path):
    items, markdown, bib = corpus(tmp_path, 4)
    csl = resolve_style("apa", Path("."))
    cache = JsonCache(tmp_path / "cache")
    options = {"min_references": 0, "batch_references": 4, "max_cost": math.inf, "cache": cache}
    fast(markdown, items, bib, csl, **options)
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text('{"blocks": [', encoding="utf-8")  # cut short
    rendered = fast(markdown, items, bib, csl, **options)
    assert "unchanged" not in rendered.note
    assert rendered.ast == one_full_run(markdown, bib, csl)


def facts(style: str):
    return style_facts(resolve_style(style, Path(".")).read_text(encoding="utf-8"))


def test_style_facts():
    apa = facts("apa")
    assert apa.disambiguates and apa.refusal is None and not apa.all_names
    assert "disambiguate-add" not in apa.without_disambiguation.split("<citation", 1)[1].split(">", 1)[0]
    assert facts("harvard-leeds-beckett-university").all_names
    assert not facts("ieee").disambiguates
    assert "position" in facts("chicago-author-date").refusal
    assert "subsequent-author-substitute" in facts("modern-language-association").refusal
    assert facts("chicago-notes-bibliography").refusal == "a note style"


def person(family: str, given: str) -> dict:
    return {"family": family, "given": given}


def test_grouping_finds_the_references_that_can_collide():
    items = {
        "a": {"id": "a", "author": [person("Santoso", "Budi")]},
        "b": {"id": "b", "author": [person("Santoso", "Ayu")]},  # shares a family name with a
        "c": {"id": "c", "author": [person("Nguyen", "Anh"), person("Santoso", "Dewi")]},  # Santoso second
        "d": {"id": "d", "author": [person("Lubis", "Eko")]},  # no one else
        "e": {"id": "e", "title": "Laporan"},  # no names
        "f": {"id": "f", "title": "Data", "author": []},  # no names either
        "g": {"id": "g", "author": [{"literal": "Nguyen Foundation"}]},  # a word of c's first name
    }
    first = group_references(items, items, all_names=False)
    assert first.at_risk == {"a", "b", "c", "e", "f", "g"}
    assert sorted(sorted(g) for g in first.groups) == [["a", "b"], ["c", "g"], ["e", "f"]]
    every = group_references(items, items, all_names=True)  # c's second name now counts
    assert sorted(sorted(g) for g in every.groups) == [["a", "b", "c", "g"], ["e", "f"]]


def test_packing_keeps_each_group_in_one_bin():
    sizes = [3, 1, 2, 4, 1]
    bins = pack(sizes, 4)
    assert sorted(n for b in bins for n in b) == [0, 1, 2, 3, 4]
    assert all(sum(sizes[n] for n in b) <= 4 for b in bins)


def test_a_citation_across_batches_is_rendered_where_all_its_groups_are_whole():
    items = {k: {"id": k, "author": [person(family, given)]} for k, family, given in [
        ("a1", "Santoso", "Budi"), ("a2", "Santoso", "Ayu"), ("b1", "Nguyen", "Anh"), ("b2", "Nguyen", "Minh"),
        ("c1", "Lubis", "Eko")]}
    citations = [[(k, "") for k in keys] for keys in
                 [["a1"], ["a2"], ["b1"], ["b2"], ["a1", "b1", "c1"], ["c1"], ["a2", "b1"]]]
    grouping = group_references(items, items, all_names=False)
    plan = plan_batches(grouping, citations, size=2)  # each group fills a home batch
    homes = [b for b in plan if b.entries]
    assert sorted(sorted(b.entries) for b in homes) == [["a1", "a2"], ["b1", "b2"]]
    context = [b for b in plan if not b.entries]
    assert len(context) == 1 and context[0].renders == {4, 6}
    # the context batch takes every use of both groups' references once, so each group is whole
    assert context[0].pieces == ((0, 0), (1, 0), (2, 0), (3, 0), (4, None), (6, None))
    assert all(n != 5 for b in plan for n, _ in b.pieces)  # c1 alone is no one's concern
    assert sorted(n for b in plan for n in b.renders) == [0, 1, 2, 3, 4, 6]


def test_the_example_builds_byte_identical_documents_either_way(tmp_path, monkeypatch):
    root = copy_example(tmp_path / "plain")
    build(load_project(root / "synthdoc.yaml"))
    shutil.copytree(root, tmp_path / "fast", ignore=shutil.ignore_patterns("output", ".synthdoc"))
    monkeypatch.setattr(citeproc, "FAST_MIN_REFERENCES", 0)
    monkeypatch.setattr(citeproc, "MAX_COST", math.inf)
    notes: list[str] = []
    build(load_project(tmp_path / "fast" / "synthdoc.yaml"), report=notes.append)
    assert any("batch" in n for n in notes), notes
    for html in sorted((root / "output").glob("*.html")):
        assert (tmp_path / "fast" / "output" / html.name).read_bytes() == html.read_bytes(), html.name
