from synthdoc.render.markdown import inline, literal, with_citation


def test_literal_escapes_markup():
    assert literal("<b>@key [x] $5 *y*") == r"\<b\>\@key \[x\] \$5 \*y\*"


def test_inline_keeps_emphasis_but_not_citations():
    assert inline("a *human trafficking* @key") == r"a *human trafficking* \@key"


def test_literal_keeps_text_on_one_line():
    assert literal("a\n\n- b") == "a - b"


def test_citation_goes_before_the_final_full_stop():
    assert with_citation("Cases fell.", "[@a]") == "Cases fell [@a]."
    assert with_citation("Cases fell", "[@a]") == "Cases fell [@a]."
    assert with_citation("Did cases fall?", "[@a]") == "Did cases fall [@a]?"


def test_no_line_can_open_a_list_or_quote():
    assert literal("(2015) was a year") == r"\(2015) was a year"
    assert inline("1. Pertama") == r"1\. Pertama"
    assert inline("- item") == r"\- item"
    assert inline("*Human trafficking* grows") == "*Human trafficking* grows"
