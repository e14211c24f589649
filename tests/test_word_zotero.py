"""citations: zotero — each citation cluster a live Zotero field with its items' CSL data, the bibliography
one Zotero field, Zotero's document preferences as custom properties; and the document, as LibreOffice
lays it out, reads exactly as the build without Zotero fields."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import copy_example
from rendered import docx_as_pdf, libreoffice_convert, pdf_text
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.render.astwalk import cites
from synthdoc.render.styles import resolve_style
from synthdoc.word.zotero import live_citations

runner = CliRunner()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
DOC = "tinjauan-pustaka"


def _cli(root: Path, *args: str):
    from synthdoc.cli import app

    return runner.invoke(app, [*args, "--project", str(root)])


def _fields(docx: Path) -> list[tuple[str, list[ET.Element]]]:
    """Each complex field of the body: its instruction and the paragraphs it spans."""
    with zipfile.ZipFile(docx) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
    fields, open_fields = [], []
    for para in body.iter(f"{W}p"):
        for el in para.iter():
            if el.tag == f"{W}fldChar" and el.get(f"{W}fldCharType") == "begin":
                open_fields.append(["", [para]])
            elif el.tag == f"{W}instrText" and open_fields:
                open_fields[-1][0] += el.text or ""
            elif el.tag == f"{W}fldChar" and el.get(f"{W}fldCharType") == "end":
                code, paras = open_fields.pop()
                if para is not paras[-1]:
                    paras.append(para)
                fields.append((code.strip(), paras))
    return fields


def _properties(docx: Path) -> dict[str, str]:
    with zipfile.ZipFile(docx) as archive:
        root = ET.fromstring(archive.read("docProps/custom.xml"))
    return {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM}property")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = copy_example(tmp_path_factory.mktemp("zotero") / "example")
    assert _cli(root, "build", DOC, "--format", "docx").exit_code == 0
    plain = root / "plain.docx"
    shutil.copy(root / "output" / f"{DOC}.docx", plain)
    result = _cli(root, "build", DOC, "--format", "docx", "--citations", "zotero")
    assert result.exit_code == 0, result.output
    assert "building" in result.stderr  # the setting is part of what the output is built from
    zotero = root / "output" / f"{DOC}.docx"
    return {"root": root, "plain": plain, "zotero": zotero, "fields": _fields(zotero)}


def test_one_field_per_citation_cluster_with_embedded_items(built: dict) -> None:
    items = [(code, paras) for code, paras in built["fields"] if code.startswith("ADDIN ZOTERO_ITEM CSL_CITATION ")]
    # The citation clusters pandoc read from the chapter (the build keeps its AST); narrative citations
    # (@a [bag. 4.1]) stay text: Zotero's Word plugin has none.
    versions = built["root"] / ".synthdoc" / "versions" / DOC
    newest = json.loads((versions / "history.json").read_text(encoding="utf-8"))[-1]["digest"]
    ast = json.loads((versions / f"{newest}.json").read_text(encoding="utf-8"))
    clusters = [c for c in cites(ast["blocks"]) if all(x["citationMode"]["t"] != "AuthorInText" for x in c["c"][0])]
    assert len(items) == len(clusters) > 10
    bib = {e["id"]: e for e in json.loads((built["root"] / ".synthdoc").glob("cache/bibliography-*.json")
                                          .__next__().read_text(encoding="utf-8"))}
    for code, paras in items:
        assert len(paras) == 1
        data = json.loads(code.removeprefix("ADDIN ZOTERO_ITEM CSL_CITATION "))
        assert data["schema"].endswith("csl-citation.json") and data["citationID"]
        assert data["properties"]["noteIndex"] == 0
        for item in data["citationItems"]:
            assert item["itemData"]["title"] == bib[item["itemData"]["id"]]["title"]
            assert item["itemData"]["type"] == "thesis"
    ids = [json.loads(c.removeprefix("ADDIN ZOTERO_ITEM CSL_CITATION "))["citationID"] for c, _ in items]
    assert len(set(ids)) == len(ids)


def test_locators_and_the_field_result(built: dict) -> None:
    # The chapter's first cluster that cites this thesis: its items' sections, as in the claims files.
    first = next(f for f in (json.loads(c.removeprefix("ADDIN ZOTERO_ITEM CSL_CITATION "))
                             for c, _ in built["fields"] if "ZOTERO_ITEM" in c)
                 if any(i["itemData"]["id"] == "skripsi-actipwc-asean" for i in f["citationItems"]))
    claims = yaml.safe_load((built["root"] / "sources" / "skripsi-actipwc-asean.yaml").read_text(encoding="utf-8"))
    sections = {str(c["at"]["section"]) for c in claims["claims"] if "at" in c}
    item = next(i for i in first["citationItems"] if i["itemData"]["id"] == "skripsi-actipwc-asean")
    assert item["label"] == "section" and item["locator"] in sections
    assert first["properties"]["plainCitation"].startswith("(") and "Bagian" in first["properties"]["plainCitation"]


def test_one_bibliography_field_around_the_bibliography(built: dict) -> None:
    bibl = [(code, paras) for code, paras in built["fields"] if "ZOTERO_BIBL" in code]
    assert len(bibl) == 1
    code, paras = bibl[0]
    assert code == 'ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY'
    import docx

    entries = [p.text for p in docx.Document(str(built["plain"])).paragraphs if p.style.name == "Bibliography"]
    assert len(entries) == 5
    texts = ["".join(t.text or "" for t in para.iter(f"{W}t")) for para in paras]
    assert texts == [entries[0], entries[-1]]  # from the first entry to the last


def test_plain_citation_is_the_text_word_shows(built: dict) -> None:
    """Zotero takes a field whose text differs from its plainCitation for a hand edit: they must agree."""
    for code, paras in built["fields"]:
        if "ZOTERO_ITEM" not in code:
            continue
        data = json.loads(code.removeprefix("ADDIN ZOTERO_ITEM CSL_CITATION "))
        result, inside, seen = [], False, False
        for el in paras[0].iter():
            if el.tag == f"{W}instrText" and el.text and el.text.strip() == code:
                seen = True
            elif el.tag == f"{W}fldChar" and seen:
                kind = el.get(f"{W}fldCharType")
                if kind == "separate":
                    inside = True
                elif kind == "end" and inside:
                    break
            elif el.tag == f"{W}t" and inside:
                result.append(el.text or "")
        assert "".join(result) == data["properties"]["plainCitation"]


def _quoted_cite() -> dict:
    return {"t": "Cite", "c": [[{"citationId": "anon", "citationPrefix": [], "citationSuffix": [],
                                 "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1, "citationHash": 0}],
                               [{"t": "Str", "c": "("}, {"t": "Quoted", "c": [{"t": "DoubleQuote"},
                                                                              [{"t": "Str", "c": "Title,"}]]},
                                {"t": "Space"}, {"t": "Str", "c": "2020)"}]]}


def test_quoted_titles_in_the_plain_citation_are_curly_as_word_shows_them(tmp_path: Path) -> None:
    ast = {"meta": {}, "blocks": [{"t": "Para", "c": [_quoted_cite()]}]}
    out = live_citations(ast, items=[{"id": "anon", "type": "book", "title": "Title"}],
                         csl=resolve_style("apa", tmp_path), lang="en", locale="en-US", document="d", shown_style="s")
    code = next(i["c"][1] for i in out["blocks"][0]["c"] if i.get("t") == "RawInline" and "instrText" in i["c"][1])
    data = json.loads(re.search(r"CSL_CITATION (\{.*\}) <", code).group(1).replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))
    assert data["properties"]["plainCitation"] == "(“Title,” 2020)"


def test_document_preferences(built: dict) -> None:
    props = _properties(built["zotero"])
    chunks = [props[f"ZOTERO_PREF_{n}"] for n in range(1, 10) if f"ZOTERO_PREF_{n}" in props]
    assert chunks and all(len(c) <= 255 for c in chunks)
    data = ET.fromstring("".join(chunks))
    assert data.get("data-version") == "3"
    style = data.find("style")
    assert style.get("id") == "http://www.zotero.org/styles/apa" and style.get("locale") == "id-ID"
    assert data.find("prefs/pref[@name='fieldType']").get("value") == "Field"
    assert not any(name.startswith("ZOTERO_PREF") for name in _properties(built["plain"]))


def test_libreoffice_shows_the_same_document_and_keeps_the_fields(built: dict, tmp_path: Path) -> None:
    plain = pdf_text(docx_as_pdf(built["plain"], tmp_path / "plain"))
    zotero = pdf_text(docx_as_pdf(built["zotero"], tmp_path / "zotero"))
    assert zotero == plain and "Daftar Pustaka" in zotero
    fodt = libreoffice_convert(built["zotero"], "fodt", tmp_path / "fodt").read_text(encoding="utf-8")
    codes = re.findall(r'field:name="vnd.oasis.opendocument.field.code" field:value="([^"]*)"', fodt)
    assert sum(c.startswith("ADDIN ZOTERO_ITEM") for c in codes) == sum("ZOTERO_ITEM" in c for c, _ in built["fields"])
    assert sum(c.startswith("ADDIN ZOTERO_BIBL") for c in codes) == 1


def _cite(key: str, mode: str = "NormalCitation", suffix: str = "") -> dict:
    suffix_inlines = [{"t": "Str", "c": suffix}] if suffix else []
    return {"t": "Cite", "c": [[{"citationId": key, "citationPrefix": [], "citationSuffix": suffix_inlines,
                                 "citationMode": {"t": mode}, "citationNoteNum": 1, "citationHash": 0}],
                               [{"t": "Str", "c": "(Smith,"}, {"t": "Space"}, {"t": "Str", "c": "2020)"}]]}


def test_zotero_uri_narrative_citations_and_note_styles(tmp_path: Path) -> None:
    uri = "http://zotero.org/users/1234567/items/ABCD2345"
    items = [{"id": "smith2020", "type": "book", "title": "T", "URL": uri}, {"id": "tran2021", "type": "book"}]
    ast = {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [{"t": "Para", "c": [
        _cite("smith2020", suffix=", p. 4"), {"t": "Space"}, _cite("tran2021", "AuthorInText")]}]}
    apa = resolve_style("apa", tmp_path)
    out = live_citations(ast, items=items, csl=apa, lang="en", locale="en-US", document="d", shown_style="s")
    inlines = out["blocks"][0]["c"]
    codes = [i["c"][1] for i in inlines if i.get("t") == "RawInline" and "instrText" in i["c"][1]]
    assert len(codes) == 1  # the narrative citation stays text
    data = json.loads(re.search(r"CSL_CITATION (\{.*\}) <", codes[0]).group(1).replace("&lt;", "<")
                      .replace("&gt;", ">").replace("&amp;", "&"))
    item = data["citationItems"][0]
    assert item["uris"] == [uri] and item["locator"] == "4" and item["label"] == "page"
    assert any(i.get("t") == "Cite" for i in inlines)
    note = resolve_style("chicago-notes-bibliography-16th-edition", tmp_path)
    with pytest.raises(SynthdocError) as err:
        live_citations(ast, items=items, csl=note, lang="en", locale="en-US", document="d", shown_style="s",
                       style_line=7)
    assert err.value.diagnostics[0].code == "zotero-note-style" and err.value.diagnostics[0].line == 7


def test_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "bad")
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    provenance: comments", "    provenance: comments\n    citations: zoter"), encoding="utf-8")
    result = _cli(root, "build")
    assert result.exit_code == 1 and "citations is one of text, zotero [schema-type]" in result.stderr
    wrong = _cli(copy_example(tmp_path / "cli"), "build", "--citations", "endnote")
    assert wrong.exit_code == 2
