import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthdoc.sources.quotes import closest_passage, find_quote, fold, normalize

TEXT = "Koordinasi antar-\nlembaga masih *bersifat*   sektoral\ndan “belum” terintegrasi—sepenuhnya."


def found(quote: str, text: str = TEXT):
    return find_quote(quote, normalize(text), text)


def test_forgives_line_breaks_hyphenation_emphasis_and_curly_quotes():
    assert found('antarlembaga masih bersifat sektoral dan "belum" terintegrasi-sepenuhnya') is not None


def test_reports_the_line_where_the_quote_starts():
    assert found("sektoral dan").line == 2


def test_a_changed_word_is_not_forgiven():
    assert found("antarlembaga masih bersifat nasional") is None


def test_case_counts():
    assert found("KOORDINASI antarlembaga") is None


def test_span_maps_back_to_the_original_text():
    match = found("bersifat sektoral")
    assert TEXT[match.start:match.end] == "bersifat*   sektoral"


def test_fold_collapses_whitespace():
    assert fold("a \n\t b") == "a b"


def test_closest_passage_names_the_near_miss_and_its_similarity():
    near = closest_passage("masih bersifat nasional dan belum", normalize(TEXT), TEXT)
    assert near is not None
    assert "sektoral" in near.passage
    assert 60 < near.similarity < 100


# Indonesian reduplicated words keep their hyphen when a line (or a PDF page) breaks after it;
# a word hyphenated by the layout (antar-⏎lembaga) is still the whole word.
WRAPPED = ("Perdagangan orang menimpa perempuan dan laki-\nlaki di banyak negara-\n"
           "negara ASEAN; koordinasi antar-\nlembaga masih lemah bagi hak-\fhak korban di daerah-\n"
           "  daerah perbatasan.")


def test_reduplicated_word_broken_at_a_line_end_matches_the_authors_spelling():
    for quote in ("perempuan dan laki-laki di banyak negara-negara ASEAN", "hak-hak korban",
                  "di daerah-daerah perbatasan"):
        assert found(quote, WRAPPED) is not None, quote


def test_line_end_hyphenation_still_matches_the_whole_word():
    assert found("koordinasi antarlembaga masih lemah", WRAPPED) is not None
    assert found("koordinasi antarlembaga masih lemah", WRAPPED).line == 3


def test_a_hyphen_followed_by_a_space_is_not_forgiven():
    assert found("negara- negara ASEAN", WRAPPED) is None
    assert found("negara negara ASEAN", WRAPPED) is None


def test_hint_for_a_reduplicated_word_is_a_quote_that_passes():
    near = closest_passage("banyak negara- negara ASEAN", normalize(WRAPPED), WRAPPED)
    assert "negara-negara ASEAN" in near.passage
    assert found(near.passage, WRAPPED) is not None
    near = closest_passage("koordinasi antar lembaga masih lemah", normalize(WRAPPED), WRAPPED)
    assert "koordinasi antarlembaga masih lemah" in near.passage
    assert found(near.passage, WRAPPED) is not None


def test_hint_is_whole_words_and_keeps_its_line():
    near = closest_passage("an laki-laki di banyak negeri", normalize(WRAPPED), WRAPPED)
    assert "dan laki-laki di banyak" in near.passage
    words = set(" ".join(WRAPPED.replace("-\n", "-").split()).split()) | {"laki-laki", "negara-negara"}
    assert set(near.passage.split()) <= words
    assert near.line == 1


# --- properties -------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnoprstuwyzABKLMNPSTăâđêôơưéèà"
WORD = st.text(st.sampled_from(LETTERS), min_size=1, max_size=9)


@st.composite
def author_words(draw) -> str:
    """A word as an Indonesian author writes it: plain, reduplicated (laki-laki, berhati-hati) or a compound."""
    word = draw(WORD)
    shape = draw(st.sampled_from(["plain", "plain", "plain", "reduplicated", "prefixed", "compound"]))
    if shape == "reduplicated":
        return f"{word}-{word}"
    if shape == "prefixed":
        return f"ber{word}-{word}{draw(st.sampled_from(['', 'nya', 'an']))}"
    if shape == "compound":
        return f"{word}-{draw(WORD)}"
    return word + draw(st.sampled_from(["", "", "", ",", ".", ";", ":"]))


