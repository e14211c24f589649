"""A whole library (one Zotero/Better BibTeX export for everything) read for the keys a project cites.

The differential: for every format, the CSL items synthdoc reads for some keys are exactly those it
reads from the whole file, restricted to those keys; and for BibTeX/BibLaTeX, those pandoc itself
makes of the whole, unchanged file (crossref and xdata inheritance, @string macros, langid, dates,
names, braces). The libraries here are generated or the export-shaped samples of tests/bibliographies;
their works are examples, not a real library.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import small_files, write_project
from synthdoc.bibliography import load_bibliography, readers
from synthdoc.bibliography.language import language_tag
from synthdoc.bibliography.library import keep_read
from synthdoc.cli import app
from synthdoc.core import pandoc

SAMPLES = Path(__file__).parent / "bibliographies"
runner = CliRunner()

# A library in BibLaTeX with what makes an entry depend on others: crossref and xdata parents, @string
# macros that use each other, month macros, two entries on one line, comments, and uncited entries
# around them (some the parents of uncited children).
BIBLATEX_HEAD = r"""% generated: not a real library
@string{jhi = {Jurnal Hubungan Internasional}}
@string{kota = "Yogya" # "karta"}
@string{pen = kota # { Press}}
@comment{jabref-meta: databaseType:biblatex;}

@xdata{terbit,
  publisher = pen,
  location = kota,
}
@book{buku1,
  editor = {van der Berg, Anna and Nguyen, Thi Mai},
  title = {Kerja {Sama} Regional di {ASEAN}: Sebuah Kajian},
  date = {2019-03},
  langid = {indonesian},
  xdata = {terbit},
}
@incollection{bab1,
  author = {Siregar, Budi and {Kementerian Luar Negeri}},
  title = {Migration Governance in the {ASEAN} Way: A Review},
  pages = {10--25},
  crossref = {buku1},
  langid = {english},
}
@article{art1,
  author = {Hidayat, Eko and Santoso, Dewi and others},
  title = {Perlindungan {Pekerja} Migran di Perbatasan},
  journaltitle = jhi,
  date = {2020-05-17/2020-06-01},
  volume = {12}, number = {2},
  langid = {indonesian},
  doi = {10.1000/abc\_1},
}
@online{web1, author = {Lim, Wei}, title = {Border Labour Policy and the Law}, url = {https://example.org/a\_b},
  urldate = {2021-01-02}, date = {2021}, month = jan, langid = {english}}
@book{two1, title = {First on a Line}, date = {2018}, langid = {english}} @book{two2, date = {2018},
  author = {Tan, Ayu}, title = {Second on the Same Line}, langid = {english}}
@thesis{sk1,
  author = {Pratama, Rizki},
  title = {Upaya {Indonesia} dalam Penanganan Perdagangan Orang},
  type = {Skripsi}, institution = {Universitas Contoh},
  date = {2022}, langid = {indonesian},
}
"""


def generated_entry(i: int) -> str:
    if i % 7 == 0:
        return (f"@incollection{{ch{i},\n  author = {{Penulis{i}, Budi}},\n  title = {{Bab {i} tentang Migrasi}},\n"
                f"  crossref = {{buku1}},\n  langid = {{indonesian}},\n}}\n")
    return (f"@article{{key{i},\n  author = {{Penulis{i}, Budi and Author{i}, Jane}},\n"
            f"  title = {{Kerja Sama {{ASEAN}} Nomor {i}}},\n  journaltitle = jhi,\n  date = {{{1990 + i % 35}}},\n"
            f"  langid = {{{'indonesian' if i % 2 else 'english'}}},\n}}\n")


BIBLATEX = BIBLATEX_HEAD + "\n".join(generated_entry(i) for i in range(60))
BIBLATEX_CITED = ["bab1", "art1", "web1", "two2", "sk1", "key5", "ch14"]

# BibTeX (pandoc's bibtex reader): crossref to proceedings, journal macros, year and month.
BIBTEX = r"""@string{jsea = {Journal of Southeast Asian Studies}}
@inproceedings{p1,
  author = {Wijaya, Citra and Le, Minh},
  title = {Regional Cooperation on Trafficking},
  pages = {1--9},
  crossref = {conf1},
  langid = {english},
}
@proceedings{conf1,
  title = {Proceedings of a Generated Conference},
  booktitle = {Proceedings of a Generated Conference},
  year = {2017}, month = feb,
  publisher = {Contoh Press},
  langid = {english},
}
@article{a2,
  author = {Lubis, Fajar},
  title = {{ASEAN} and the {Bali} Process},
  journal = jsea,
  year = {2015}, volume = {4},
  langid = {indonesian},
}
""" + "\n".join(generated_entry(i).replace("journaltitle", "journal").replace("date", "year")
                for i in range(1, 40, 2))
BIBTEX_CITED = ["p1", "a2", "key3", "key21"]


def subset_read(path: Path, keys: list[str], cache: Path, languages=("id",)):
    return load_bibliography(path, path.parent, cache, languages, cited=keys)


def whole_read(path: Path, cache: Path, languages=("id",)):
    return load_bibliography(path, path.parent, cache, languages)


def restricted(bib, keys) -> list[dict]:
    return [item for item in bib.items if item["id"] in set(keys)]


def _library(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["zotero-bbt.bib", "mendeley.bib", "ojs.bib", "zotero.json", "refs.yaml",
                                  "thesis.ris", "typst.yml"])
def test_the_cited_entries_are_those_of_the_whole_file_in_every_format(name, tmp_path):
    path = tmp_path / name
    path.write_bytes((SAMPLES / name).read_bytes())
    whole = whole_read(path, tmp_path / "whole")
    keys = whole.keys()
    assert keys
    rng = random.Random(name)
    subsets = [[k] for k in keys] + [rng.sample(keys, k=max(1, len(keys) // 2))]
    for number, subset in enumerate(subsets):
        some = subset_read(path, subset, tmp_path / f"some{number}")
        assert list(some.items) == restricted(whole, subset), subset
        assert some.keys() == keys  # every key is known, read or not
        assert {d.message for d in some.diagnostics} <= {d.message for d in whole.diagnostics}


@pytest.mark.parametrize(("name", "text", "cited"), [("library.bib", BIBLATEX, BIBLATEX_CITED),
                                                     ("library.bibtex", BIBTEX, BIBTEX_CITED)])
def test_the_cited_entries_are_what_pandoc_makes_of_the_whole_library(name, text, cited, tmp_path):
    path = _library(tmp_path, name, text)
    some = subset_read(path, cited, tmp_path / "cache")
    assert not some.diagnostics
    assert [item["id"] for item in some.items] == [k for k in some.places if k in cited]
    # synthdoc's own reading of the whole file
    assert list(some.items) == restricted(whole_read(path, tmp_path / "whole"), cited)
    # pandoc's reading of the whole, unchanged file; synthdoc's documented changes are the language as a
    # locale tag (from langid) and DOIs and URLs unescaped (readers.finish)
    reader = "bibtex" if name.endswith(".bibtex") else "biblatex"
    raw = json.loads(pandoc.run(["-f", reader, "-t", "csljson"], text.encode("utf-8"), what=name))
    theirs = {item["id"]: readers.finish(item) for item in raw}
    for item in some.items:
        mine = dict(item)
        language = mine.pop("language", None)
        expected = dict(theirs[item["id"]])
        expected.pop("language", None)
        assert mine == expected, item["id"]
        if reader == "biblatex":
            langid = re.compile(r"langid = \{(\w+)\}").search(text, text.index("{" + item["id"] + ","))
            assert language == language_tag(langid.group(1))
    # what the parents and @strings gave is there: a publisher made of two macros through an @xdata
    # entry, editors and a date through a crossref
    if reader == "biblatex":
        bab = some.get("bab1")
        assert bab["publisher"] == "Yogyakarta Press" and bab["publisher-place"] == "Yogyakarta"
        assert bab["editor"][0]["family"] == "Berg" and bab["issued"] == {"date-parts": [[2019, 3]]}
        assert some.get("art1")["container-title"] == "Jurnal Hubungan Internasional"
        assert some.get("key5") is not None and some.get("key6") is None  # read: the cited only
    else:
        assert some.get("p1")["container-title"] == "Proceedings of a generated conference"


def _counting(monkeypatch) -> list[int]:
    """How many entries each pandoc conversion of a BibTeX library was given."""
    calls: list[int] = []
    real = readers._convert

    def counting(reader: str, source: str, shown: str, meanwhile=None):
        calls.append(source.count("\n@") + source.startswith("@") - source.count("@string")
                     - source.count("@preamble"))
        return real(reader, source, shown, meanwhile)

    monkeypatch.setattr(readers, "_convert", counting)
    return calls


def test_a_library_edit_converts_only_the_cited_entries_it_changed(tmp_path, monkeypatch):
    path = _library(tmp_path, "library.bib", BIBLATEX)
    cache = tmp_path / "cache"
    calls = _counting(monkeypatch)
    first = subset_read(path, BIBLATEX_CITED, cache)
    assert len(calls) == 1 and calls[0] < 15  # the cited entries and their parents, not the 70 of the file
    calls.clear()
    # Better BibTeX rewrites the whole file when one uncited item changes
    path.write_text(BIBLATEX.replace("Nomor 8}", "Nomor 8 (revised)}"), encoding="utf-8")
    again = subset_read(path, BIBLATEX_CITED, cache)
    assert calls == [] and again.items == first.items
    # one cited entry changed: that one is converted again, alone
    path.write_text(BIBLATEX.replace("Nomor 5}", "Nomor Lima}"), encoding="utf-8")
    changed = subset_read(path, BIBLATEX_CITED, cache)
    assert calls == [1]
    assert changed.get("key5")["title"] == "Kerja Sama ASEAN Nomor Lima"
    # a parent changed: its cited child is converted again, with it
    calls.clear()
    path.write_text(BIBLATEX.replace("date = {2019-03}", "date = {2019-04}"), encoding="utf-8")
    parent = subset_read(path, BIBLATEX_CITED, cache)
    assert parent.get("bab1")["issued"] == {"date-parts": [[2019, 4]]}
    assert sum(calls) <= 4  # bab1 and ch14 with buku1 and its xdata


def test_a_build_keeps_the_entries_it_converted_beside_its_check(tmp_path, monkeypatch):
    """Read for a build (``keep_later``), the converted entries are written when the build keeps what it read
    (``keep_read``, beside its check), not before its first pandoc run; the next read takes them."""
    path = _library(tmp_path, "library.bib", BIBLATEX)
    cache = tmp_path / "cache"
    calls = _counting(monkeypatch)
    first = load_bibliography(path, path.parent, cache, ("id",), cited=BIBLATEX_CITED, keep_later=True)
    assert len(calls) == 1 and not list((cache / "entries").glob("*.json"))
    keep_read(first.files)
    assert list((cache / "entries").glob("*.json"))
    calls.clear()
    assert subset_read(path, BIBLATEX_CITED, cache).items == first.items and calls == []


def test_a_cited_entry_with_a_problem_is_reported_and_so_is_an_uncited_one(tmp_path):
    text = BIBLATEX.replace("  pages = {10--25},\n", "  pages = {10--25}\n").replace(
        "title = {Kerja Sama {ASEAN} Nomor 9}", "title = {Kerja Sama {ASEAN Nomor 9}")
    path = _library(tmp_path, "library.bib", text)
    some = subset_read(path, BIBLATEX_CITED, tmp_path / "cache")
    whole = whole_read(path, tmp_path / "whole")
    assert [str(d) for d in some.diagnostics] == [str(d) for d in whole.diagnostics]
    assert {d.code for d in some.diagnostics} == {"bibliography-syntax"} and len(some.diagnostics) == 2
    assert "bab1" in some.broken and some.get("bab1") is None


def _library_project(tmp_path: Path, uncited: int) -> Path:
    files = small_files()
    files["bibliography.bib"] += "".join(f"\n@book{{extra{i},\n  author = {{Penulis{i}, Budi}},\n"
                                         f"  title = {{Buku {i}}},\n  date = {{2001}},\n}}\n" for i in range(uncited))
    return write_project(tmp_path, files)


def test_uncited_entries_of_a_library_are_one_line_and_listed_in_json(tmp_path):
    root = _library_project(tmp_path, 40)
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "[uncited-entry]" in line]
    assert len(lines) == 1 and ": warning: 40 entries are not cited by a claim" in lines[0]
    assert lines[0].startswith("bibliography.bib:")
    result = runner.invoke(app, ["check", "-C", str(root), "--format", "json"])
    listed = [d for d in json.loads(result.stdout) if d["code"] == "uncited-entry"]
    assert sorted(d["message"] for d in listed) == sorted(f"entry 'extra{i}' is never cited by a claim"
                                                          for i in range(40))


def test_a_few_uncited_entries_are_each_named(tmp_path):
    root = _library_project(tmp_path, 2)
    result = runner.invoke(app, ["check", "-C", str(root)])
    lines = [line for line in result.output.splitlines() if "[uncited-entry]" in line]
    assert len(lines) == 2 and "entry 'extra0' is never cited" in lines[0]


def test_a_mistyped_key_is_told_from_the_whole_library(tmp_path):
    root = _library_project(tmp_path, 30)
    (root / "sources" / "smith2020.yaml").write_text(
        (root / "sources" / "smith2020.yaml").read_text(encoding="utf-8").replace("source: smith2020",
                                                                                  "source: extra17x"),
        encoding="utf-8")
    result = runner.invoke(app, ["check", "-C", str(root)])
    assert result.exit_code == 1
    assert "source key 'extra17x' is not in bibliography.bib (did you mean 'extra17'?) [unknown-key]" in result.output
    result = runner.invoke(app, ["cite", "extra21", "-C", str(root)])
    assert result.exit_code == 0 and "Penulis21" in result.output
    result = runner.invoke(app, ["cite", "extra21x", "-C", str(root)])
    assert result.exit_code == 1 and "did you mean 'extra21'" in result.output


# ---- The no-op answer of `build` on a whole library ----------------------------------------------------------

# The small project's bibliography as a library: its cited entries depend on an @string and an @xdata entry,
# among uncited entries.
NO_OP_LIBRARY = (
    "@string{pen = {Example Press}}\n"
    "@xdata{terbit,\n  location = {Yogyakarta},\n}\n"
    + small_files()["bibliography.bib"].replace("  publisher = {Example Press},\n  }", "").replace(
        "  year = {2020},\n  publisher = {Example Press},", "  year = {2020},\n  publisher = pen,").replace(
        "  year = {2021},\n  publisher = {Example Press},", "  year = {2021},\n  publisher = {Example Press},\n"
                                                            "  xdata = {terbit},")
    + "".join(f"\n@book{{extra{i},\n  author = {{Penulis{i}, Budi}},\n  title = {{Buku {i}}},\n  date = {{2001}},\n}}\n"
              for i in range(12)))

LIBRARY_EDITS = {
    "an uncited entry's title": lambda t: t.replace("title = {Buku 7}", "title = {Buku 7 (edisi revisi)}"),
    "an uncited entry grows a line": lambda t: t.replace("title = {Buku 3},\n", "title = {Buku 3},\n  note = {x},\n"),
    "an uncited entry broken": lambda t: t.replace("title = {Buku 5},", "title = {Buku 5,"),
    "an uncited key renamed": lambda t: t.replace("@book{extra9,", "@book{extra9b,"),
    "an uncited key taking a cited one's": lambda t: t.replace("@book{extra2,", "@book{smith2020,"),
    "a cited entry": lambda t: t.replace("Borders and Brokers", "Borders, Brokers and Debts"),
    "the @xdata a cited entry inherits from": lambda t: t.replace("{Yogyakarta}", "{Jakarta}"),
    "the @string a cited entry uses": lambda t: t.replace("{Example Press}}", "{Contoh Press}}"),
    "a line of an uncited entry that starts a RIS record": lambda t: t.replace(
        "title = {Buku 8},", "title = {Buku 8},\n  note = {dikutip\nTY  - JOUR\n},"),
}


def _build(root: Path) -> tuple[int, list[str], bytes | None, bool]:
    result = runner.invoke(app, ["build", "-C", str(root)])
    said = [line for line in result.output.splitlines() if ": warning: " in line or ": error: " in line]
    page = root / "output" / "review.html"
    return result.exit_code, said, page.read_bytes() if page.is_file() else None, "no input changed" in result.output


@pytest.mark.parametrize("edit", list(LIBRARY_EDITS))
def test_a_library_edit_builds_what_a_fresh_build_builds(edit, tmp_path):
    """After any edit of the library, `build` says and writes what a build of the edited project from scratch
    says and writes; an edit to an entry no claim cites (its lines and key kept) answers without building."""
    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    edited = LIBRARY_EDITS[edit](NO_OP_LIBRARY)
    assert edited != NO_OP_LIBRARY
    (root / "bibliography.bib").write_text(edited, encoding="utf-8")
    code, said, page, quick = _build(root)
    files["bibliography.bib"] = edited
    fresh = write_project(tmp_path / "fresh", files)
    fresh_code, fresh_said, fresh_page, _ = _build(fresh)
    assert (code, said) == (fresh_code, fresh_said)
    if fresh_code == 0:
        assert page is not None and page == fresh_page
    assert quick == (edit == "an uncited entry's title")


def test_a_duplicate_key_gives_the_first_entry_read_whole_or_cited(tmp_path):
    """Of two entries under one key (reported as a duplicate, "a claim citing it would cite whichever came
    first"), the item is the first entry's, never the second's fields under the first's line."""
    text = ("@book{dup,\n  author = {Pertama, Ana},\n  title = {Buku Pertama},\n  date = {2001},\n}\n"
            "@book{other,\n  title = {Lain},\n  date = {2003},\n}\n"
            "@book{dup,\n  author = {Kedua, Budi},\n  title = {Buku Kedua},\n  date = {2002},\n}\n")
    path = _library(tmp_path, "library.bib", text)
    for bib in (whole_read(path, tmp_path / "whole"), subset_read(path, ["dup"], tmp_path / "some")):
        assert bib.get("dup")["title"] == "Buku Pertama"
        assert bib.where("dup")[1] == 1
        assert "duplicate-key" in {d.code for d in bib.diagnostics}


@pytest.mark.parametrize("edit", ["an uncited entry's title", "a cited entry"])
def test_a_windows_export_of_the_library_builds_what_a_fresh_build_builds(edit, tmp_path):
    """A library exported on Windows (a byte order mark, CRLF line ends) beside a CSL JSON file: the no-op
    answer reads it as the build does."""
    files = small_files()
    library = "\ufeff" + NO_OP_LIBRARY.replace("\n", "\r\n")
    files["bibliography.bib"] = library
    files["synthdoc.yaml"] = "bibliography: [bibliography.bib, more.json]\n" + files["synthdoc.yaml"]
    files["more.json"] = json.dumps([{"id": "lain2019", "type": "book", "title": "Buku Lain",
                                      "issued": {"date-parts": [[2019]]}}])
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    edited = LIBRARY_EDITS[edit](NO_OP_LIBRARY)
    (root / "bibliography.bib").write_bytes(("\ufeff" + edited.replace("\n", "\r\n")).encode("utf-8"))
    code, said, page, quick = _build(root)
    files["bibliography.bib"] = edited
    fresh_code, fresh_said, fresh_page, _ = _build(write_project(tmp_path / "fresh", files))
    assert (code, said, page) == (fresh_code, fresh_said, fresh_page)
    assert quick == (edit == "an uncited entry's title")
    read = runner.invoke(app, ["check", "-C", str(root)]).output
    assert "more.json: 1 entry" in read and "bibliography.bib: 15 entries" in read


def test_a_claim_edited_while_the_library_is_rewritten_reads_one_section_again(tmp_path, monkeypatch):
    """A claim's wording edited while the export rewrote the library for entries no claim cites (moving
    lines, so that the no-op answer cannot take it): the bibliography pandoc reads is what it was, so the
    document's unchanged sections are not read again and citeproc's result is reused."""
    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    (root / "bibliography.bib").write_text(LIBRARY_EDITS["an uncited entry grows a line"](NO_OP_LIBRARY),
                                           encoding="utf-8")
    claims = root / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("Debts bind workers to employers.",
                                                                 "Debts bind workers to their employers."),
                      encoding="utf-8")
    runs: list[list[str]] = []
    real = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda args, *a, **k: runs.append(list(args)) or real(args, *a, **k))
    result = runner.invoke(app, ["build", "-C", str(root)])
    assert result.exit_code == 0 and "built 1 file" in result.output
    assert "citeproc result reused" in result.output
    reads = [r for r in runs if r[:2] == ["-f", pandoc.MARKDOWN_READER]]
    assert len(reads) == 1 and not any("read_each" in " ".join(r) for r in runs)
    assert "their employers" in (root / "output" / "review.html").read_text(encoding="utf-8")


def test_many_uncited_entries_are_made_one_line_unless_each_is_asked_for(tmp_path):
    """A build lists a library's uncited entries as one line per file and makes no more than that line;
    `check --format json` gets each."""
    from synthdoc.build.pipeline import check_project
    from synthdoc.core.project import load_project

    root = _library_project(tmp_path, 40)
    project = load_project(root / "synthdoc.yaml")
    _, diags = check_project(project)
    lines = [d for d in diags if d.code == "uncited-entry"]
    assert len(lines) == 1 and lines[0].message.startswith("40 entries are not cited by a claim")
    _, every = check_project(project, every=True)
    assert len([d for d in every if d.code == "uncited-entry"]) == 40


# ---- What a build keeps of a library for the next one: its index and its outline ---------------------------


def _counted(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_claim_edited_takes_the_library_index_and_outline_kept_by_the_last_build(tmp_path, monkeypatch):
    """The library's bytes unchanged (a claim edited): the build takes the index the last build kept (the library
    is not indexed again) and the no-op answer takes the outline it recorded (not outlined again); what it says
    and writes is what a build of the edited project from scratch says and writes."""
    from synthdoc.bibliography import bibtex

    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    assert len(list((root / ".synthdoc" / "cache").glob("index-*.json"))) == 1
    claims = root / "sources" / "smith2020.yaml"
    edited = claims.read_text(encoding="utf-8").replace("Debts bind workers to employers.",
                                                         "Debts bind workers to their employers.")
    claims.write_text(edited, encoding="utf-8")
    indexed, outlined = _counted(monkeypatch, bibtex, "index"), _counted(monkeypatch, bibtex, "outline")
    code, said, page, quick = _build(root)
    assert (indexed, outlined, quick) == ([], [], False)
    monkeypatch.undo()
    fresh = write_project(tmp_path / "fresh", {**files, "sources/smith2020.yaml": edited})
    assert (code, said, page) == _build(fresh)[:3] and b"their employers" in page


@pytest.mark.parametrize("spoilt", ["not JSON", "cut short", "another library's index", "a part out of range",
                                    "a key that is no text", "a part that is no whole number", "a problem of text",
                                    "a problem's key a list", "empty"])
def test_a_kept_index_that_is_not_this_librarys_is_made_again(spoilt, tmp_path, monkeypatch):
    from synthdoc.bibliography import bibtex

    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    [kept] = (root / ".synthdoc" / "cache").glob("index-*.json")
    text = kept.read_text(encoding="utf-8")
    made = json.loads(text)
    spoilt_as = {"not JSON": "{", "cut short": text[: len(text) // 2],
                 "another library's index": json.dumps(bibtex.index_dump(bibtex.index(BIBLATEX))),
                 "a part out of range": json.dumps({**made, "split": [len(made["bounds"]) + 5]}),
                 "a key that is no text": json.dumps({**made, "keys": [[7, *k[1:]] for k in made["keys"]]}),
                 "a part that is no whole number": json.dumps({**made, "keys": [[*k[:2], 1.0] for k in made["keys"]]}),
                 "a problem of text": json.dumps({**made, "problems": ["abcd"]}),
                 "a problem's key a list": json.dumps({**made, "problems": [[1, 1, "x", ["k"]]]}),
                 "empty": ""}
    kept.write_text(spoilt_as[spoilt], encoding="utf-8")
    (root / "output" / "review.html").unlink()  # built again, not the no-op answer
    indexed = _counted(monkeypatch, bibtex, "index")
    code, said, page, _ = _build(root)
    monkeypatch.undo()
    assert indexed  # made again from the library, not taken from the spoilt file
    assert json.loads(kept.read_text(encoding="utf-8")) == made  # and kept again, in its place
    fresh = write_project(tmp_path / "fresh", files)
    assert (code, said, page) == _build(fresh)[:3]


def test_a_library_rewritten_keeps_one_index(tmp_path):
    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    first = set((root / ".synthdoc" / "cache").glob("index-*.json"))
    (root / "bibliography.bib").write_text(LIBRARY_EDITS["a cited entry"](NO_OP_LIBRARY), encoding="utf-8")
    assert _build(root)[0] == 0
    second = set((root / ".synthdoc" / "cache").glob("index-*.json"))
    assert len(first) == len(second) == 1 and first != second


def test_a_library_rewritten_for_an_uncited_entry_is_outlined_once(tmp_path, monkeypatch):
    """The export rewritten for an entry no claim cites: the no-op answer outlines the new bytes once and records
    that, so that the next answer, and the next build (a claim edited), take it instead of outlining again."""
    from synthdoc.bibliography import bibtex

    files = small_files()
    files["bibliography.bib"] = NO_OP_LIBRARY
    root = write_project(tmp_path / "p", files)
    assert _build(root)[0] == 0
    (root / "bibliography.bib").write_text(LIBRARY_EDITS["an uncited entry's title"](NO_OP_LIBRARY), encoding="utf-8")
    outlined = _counted(monkeypatch, bibtex, "outline")
    assert _build(root)[3] and len(outlined) == 1  # the no-op answer, the new bytes outlined
    assert _build(root)[3] and len(outlined) == 1  # again: taken from the record
    claims = root / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("Debts bind workers to employers.",
                                                                 "Debts bind workers to their employers."),
                      encoding="utf-8")
    code, _, page, quick = _build(root)
    assert code == 0 and not quick and b"their employers" in page and len(outlined) == 1
