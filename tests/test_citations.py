from synthdoc.render.citations import cite, cite_narrative, cite_year, locator_label
from synthdoc.sources.claims import Claim, Locator


def claim(source: str, ident: str, kind: str | None = "section", value: str = "4.1") -> Claim:
    return Claim(source, ident, "finding", ("t",), {"en": "x"}, {}, "q", Locator(kind, value) if kind else None,
                 None, (), (), "f.yaml", 1)


def test_locator_labels_follow_the_document_language():
    assert locator_label("section", "id") == "bag."
    assert locator_label("page", "id") == "hlm."
    assert locator_label("section", "en") == "sec."
    assert locator_label("page", "en-US") == "p."


def test_one_cluster_for_many_sources():
    text = cite([claim("a", "1"), claim("b", "2", value="VI.2.1")], "id")
    assert text == "[@a, bag. 4.1; @b, bag. VI.2.1]"


def test_claims_of_one_source_share_one_item():
    assert cite([claim("a", "1"), claim("a", "2", value="4.2")], "en") == "[@a, secs. 4.1, 4.2]"


def test_claim_without_locator():
    assert cite([claim("a", "1", kind=None)], "en") == "[@a]"


def test_narrative_and_year_only_forms():
    assert cite_narrative(claim("amalia2025", "x"), "id") == "@amalia2025 [bag. 4.1]"
    assert cite_year(claim("amalia2025", "x"), "en") == "[-@amalia2025, sec. 4.1]"


def test_odd_keys_are_braced():
    assert cite([claim("Smith2020!", "1", kind=None)], "en") == "[@{Smith2020!}]"
