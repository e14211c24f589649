"""Synthesised prose: agreement sentences, quote frames by kind and clause-ness, no frame worn out."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_example
from synthdoc.build.pipeline import load_inputs
from synthdoc.core.project import CLAIM_KINDS, load_project
from synthdoc.render import prose
from synthdoc.render.document import render_markdown

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("text", [
    "koordinasi masih bersifat sektoral dan belum sepenuhnya terintegrasi",
    "IOM berhasil memberikan kontribusi signifikan",
    "Prosedur identifikasi dan bantuan korban masih sangat rumit",
    "perdagangan manusia adalah permasalahan yang terus berkembang",
])
def test_whole_clauses(text):
    assert prose.is_clause(text, "id")


@pytest.mark.parametrize("text", [
    "fasilitator kerja sama antarnegara dalam menghadapi modus eksploitasi baru",  # a noun phrase
    "hingga saat ini belum dapat mengatasi kasus perdagangan perempuan",  # no subject
    "memastikan migran yang menjadi korban dapat kembali",  # opens with its verb
    "dianalisis menggunakan teori Efektivitas Rezim oleh Arild Underdal",  # passive, no subject
    "alokasi anggaran yang masih minim, alokasi waktu pertemuan",  # the marker sits in a relative clause
    "Proyek AMPUH, yang fokus pada pemulihan",
    "akar masalah",
])
def test_fragments(text):
    assert not prose.is_clause(text, "id")


def test_english_clauses():
    assert prose.is_clause("Coordination among agencies remains sectoral", "en")
    assert not prose.is_clause("weak coordination among agencies", "en")
    assert not prose.is_clause("in 2023 the cases fell", "en")


def test_agreement_sentences():
    assert prose.agreement(3, 5, "id") == "Tiga dari lima penelitian yang ditinjau sampai pada kesimpulan berikut."
    assert prose.agreement(2, 2, "id").startswith("Kedua penelitian yang ditinjau ")
    assert prose.agreement(5, 5, "id").startswith("Kelima penelitian")
    assert prose.agreement(1, 4, "id").startswith("Hanya satu dari empat penelitian")
    assert prose.agreement(2, 5, "id", first=False).startswith("Selain itu, dua dari lima penelitian")
    assert prose.agreement(2, 2, "en").startswith("Both studies reviewed ")
    assert prose.agreement(3, 5, "en").startswith("Three of the five studies reviewed ")


WORD = st.text(alphabet="abcdefghijklmnoprstuwyABIKMOPRST", min_size=1, max_size=9)
QUOTE = st.lists(st.one_of(WORD, st.sampled_from(["yang", "masih", "dalam", "adalah", "perlu", ",", "dan", "di",
                                                  "menemukan", "dianalisis", "is", "that", "of"])),
                 min_size=1, max_size=14).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["id", "en"]),
       st.lists(st.tuples(st.sampled_from(CLAIM_KINDS), QUOTE, st.booleans()), min_size=1, max_size=40))
def test_any_claims_get_grammatical_frames(lang, claims):
    """Whatever claims a project has (any kinds, any number per point, agreeing or contrasting), a quote
    follows "bahwa"/"that" only when the rule reads it as a whole clause; otherwise it follows a colon; and a
    frame is used again only once every other frame of its kind and clause-ness has been used."""
    framer = prose.Framer(lang)
    used: Counter[str] = Counter()
    for i, (kind, quote, contrast) in enumerate(claims):
        clause = prose.is_clause(quote, lang)
        frame = framer.frame(kind, clause)
        connector = framer.connector("differ" if contrast else "agree") if i else ""
        sentence = prose.fill(frame, "@key [bag. 1]", f"“{quote}”", connector)
        before = sentence.split("“", 1)[0].rstrip()
        if clause:
            assert before.endswith(("bahwa", "that", ",")), sentence
        else:
            assert before.endswith(":"), sentence
            assert not before.endswith(("bahwa", "that")), sentence
        assert "@key [bag. 1]" in sentence and (sentence[0].isupper() or sentence.startswith("@")), sentence
        used[frame] += 1
        options = prose.FRAMES[lang][kind][clause]
        assert max(used[o] for o in options) - min(used[o] for o in options) <= 1


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> str:
    root = copy_example(tmp_path_factory.mktemp("prose"))
    project = load_project(root / "synthdoc.yaml")
    return render_markdown(load_inputs(project), project.document("tinjauan-pustaka"))


def plain(markdown: str) -> str:
    return re.sub(r'\]\{\.claim data-claims="[^"]*"\}', "", markdown).replace("[", "")


def test_no_quote_frame_more_than_four_times(chapter):
    text = plain(chapter)
    heads = {f.split("{q}")[0].replace("{who}", "").strip() for kinds in prose.FRAMES["id"].values()
             for frames in kinds.values() for f in frames}
    quotes = text.count("“")
    assert quotes >= 30
    for old in ("mencatat bahwa", "menulis bahwa", "menemukan bahwa"):
        assert text.count(old) <= 4, old
    for head in heads:
        pattern = re.escape(head).replace(r"\ ", r"\s+") if head else None
        if pattern:
            assert len(re.findall(r"\b" + pattern, text)) <= 4, head


def test_no_fragment_after_bahwa(chapter):
    for quote in re.findall(r"bahwa “([^”]+)”", plain(chapter)):
        assert prose.is_clause(quote, "id"), quote


def test_agreement_and_parts_in_the_chapter(chapter):
    text = plain(chapter)
    assert "Tiga dari lima penelitian yang ditinjau" in text
    assert "Dua dari lima penelitian yang ditinjau" in text
    assert "Empat dari lima penelitian yang ditinjau" in text or "Selain itu," in text
    for heading in ("# Penelitian Terdahulu", "# Landasan Teori", "# Sintesis Temuan Penelitian Terdahulu",
                    "# Kerangka Pemikiran", "# Celah Penelitian"):
        assert heading in text
    assert "lihat Tabel 2.1" in text or "dalam Tabel 2.1" in text
    assert "Gambar 2.1." in text and "**Gambar 2.1** Kerangka pemikiran" in text
    assert text.index("**Tabel 2.1**") < text.index("synthdoc-table")  # caption above the table
    assert text.index('figure="kerangka-pemikiran"') < text.index("**Gambar 2.1**")  # and below the figure
    assert "Sebaliknya," in text and "Persamaannya dengan penelitian ini:" in text and "Perbedaannya:" in text


def test_parts_left_out_without_their_data(tmp_path):
    root = copy_example(tmp_path)
    config = root / "synthdoc.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"\nresearch:\n(?:  .*\n|\n)*?(?=# Who)", "\n", text), encoding="utf-8")
    for path in (root / "sources").glob("*.yaml"):
        path.write_text(re.sub(r"study:.*\n(?:  .*\n)*", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    project = load_project(config)
    assert project.research is None
    chapter = render_markdown(load_inputs(project), project.document("tinjauan-pustaka"))
    for gone in ("Penelitian Terdahulu", "Landasan Teori", "Kerangka Pemikiran", "Celah Penelitian", "Gambar",
                 "synthdoc-figure", "Tabel 2.1"):
        assert gone not in chapter, gone
    assert chapter.startswith("# Rezim hukum internasional")
    assert "Tiga dari lima penelitian" in chapter


def test_support_counts_the_studies_behind_a_finding_stated_above():
    assert prose.support(2, 5, "id") == "Dua dari lima penelitian yang ditinjau mendukung temuan ini."
    assert prose.support(5, 5, "id") == "Kelima penelitian yang ditinjau mendukung temuan ini."
    assert prose.support(1, 5, "en") == "Only one of the five studies supports this finding."
    assert prose.support(3, 5, "en-GB") == "Three of the five studies reviewed support this finding."
