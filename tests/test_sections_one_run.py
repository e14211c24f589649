"""The sections of a document that are not cached are read by one pandoc run (``pandoc.read_markdown_each``), and
each section's AST is byte for byte what a pandoc run of its own gives it (``pandoc.read_markdown``, today's
reading of one section): the same reader, reader options, metadata and citation numbering. When that one run
cannot be used or fails, the sections are read one run each, never to a different AST."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import test_sections
from conftest import copy_example
from synthdoc.cli import app
from synthdoc.core import pandoc
from synthdoc.core.cache import JsonCache
from synthdoc.render import citeproc, sections

# -M values as the command line reads them: booleans, an empty string, "=" and ":" inside a value
META = {"lang": "id-ID", "reference-section-title": "Daftar Pustaka", "link-citations": "true", "flag": "false",
        "empty": "", "odd": "a=b: c"}

WIDE_ROW = "| kolom pertama yang cukup panjang | kolom kedua yang agak panjang sekali |"
assert 72 < len(WIDE_ROW) <= 80  # wider than pandoc's --columns (72), narrower than its library default (80)

ADVERSARIAL = [
    # a metadata block naming what the command line names too (the command line wins), non-ASCII names
    "---\ntitle: Judul *miring*\nlang: en\nbibliography: lain.bib\nzeta: 1\néclair: ya\nflag: true\n---\n\n"
    "# Pendahuluan\n\nTeks [@a].\n",
    # citations in footnotes and outside them: pandoc's citationNoteNum
    "# Catatan\n\nCatatan.^[Lihat [@b, hlm. 3] dan @c.] Lagi [@a; @b].^[Kedua [@c].] Akhir @a [hlm. 9].\n",
    "# Pendahuluan\n\nJudul yang sama dengan bagian lain [@a].\n",
    "# Contoh\n\n(@) contoh satu\n(@dua) contoh dua\n\nLihat (@dua).\n",
    "# Mentah\n\n`<b>x</b>`{=html} dan <i>y</i> dan \\textbf{z}\n\n```{=latex}\n\\textbf{x}\n```\n",
    # abbreviations of pandoc's data file that its library default lacks (ed., Jan.), money not math
    "# Bahasa\n\nŞarkî — 日本語 «kutip» ed. Smith, Jan. 5, e.g. ini. Rp 5.000 dan $10 dan $x$.\n",
    "# Kosong\n\n",
    "# Kotak\n\n::: {.kotak}\n## Di dalam div\n\nTeks [@b].\n:::\n",
    "# CRLF\r\n\r\nBaris satu\r\nbaris dua [@c].\r\n\r\n- a\r\n- b\r\n",
    # tabs expanded to pandoc's tab stop, columns counted in characters
    "# Tab\n\n\tkode\tdengan tab\n\n- butir\n\n\tlanjutan\n\né\tx\tÿ\n",
    f"# Tabel\n\n{WIDE_ROW}\n|---|------|\n| a | b |\n",
    "# Tanpa baris baru di akhir\n\nTeks [@a]",
    "# CR di akhir\n\nTeks\n\r",
]

# Texts at the edges of what pandoc's input handling does: first byte order marks, nothing at all, carriage
# returns alone
EDGES = ["\ufeff# Dengan BOM\n\n\tkode\n", "", "\r", "\r\n", "a\n\r", "\ufeff", " ", "\t"]


setup = test_sections.setup  # the fixture: a bibliography of works a, b and c, and the APA style


def alone(text: str, bib: Path, csl: Path, meta: dict[str, str] = META) -> str:
    """The oracle: the text read by a pandoc run of its own, as JSON text."""
    return json.dumps(pandoc.read_markdown(text, bibliography=bib, csl=csl, metadata=meta, what="test"))


def in_one_run(texts: list[str], bib: Path, csl: Path, meta: dict[str, str] = META) -> list[str]:
    read = pandoc.read_markdown_each(texts, bibliography=bib, csl=csl, metadata=meta, what="test")
    assert read is not None, "the texts were not read by one run"
    return [json.dumps(ast) for ast in read]


class Runs:
    """pandoc's runs while it is in place: their arguments and input."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[list[str], bytes | None]] = []
        real = pandoc.run

        def counted(args: list[str], stdin: bytes | None = None, **kw: Any) -> bytes:
            self.seen.append((args, stdin))
            return real(args, stdin, **kw)

        monkeypatch.setattr(pandoc, "run", counted)

    def batches(self) -> int:
        return sum(str(pandoc.READ_EACH) in args for args, _ in self.seen)


def test_example_documents_sections_read_in_one_run_as_each_alone(tmp_path, monkeypatch):
    """Every document of the built-in example project, as its build gives it to the section reader."""
    root = copy_example(tmp_path / "example")
    documents: list[tuple[str, dict[str, Any]]] = []
    real = citeproc.read_markdown

    def capture(markdown: str, **kw: Any) -> Any:
        documents.append((markdown, kw))
        return real(markdown, **kw)

    monkeypatch.setattr(citeproc, "read_markdown", capture)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    split = [(sections.split(markdown), kw) for markdown, kw in documents]
    assert len(documents) >= 4 and sum(len(pieces) > 2 for pieces, _ in split) >= 2
    for pieces, kw in split:
        made = dict(bibliography=kw["bibliography"], csl=kw["csl"], meta=kw["metadata"])
        assert in_one_run(pieces, made["bibliography"], made["csl"], made["meta"]) == \
            [alone(piece, made["bibliography"], made["csl"], made["meta"]) for piece in pieces]