@st.composite
def wrapped_texts(draw) -> tuple[str, str]:
    """An author's text, and the same text as a PDF gives it: lines broken at spaces and after the
    author's hyphens, words hyphenated by the layout, pages ending in a form feed."""
    words = draw(st.lists(author_words(), min_size=1, max_size=40))
    text = " ".join(words)
    out = []
    for i, ch in enumerate(text):
        prev, nxt = text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""
        if ch == " ":
            out.append(draw(st.sampled_from([" ", " ", "\n", " \n", "\n\f", "\f", "  \n  "])))
        elif ch == "-" and prev.isalnum() and nxt.isalnum():
            out.append(draw(st.sampled_from(["-", "-", "-\n", "-\f", "-  \n", "\u2010\n"])))
        else:
            out.append(ch)
            if ch.isalnum() and nxt.isalnum() and draw(st.integers(0, 9)) == 0:
                out.append(draw(st.sampled_from(["-\n", "-\f", "\u00ad\n"])))  # hyphenated by the layout
    return text, "".join(out)


@settings(max_examples=300, deadline=None)
@given(wrapped_texts(), st.data())
def test_any_quote_cut_from_a_text_is_found_however_a_pdf_wraps_it(texts, data):
    text, wrapped = texts
    words = text.split(" ")
    a = data.draw(st.integers(0, len(words) - 1))
    quote = " ".join(words[a: data.draw(st.integers(a + 1, len(words)))])  # whole words, as a quote is
    source = normalize(wrapped)
    match = find_quote(quote, source, wrapped)
    assert match is not None, (quote, wrapped)
    # the span found holds the quote's own letters, in order, and nothing more
    span = wrapped[match.start:match.end]
    assert [c for c in span if c.isalnum()] == [c for c in quote if c.isalnum()]


HINT_ALPHABET = st.sampled_from([*"abcdeklmnotuABK ăđ.,;-*_#\n\n\f“”'\"—", "-\n", "laki-\nlaki", "antar-\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(HINT_ALPHABET, min_size=1, max_size=120).map("".join),
       st.lists(HINT_ALPHABET, min_size=1, max_size=40).map("".join), st.data())
def test_the_closest_passage_hint_is_always_a_quote_that_passes(text, noise, data):
    if data.draw(st.booleans()):  # a near miss: a piece of the text with something changed
        a = data.draw(st.integers(0, len(text) - 1))
        piece = text[a: a + data.draw(st.integers(1, 60))]
        cut = data.draw(st.integers(0, len(piece)))
        quote = piece[:cut] + noise[:3] + piece[cut + 1:]
    else:
        quote = noise
    source = normalize(text)
    near = closest_passage(quote, source, text)
    if near is None:
        return
    assert near.passage == near.passage.strip() and near.passage
    assert find_quote(near.passage, source, text) is not None, (near.passage, text)


# A quote is whole words: a piece of a word would turn 'ineffective' into 'effective'.
@pytest.mark.parametrize(("quote", "text"), [
    ("effective coordination", "The response shows ineffective coordination."),
    ("20 persen", "kasus naik 120 persen"),
    ("formal", "pendidikan nonformal"),
    ("koordinasi", "koordinasinya lemah"),
    ("effective", "in-\neffective"),  # a word hyphenated at its prefix by the layout
])
def test_a_piece_of_a_word_is_not_a_quote(quote, text):
    assert found(quote, text) is None


@pytest.mark.parametrize(("quote", "text"), [
    ("effective coordination", "The response shows (effective coordination)."),
    ("formal", "pendidikan non-formal"),
    ("laki", "laki-laki"),
    ("人口贩卖", "东南亚的人口贩卖问题"),  # scripts without spaces between words match anywhere
])
def test_whole_words_are_found(quote, text):
    assert found(quote, text) is not None


FOLD_ALPHABET = st.sampled_from([*"ab Ab1_*#-\n\t\f\r\u00ad\u2010\u2019“”—\u3000\u00a0\ue000", "## ", "-\n", "\n# "])


@settings(max_examples=500, deadline=None)
@given(st.lists(FOLD_ALPHABET, max_size=60).map("".join))
def test_a_quote_folds_as_a_source_text_does(text):
    assert fold(text) == normalize(text).text
