from dataclasses import replace

from synthdoc.build.pipeline import load_inputs
from synthdoc.core.project import Selection, load_project
from synthdoc.render.document import render_markdown
from synthdoc.render.synthesis import build_context


def context(root, lang="en", **select):
    project = load_project(root / "synthdoc.yaml")
    doc = replace(project.documents[0], lang=lang, select=Selection(**select))
    return build_context(project, doc, load_inputs(project).sources)


def test_point_gathers_claims_from_both_sources_in_one_cluster(small):
    ctx = context(small)
    [point] = ctx.points
    assert point.sources == ("smith2020", "tran2021")
    assert point.cite == "[@smith2020, sec. 1.1; @tran2021, sec. 2.1]"
    assert point.sentence == ("[Both sources see recruitment as the weak point "
                              '[@smith2020, sec. 1.1; @tran2021, sec. 2.1].]{.claim data-claims="1 3"}')


def test_claims_are_told_once(small):
    ctx = context(small)
    labour = next(t for t in ctx.themes if t.id == "labour")
    assert labour.loose == ()
    law = next(t for t in ctx.themes if t.id == "law")
    assert [c.id for c in law.loose] == ["debts", "regulate-brokers"]


def test_language_switches_statements_and_labels(small):
    ctx = context(small, lang="id")
    assert ctx.points[0].cite == "[@smith2020, bag. 1.1; @tran2021, bag. 2.1]"
    assert ctx.themes[0].title == "Tenaga kerja"


def test_selection_by_kind_and_actor_grouping(small):
    ctx = context(small, kinds=("recommendation",))
    assert [c.id for c in ctx.claims] == ["regulate-brokers"]
    assert [(a.id, [c.id for c in a.claims]) for a in ctx.actors] == [("government", ["regulate-brokers"])]
    assert ctx.points == ()


def test_matrix_has_a_cell_per_theme_and_source(small):
    ctx = context(small)
    assert [r.theme.id for r in ctx.matrix] == ["labour", "law"]
    assert [[c.id for c in cell] for cell in ctx.matrix[1].cells] == [["debts"], ["regulate-brokers"]]


def test_claim_text_cannot_smuggle_markup(small):
    claims = small / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("Debts bind workers to employers.",
                                                 "'<script>alert(1)</script> @tran2021 `x`{=html}'"))
    project = load_project(small / "synthdoc.yaml")
    inputs = load_inputs(project)
    assert inputs.diagnostics == ()
    text = render_markdown(inputs, project.documents[0])
    assert r"\<script\>" in text and r"\@tran2021" in text and r"\`x\`\{\=html\}" in text
