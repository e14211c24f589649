"""JSON Schemas of claims files and synthdoc.yaml, for editors that complete and validate YAML as one
types (VS Code's YAML extension and others that read ``# yaml-language-server: $schema=…``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..core import project
from ..core.diagnostics import SynthdocError
from ..core.files import put_in_place, read_input
from ..core.paths import outside_reason, refusal
from . import claims

SCHEMA_FOLDER = "schemas"
FILES = {"claims": "claims.schema.json", "project": "synthdoc.schema.json"}
MODELINE = "# yaml-language-server: $schema={url}\n"

_TEXT = {"type": ["string", "number"], "minLength": 1}  # YAML may read an id or a key as a number
_SCALAR = {"type": ["string", "integer", "number"]}
_LIST = {"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]}
_LOCALIZED = {"anyOf": [_TEXT, {"type": "object", "additionalProperties": _TEXT,
                                "propertyNames": {"pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"}}],
              "description": "Text per language, {id: ..., en: ...}, or one text for every language."}

_INFERS = ("What the statement holds on your own authority, not the source's: numbers, names or negations such as "
           "[\"2021\", \"UNODC\"]. synthdoc check accepts them, and documents show them as your inference.")


def _object(fields: set[str] | frozenset[str], known: dict[str, Any], required: set[str] = frozenset(),
            description: str = "") -> dict[str, Any]:
    """A mapping with exactly the fields synthdoc reads (a field synthdoc knows but this table does not
    describe is allowed with any value, so the schema never rejects what check accepts)."""
    out: dict[str, Any] = {"type": "object", "properties": {name: known.get(name, {}) for name in sorted(fields)},
                           "additionalProperties": False}
    if required:
        out["required"] = sorted(required)
    if description:
        out["description"] = description
    return out


def claims_schema() -> dict[str, Any]:
    locator = {"type": "object", "minProperties": 1, "maxProperties": 1,
               "properties": {kind: _SCALAR for kind in claims.LOCATOR_KINDS}, "additionalProperties": False,
               "description": "Where in the source: {page: 87} (the printed page), {section: \"4.1\"}, …"}
    claim_fields = {
        "id": {**_SCALAR, "description": "Unique in this file; elsewhere the claim is source-key/id."},
        "kind": {"enum": list(project.CLAIM_KINDS)},
        "themes": {**_LIST, "description": "Theme ids from synthdoc.yaml."},
        "says": {**_LOCALIZED, "description": "Your statement, per language."},
        "short": {**_LOCALIZED, "description": "A 2–8 word label for the evidence matrix."},
        "quote": {**_TEXT, "description": "The verbatim passage, as it stands in the source's text."},
        "at": locator,
        "point": {**_TEXT, "description": "A point id from synthdoc.yaml."},
        "contrasts": {**_LIST, "description": "Claims that say otherwise, as source-key/claim-id."},
        "actors": {**_LIST, "description": "Actor ids from synthdoc.yaml."},
        "draft": {"type": "boolean", "description": "Imported and not finished: left out of documents."},
        "from": _object({"file", "annotation", "author"}, {"file": _TEXT, "annotation": _SCALAR, "author": _TEXT},
                        {"file"}, "Where synthdoc import took the claim from; importing again skips it. author: "
                        "who wrote the annotation, when it was someone else."),
        "translation": {**_LOCALIZED, "description": "Your own translation of the quote, per language, for "
                        "documents in another language than the source's: {en: …}."},
        "infers": {**_LIST, "description": _INFERS},
    }
    claim = _object(claims._CLAIM_FIELDS, claim_fields, claims._REQUIRED, "A claim.")
    claim["if"] = {"properties": {"draft": {"const": True}}, "required": ["draft"]}
    claim["then"] = {"required": sorted(claims._DRAFT_REQUIRED)}
    claim["else"] = {"required": sorted(claims._REQUIRED)}
    del claim["required"]
    source_fields = {
        "source": {**_TEXT, "description": "The entry's key in the bibliography."},
        "text": {**_TEXT, "description": "The source's text (.md, .txt, .pdf), relative to this file."},
        "lang": {**_TEXT, "description": "The language of the quotes."},
        "first_page": {"type": "integer", "minimum": 1,
                       "description": "For a PDF without page labels: the number printed on its first page."},
        "page_labels": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]},
                        "description": "For a PDF without page labels: the numbers printed on its first pages, the "
                        "rest counting on from the last ([cover, 1]: an unnumbered cover, then 1, 2, 3 …)."},
        "relevance": {**_LOCALIZED, "description": "How the source bears on your own study (Tabel penelitian "
                      "terdahulu)."},
        "study": _object(set(claims.STUDY_FIELDS), {
            "focus": {**_LOCALIZED, "description": "What the study examines (its case, period, question)."},
            "method": {**_LOCALIZED, "description": "Its method, as the study itself states it."},
            "similarity": {**_LOCALIZED, "description": "Persamaan: what it shares with your own research."},
            "difference": {**_LOCALIZED, "description": "Perbedaan: how your own research differs from it."},
        }, description="The source as previous research (Penelitian Terdahulu in the chapter)."),
        "claims": {"type": "array", "items": claim},
    }
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "synthdoc claims file",
            **_object(claims._SOURCE_FIELDS, source_fields, {"source", "claims"})}


def project_schema() -> dict[str, Any]:
    theme = _object({"id", "title", "intro"}, {"id": _TEXT, "title": _LOCALIZED, "intro": _LOCALIZED}, {"id", "title"})
    point = _object({"id", "theme", "says", "infers"}, {"id": _TEXT, "theme": _TEXT, "says": _LOCALIZED,
                                                      "infers": {**_LIST, "description": _INFERS}},
                    {"id", "theme", "says"})
    actor = _object({"id", "title"}, {"id": _TEXT, "title": _LOCALIZED}, {"id", "title"})
    formats = {"anyOf": [{"enum": list(project.FORMATS)}, {"type": "array", "items": {"enum": list(project.FORMATS)}}]}
    spacing = {"enum": list(project.LINE_SPACINGS), "description": "Body text line spacing, as in Word."}
    select = _object({"kinds", "themes", "sources"}, {"kinds": _LIST, "themes": _LIST, "sources": _LIST})
    document_fields = {
        "id": {"type": "string", "pattern": project.DOCUMENT_ID.pattern + "$",
               "description": "Names the output files: output/<id>.docx …"},
        "template": {**_TEXT, "description": "A template in templates/ or built in, such as synthesis.md.j2."},
        "title": _TEXT, "subtitle": _TEXT, "author": _TEXT, "lang": _TEXT,
        "style": {**_TEXT, "description": "A bundled CSL style (apa, …) or a .csl file."},
        "formats": formats, "select": select, "provenance": {"enum": list(project.PROVENANCE)},
        "chapter": {"type": "integer", "minimum": 1, "maximum": 50,
                    "description": "A thesis chapter's number: 2 for BAB II."},
        "line_spacing": spacing,
    }
    colors = {"type": "object", "additionalProperties": _TEXT,
              "description": "Highlight colour (yellow, red, green, blue, purple, magenta, orange, gray or #rrggbb) "
                             "→ theme id, for synthdoc import."}
    concept = _object({"id", "title", "themes", "points"},
                      {"id": _TEXT, "title": _LOCALIZED,
                       "themes": {**_LIST, "description": "Theme ids that lead to it."},
                       "points": {**_LIST, "description": "Point ids that lead to it."}}, {"id", "title"})
    research = _object({"problem", "concepts"}, {
        "problem": {**_LOCALIZED, "description": "Your research problem (rumusan masalah)."},
        "concepts": {"type": "array", "items": concept}}, {"problem"},
        "Your own research, drawn as the Kerangka Pemikiran figure (Gambar 2.1).")
    top = {
        "research": research,
        "line_spacing": spacing,
        "title": _LOCALIZED, "bibliography": _LIST, "sources": _TEXT, "templates": _TEXT, "output": _TEXT,
        "style": _TEXT, "lang": _TEXT, "reference_doc": _TEXT, "zotero": _TEXT,
        "themes": {"type": "array", "items": theme}, "points": {"type": "array", "items": point},
        "actors": {"type": "array", "items": actor},
        "documents": {"type": "array", "minItems": 1,
                      "items": _object(project._DOC_FIELDS, document_fields, {"id", "template"})},
        "import": _object({"colors", "me"}, {"colors": colors, "me": {
            **_LIST, "description": "Your own names, as your PDF readers and Zotero write them on your annotations; "
                                    "an annotation by anyone else is imported as a draft that keeps its author."}}),
    }
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": "synthdoc.yaml",
            **_object(project._TOP, top, {"documents"})}


SCHEMAS = {"claims": claims_schema, "project": project_schema}


def schema_text(which: str) -> str:
    return json.dumps(SCHEMAS[which](), ensure_ascii=False, indent=2) + "\n"


def write_schemas(root: Path) -> list[Path]:
    """``schemas/*.schema.json`` in a project, written when missing or out of date."""
    files = schema_files(root)
    put_in_place(files, root)
    return [path for path, _ in files]


def schema_files(root: Path) -> list[tuple[Path, bytes]]:
    """The schema files of a project that are missing or out of date, with what they should hold. A
    ``schemas`` that leads out of the project (a link) is refused."""
    check_schema_folder(root)
    files = []
    for which, name in FILES.items():
        path = root / SCHEMA_FOLDER / name
        data = schema_text(which).encode()
        try:
            current = read_input(path, name, "a schema", root=root, limit=len(data))
        except SynthdocError:  # missing, a link, a device, another size: written anew (the rename replaces it)
            current = None
        if current != data:
            files.append((path, data))
    return files


def check_schema_folder(root: Path) -> None:
    """Refuse a ``schemas/`` that leads out of the project (``path-outside``)."""
    reason = outside_reason(root, SCHEMA_FOLDER)
    if reason is not None:
        raise SynthdocError.single(SCHEMA_FOLDER, refusal(SCHEMA_FOLDER, reason, "the schemas folder"), "path-outside")


def modeline(root: Path, yaml_file: Path, which: str) -> str:
    """The line that points an editor at the schema, relative to the YAML file."""
    target = root / SCHEMA_FOLDER / FILES[which]
    return MODELINE.format(url=Path(os.path.relpath(target, yaml_file.parent)).as_posix())
