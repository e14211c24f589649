"""Citations that identify their work: a document that prints one citation text for two different works is
warned about, at the entries, with the text it prints; an output left up to date says it again."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from typer.testing import CliRunner

from conftest import write_project
from synthdoc.cli import app

runner = CliRunner()

CONFIG = """\
title: Sari
style: universitas-gadjah-mada-departemen-sejarah
lang: id
themes:
  - id: migrasi
    title: {id: Migrasi}
documents:
  - id: bab
    template: twice.md.j2
    title: Bab II
    formats: [html]
"""

TEMPLATE = """\
# {{ title }}

{% for c in claims %}
{{ c.sentence }}

{% endfor %}
Sekali lagi:

{% for c in claims %}
{{ c.sentence }}

{% endfor %}
"""

BIB = """\
@book{sari2020a,
  author = {Sari, Dewi},
  title = {Perdagangan Orang di Perbatasan},
  year = {2020},
  publisher = {Penerbit Contoh},
  langid = {indonesian},
}

@book{sari2020b,
  author = {Sari, Dewi},
  title = {Calo dan Jaringan Perekrutan},
  year = {2020},
  publisher = {Penerbit Contoh},
  langid = {indonesian},
}
"""


def claims(key: str, quote: str) -> str:
    return f"""\
source: {key}
text: {key}.md
lang: id
claims:
  - id: temuan
    kind: finding
    themes: [migrasi]
    says: {{id: Sari menemukan bahwa {quote}.}}
    quote: "{quote}"
    at: {{section: "2"}}
"""


def make(root: Path) -> Path:
    return write_project(root, {
        "synthdoc.yaml": CONFIG,
        "bibliography.bib": BIB,
        "templates/twice.md.j2": TEMPLATE,
        "sources/sari2020a.md": "## 2 Temuan\n\nkorban direkrut melalui calo desa\n",
        "sources/sari2020a.yaml": claims("sari2020a", "korban direkrut melalui calo desa"),
        "sources/sari2020b.md": "## 2 Temuan\n\ncalo bekerja dalam jaringan lintas batas\n",
        "sources/sari2020b.yaml": claims("sari2020b", "calo bekerja dalam jaringan lintas batas"),
    })


def test_one_citation_text_for_two_works_is_warned_at_the_entries(tmp_path, monkeypatch):
    root = make(tmp_path / "p")
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    html = " ".join(unescape(re.sub(r"<[^>]+>", "", (root / "output" / "bab.html").read_text())).split())
    assert html.count("Sari, op. cit., 2020, bag. 2.") == 2  # the style's text, for each of the two works
    warned = [line for line in result.output.splitlines() if "[ambiguous-citation]" in line]
    assert len(warned) == 1, result.output
    assert warned[0].startswith("bibliography.bib:1:1: warning:")
    assert "Sari, op. cit., 2020, bag. 2." in warned[0] and "'sari2020b' (bibliography.bib:9)" in warned[0]
    # Nothing changed: the no-op answer says it again; another document's change leaves this one up to
    # date, and its warning is still said.
    again = runner.invoke(app, ["build"])
    assert "[ambiguous-citation]" in again.output and "up to date" in again.output
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  - id: other\n    template: twice.md.j2\n"
                      "    title: Lain\n    formats: [html]\n    select: {sources: [sari2020a]}\n", encoding="utf-8")
    third = runner.invoke(app, ["build"])
    assert third.exit_code == 0, third.output
    assert "building other" in third.output and "building bab" not in third.output
    assert sum("[ambiguous-citation]" in line for line in third.output.splitlines()) == 1


def test_ibid_for_two_works_is_not_ambiguous(tmp_path, monkeypatch):
    """"Ibid." names the work of the note before it: two of them for two works are no ambiguity."""
    root = make(tmp_path / "p")
    (root / "templates" / "twice.md.j2").write_text(
        "# {{ title }}\n\n{% for c in claims %}\n{{ c.sentence }} {{ c.sentence }}\n\n{% endfor %}\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    assert "Ibid." in (root / "output" / "bab.html").read_text(encoding="utf-8")
    assert "[ambiguous-citation]" not in result.output


def test_a_citation_whose_text_names_the_work_is_not_ambiguous(tmp_path, monkeypatch):
    """A row or sentence that names the work and cites it without its author ("(2020, bag. 2)") tells the two
    works apart itself, as the Tabel penelitian terdahulu does for theses of no known year."""
    root = make(tmp_path / "p")
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "universitas-gadjah-mada-departemen-sejarah", "apa"), encoding="utf-8")
    (root / "templates" / "twice.md.j2").write_text(
        "# {{ title }}\n\n{% for c in claims %}\n{{ c.citet }}: {{ c.says }} {{ c.cite_year }}\n\n{% endfor %}\n",
        encoding="utf-8")
    bib = root / "bibliography.bib"  # two works by two authors, neither dated: "(t.t., Bagian 2)" both
    text = bib.read_text(encoding="utf-8").replace("  year = {2020},\n", "")
    bib.write_text(text.replace("{Sari, Dewi},\n  title = {Calo", "{Wati, Rina},\n  title = {Calo"),
                   encoding="utf-8")
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    html = " ".join(unescape(re.sub(r"<[^>]+>", "", (root / "output" / "bab.html").read_text())).split())
    printed = re.findall(r"\((?:t\.t\.|n\.d\.)[^()]*\)", html)
    assert printed.count("(t.t., Bagian 2)") >= 2, printed  # one text for the two works
    assert "[ambiguous-citation]" not in result.output
