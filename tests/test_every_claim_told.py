"""Every claim a document cites is told, none twice, and a quote that holds quotation marks prints them
turned (issue #29, item 5): read from the rendered document's provenance spans."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import small_files, write_project
from synthdoc.build.pipeline import build, check_project, load_inputs
from synthdoc.core.project import load_project
from synthdoc.render.document import render_markdown

A = "sources/smith2020.yaml"

SECOND_IN_POINT = """
  - id: three-times
    kind: finding
    themes: [labour]
    point: shared
    says:
      en: Recruited migrants are three times as likely to owe debts.
      id: Migran yang direkrut tiga kali lebih mungkin berutang.
    quote: "Debts tie workers to their employers for years."
    at: {section: "1.1"}
"""

TWO_THEMES = """
  - id: both-themes
    kind: finding
    themes: [labour, law]
    says:
      en: Recruitment debts are both a labour and a legal problem.
      id: Utang perekrutan adalah masalah kerja dan hukum.
    quote: "Debts tie workers to their employers for years."
    at: {section: "1.1"}
"""


# Templates of a project's own that tell claims as the built-in ones once did: one claim per source in a
# point, and every claim of a theme under that theme; check reads what any template tells.
ONE_PER_SOURCE = """{% for p in points %}{{ p.sentence }}{% for c in p.by_source %} {{ c.sentence }}{% endfor %}

{% endfor %}"""
EACH_THEME = """{% for t in themes %}# {{ t.title }}

{% for c in t.claims %}{{ c.sentence }}

{% endfor %}{% endfor %}"""


def project(tmp_path: Path, *extra: str, formats: str = "html", template: str = "") -> Path:
    files = small_files(formats)
    files[A] = files[A].rstrip("\n") + "\n" + "".join(e.strip("\n") + "\n" for e in extra)
    if template:
        files["templates/own.md.j2"] = template
        files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2", "template: own.md.j2")
    return write_project(tmp_path / "p", files)


def found(root: Path, code: str):
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return [d for d in diags if d.code == code]


def told(root: Path) -> str:
    """The review's text as the reader sees it (its claims' hover panel left out)."""
    html = (root / "output" / "review.html").read_text(encoding="utf-8").split('id="synthdoc-claims"')[0]
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_the_small_project_tells_every_claim_once(small):
    assert found(small, "claim-untold") == [] and found(small, "claim-told-twice") == []


def test_the_example_tells_every_claim_it_cites_once(example):
    """The built-in chapter and brief over the example: no claim cited but never told, none told twice."""
    project = load_project(example / "synthdoc.yaml")
    _, diags = check_project(project)
    told_wrong = [d for d in diags if d.code in ("claim-told-twice", "claim-untold")]
    assert told_wrong == [], "\n".join(d.message for d in told_wrong)
    brief = render_markdown(load_inputs(project), project.document("policy-brief"))
    # the recommendation addressed to governments, IOM and ASEAN: once, under a heading naming all three
    assert brief.count("Bali Process") == 1 and "## For Governments, IOM and ASEAN" in brief, brief


def test_the_chapter_tells_a_second_claim_of_a_source_in_a_point(tmp_path):
    root = project(tmp_path, SECOND_IN_POINT)
    build(load_project(root / "synthdoc.yaml"))
    text = told(root)
    assert text.count("Debts tie workers to their employers for years") == 1, text
    assert re.search(r"Smith \(2020, Section 1\.1\) also \w+(?: that)?:? “Debts tie workers", text), text
    assert found(root, "claim-untold") == [] and found(root, "claim-told-twice") == []


def test_a_second_claim_of_a_source_in_a_point_is_cited_but_never_told(tmp_path):
    root = project(tmp_path, SECOND_IN_POINT, template=ONE_PER_SOURCE)
    build(load_project(root / "synthdoc.yaml"))
    assert "three times as likely" not in told(root)  # what the reader never sees …
    [d] = found(root, "claim-untold")  # … is said, at the claim, with why
    line = next(i for i, text in enumerate((root / A).read_text().splitlines(), 1) if "id: three-times" in text)
    assert (d.path, d.line, d.severity.value, d.document) == (A, line, "warning", "review")
    assert "'three-times'" in d.message and "point 'shared'" in d.message, d.message


def test_the_chapter_tells_a_claim_with_two_themes_once(tmp_path):
    root = project(tmp_path, TWO_THEMES)
    build(load_project(root / "synthdoc.yaml"))
    assert told(root).count("Recruitment debts are both a labour and a legal problem") == 1
    assert found(root, "claim-told-twice") == []


def test_a_claim_told_under_two_themes_is_told_twice(tmp_path):
    root = project(tmp_path, TWO_THEMES, template=EACH_THEME)
    build(load_project(root / "synthdoc.yaml"))
    assert told(root).count("Recruitment debts are both a labour and a legal problem") == 2
    [d] = found(root, "claim-told-twice")
    assert d.path == A and "'both-themes'" in d.message and "'Labour'" in d.message and "'Law'" in d.message, d.message


QUOTED = "Brokers call it \\\"easy money\\\" and say “no risk” to every migrant they meet at the border"


def test_a_quote_holding_quotation_marks_prints_them_turned(tmp_path):
    files = small_files("html, docx")
    files["sources/tran2021.md"] = files["sources/tran2021.md"] + (
        "\nBrokers call it \"easy money\" and say “no risk” to every migrant they meet at the border.\n")
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace(
        'quote: "most migrants never meet their employer before they leave"', f'quote: "{QUOTED}"')
    root = write_project(tmp_path / "q", files)
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    assert [d for d in diags if d.severity.value == "error"] == []
    build(load_project(root / "synthdoc.yaml"))
    html = (root / "output" / "review.html").read_text(encoding="utf-8").split('id="synthdoc-claims"')[0]
    assert "“Brokers call it ‘easy money’ and say ‘no risk’ to every migrant" in html, html
    assert "“easy money”" not in html and "“no risk”" not in html
