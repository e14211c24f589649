"""Statements true to their sources: a number, name or negation that a claim's or point's statement prints
must stand in its evidence, reported at the statement's own line; the example and the starters stay clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import REPO
from synthdoc.build.pipeline import check_project
from synthdoc.check.statements import _STOP, NEGATORS, Evidence, _negated_words, _tokens, check_text, numbers
from synthdoc.cli import app
from synthdoc.core.project import load_project
from synthdoc.render.document import render_document
from synthdoc.render.provenance import claims_table

CODES = ("statement-number", "statement-name", "statement-negation", "statement-polarity-unchecked")


def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["init", *(["--lang", lang] if lang else []), "proj"])
    assert done.exit_code == 0, done.output
    return tmp_path / "proj"


def check(root: Path, *options: str):
    return CliRunner().invoke(app, ["check", "--project", str(root), *options])


def statement_diags(root: Path):
    _, diags = check_project(load_project(root / "synthdoc.yaml"))
    return [d for d in diags if d.code in CODES]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the misstatements, at their lines --------------------------------------------------------------

def test_invented_percentage_year_and_names_are_reported_at_the_statement(tmp_path, monkeypatch):
    root = starter(tmp_path, monkeypatch)
    edit(root / "sources" / "udhr1948.yaml", "en: Slavery, servitude and the slave trade are prohibited in all their "
         "forms.", "en: Slavery is prohibited in 54% of its forms since 1960, says UNODC in Vietnam.")
    done = check(root)
    assert done.exit_code == 0, done.output  # warnings by default
    out = done.output
    assert ("sources/udhr1948.yaml:20:11: warning: claim 'no-slavery' says (en): '54%' stands neither in the quote "
            "nor in section 4 of sources/udhr1948.md") in out
    assert re.search(r"udhr1948\.yaml:20:11: warning: .*'1960' .*\[statement-number\]", out)
    assert re.search(r"udhr1948\.yaml:20:11: warning: .*'UNODC' is named neither .*\[statement-name\]", out)
    assert re.search(r"udhr1948\.yaml:20:11: warning: .*'Vietnam' is named neither .*\[statement-name\]", out)
    assert "Traceback" not in out
    strict = check(root, "--strict")
    assert strict.exit_code == 1 and "[statement-number]" in strict.output


def test_three_stages_told_as_seven_is_reported_and_three_in_words_is_not(example):
    claims = example / "sources" / "skripsi-actip-indonesia.yaml"
    assert statement_diags(example) == []
    edit(claims, "dengan tiga tahapan implementasi", "dengan tujuh tahapan implementasi")
    [d] = statement_diags(example)
    where = ("sources/skripsi-actip-indonesia.yaml", line_of(claims, "tujuh tahapan"))
    assert (d.path, d.line, d.code, d.severity.value) == (*where, "statement-number", "warning")
    assert "'tujuh'" in d.message and "holds 3" in d.message


def test_point_that_drops_belum_or_adds_a_year_is_reported_at_its_line(example):
    config = example / "synthdoc.yaml"
    edit(config, "sudah tepat arahnya tetapi belum efektif", "sudah tepat arahnya dan efektif")
    edit(config, "en: Weak coordination among government agencies", "en: Since 2019, weak coordination among "
         "government agencies")
    found = {(d.path, d.line, d.col, d.code) for d in statement_diags(example)}
    assert found == {("synthdoc.yaml", line_of(config, "sudah tepat arahnya dan efektif"), 11, "statement-negation"),
                     ("synthdoc.yaml", line_of(config, "Since 2019"), 11, "statement-number")}


def test_added_and_dropped_negations_in_the_quotes_language(example):
    claims = example / "sources" / "amalia2025.yaml"
    edit(claims, "koordinasi antarlembaga masih sektoral dan belum terintegrasi.",
         "koordinasi antarlembaga masih sektoral dan terintegrasi.")
    edit(claims, "id: Proyek AMPUH memulihkan dan memberdayakan korban",
         "id: Proyek AMPUH tidak memulihkan dan memberdayakan korban")
    found = sorted((d.line, d.code) for d in statement_diags(example))
    text = (claims).read_text(encoding="utf-8").splitlines()
    lines = [i for i, line in enumerate(text, 1) if "sektoral dan terintegrasi" in line or "tidak memulihkan" in line]
    assert found == [(line, "statement-negation") for line in sorted(lines)]


def test_across_languages_the_translation_is_compared_and_else_a_note(tmp_path, monkeypatch):
    root = starter(tmp_path, monkeypatch, "id")
    udhr = root / "sources" / "udhr1948.yaml"
    edit(udhr, "id: Perbudakan, penghambaan, dan perdagangan budak dilarang dalam segala bentuknya.",
         "id: Perbudakan, penghambaan, dan perdagangan budak tidak dilarang dalam segala bentuknya.")
    [d] = statement_diags(root)
    assert (d.path, d.line, d.code) == ("sources/udhr1948.yaml", 16, "statement-negation")
    assert "translation (id)" in d.message
    # a claim whose only statements are in another language than its quote, with no translation: a note
    edit(udhr, "id: Perbudakan, penghambaan, dan perdagangan budak tidak dilarang dalam segala bentuknya.\n"
         "      en: Slavery, servitude and the slave trade are prohibited in all their forms.",
         "id: Perbudakan, penghambaan, dan perdagangan budak dilarang dalam segala bentuknya.")
    edit(udhr, "    translation:\n      id: \"Tidak seorang pun boleh diperbudak atau diperhambakan; perbudakan dan "
         "perdagangan budak dilarang dalam segala bentuknya.\"\n", "")
    [note] = statement_diags(root)
    assert (note.line, note.code, note.severity.value) == (16, "statement-polarity-unchecked", "note")


def test_inference_declared_on_the_claim_is_accepted_and_shown_to_readers(tmp_path, monkeypatch):
    root = starter(tmp_path, monkeypatch)
    claims = root / "sources" / "udhr1948.yaml"
    edit(claims, "en: Slavery, servitude and the slave trade are prohibited in all their forms.",
         "en: Slavery, servitude and the slave trade have been prohibited in all their forms since 1948.")
    assert [d.code for d in statement_diags(root)] == ["statement-number"]
    edit(claims, "    at: {section: \"4\"}", "    at: {section: \"4\"}\n    infers: [\"1948\"]")
    assert statement_diags(root) == []
    inputs, _ = check_project(load_project(root / "synthdoc.yaml"))
    _, ctx = render_document(inputs, inputs.project.documents[0])
    shown = {row["ref"]: row for row in claims_table(ctx).values()}
    assert shown["udhr1948/no-slavery"]["infers"] == "The author's inference, not the source's: 1948"
    assert "infers" not in shown["udhr1948/born-free"]


def test_infers_is_in_the_editor_schema():
    from synthdoc.sources.editorschema import claims_schema, project_schema

    assert "infers" in json.dumps(claims_schema()) and "infers" in json.dumps(project_schema())


# --- no false alarms ----------------------------------------------------------------------------------------

def test_example_and_both_starters_are_free_of_statement_reports(example, tmp_path, monkeypatch):
    assert statement_diags(example) == []
    assert statement_diags(starter(tmp_path / "en", monkeypatch)) == []
    assert statement_diags(starter(tmp_path / "id", monkeypatch, "id")) == []


@pytest.mark.parametrize(("said", "evidence"), [
    ("3 stages", "tiga tahapan"), ("three stages", "3 tahapan"), ("45%", "45 persen"), ("45 per cent", "45%"),
    ("2020–2022", "2020 - 2022"), ("2020 to 2022", "2020 sampai 2022"), ("1.5 million", "1,5 juta"),
    ("10,000", "10.000"), ("twenty-one", "dua puluh satu"), ("sebelas", "11"), ("seratus", "100"),
    ("seribu", "1000"), ("sejuta", "1.000.000"), ("the sixth programme", "program keenam"), ("3rd", "ketiga"),
])
def test_equivalent_number_forms_match(said, evidence):
    assert check_text(said, "en", Evidence(((evidence, "id"),), ())) == []


@pytest.mark.parametrize(("said", "evidence"), [
    ("54%", "54 orang"), ("seven stages", "3 tahapan"), ("2021", "2020–2022"), ("1,5 juta", "15 juta"),
])
def test_different_numbers_do_not_match(said, evidence):
    assert [d.code for d in check_text(said, "id", Evidence(((evidence, "id"),), ()))] == ["statement-number"]


def test_acronym_matches_its_expansion_and_translated_names_pass():
    ev = Evidence((("program International Organization for Migration di Indonesia", "id"),), ())
    assert check_text("The IOM works with the Indonesian government.", "en", ev) == []
    assert check_text("Kurangnya SDM menghambat.", "id",
                      Evidence((("kurangnya sumber daya manusia", "id"),), ())) == []
    assert check_text("The ASEAN states agree.", "en",
                      Evidence((("negara Perhimpunan Bangsa-Bangsa Asia Tenggara", "id"),), ())) == []
    assert [d.code for d in check_text("The UNODC agrees.", "en", ev)] == ["statement-name"]


def test_numbers_read_both_languages_separators():
    values = {n.shown: n.values for n in numbers("10.000 orang, 1,5 persen, 10,000 people, 2.5 times")}
    assert 10000 in values["10.000"] and 10000 in values["10,000"]
    assert {float(v) for v in values["1,5 persen"]} >= {1.5}


# --- properties ---------------------------------------------------------------------------------------------

def _example_quotes() -> list[tuple[str, str]]:
    import yaml

    found = []
    for path in sorted((REPO / "sources").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(c["quote"], data.get("lang", "")) for c in data["claims"]]
    starter_data = yaml.safe_load((REPO / "src/synthdoc/starter/sources/udhr1948.yaml").read_text(encoding="utf-8"))
    found += [(c["quote"], "en") for c in starter_data["claims"]]
    return found


QUOTES = _example_quotes()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.sampled_from(QUOTES), st.randoms(use_true_random=False))
def test_a_quote_or_its_words_reordered_never_warns(item, rng):
    quote, lang = item
    ev = Evidence(((quote, lang),), ())
    assert check_text(quote, lang, ev) == []
    words = quote.split()
    rng.shuffle(words)
    assert check_text(" ".join(words), lang, ev) == []


@PROPERTY
@given(st.sampled_from(QUOTES), st.integers(0, 10**7), st.integers(0, 1000))
def test_an_inserted_number_always_warns(item, value, at):
    quote, lang = item
    ev = Evidence(((quote, lang),), ())
    assume(not any(value in n.values for n in numbers(quote, parts=True)))
    words = quote.split()
    words.insert(at % (len(words) + 1), str(value))
    assert "statement-number" in [d.code for d in check_text(" ".join(words), lang, ev)]


@PROPERTY
@given(st.sampled_from(QUOTES), st.text("bcdfghjklmnpqrstvwxz", min_size=4, max_size=9), st.integers(1, 1000))
def test_an_inserted_name_always_warns(item, letters, at):
    quote, lang = item
    name = "Z" + letters
    assume(name.lower() not in quote.lower())
    words = quote.split()
    words.insert(1 + at % len(words), name)  # not at the start of the sentence
    assume(not words[words.index(name) - 1].endswith((".", ":", ";", "!", "?")))
    assert "statement-name" in [d.code for d in check_text(" ".join(words), lang, Evidence(((quote, lang),), ()))]


@PROPERTY
@given(st.sampled_from(QUOTES), st.integers(0, 1000), st.data())
def test_an_inserted_negation_always_warns(item, at, data):
    quote, lang = item
    words = quote.split()
    tokens = _tokens(quote)
    loose = _negated_words(tokens, set(tokens), 6)
    content = [i for i, w in enumerate(words) if (t := _tokens(w)) and len(t) == 1 and len(t[0]) >= 4
               and t[0] not in NEGATORS | _STOP | loose and not any(ch.isdigit() for ch in w)
               and not t[0].startswith(("un", "in", "im", "il", "ir"))]
    assume(content)
    i = content[at % len(content)]
    negator = data.draw(st.sampled_from(["tidak", "belum", "bukan", "tanpa", "tak"] if lang == "id"
                                        else ["not", "never", "without", "no"]))
    words.insert(i, negator)
    found = [d.code for d in check_text(" ".join(words), lang, Evidence(((quote, lang),), ()))]
    assert "statement-negation" in found


def test_the_bench_corpus_in_small_finds_its_mutations_and_no_false_alarm():
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from statements import corpus

    cases = corpus(limit=4)
    kinds = {c.kind for c in cases}
    assert {"unmodified", "number-insert", "percent-insert", "name-insert", "negation-insert"} <= kinds
    assert [c for c in cases if c.kind == "unmodified" and c.caught] == []
    assert all(c.caught for c in cases if c.kind in ("number-insert", "percent-insert", "name-insert"))
