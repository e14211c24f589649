"""synthdoc is never silently wrong: each input that once passed check and built a misleading
document is now an error (or a warning) naming the place and what to do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typst
from typer.testing import CliRunner

from conftest import small_files, write_project
from synthdoc.build import check_project
from synthdoc.cli import app
from synthdoc.project import load_project


def diagnostics(root: Path):
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return diags


def errors(root: Path):
    return [d for d in diagnostics(root) if d.severity.value == "error"]


# --- reduplicated words broken at a line end ---------------------------------------------------

WRAPPED_MD = """
## 1.1 Temuan

Perdagangan orang menimpa perempuan dan laki-
laki di banyak negara-
negara ASEAN; koordinasi antar-
lembaga masih lemah.
"""

# A PDF whose lines break after the hyphen of laki-laki and negara-negara, and whose first page
# ends in the middle of negara-negara: pypdf reads it as "negara-" \f "negara".
WRAPPED_TYP = """
#set page(width: 10cm, height: 6cm)
Korban perempuan dan laki-\\
laki dari daerah-\\
daerah miskin; kerja sama antar-\\
lembaga di negara-
#pagebreak()
negara tujuan masih lemah.
"""

REDUPLICATED_CLAIMS = """
source: {key}
text: {text}
claims:
  - id: c1
    kind: finding
    themes: [labour]
    says: {{en: Statement one., id: Pernyataan satu.}}
    quote: "{q1}"
{at1}
  - id: c2
    kind: finding
    themes: [law]
    says: {{en: Statement two., id: Pernyataan dua.}}
    quote: "{q2}"
{at2}
"""


@pytest.fixture
def wrapped(tmp_path: Path) -> Path:
    files = small_files()
    files["sources/smith2020.md"] = WRAPPED_MD
    files["sources/smith2020.yaml"] = REDUPLICATED_CLAIMS.format(
        key="smith2020", text="smith2020.md", q1="perempuan dan laki-laki di banyak negara-negara ASEAN",
        q2="koordinasi antarlembaga masih lemah", at1='    at: {section: "1.1"}', at2='    at: {section: "1.1"}')
    files["sources/tran2021.yaml"] = REDUPLICATED_CLAIMS.format(
        key="tran2021", text="tran2021.pdf", q1="perempuan dan laki-laki dari daerah-daerah miskin",
        q2="kerja sama antarlembaga di negara-negara tujuan", at1="    at: {page: 1}", at2="")
    del files["sources/tran2021.md"]
    root = write_project(tmp_path / "wrapped", files)
    (root / "sources" / "w.typ").write_text(WRAPPED_TYP.lstrip(), encoding="utf-8")
    typst.compile(str(root / "sources" / "w.typ"), output=str(root / "sources" / "tran2021.pdf"))
    (root / "sources" / "w.typ").unlink()
    return root


def test_reduplicated_words_match_as_the_author_spelled_them_in_md_and_pdf(wrapped):
    diags = diagnostics(wrapped)
    assert [d for d in diags if d.severity.value == "error"] == []
    # the quote that crosses the page break is located on the page where it starts
    [note] = [d for d in diags if d.code == "page-inferred"]
    assert "page 1" in note.message and note.path == "sources/tran2021.yaml"


def test_taking_the_closest_passage_hint_makes_check_pass(wrapped):
    claims = wrapped / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("laki-laki di banyak negara-negara ASEAN",
                                                 "laki- laki di banyak negara- negara ASEAN"))
    [d] = errors(wrapped)
    assert d.code == "quote-not-found"
    hint = re.search(r'closest passage \([^)]*\): "(.*)"$', d.message).group(1)
    assert "laki-laki di banyak negara-negara ASEAN" in hint
    # the hint, pasted into the claim as it is shown, passes
    text = claims.read_text()
    claims.write_text(text.replace('"perempuan dan laki- laki di banyak negara- negara ASEAN"', json.dumps(hint)))
    assert errors(wrapped) == []


# --- check renders the templates with the project's own claims ------------------------------------

def with_template(tmp_path: Path, template: str) -> Path:
    files = small_files()
    files["templates/review.md.j2"] = template
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("template: synthesis.md.j2", "template: review.md.j2")
    return write_project(tmp_path / "tpl", files)


@pytest.mark.parametrize(("template", "line", "code", "says"), [
    # an attribute a claim does not have: named as the user knows it, with what a claim has
    ("# Claims\n\n{% for c in claims %}\n- {{ c.summary }}\n{% endfor %}\n", 4, "template-error",
     "a claim has no 'summary'; it has cite, cite_year, citet"),
    ("{% for t in themes %}\n{{ t.titel }}\n{% endfor %}\n", 2, "template-error",
     "a theme has no 'titel' (did you mean 'title'?)"),
    ("{{ word.key_findings }}\n", 1, "template-error",
     "'word' is not something a template receives (did you mean 'words'?)"),
    # a block never closed: reported where it opens
    ("intro\n\n{% for c in claims %}\n{% if c.says %}{{ c.says }}{% endif %}\n\ntext\n", 3, "template-syntax",
     "the {% for %} block opened here is never closed: add {% endfor %}"),
    # these two ended in a traceback and exit code 3 at build
    ("x\n{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\n{{ again(0) }}\n", 2, "template-error",
     "calls itself without end"),
    ("x\n\n{{ range(10 ** 9) | length }}\n", 3, "template-error", "Range too big"),
])
def test_check_renders_templates_and_words_their_errors_for_the_user(tmp_path, template, line, code, says,
                                                                      monkeypatch):
    root = with_template(tmp_path, template)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["check"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1, result.output
    [d] = [d for d in errors(root)]
    assert (d.path, d.line, d.code) == ("templates/review.md.j2", line, code)
    assert says in d.message
    assert "synthdoc." not in d.message and "/" not in d.message.replace("templates/", "")


def test_a_template_error_fails_the_build_before_anything_is_written(tmp_path, monkeypatch):
    root = with_template(tmp_path, "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}{{ again(0) }}\n")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["build"])
    assert result.exit_code == 1 and "template-error" in result.output
    assert not (root / "output" / "review.html").exists()


def test_check_clean_project_renders_each_document_once(small, monkeypatch):
    from synthdoc import build as build_module

    calls = []
    original = build_module.render
    monkeypatch.setattr(build_module, "render", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    build_module.build(load_project(small / "synthdoc.yaml"))
    assert calls == ["synthesis.md.j2"]  # check rendered it; the build reused that


# --- empty quotes --------------------------------------------------------------------------------

@pytest.mark.parametrize("quote", ['""', '"   "', "", '"**"'])
def test_an_empty_or_blank_quote_is_an_error(tmp_path, quote):
    files = small_files()
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        'quote: "Debts tie workers to their employers for years."', f"quote: {quote}")
    # without a text to check against, too: an empty quote proves nothing
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace("text: smith2020.md\n", "")
    [d] = errors(write_project(tmp_path / "p", files))
    assert (d.code, d.path, d.line) == ("empty-quote", "sources/smith2020.yaml", 15)
    assert "copy the passage" in d.message


# --- a document in one language -----------------------------------------------------------------

def test_claims_without_a_statement_in_the_documents_language_are_named(tmp_path):
    files = small_files()
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace(
        "says: {en: Brokers arrange papers and transport., id: Calo mengurus dokumen dan transportasi.}",
        "says: {id: Calo mengurus dokumen dan transportasi.}")
    [d] = errors(write_project(tmp_path / "p", files))
    assert (d.code, d.path, d.line) == ("missing-language", "synthdoc.yaml", 19)
    assert "document 'review' is in 'en'" in d.message
    assert "tran2021/brokers (sources/tran2021.yaml:4)" in d.message
    assert "smith2020" not in d.message


def test_lang_on_the_command_line_names_what_has_no_text_in_it(small, monkeypatch):
    monkeypatch.chdir(small)
    result = CliRunner().invoke(app, ["build", "--lang", "fr"])
    assert result.exit_code == 1
    assert "document 'review' is in 'fr', but 4 of its claims say nothing in 'fr'" in result.output
    assert "theme 'labour' has no text in 'fr'" in result.output
    assert "point 'shared' has no text in 'fr'" in result.output
    assert not (small / "output").exists()


def test_a_short_label_not_in_the_documents_language_gives_way_to_the_statement(tmp_path):
    from synthdoc.build import load_inputs
    from synthdoc.synthesis import view_claim

    files = small_files()
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "short: {en: Broken promises, id: Janji palsu}", "short: {id: Janji palsu}")
    inputs = load_inputs(load_project(write_project(tmp_path / "p", files) / "synthdoc.yaml"))
    claim = inputs.sources[0].claims[0]
    assert view_claim(claim, "en").short == "Recruiters promise jobs abroad that rarely exist"
    assert view_claim(claim, "id").short == "Janji palsu"
