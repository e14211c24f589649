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
from synthdoc.build.pipeline import check_project
from synthdoc.cli import app
from synthdoc.core.project import load_project


def diagnostics(root: Path):
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return diags


def typeset(source: str, pdf: Path) -> None:
    """A PDF typeset by typst from ``source``: its text layer is what pypdf reads, line breaks and pages included."""
    pdf.write_bytes(typst.compile(source.encode("utf-8")))


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
    typeset(WRAPPED_TYP.lstrip(), root / "sources" / "tran2021.pdf")
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
    from synthdoc.build.pipeline import build
    from synthdoc.render import document

    calls = []
    original = document.render
    monkeypatch.setattr(document, "render", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    build(load_project(small / "synthdoc.yaml"))
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
    from synthdoc.build.pipeline import load_inputs
    from synthdoc.render.synthesis import view_claim

    files = small_files()
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "short: {en: Broken promises, id: Janji palsu}", "short: {id: Janji palsu}")
    inputs = load_inputs(load_project(write_project(tmp_path / "p", files) / "synthdoc.yaml"))
    claim = inputs.sources[0].claims[0]
    assert view_claim(claim, "en").short == "Recruiters promise jobs abroad that rarely exist"
    assert view_claim(claim, "id").short == "Janji palsu"


# --- the rest of the class: inputs that passed check and built a misleading document ---------------

def mutated(tmp_path: Path, **changes: tuple[str, str]) -> Path:
    """The small project with text replaced in its files: name=(old, new), name as in small_files with / as __."""
    files = small_files()
    for name, (old, new) in changes.items():
        name = name.replace("__", "/").replace("_yaml", ".yaml").replace("_md", ".md")
        assert old in files[name], (name, old)
        files[name] = files[name].replace(old, new)
    return write_project(tmp_path / "p", files)


def found(root: Path, severity: str = "error") -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in diagnostics(root) if d.severity.value == severity]


