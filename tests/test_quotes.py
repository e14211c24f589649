from synthdoc.quotes import closest_passage, find_quote, fold, normalize

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
