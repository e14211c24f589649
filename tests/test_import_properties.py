"""Property: whatever passage a reader highlights, across however many lines, the quote synthdoc reads
from under the highlight stands in the source's text as check reads it, on the page it was marked on."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from importing_fixtures import annotate, typst_pdf
from synthdoc.sources.pdf import read_highlights
from synthdoc.sources.quotes import find_quote, fold

WORDS = ["koordinasi", "antarlembaga", "laki-laki", "Asia-Pasifik", "kerja-sama", "(IOM)", "perdagangan",
         "orang,", "korban;", "2025.", "“kutipan”", "don't", "ASEAN", "Việt", "Nam", "señor", "final", "official",
         "Pasal", "4.1", "—", "menurut", "penelitian", "ini:", "belum", "sepenuhnya", "terintegrasi."]


@settings(max_examples=25, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=12, max_size=60), data=st.data())
def test_the_marked_passage_stands_in_the_text(tmp_path_factory, words, data):
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    pdf = typst_pdf(["Kata pengantar."], [" ".join(words)], first=87, width="7cm")
    phrase = " ".join(words[start:end])
    path = Path(tmp_path_factory.mktemp("prop")) / "x.pdf"
    try:
        marked = annotate(pdf, [{"page": 1, "phrase": phrase}])
    except AssertionError:  # the layout changed the words (a ligature, a dash joined): nothing to highlight
        return
    path.write_bytes(marked)
    text, [highlight] = read_highlights(path, "x.pdf")
    assert highlight.label == "87"
    found = find_quote(highlight.text, text.normalized, text.text)
    assert found is not None, (highlight.text, text.text)
    assert text.label_at(found.start) == "87"
    unhyphenated = str.maketrans("", "", "-")
    assert fold(highlight.text).translate(unhyphenated) == fold(phrase).translate(unhyphenated)