def test_a_point_is_told_under_its_theme_even_when_its_claims_are_filed_under_another(tmp_path):
    """Both claims of point 'shared' (theme law) are filed under labour: the point, its citation cluster
    and both claims vanished from the chapter, and check said nothing."""
    from synthdoc.build.pipeline import build

    root = mutated(tmp_path, synthdoc_yaml=("  - id: shared\n    theme: labour", "  - id: shared\n    theme: law"),
                   sources__smith2020_yaml=("themes: [law]", "themes: [labour]"),
                   sources__tran2021_yaml=("themes: [law]", "themes: [labour]"))
    assert found(root) == []
    build(load_project(root / "synthdoc.yaml"))
    page = (root / "output" / "review.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Both sources see recruitment as the weak point (Smith, 2020, Section 1.1; Tran, 2021, Section 2.1)" in text
    assert "most migrants never meet their employer" in text and "the promises are rarely kept" in text


def test_a_document_selecting_an_unknown_source_is_an_error(tmp_path):
    root = mutated(tmp_path, synthdoc_yaml=("formats: [html]",
                                            "formats: [html]\n    select: {sources: [smith2020, tran2012]}"))
    [(code, path, line, message)] = found(root)
    assert (code, path, line) == ("unknown-key", "synthdoc.yaml", 19)
    assert "'tran2012' (did you mean 'tran2021'?)" in message


def test_a_document_selecting_no_claims_is_a_warning(tmp_path):
    root = mutated(tmp_path, synthdoc_yaml=("formats: [html]", "formats: [html]\n    select: {kinds: [limitation]}"))
    assert [(c, p, n) for c, p, n, _ in found(root, "warning")] == [("empty-document", "synthdoc.yaml", 19)]


def test_a_claims_file_named_after_another_entry_is_an_error(tmp_path):
    """A claims file copied from another source, its source: key not changed: every claim cited the other work."""
    root = mutated(tmp_path, sources__tran2021_yaml=("source: tran2021\ntext: tran2021.md",
                                                     "source: smith2020\ntext: tran2021.md"))
    errs = found(root)
    assert ("source-mismatch", "sources/tran2021.yaml", 1) in [e[:3] for e in errs]
    message = next(m for c, p, _, m in errs if c == "source-mismatch" and "named after entry 'tran2021'" in m)
    assert "its claims cite 'smith2020'" in message


def test_a_text_of_another_source_is_an_error(tmp_path):
    """tran2021's claims checked against smith2020's text: its quotes passed, cited as Tran."""
    root = mutated(tmp_path, sources__tran2021_yaml=("text: tran2021.md", "text: smith2020.md"))
    messages = [m for c, p, _, m in found(root) if c == "source-mismatch" and p == "sources/tran2021.yaml"]
    assert any("the text sources/smith2020.md is named after entry 'smith2020'" in m for m in messages)
    assert any("is also the text of 'smith2020' (sources/smith2020.yaml)" in m for m in messages)


def test_a_source_without_a_text_says_its_quotes_are_not_checked(tmp_path):
    root = mutated(tmp_path, sources__tran2021_yaml=("text: tran2021.md\n", ""))
    [(code, path, line, message)] = found(root, "warning")
    assert (code, path, line) == ("no-text", "sources/tran2021.yaml", 1)
    assert "2 quote(s) are not checked" in message


def test_a_claim_contrasting_with_itself_is_an_error(tmp_path):
    root = mutated(tmp_path, sources__tran2021_yaml=("    point: shared\n    says: {en: Brokers",
                                                     "    point: shared\n    contrasts: [brokers]\n"
                                                     "    says: {en: Brokers"))
    [(code, path, line, message)] = found(root)
    assert (code, path, line) == ("unknown-claim", "sources/tran2021.yaml", 4) and "itself" in message


def test_a_recommendation_addressing_no_actor_is_a_warning(tmp_path):
    """The policy brief lists recommendations by actor: one without actors was left out without a word."""
    root = mutated(tmp_path, sources__tran2021_yaml=("    actors: [government]\n", ""))
    [(code, path, line, message)] = found(root, "warning")
    assert (code, path, line) == ("no-actor", "sources/tran2021.yaml", 11)
    assert "actors: [government]" in message


def test_sections_cited_from_a_text_without_numbered_headings_are_a_warning(tmp_path):
    root = mutated(tmp_path, sources__tran2021_md=("## 2.1 Results", "## Results"),
                   sources__tran2021_yaml=('section: "2.1"}\n  - id: regulate', 'section: "7.3"}\n  - id: regulate'))
    [(code, path, line, message)] = found(root, "warning")
    assert (code, path, line) == ("unchecked-locator", "sources/tran2021.yaml", 4)
    assert "2 claim(s) of 'tran2021' cite a section, but sources/tran2021.md has no numbered section" in message


def test_a_quote_standing_in_two_sections_is_checked_where_its_locator_says(tmp_path):
    root = mutated(tmp_path, sources__tran2021_md=("employer before they leave.\n", "employer before they leave.\n\n"
                                                   "## 2.2 Borders\n\nBrokers at the border arrange papers and "
                                                   "transport, again.\n"))
    claims = root / "sources" / "tran2021.yaml"
    claims.write_text(claims.read_text().rstrip()[: -len('at: {section: "2.1"}')] + 'at: {section: "2.2"}\n')
    assert found(root, "warning") == [] and found(root) == []
    claims.write_text(claims.read_text().replace('section: "2.2"', 'section: "1.1"'))
    assert found(root) == [("unknown-locator", "sources/tran2021.yaml", 11,
                            "claim 'regulate-brokers': section 1.1 is not a heading of sources/tran2021.md "
                            "(its sections: 2.1, 2.2)")]


def built_text(root: Path) -> str:
    """The HTML chapter's text as a reader sees it (tags dropped, spaces collapsed)."""
    from synthdoc.build.pipeline import build

    build(load_project(root / "synthdoc.yaml"))
    page = (root / "output" / "review.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", "", page.split("<body", 1)[1]).split())


def test_two_claims_contrasting_each_other_are_told_once(tmp_path):
    root = mutated(tmp_path, sources__smith2020_yaml=("themes: [law]\n",
                                                      "themes: [law]\n    contrasts: [tran2021/regulate-brokers]\n"),
                   sources__tran2021_yaml=("    actors: [government]\n",
                                           "    actors: [government]\n    contrasts: [smith2020/debts]\n"))
    text = built_text(root)
    assert text.count("Debts bind workers to employers") + text.count("Debts tie workers") == 2  # statement, quote
    assert text.count("Governments should license brokers") + text.count("Brokers at the border") == 2


def test_a_contrast_named_by_claim_id_alone_is_told(tmp_path):
    """contrasts: [promises] names a claim of the same source: check accepted it, the chapter dropped it."""
    root = mutated(tmp_path, sources__smith2020_yaml=("themes: [law]\n", "themes: [law]\n    contrasts: [promises]\n"))
    assert found(root) == []
    assert re.search(r"Debts bind workers to employers \(Smith, 2020, Section 1\.1\)\. "
                     r"In contrast, [^“]{0,30}Smith \(2020, Section 1\.1\)"
                     r"[^“]{0,30}“Recruiters promise good jobs abroad", built_text(root))


