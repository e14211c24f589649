"""Bibliographies as users export them: each format read from a sample in its exporter's shape,
bad entries reported at their own line, duplicate keys refused, languages and thesis types kept.

The samples in tests/bibliographies/ are written in the shape of real exports (OJS "Download
citation", Zotero + Better BibTeX, Mendeley Desktop, RIS, Zotero CSL JSON, CSL YAML, Hayagriva);
their works are examples, not a real library.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import small_files, write_project
from synthdoc.bibliography import load_bibliography
from synthdoc.bibliography.bibtex import split
from synthdoc.bibliography.hayagriva import to_csl
from synthdoc.bibliography.language import language_tag
from synthdoc.bibliography.readers import unescape_link
from synthdoc.build.pipeline import check_project
from synthdoc.cli import app
from synthdoc.core.project import load_project

SAMPLES = Path(__file__).parent / "bibliographies"
runner = CliRunner()


def read(name: str, tmp_path: Path, languages=("id",)):
    return load_bibliography(SAMPLES / name, SAMPLES, tmp_path / "cache", languages)


def project(tmp_path: Path, bibs: dict[str, str], config: str | None = None, lang: str = "en") -> Path:
    """The small project with its bibliography replaced by ``bibs`` (sample names or text)."""
    files = small_files()
    del files["bibliography.bib"]
    names = list(bibs)
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en", f"lang: {lang}") + (
        config if config is not None else f"bibliography: [{', '.join(names)}]\n")
    root = write_project(tmp_path / "p", files)
    for name, content in bibs.items():
        if "\n" not in content:  # a sample's name
            shutil.copy(SAMPLES / content, root / name)
        else:
            (root / name).write_text(content, encoding="utf-8")
    return root


def check(root: Path):
    return check_project(load_project(root / "synthdoc.yaml"))


def errors(diags):
    return [d for d in diags if d.severity.value == "error"]


SMALL_BIB = small_files()["bibliography.bib"]


# ---- #13.1 duplicate keys ---------------------------------------------------------------------

def test_a_key_twice_in_one_file_is_an_error_naming_both_lines(tmp_path):
    copy = "\n@book{smith2020,\n  author = {Smith, John},\n  title = {Another Work},\n  year = {1999},\n}\n"
    root = project(tmp_path, {"bibliography.bib": SMALL_BIB + copy}, config="")
    _, diags = check(root)
    [d] = [d for d in diags if d.code == "duplicate-key"]
    assert (d.path, d.line, d.severity.value) == ("bibliography.bib", 16, "error")
    assert "bibliography.bib:2 and at bibliography.bib:16" in d.message


def test_a_key_in_two_files_fails_check_and_build_writes_nothing(tmp_path):
    other = "@book{tran2021,\n  author = {Tran, Other},\n  title = {A Different Book},\n  year = {2001},\n}\n"
    root = project(tmp_path, {"a.bib": SMALL_BIB, "b.bib": other})
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert result.exit_code == 1
    assert ("b.bib:1:1: error: key 'tran2021' is defined twice: at a.bib:9 and at b.bib:1" in result.output)
    result = runner.invoke(app, ["build", "-C", str(root)])
    assert result.exit_code == 1
    assert not (root / "output").exists() or not any((root / "output").iterdir())


def test_a_key_in_a_bib_and_a_json_file(tmp_path):
    other = '[\n  {"id": "x", "title": "X"},\n  {"id": "smith2020", "title": "Other", "type": "book"}\n]\n'
    root = project(tmp_path, {"refs.bib": SMALL_BIB, "more.json": other})
    [d] = [d for d in check(root)[1] if d.code == "duplicate-key"]
    assert (d.path, d.line) == ("more.json", 3) and "refs.bib:2" in d.message


# ---- #13.5 / #18.2 BibTeX errors at the entry --------------------------------------------------

BROKEN = """@book{smith2020,
  author = {Smith, Jane},
  title = {Recruitment and Its Discontents},
  year = {2020},
  publisher = {Example Press},
}
@article{nocomma,
  title = {Missing a Comma}
  year = {2021},
}
@article{brace,
  title = {An {Unbalanced Brace},
  year = {2021},
}
@article{Villa Vargas_Hurtado Avilés_2026, title={Spaces}, year={2026}}
@article{extra,
  title = {One Brace Too Many}},
  year = {2021},
}
@book{tran2021,
  author = {Tran, Van An},
  title = {Borders and Brokers},
  year = {2021},
  publisher = {Example Press},
}
"""


def test_bibtex_errors_are_at_each_entry_and_the_others_are_read(tmp_path):
    root = project(tmp_path, {"bibliography.bib": BROKEN}, config="")
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert result.exit_code == 1
    out = result.output
    assert "bibliography.bib:8:28: error: missing comma after the field 'title'" in out
    assert "bibliography.bib:12:11: error: unbalanced brace: the '{' that opens the field 'title'" in out
    assert "bibliography.bib:15:10: error: the key 'Villa Vargas_Hurtado Avilés_2026' has spaces" in out
    assert "bibliography.bib:17:31: error: entry 'extra' ends here, but its field 'year' follows" in out
    assert "unknown-key" not in out and "1:1:" not in out and "command:" not in out
    assert "bibliography.bib: 2 entries (BibLaTeX)" in out


def test_a_claims_file_citing_a_broken_entry_gets_no_second_error(tmp_path):
    root = project(tmp_path, {"bibliography.bib": BROKEN}, config="")
    (root / "sources" / "nocomma.yaml").write_text("source: nocomma\nclaims: []\n", encoding="utf-8")
    diags = check(root)[1]
    assert [d.code for d in errors(diags)] == ["bibliography-syntax"] * 4


def test_an_entry_pandoc_refuses_is_named_at_its_line_and_the_others_are_read(tmp_path, monkeypatch):
    # the splitter passes what pandoc's reader should read; should pandoc still refuse one entry,
    # the entries are converted one by one and the refused one is named, not the whole file
    from synthdoc.core import pandoc
    from synthdoc.core.diagnostics import SynthdocError

    real = pandoc.run

    def refusing(args, stdin=None, **kw):
        if stdin and b"Borders and Brokers" in stdin:
            raise SynthdocError.single("r.bib", "pandoc failed: Error at \"stdin\" (line 3, column 1):\n"
                                       "unexpected 'x' (command: pandoc -f biblatex)", "pandoc-failed")
        return real(args, stdin, **kw)

    monkeypatch.setattr(pandoc, "run", refusing)
    root = write_project(tmp_path, {"r.bib": SMALL_BIB})
    bib = load_bibliography(root / "r.bib", root, tmp_path / "c", ("en",))
    assert bib.keys() == ["smith2020"]
    [d] = bib.diagnostics
    assert (d.path, d.line, d.col) == ("r.bib", 8, 1)
    assert d.message == "entry 'tran2021' cannot be read: unexpected 'x'"
    assert "tran2021" in bib.broken


# ---- #18.1 formats ----------------------------------------------------------------------------

def test_ojs_export_reads_the_good_entry_and_names_the_key_with_spaces(tmp_path):
    bib = read("ojs.bib", tmp_path)
    assert bib.keys() == ["Prasetyo_Wulandari_2023"]
    [d] = bib.diagnostics
    assert (d.path, d.line, d.col) == ("ojs.bib", 1, 10)
    assert "e.g. 'Villa-Vargas_Hurtado-Avilés_Rodríguez-Pérez_2026'" in d.message
    # no language given: the Indonesian title is kept as typed
    assert bib.get("Prasetyo_Wulandari_2023")["title"].startswith("Upaya Pemerintah Indonesia dalam Menangani")


def test_zotero_better_bibtex_biblatex(tmp_path):
    bib = read("zotero-bbt.bib", tmp_path)
    assert bib.files[0].summary() == "zotero-bbt.bib: 4 entries (BibLaTeX)"
    amalia = bib.get("amalia2025")
    assert amalia["language"] == "id-ID" and amalia["genre"] == "Skripsi"
    assert amalia["title"].startswith("Upaya International Organization for Migration dalam Penanganan Human")
    # English entries are sentence-cased, as APA wants
    assert bib.get("gallagher2010")["title"] == "The international law of human trafficking: An overview"
    items, _ = bib.for_language("id")
    genres = {i["id"]: i.get("genre") for i in items}
    assert (genres["rahman2019"], genres["siregar2021"], genres["amalia2025"]) == ("Disertasi", "Tesis", "Skripsi")
    assert {i["id"]: i.get("genre") for i in bib.for_language("en")[0]}["rahman2019"] == "PhD thesis"


def test_mendeley_escaped_dois_and_language_names(tmp_path):
    bib = read("mendeley.bib", tmp_path)
    card = bib.get("Card1992")
    assert card["DOI"] == "10.1207/s15327051hci0702_1"
    assert card["URL"] == "https://doi.org/10.1207/s15327051hci0702_1"
    assert bib.get("Nugroho2020")["language"] == "id-ID" and bib.get("Lestari2022")["language"] == "id-ID"
    assert bib.get("Nugroho2020")["title"] == "Peran Badan Nasional Penempatan dan Perlindungan Tenaga Kerja Indonesia"
    assert bib.where("Lestari2022") == ("mendeley.bib", 22)


def test_ris_keeps_thesis_type_and_translators(tmp_path):
    bib = read("thesis.ris", tmp_path)
    assert bib.files[0].summary() == "thesis.ris: 2 entries (RIS)"
    thesis = bib.get("amalia2025ris")
    assert (thesis["type"], thesis["genre"], thesis["language"]) == ("thesis", "Skripsi", "id-ID")
    [book] = [i for i in bib.items if i["type"] == "book"]
    assert book["translator"] == [{"family": "Santoso", "given": "Budi"}, {"family": "Hartono", "given": "Rina"}]
    assert bib.where(book["id"]) == ("thesis.ris", 11)


def test_csl_json_citation_key_is_the_key_and_is_suggested(tmp_path):
    bib = read("zotero.json", tmp_path)
    assert bib.keys() == ["unodc2022", "iom2021"]
    assert bib.get("iom2021")["language"] == "id-ID"
    root = project(tmp_path, {"zotero.json": "zotero.json", "refs.bib": SMALL_BIB})
    (root / "sources" / "u.yaml").write_text("source: unodc202\nclaims: []\n", encoding="utf-8")
    [d] = [d for d in check(root)[1] if d.code == "unknown-key"]
    assert "did you mean 'unodc2022'" in d.message


def test_csl_yaml_with_comments_and_references_wrapper(tmp_path):
    bib = read("refs.yaml", tmp_path)
    assert bib.files[0].summary() == "refs.yaml: 2 entries (CSL YAML)"
    assert bib.get("hadi2018")["editor"] == [{"family": "Wibowo", "given": "Ari"}]
    assert bib.get("unhcr2019")["issued"] == {"date-parts": [[2019, 6, 20]]}
    assert bib.where("unhcr2019") == ("refs.yaml", 19)


def test_csl_yaml_as_a_bare_list(tmp_path):
    text = "# my list\n- id: a\n  type: book\n  title: A\n- id: b\n  type: book\n  title: B\n"
    bib = load_bibliography(write_project(tmp_path, {"l.yml": text}) / "l.yml", tmp_path, tmp_path / "c")
    assert bib.keys() == ["a", "b"] and bib.where("b") == ("l.yml", 5)


def test_hayagriva_entries_field_by_field(tmp_path):
    bib = read("typst.yml", tmp_path)
    assert bib.files[0].summary() == "typst.yml: 4 entries (Hayagriva YAML)"
    g = bib.get("gallagher2010")
    assert (g["type"], g["container-title"], g["volume"], g["issue"], g["page"], g["DOI"]) == (
        "article-journal", "Human Rights Quarterly", "32", "4", "975-1004", "10.1353/hrq.2010.0010")
    assert g["issued"] == {"date-parts": [[2010, 11]]} and g["language"] == "en-US"
    w = bib.get("wibowo2020")
    assert w["author"][1] == {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}
    assert (w["type"], w["publisher"], w["publisher-place"], w["genre"]) == (
        "thesis", "Universitas Airlangga", "Surabaya", "Skripsi")
    assert w["URL"] == "https://repository.example.ac.id/123" and w["accessed"] == {"date-parts": [[2024, 3, 1]]}
    b = bib.get("bales2012")
    assert b["translator"] == [{"family": "Santoso", "given": "Budi"}] and b["ISBN"] == "978-0-520-27291-0"
    c = bib.get("chapter2015")
    assert (c["type"], c["container-title"], c["editor"], c["publisher"]) == (
        "chapter", "Migration in Southeast Asia", [{"family": "Lee", "given": "Min"}], "Routledge")
    assert bib.where("bales2012") == ("typst.yml", 33)


@pytest.mark.parametrize(("entry", "expected"), [
    ({"type": "article", "parent": {"type": "newspaper", "title": "Kompas"}},
     {"type": "article-newspaper", "container-title": "Kompas"}),
    ({"type": "article", "parent": {"type": "proceedings", "title": "Proc."}},
     {"type": "paper-conference", "container-title": "Proc."}),
    ({"type": "Web", "url": "https://x.org", "author": "UNICEF"},
     {"type": "webpage", "URL": "https://x.org", "author": [{"literal": "UNICEF"}]}),
    ({"type": "report", "organization": "IOM", "serial-number": "No. 7"},
     {"type": "report", "publisher": "IOM", "number": "No. 7"}),
    ({"type": "book", "title": "The {UN} at Work", "author": "Luther King, Martin, Jr."},
     {"type": "book", "title": 'The <span class="nocase">UN</span> at Work',
      "author": [{"family": "Luther King", "given": "Martin", "suffix": "Jr."}]}),
    ({"type": "misc", "date": 1998}, {"type": "document", "issued": {"date-parts": [[1998]]}}),
])
def test_hayagriva_mapping(entry, expected):
    assert to_csl(entry) == expected


def test_several_files_combine_and_check_says_what_it_read(tmp_path):
    root = project(tmp_path, {"refs.bib": SMALL_BIB, "thesis.ris": "thesis.ris", "typst.yml": "typst.yml"})
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert "refs.bib: 2 entries (BibLaTeX)" in result.output
    assert "thesis.ris: 2 entries (RIS)" in result.output
    assert "typst.yml: 4 entries (Hayagriva YAML)" in result.output
    assert result.exit_code == 0, result.output
    # the uncited entries are warned about in their own files
    assert "thesis.ris:1:1: warning: entry 'amalia2025ris' is never cited" in result.output


def test_a_file_read_as_no_entries_shows_in_check(tmp_path):
    root = project(tmp_path, {"refs.bib": SMALL_BIB, "empty.yaml": "# nothing yet\n"})
    assert "empty.yaml: 0 entries (CSL YAML)" in runner.invoke(app, ["check", "-C", str(root)]).output


def test_the_project_config_refuses_a_bibliography_list_leaving_the_project(tmp_path):
    root = project(tmp_path, {"refs.bib": SMALL_BIB}, config="bibliography: [refs.bib, ../outside.bib]\n")
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert result.exit_code == 1 and "synthdoc.yaml:" in result.output and "path-outside" in result.output


# ---- #18.3 languages --------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "tag"), [
    ("Bahasa Indonesia", "id-ID"), ("Indonesian", "id-ID"), ("ind", "id-ID"), ("id", "id-ID"), ("in", "id-ID"),
    ("{indonesian}", "id-ID"), ("English", "en-US"), ("eng", "en-US"), ("en-gb", "en-GB"), ("british", "en-GB"),
    ("ngerman", "de-DE"), ("pt_BR", "pt-BR"), ("zh-Hans-CN", "zh-CN"), ("Vietnamese", "vi-VN"), ("klingon", None),
    ("", None),
])
def test_language_names_become_locale_tags(written, tag):
    assert language_tag(written) == tag


NO_LANGUAGE = """@article{prasetyo2023,
  author = {Prasetyo, Budi},
  title = {Upaya Pemerintah Indonesia dalam Menangani Perdagangan Orang di Nusa Tenggara Timur},
  journal = {Jurnal Hubungan Internasional},
  year = {2023},
  doi = {10.31315/jhi.v7i2\\_5678},
}
@phdthesis{rahman2019,
  title = {Kerja Sama Keamanan ASEAN},
  author = {Rahman, Arief},
  year = {2019},
  school = {Universitas Gadjah Mada},
  langid = {indonesian},
}
"""


def test_an_entry_without_language_in_an_indonesian_project_is_warned_and_kept_as_typed(tmp_path):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en", "lang: id")
    files["bibliography.bib"] += NO_LANGUAGE
    files["sources/p.yaml"] = "source: prasetyo2023\nclaims: []\n"
    root = write_project(tmp_path / "p", files)
    inputs, diags = check(root)
    [d] = [d for d in diags if d.code == "entry-language" and "prasetyo2023" in d.message]
    assert (d.path, d.severity.value) == ("bibliography.bib", "warning")
    assert "add langid = {indonesian}" in d.message
    assert inputs.bibliography.get("prasetyo2023")["title"].startswith("Upaya Pemerintah Indonesia dalam Menangani")


def test_no_language_warning_in_an_english_project(tmp_path):
    root = project(tmp_path, {"refs.bib": SMALL_BIB}, lang="en")
    assert not [d for d in check(root)[1] if d.code == "entry-language"]


# ---- #18.5 links ------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "plain"), [
    ("10.1207/s15327051hci0702\\_1", "10.1207/s15327051hci0702_1"),
    ("https://doi.org/10.1207/s15327051hci0702{\\_}1", "https://doi.org/10.1207/s15327051hci0702_1"),
    ("https://x.org/a\\%20b\\&c=\\#d", "https://x.org/a%20b&c=#d"),
    ("https://x.org/{a}\\textunderscore{}b", "https://x.org/a_b"),
    ("10.1000/plain", "10.1000/plain"),
])
def test_links_are_unescaped(written, plain):
    assert unescape_link(written) == plain


# ---- the tolerant splitter, adversarially -------------------------------------------------------

KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_:.\-]{0,15}", fullmatch=True)
VALUES = st.text(alphabet=st.characters(blacklist_characters="{}\\@%\r", blacklist_categories=("Cs",)), max_size=30)


@given(st.lists(st.tuples(KEYS, VALUES, st.integers(0, 3)), min_size=1, max_size=8, unique_by=lambda t: t[0]))
@settings(max_examples=150, deadline=None)
def test_well_formed_entries_are_all_found_at_their_lines(entries):
    text, lines = "", []
    for key, title, blank in entries:
        text += "\n" * blank
        lines.append(text.count("\n") + 1)
        text += f"@article{{{key},\n  title = {{{title}}},\n  year = 2020\n}}\n"
    scan = split(text)
    assert scan.problems == []
    assert [(e.key, e.line) for e in scan.entries] == [(k, n) for (k, _, _), n in zip(entries, lines, strict=True)]
    assert [e.get("title") for e in scan.entries] == [t for _, t, _ in entries]


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_splits_without_crashing_and_problems_are_inside_the_file(text):
    scan = split(text)
    last = text.count("\n") + 1
    for p in scan.problems:
        assert 1 <= p.line <= last and p.col >= 1 and p.message


@given(KEYS, st.sampled_from(["drop-comma", "drop-brace", "extra-brace", "space-key"]))
@settings(max_examples=80, deadline=None)
def test_one_broken_entry_among_good_ones_is_reported_alone(key, damage):
    good = "@book{good1,\n  title = {One},\n  year = 2001\n}\n"
    bad = f"@book{{{key}x,\n  title = {{Two}},\n  year = 2002\n}}\n"
    bad = {"drop-comma": bad.replace("{Two},", "{Two}"), "drop-brace": bad.replace("{Two}", "{Two"),
           "extra-brace": bad.replace("{Two}", "{Two}}"), "space-key": bad.replace(f"{key}x", f"{key} x")}[damage]
    scan = split(good + bad + good.replace("good1", "good2"))
    assert [e.key for e in scan.entries] == ["good1", "good2"]
    [problem] = scan.problems
    assert problem.line in (5, 6, 7)


# ---- what the reader sees: the built HTML (Chromium) and PDF (poppler) ---------------------------

# the same entries, under the keys the small project's claims cite
RENDERED_BIB = NO_LANGUAGE.replace("prasetyo2023", "smith2020").replace("rahman2019", "tran2021")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("lang: en", "lang: id").replace(
        "formats: [html]", "formats: [html, pdf]")
    files["bibliography.bib"] = RENDERED_BIB
    root = write_project(tmp_path_factory.mktemp("rendered") / "p", files)
    result = runner.invoke(app, ["build", "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert "entry 'smith2020' does not say its language" in result.output
    return root / "output"


def test_the_html_reference_list_keeps_the_indonesian_title_and_says_disertasi(built):
    from rendered import chromium_page

    with chromium_page(built / "review.html") as (page, problems):
        refs = page.inner_text("#refs")
        hrefs = page.eval_on_selector_all("#refs a", "links => links.map(a => a.href)")
    assert "Upaya Pemerintah Indonesia dalam Menangani Perdagangan Orang di Nusa Tenggara Timur" in refs
    assert "[Disertasi" in refs and "PhD thesis" not in refs
    assert "https://doi.org/10.31315/jhi.v7i2_5678" in hrefs
    assert not problems.exceptions


def test_the_pdf_reference_list_keeps_the_indonesian_title(built):
    from rendered import pdf_text

    text = " ".join(pdf_text(built / "review.pdf").split())
    assert "Upaya Pemerintah Indonesia dalam Menangani Perdagangan Orang di Nusa Tenggara Timur" in text
    assert "[Disertasi" in text
    assert "v7i2_5678" in text and "\\_" not in text


def test_the_editor_schema_takes_a_list_of_bibliography_files():
    import json

    import jsonschema

    schema = json.loads(runner.invoke(app, ["schema", "project"]).output)
    config = {"title": "P", "bibliography": ["zotero.bib", "lembaga.ris"], "documents": [{"id": "d", "template": "t"}]}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(config)) == []


def test_one_work_under_two_keys_and_keys_differing_in_case_are_warned(tmp_path):
    zotero = "@article{gallagher2010,\n  title = {The Law},\n  doi = {10.1353/hrq.2010.0010},\n}\n"
    mendeley = ("@article{Gallagher2010,\ntitle = {{The Law}},\ndoi = {https://doi.org/10.1353/HRQ.2010.0010}\n}\n")
    root = write_project(tmp_path, {"zotero.bib": zotero, "mendeley.bib": mendeley})
    bib = load_bibliography([root / "zotero.bib", root / "mendeley.bib"], root, tmp_path / "c")
    by_code = {d.code: d for d in bib.diagnostics}
    assert set(by_code) == {"key-case", "duplicate-work"}
    assert (by_code["duplicate-work"].path, by_code["duplicate-work"].line) == ("mendeley.bib", 1)
    assert "'gallagher2010' (zotero.bib:1) and 'Gallagher2010'" in by_code["duplicate-work"].message
    assert all(d.severity.value == "warning" for d in bib.diagnostics)


def test_cite_previews_a_thesis_typed_by_its_entry_type_in_the_document_language(tmp_path):
    bib = SMALL_BIB + ("\n@phdthesis{rahman2019,\n  title = {Kerja Sama Keamanan ASEAN},\n  author = {Rahman, Arief},\n"
                       "  year = {2019},\n  school = {Universitas Gadjah Mada},\n  langid = {indonesian},\n}\n")
    root = project(tmp_path, {"refs.bib": bib, "typst.yml": "typst.yml"})
    result = runner.invoke(app, ["cite", "rahman2019", "--lang", "id", "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert "[Disertasi]. Universitas Gadjah Mada." in result.stdout and "PhD" not in result.stdout
    result = runner.invoke(app, ["cite", "wibowo2020", "-C", str(root)])  # from the second file
    assert result.exit_code == 0 and "Wibowo" in result.stdout


CROSSREF = """
@collection{parent2020,
  editor = {Sari, Dewi},
  title = {Migrasi Dan Perbatasan Di Asia Tenggara},
  year = {2020},
  publisher = {Penerbit Contoh},
  langid = {indonesian},
}

