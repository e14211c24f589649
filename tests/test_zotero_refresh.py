"""citations: zotero, read as Zotero reads it: Zotero's own integration code (tests/zotero/integration.js,
run by node) loads every field of the example the way a Refresh in Word begins; the fields validate
against the CSL citation and data schemas; and a work in the writer's Zotero library — found in a
zotero.sqlite of Zotero 7 (local, synced and group libraries) or named by a Zotero CSL JSON export —
carries that item's own URI, so that the citation links to it."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from typer.testing import CliRunner

from conftest import copy_example
from importing_fixtures import ZoteroLibrary

runner = CliRunner()
HERE = Path(__file__).parent / "zotero"
DOC = "tinjauan-pustaka"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
NODE = shutil.which("node")
ZOTERO_URI = re.compile(r"^http://zotero\.org/(users/local/\w+|users/\d+|groups/\d+)/items/[A-Z0-9]{8}$")


def _cli(root: Path, *args: str):
    from synthdoc.cli import app

    return runner.invoke(app, [*args, "--project", str(root)])


def word_codes(docx: Path) -> list[str]:
    """Each Zotero field's code as the Word plugin hands it to Zotero (field.cpp initField): the field's
    instruction text, joined over its runs, from after `` ADDIN ZOTERO_``, one trailing space dropped."""
    with zipfile.ZipFile(docx) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
    codes, stack = [], []
    for el in body.iter():
        if el.tag == f"{W}fldChar" and el.get(f"{W}fldCharType") == "begin":
            stack.append([""])
        elif el.tag == f"{W}instrText" and stack:
            stack[-1][0] += el.text or ""
        elif el.tag == f"{W}fldChar" and el.get(f"{W}fldCharType") == "end" and stack:
            raw = stack.pop()[0]
            at = raw.find(" ADDIN ZOTERO_")
            if at != -1:
                code = raw[at + len(" ADDIN ZOTERO_"):]
                codes.append(code[:-1] if code.endswith(" ") else code)
    return codes


def zotero_refresh(codes: list[str], library: dict[str, int] | None = None) -> dict:
    result = subprocess.run([NODE, str(HERE / "refresh.js")], input=json.dumps({"codes": codes,
                            "library": library or {}}), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def citations(codes: list[str]) -> list[dict]:
    return [json.loads(c.removeprefix("ITEM CSL_CITATION ")) for c in codes if c.startswith("ITEM CSL_CITATION ")]


def _build(root: Path) -> Path:
    result = _cli(root, "build", DOC, "--format", "docx", "--citations", "zotero")
    assert result.exit_code == 0, result.output
    return root / "output" / f"{DOC}.docx"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = copy_example(tmp_path_factory.mktemp("zotero-refresh") / "example")
    docx = _build(root)
    return {"root": root, "docx": docx, "codes": word_codes(docx)}


# In CI (.ci/run installs nodejs) a missing node fails the test instead of skipping it.
needs_node = pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                                reason="node runs Zotero's integration code (apt-get install nodejs)")


@needs_node
def test_every_field_of_the_example_survives_zoteros_own_refresh(example: dict) -> None:
    codes = example["codes"]
    assert sum(c.startswith("ITEM") for c in codes) > 40 and sum(c.startswith("BIBL") for c in codes) == 1
    out = zotero_refresh(codes)
    assert out["failures"] == [] and out["read"] == out["fields"] == len(codes)
    # Not one item was looked up by a local item ID (which would be another work of the writer's library).
    assert out["itemsGet"] == []
    # Each work is one embedded item, whatever number of fields cite it: five works, five items.
    sources = {i["itemData"]["id"] for c in citations(codes) for i in c["citationItems"]}
    resolved = {item["id"] for cluster in out["citations"] for item in cluster}
    assert len(sources) == 5 and out["embeddedItems"] == len(resolved) == 5
    assert all(item["embedded"] for cluster in out["citations"] for item in cluster)


def _citation_schema() -> tuple[dict, Registry]:
    """csl-citation.json with the two things Zotero writes that it does not list (Citation.toJSON): its own
    ``schema`` URL and the ``formattedCitation``/``plainCitation`` properties. Nothing else is relaxed."""
    citation = json.loads((HERE / "csl-citation.json").read_text(encoding="utf-8"))
    data = json.loads((HERE / "csl-data.json").read_text(encoding="utf-8"))
    zotero = copy.deepcopy(citation)
    zotero["properties"]["schema"]["enum"].append(
        "https://github.com/citation-style-language/schema/raw/master/csl-citation.json")
    zotero["properties"]["properties"]["properties"].update(
        {"formattedCitation": {"type": "string"}, "plainCitation": {"type": "string"}})
    registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in (citation, data)])
    return zotero, registry


def test_fields_validate_against_the_csl_citation_and_data_schemas(example: dict) -> None:
    schema, registry = _citation_schema()
    validator = jsonschema.Draft7Validator(schema, registry=registry)
    found = citations(example["codes"])
    assert found
    for citation in found:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(citation)]
        assert errors == []
        for item in citation["citationItems"]:
            assert item["uris"] and isinstance(item["id"], str) and not item["id"].isdigit()
    data = json.loads((HERE / "csl-data.json").read_text(encoding="utf-8"))
    items = [i["itemData"] for c in found for i in c["citationItems"]]
    jsonschema.Draft7Validator(data).validate(items)
    # A label Zotero's citation dialog knows (Zotero.Cite.labels in chrome/content/zotero/xpcom/cite.js).
    labels = {i["label"] for c in found for i in c["citationItems"] if "label" in i}
    assert labels and labels <= {"page", "section", "chapter", "paragraph"}


def test_one_uri_per_work_in_every_field_and_the_bibliography(example: dict) -> None:
    uris: dict[str, set[str]] = {}
    for citation in citations(example["codes"]):
        for item in citation["citationItems"]:
            uris.setdefault(item["itemData"]["id"], set()).update([item["id"], *item["uris"]])
    assert all(len(u) == 1 for u in uris.values()) and len({next(iter(u)) for u in uris.values()}) == len(uris)
    # The same work gets the same URI in the next build, and another work under the same key another one.
    again = word_codes(_build(example["root"]))
    assert {i["itemData"]["id"]: i["uris"][0] for c in citations(again) for i in c["citationItems"]} == \
        {k: next(iter(u)) for k, u in uris.items()}
    bibl = next(c for c in example["codes"] if c.startswith("BIBL "))
    settings = json.loads(bibl.removeprefix("BIBL ").removesuffix(" CSL_BIBLIOGRAPHY"))
    assert settings == {"uncited": [], "omitted": [], "custom": []}  # every work of the example is cited in a field


def test_document_preferences_as_zotero_reads_them(example: dict) -> None:
    with zipfile.ZipFile(example["docx"]) as archive:
        root = ET.fromstring(archive.read("docProps/custom.xml"))
    props = {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM}property")}
    # getProperty: ZOTERO_PREF_1, _2, … joined until one is missing
    chunks, n = [], 1
    while f"ZOTERO_PREF_{n}" in props:
        chunks.append(props[f"ZOTERO_PREF_{n}"])
        n += 1
    assert chunks and all(len(c) <= 255 for c in chunks)
    data = ET.fromstring("".join(chunks))  # DocumentData.unserializeXML's XPaths
    zotero_version = re.search(r"^const DATA_VERSION = (\d+);", (HERE / "integration.js").read_text(encoding="utf-8"),
                               re.M).group(1)
    assert data.get("data-version") == zotero_version
    assert re.fullmatch(r"[0-9A-Za-z]{8}", data.find("session").get("id"))
    style = data.find("style")
    assert style.get("id") == "http://www.zotero.org/styles/apa" and style.get("locale") == "id-ID"
    assert style.get("hasBibliography") == "1"
    assert {p.get("name"): p.get("value") for p in data.iterfind("prefs/pref")} == {"fieldType": "Field"}
    # A rebuilt document with other content is another session of Zotero's.
    config = example["root"] / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("style: apa", "style: ieee"), encoding="utf-8")
    try:
        with zipfile.ZipFile(_build(example["root"])) as archive:
            other = re.search(r"session id=&quot;(\w+)&quot;", archive.read("docProps/custom.xml").decode("utf-8"))
        assert other and other.group(1) != data.find("session").get("id")
    finally:
        config.write_text(config.read_text(encoding="utf-8").replace("style: ieee", "style: apa"), encoding="utf-8")


# --- the writer's own Zotero library ---------------------------------------------------------------------

def _library(folder: Path, synced: bool) -> tuple[Path, dict[str, str]]:
    """A Zotero 7 data folder: amalia2025 in the writer's library (Better BibTeX key in Extra), the
    ACTIP thesis in a group library (Zotero's own citation-key field), the IOM thesis in the trash."""
    lib = ZoteroLibrary(folder)
    if synced:
        lib.sync(5551234)
    lib.article("AMAL2025", "Amalia 2025", extra="tex.ids: x\nCitation Key: amalia2025")
    group = lib.group(4815162)
    lib.article("ACTPIDN3", "ACTIP Indonesia", citation_key="skripsi-actip-indonesia", library=group)
    lib.trash(lib.article("IOMTRSH4", "IOM", citation_key="skripsi-iom-indonesia"))
    user = "users/5551234" if synced else f"users/local/{ZoteroLibrary.LOCAL_KEY}"
    return lib.close(), {"amalia2025": f"http://zotero.org/{user}/items/AMAL2025",
                         "skripsi-actip-indonesia": "http://zotero.org/groups/4815162/items/ACTPIDN3"}


@pytest.mark.parametrize("synced", [False, True])
def test_a_zotero_sqlite_gives_each_item_its_librarys_own_uri(tmp_path: Path, synced: bool) -> None:
    from synthdoc.sources.zotero import item_uris

    path, expected = _library(tmp_path / "Zotero", synced)
    assert item_uris(path, "Zotero/zotero.sqlite") == expected


def test_citations_link_to_the_items_of_the_zotero_sqlite_the_project_names(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    _, expected = _library(root / "zotero", synced=False)
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "zotero: zotero/zotero.sqlite\n", encoding="utf-8")
    codes = word_codes(_build(root))
    found = {i["itemData"]["id"]: i["uris"] for c in citations(codes) for i in c["citationItems"]}
    for key, uri in expected.items():
        assert found[key] == [uri]
    others = {k: u for k, u in found.items() if k not in expected}
    assert len(others) == 3 and not any(ZOTERO_URI.match(u[0]) for u in others.values())  # the trashed one too
    if NODE:
        out = zotero_refresh(codes, {uri: n for n, uri in enumerate(expected.values(), 7)})
        assert out["failures"] == [] and out["itemsGet"] == []
        linked = {item["id"] for cluster in out["citations"] for item in cluster if not item["embedded"]}
        assert linked == {"7", "8"} and out["embeddedItems"] == 3
    # outside the project, it is refused before anything is read
    config.write_text(config.read_text(encoding="utf-8").replace("zotero: zotero/zotero.sqlite",
                                                                 f"zotero: {root.parent / 'x.sqlite'}"),
                      encoding="utf-8")
    result = _cli(root, "build", DOC, "--format", "docx", "--citations", "zotero")
    assert result.exit_code == 1 and "[path-outside]" in result.stderr and "synthdoc.yaml:" in result.stderr


def test_a_zotero_csl_json_export_links_each_item(tmp_path: Path) -> None:
    """Zotero's CSL JSON export names an item by its URI (``id``); with a citation key beside it the entry is
    cited by the key, and the URI is still the item's."""
    root = copy_example(tmp_path / "example")
    from synthdoc.core import pandoc

    bib = json.loads(pandoc.run(["-f", "biblatex", "-t", "csljson"], (root / "bibliography.bib").read_bytes(),
                                what="bibliography.bib"))
    uris = {}
    for n, item in enumerate(bib):
        uri = f"http://zotero.org/groups/4815162/items/ABCD{n:04d}" if n % 2 else \
            f"http://zotero.org/users/local/{ZoteroLibrary.LOCAL_KEY}/items/ABCD{n:04d}"
        uris[item["id"]] = uri
        item["citation-key"], item["id"] = item["id"], uri
    (root / "bibliography.json").write_text(json.dumps(bib, indent=2), encoding="utf-8")
    (root / "bibliography.bib").unlink()
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("bibliography: bibliography.bib",
                                                                 "bibliography: bibliography.json"), encoding="utf-8")
    codes = word_codes(_build(root))
    found = {i["itemData"]["id"]: i["uris"] for c in citations(codes) for i in c["citationItems"]}
    assert found == {key: [uri] for key, uri in uris.items()}