def test_a_quote_on_several_pages_without_a_locator_says_which_page_it_used(tmp_path):
    files = small_files()
    del files["sources/tran2021.md"]
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace('    at: {section: "2.1"}\n', "", 1)
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace("tran2021.md", "tran2021.pdf")
    root = write_project(tmp_path / "p", files)
    typeset("#set page(width: 12cm, height: 6cm)\nmost migrants never meet their employer before they leave\n"
            "#pagebreak()\nBrokers at the border arrange papers and transport; most migrants never meet their "
            "employer before they leave.\n", root / "sources" / "tran2021.pdf")
    [(_, path, line, message)] = [w for w in found(root, "warning") if w[0] == "page-ambiguous"]
    assert (path, line) == ("sources/tran2021.yaml", 4)
    assert "its quote stands on pages 1, 2 of sources/tran2021.pdf: page 1 is used" in message


@pytest.mark.parametrize(("locator", "says"), [
    ("{page: 12}", "cite a page, but sources/tran2021.md is not a PDF, so its pages cannot be checked"),
    ("{paragraph: 3}", "cite a paragraph, but synthdoc does not check paragraph numbers"),
])
def test_locators_a_text_cannot_confirm_are_a_warning(tmp_path, locator, says):
    root = mutated(tmp_path, sources__tran2021_yaml=('at: {section: "2.1"}\n  - id: regulate',
                                                     f"at: {locator}\n  - id: regulate"))
    [(code, path, line, message)] = found(root, "warning")
    assert (code, path, line) == ("unchecked-locator", "sources/tran2021.yaml", 4)
    assert says in message


def test_a_point_resting_on_one_source_in_a_document_is_a_warning(tmp_path):
    root = mutated(tmp_path, synthdoc_yaml=("formats: [html]", "formats: [html]\n    select: {sources: [smith2020]}"))
    [(code, path, line, message)] = found(root, "warning")
    assert (code, path, line) == ("single-source", "synthdoc.yaml", 10)
    assert "point 'shared' rests on one source (smith2020) in document 'review': its select leaves out tran2021" \
        in message


def test_a_citation_a_template_writes_itself_must_name_an_entry(tmp_path):
    """'[@smith2021]' typed into a template built silently into '(smith2021?)' linked to nothing."""
    root = with_template(tmp_path, "# Intro\n\nMail tran@example.org; \\@literal.\nAs @smith2021 shows [@tran2021; "
                                   "@{nokey}, p. 3].\n{% for c in claims %}\n{{ c.sentence }}\n{% endfor %}\n")
    errs = [(c, p, n, m) for c, p, n, m in found(root) if c == "unknown-key"]
    assert [(p, n) for _, p, n, _ in errs] == [("templates/review.md.j2", 4)] * 2
    assert "cites '@smith2021', which is not in bibliography.bib (did you mean 'smith2020'?)" in errs[0][3]
    assert "cites '@nokey'" in errs[1][3]


def test_a_key_ending_in_punctuation_is_cited_as_itself():
    """Pandoc reads '@smith2020.' as a citation of 'smith2020' followed by a full stop: an entry whose key
    ends in punctuation was cited as another key (another work, or '(smith2020?)')."""
    from synthdoc.core.pandoc import MARKDOWN_READER, run
    from synthdoc.render.citations import cite_key

    keys = ["smith2020.", "a-b-", "c:d:", "k/1", "plain2020", "x.y"]
    markup = " ".join(f"[{cite_key(key)}]" for key in keys)
    ast = json.loads(run(["-f", MARKDOWN_READER, "-t", "json"], markup.encode("utf-8")))
    cited = [c["citationId"] for inline in ast["blocks"][0]["c"] if inline["t"] == "Cite" for c in inline["c"][0]]
    assert cited == keys


def test_a_section_cited_from_a_pdf_is_checked_against_its_headings(tmp_path):
    """Only page locators of a PDF were checked: 'at: {section: "9.9"}' of a PDF passed without a word."""
    files = small_files()
    del files["sources/tran2021.md"]
    files["sources/tran2021.yaml"] = files["sources/tran2021.yaml"].replace("tran2021.md", "tran2021.pdf").replace(
        'at: {section: "2.1"}\n  - id: regulate', 'at: {section: "9.9"}\n  - id: regulate')
    root = write_project(tmp_path / "p", files)
    typeset("#set page(width: 14cm, height: 8cm)\n2.1 Results\\\nBrokers at the border arrange papers and "
            "transport; most migrants never meet their employer before they leave.\n",
            root / "sources" / "tran2021.pdf")
    assert found(root) == [("unknown-locator", "sources/tran2021.yaml", 4, "claim 'brokers': section 9.9 is not a "
                            "heading of sources/tran2021.pdf (its sections: 2.1)")]
