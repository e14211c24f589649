"""Each problem in a small fixture project is reported with its code, file and line."""

from pathlib import Path

from conftest import small_files, write_project
from synthdoc.build.pipeline import check_project
from synthdoc.core.project import load_project


def diagnostics(root: Path):
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return diags


def codes(diags, severity="error"):
    return [(d.code, d.path, d.line) for d in diags if d.severity.value == severity]


def test_small_project_is_clean(small):
    assert codes(diagnostics(small)) == []
    assert codes(diagnostics(small), "warning") == []


def test_quote_changed_by_one_word_shows_closest_passage(tmp_path):
    files = small_files()
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "the promises are rarely kept", "the promises are never kept")
    diags = diagnostics(write_project(tmp_path, files))
    [d] = [d for d in diags if d.code == "quote-not-found"]
    assert (d.path, d.line) == ("sources/smith2020.yaml", 4)
    assert "rarely kept" in d.message and "% similar" in d.message


def test_unknown_key_suggests_the_close_one(tmp_path):
    files = small_files()
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace("source: smith2020", "source: smith202")
    [d] = [d for d in diagnostics(write_project(tmp_path, files)) if d.code == "unknown-key"]
    assert (d.path, d.line) == ("sources/smith2020.yaml", 1)
    assert "did you mean 'smith2020'" in d.message


def test_unknown_theme_point_and_section(tmp_path):
    files = small_files()
    files["sources/tran2021.yaml"] = (files["sources/tran2021.yaml"]
                                      .replace("themes: [labour]", "themes: [labor]")
                                      .replace("point: shared", "point: share")
                                      .replace('at: {section: "2.1"}\n  - id: regulate',
                                               'at: {section: "2.9"}\n  - id: regulate'))
    diags = diagnostics(write_project(tmp_path, files))
    found = {d.code: d for d in diags if d.severity.value == "error"}
    assert found["unknown-theme"].line == 4 and "did you mean 'labour'" in found["unknown-theme"].message
    assert found["unknown-point"].line == 4
    assert found["unknown-locator"].line == 4 and "2.1" in found["unknown-locator"].message


def test_duplicate_claim_id(tmp_path):
    files = small_files()
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace("id: regulate-brokers", "id: brokers")
    [d] = [d for d in diagnostics(write_project(tmp_path, files)) if d.code == "duplicate-id"]
    assert (d.path, d.line) == ("sources/tran2021.yaml", 11)


def test_unknown_field_with_suggestion(tmp_path):
    files = small_files()
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace("    quote: \"most", "    qoute: \"most")
    diags = diagnostics(write_project(tmp_path, files))
    unknown = [d for d in diags if d.code == "schema-unknown-field"]
    assert unknown and unknown[0].line == 9 and "did you mean 'quote'" in unknown[0].message


def test_incomplete_and_uncited_entries_are_warnings(tmp_path):
    files = small_files()
    files["bibliography.bib"] += "\n@thesis{nobody,\n  title = {[Untitled thesis]},\n  type = {Skripsi},\n}\n"
    # the entries read are those the project cites: a claims file (here still without claims) names it
    files["sources/nobody.yaml"] = "source: nobody\nclaims: []\n"
    diags = diagnostics(write_project(tmp_path, files))
    warnings = {d.code: d for d in diags if d.severity.value == "warning"}
    assert warnings["incomplete-entry"].line == 15
    assert "author" in warnings["incomplete-entry"].message and "year" in warnings["incomplete-entry"].message
    assert warnings["uncited-entry"].path == "bibliography.bib"
    assert codes(diags) == []


def test_missing_template_and_unknown_style(tmp_path):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2", "template: synthesys.md.j2")
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("style: apa", "style: apaa")
    diags = diagnostics(write_project(tmp_path, files))
    found = {d.code: d for d in diags}
    assert "synthesis.md.j2" in found["template-missing"].message
    assert "'apa'" in found["unknown-style"].message
