"""synthdoc is never silently wrong: each input that once passed check and built a misleading
document is now an error (or a warning) naming the place and what to do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typst

from conftest import small_files, write_project
from synthdoc.build import check_project
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