def test_adversarial_sections_read_in_one_run_as_each_alone(setup, monkeypatch):
    bib, csl = setup
    runs = Runs(monkeypatch)
    batch = in_one_run(ADVERSARIAL, bib, csl)
    assert len(runs.seen) == 1
    for text, read in zip(ADVERSARIAL, batch, strict=True):
        assert read == alone(text, bib, csl), text


@pytest.mark.parametrize("edge", EDGES)
def test_texts_at_the_edges_of_pandocs_input_handling(setup, edge):
    bib, csl = setup
    texts = ["# Sebelum\n\nTeks [@a].\n", edge, "# Sesudah\n\n\tkode\n"]
    assert in_one_run(texts, bib, csl) == [alone(text, bib, csl) for text in texts]


@pytest.mark.parametrize("text", ["\ufeff\ufeff# Dua BOM\n\n\tkode\n", "\r\ufeff# BOM sesudah CR\n\n\tkode\n",
                                  "# NUL\n\nteks\0synthdoc-section\0\nlagi\n"])
def test_what_one_run_cannot_read_as_alone_is_read_alone(setup, monkeypatch, tmp_path, text):
    """A byte order mark pandoc would keep, or a NUL (which could stand for the batch's separator): not batched,
    and the section reader reads every section by a run of its own."""
    bib, csl = setup
    texts = ["# Sebelum\n\nTeks [@a].\n", text, "# Sesudah\n\nTeks [@b].\n"]
    assert pandoc.read_markdown_each(texts, bibliography=bib, csl=csl, metadata=META, what="test") is None
    runs = Runs(monkeypatch)
    read = sections._read_each(texts, bib, csl, META, "test")
    assert runs.batches() == 0 and len(runs.seen) == 3
    assert [json.dumps(ast) for ast in read] == [alone(t, bib, csl) for t in texts]


FAILING_READERS = {
    "error": "function Reader(input, options) error('broken') end",
    "one document fewer": "function Reader(input, options)\n"
                          "  return pandoc.Pandoc({pandoc.CodeBlock(pandoc.write(pandoc.Pandoc({}), 'json'))})\n"
                          "end",
    "not documents": "function Reader(input, options)\n"
                     "  local blocks = {pandoc.CodeBlock('[1]'), pandoc.CodeBlock('x'), pandoc.CodeBlock('{}')}\n"
                     "  return pandoc.Pandoc(blocks)\nend",
    "not code blocks": "function Reader(input, options)\n"
                       "  return pandoc.Pandoc({pandoc.Para('a'), pandoc.Para('b'), pandoc.Para('c')})\nend",
}


@pytest.mark.parametrize("failure", sorted(FAILING_READERS))
def test_a_failing_batch_falls_back_to_a_run_per_section(setup, monkeypatch, tmp_path, failure):
    bib, csl = setup
    script = tmp_path / "broken.lua"
    script.write_text(FAILING_READERS[failure], encoding="utf-8")
    monkeypatch.setattr(pandoc, "READ_EACH", script)
    markdown = "".join(f"# Bagian {n}\n\nTeks {n} [@a]. Catatan.^[Lihat @b.]\n\n" for n in range(3))
    whole = json.dumps(pandoc.read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test"))
    runs = Runs(monkeypatch)
    read = sections.read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test",
                                  cache=JsonCache(tmp_path / "cache"))
    assert runs.batches() == 1 and len(runs.seen) == 1 + 3
    assert json.dumps(read) == whole


def test_a_rebuild_reads_its_changed_sections_in_one_run(setup, monkeypatch, tmp_path):
    bib, csl = setup
    texts = [f"# Bagian {n}\n\nTeks {n} [@a]. Catatan.^[Lihat @b.] Lagi [@c, hlm. {n}].\n" for n in range(6)]
    cache = JsonCache(tmp_path / "cache")

    def read(markdown: str) -> str:
        return json.dumps(sections.read_markdown(markdown, bibliography=bib, csl=csl, metadata=META, what="test",
                                                 cache=cache))

    runs = Runs(monkeypatch)
    first = "\n".join(texts)
    assert read(first) == alone(first, bib, csl)
    assert runs.batches() == 1 and len(runs.seen) == 2  # the sections, then the whole document as the oracle
    runs.seen.clear()
    texts[1] = texts[1].replace("Teks 1", "Teks satu yang diubah")
    texts[4] = texts[4].replace("Teks 4", "Teks empat yang diubah")
    edited = "\n".join(texts)
    assert read(edited) == alone(edited, bib, csl)
    (args, stdin), _oracle = runs.seen
    assert str(pandoc.READ_EACH) in args and stdin is not None
    assert b"Teks satu yang diubah" in stdin and b"Teks empat yang diubah" in stdin and b"Bagian 2" not in stdin
