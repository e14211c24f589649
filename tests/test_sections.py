"""Reading Markdown section by section gives exactly the AST pandoc reads from the whole document, and a
rebuild reads again only the sections that changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthdoc.core import pandoc
from synthdoc.core.cache import JsonCache
from synthdoc.render.sections import read_markdown, split
from synthdoc.render.styles import resolve_style

META = {"lang": "id-ID", "reference-section-title": "Daftar Pustaka"}

# Blocks that carry reader state from one section to the next, or look like a section's start
BLOCKS = [
    "# Pendahuluan", "# Pendahuluan", "## Intro", "## Intro 1", "# Intro {#intro-1}", "### Ringkasan",
    "Teks biasa [@a] dan @b [hlm. 4].", "Catatan.^[Lihat [@c].] Lagi [@a; @b].", "Lihat [Pendahuluan] di atas.",
    "Tautan [teks][ref] dan [ref].", "[ref]: https://example.org", "Catatan kaki[^1].", "[^1]: Isinya [@c].",
    "(@) contoh satu", "Lihat (@) lagi.", "```\n\n# bukan judul\n```", "::: {.kotak}\n\n# di dalam div\n\n:::",
    "- butir [@a]\n\n    # terindentasi", "> kutipan\n\n# sesudah kutipan", "$x$ dan \\newcommand{\\a}{b}",
    "#tagar bukan judul", "Judul setext\n============", "| a | b |\n|---|---|\n| [@b] | x |",
    "---\nsubtitle: tengah\n---", "Teks \"kutip\" [-@a, bab 2].",
    # a citation in a link's text is numbered but not counted; one in an image's, twice (its figure's caption)
    "[tautan dengan @a di teksnya](https://contoh.id) lalu [@b].", "![gambar @c](x.png)",
    # brackets left as text: an entry's title as Zotero keeps it, and references to headings, in any case
    "*\\[Skripsi tentang ACTIP\\]* [@a].", "Lihat \\[Intro\\] dan [intro 1].", "Lihat [ringkasan] dan \\[x\\].",
    "Catatan.^[Lihat [PENDAHULUAN].]",
]


def whole(markdown: str, bib: Path, csl: Path) -> dict:
    return pandoc.read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test")


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sections")
    bib = folder / "refs.json"
    bib.write_text(json.dumps([{"id": k, "type": "book", "title": k.upper()} for k in "abc"]), encoding="utf-8")
    return bib, resolve_style("apa", Path("."))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(BLOCKS), min_size=2, max_size=12), st.booleans())
def test_sections_read_as_the_whole_document(setup, tmp_path_factory, blocks, front):
    bib, csl = setup
    markdown = ("---\ntitle: Judul\n\n# komentar\n---\n\n" if front else "") + "\n\n".join(blocks) + "\n"
    assert "".join(split(markdown)) == markdown
    cache = JsonCache(tmp_path_factory.mktemp("cache"))
    assert read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test", cache=cache) \
        == whole(markdown, bib, csl)


@pytest.mark.parametrize("linked", ["[tautan dengan @a di teksnya](https://contoh.id)", "[@b](https://contoh.id)",
                                    "Catatan.^[Lihat [situs @c](https://contoh.id).]"])
def test_a_citation_in_a_links_text_is_numbered_as_the_whole_document_numbers_it(setup, tmp_path, linked):
    """pandoc numbers a citation in a link's text as the next citation without counting it: the citation after it
    takes the same number. Sections that cannot show that are read whole."""
    bib, csl = setup
    markdown = (f"# Satu\n\n{linked}\n\n# Dua\n\nLalu [@b] dan @c.\n\n# Tiga\n\n{linked}\n\n"
                "# Empat\n\nAkhir [@a].\n")
    read = read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test",
                         cache=JsonCache(tmp_path / "cache"))
    assert read == whole(markdown, bib, csl)


def test_an_edit_reads_only_its_section(setup, tmp_path, monkeypatch):
    bib, csl = setup
    sections = [f"# Bagian {n}\n\nTeks {n} [@a]. Catatan.^[Lihat @b.] Lagi [@c, hlm. {n}]." for n in range(6)]
    cache = JsonCache(tmp_path)
    first = "\n\n".join(sections) + "\n"
    read = read_markdown(first, bibliography=bib, csl=csl, metadata=META, what="t", cache=cache)
    assert read == whole(first, bib, csl)
    reads, edited, joined = edited_section(sections, 3, setup, cache, monkeypatch)
    assert len(reads) == 1 and b"Teks yang diubah" in reads[0] and b"Bagian 2" not in reads[0]
    assert joined == whole(edited, bib, csl)


def edited_section(sections: list[str], n: int, setup: tuple[Path, Path], cache: JsonCache,
                   monkeypatch: pytest.MonkeyPatch) -> tuple[list[bytes], str, dict]:
    """Section ``n`` edited ('Teks n' becomes 'Teks yang diubah') and the document read again: what pandoc
    was given to read, the edited Markdown, and the AST read."""
    bib, csl = setup
    reads: list[bytes] = []
    real = pandoc.run

    def counted(args, stdin=None, **kw):
        reads.append(stdin)
        return real(args, stdin, **kw)

    monkeypatch.setattr(pandoc, "run", counted)
    sections[n] = sections[n].replace(f"Teks {n}", "Teks yang diubah")
    edited = "\n\n".join(sections) + "\n"
    joined = read_markdown(edited, bibliography=bib, csl=csl, metadata=META, what="t", cache=cache)
    monkeypatch.setattr(pandoc, "run", real)
    return reads, edited, joined


def test_an_edit_reads_only_its_section_beside_a_bracketed_title(setup, tmp_path, monkeypatch):
    """A section that shows a title in brackets (\\[Skripsi …\\], as Zotero keeps a thesis described by its
    topic; Penelitian Terdahulu names each study by its title) is no reference to a heading: an edit of
    another section reads that one alone, and the document read is pandoc's reading of the whole."""
    bib, csl = setup
    sections = [f"# Bagian {n}\n\nTeks {n} [@a]. *\\[Skripsi tentang bagian {n}\\]* [@b]." for n in range(4)]
    cache = JsonCache(tmp_path)
    read_markdown("\n\n".join(sections) + "\n", bibliography=bib, csl=csl, metadata=META, what="t", cache=cache)
    reads, edited, joined = edited_section(sections, 2, setup, cache, monkeypatch)
    assert len(reads) == 1 and b"Teks yang diubah" in reads[0] and b"Bagian 1" not in reads[0]
    assert joined == whole(edited, bib, csl)
    # the same bracket naming a heading of another section is pandoc's link to it: read whole, as pandoc does
    sections[3] = sections[3].replace("\\[Skripsi tentang bagian 3\\]", "[bagian 0]")
    linked = "\n\n".join(sections) + "\n"
    assert read_markdown(linked, bibliography=bib, csl=csl, metadata=META, what="t", cache=cache) \
        == whole(linked, bib, csl)


def test_without_reuse_every_section_is_read_again(setup, tmp_path, monkeypatch):
    """``synthdoc build --force``: nothing is taken from the sections' cache."""
    bib, csl = setup
    markdown = "\n\n".join(f"# Bagian {n}\n\nTeks {n} [@a]." for n in range(4)) + "\n"
    cache = JsonCache(tmp_path)
    read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="t", cache=cache)
    reads: list[bytes] = []
    real = pandoc.run
    monkeypatch.setattr(pandoc, "run", lambda args, stdin=None, **kw: reads.append(stdin) or real(args, stdin, **kw))
    again = read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="t", cache=cache, reuse=False)
    assert len(reads) == 1 and all(f"Bagian {n}".encode() in reads[0] for n in range(4))  # all in one run
    monkeypatch.setattr(pandoc, "run", real)
    assert again == whole(markdown, bib, csl)