@incollection{smith2020,
  author = {Putra, Adi},
  title = {Calo Dan Jaringan Perekrutan},
  crossref = {parent2020},
  pages = {87--110},
}
"""


@pytest.mark.parametrize("name", ["crossref.bib", "crossref.biblatex"])
def test_a_crossref_child_inherits_its_parents_language_as_pandoc_reads_it(tmp_path, name):
    """A chapter that gives no langid of its own is, to BibLaTeX and pandoc, in its book's language: its
    title is kept as typed, never sentence-cased as English, in the document's reference list."""
    bib = CROSSREF + SMALL_BIB.split("@book{tran2021")[0].replace("@book{smith2020", "@book{unused2020") \
        + "@book{tran2021" + SMALL_BIB.split("@book{tran2021")[1]
    root = project(tmp_path, {name: bib})
    inputs, _ = check(root)
    assert inputs.bibliography.get("smith2020")["language"] == "id-ID"
    result = runner.invoke(app, ["build", "-C", str(root)])
    assert result.exit_code == 0, result.output
    html = (root / "output" / "review.html").read_text(encoding="utf-8")
    assert "Calo Dan Jaringan Perekrutan" in html and "Calo dan jaringan perekrutan" not in html


ORGANISATION = """@report{smith2020,
  author = {Ministry of Maritime Affairs and Fisheries of the Republic of Nusantara},
  title = {Laporan Tahunan Perikanan},
  institution = {Ministry of Maritime Affairs and Fisheries of the Republic of Nusantara},
  year = {2021},
}

@book{tran2021,
  author = {Tran, Van An and John Doe},
  editor = {{Kementerian Kelautan dan Perikanan}},
  title = {Borders and Brokers},
  year = {2021},
  publisher = {Example Press},
}
"""


@pytest.mark.parametrize("name", ["organisations.bib", "organisations.biblatex"])
def test_an_organisation_split_at_and_is_warned_with_the_double_brace_fix(tmp_path, name):
    """BibTeX reads "Ministry of Maritime Affairs and Fisheries of the Republic of Nusantara" as two people
    ("Maritime Affairs & Republic of Nusantara, 2021"): warned at the field's line, with the fix in BibTeX's
    own form; two people, and an organisation already in double braces, are not."""
    root = project(tmp_path, {name: ORGANISATION})
    result = runner.invoke(app, ["check", "-C", str(root)])
    warned = [line for line in result.output.splitlines() if "[organisation-name]" in line]
    assert [w.split(": warning:")[0] for w in warned] == [f"{name}:2:1", f"{name}:4:1"], result.output
    assert "author = {{Ministry of Maritime Affairs and Fisheries of the Republic of Nusantara}}" in warned[0]
    assert warned[1].split(": warning: ")[1].startswith("institution = ")
