"""Live Zotero citations in a DOCX: the fields Zotero's Word plugin writes, with synthdoc's rendering as
their results, so that Zotero recognises the document, can refresh it and switch its style, and the
writer can go on citing in it.

The format is the one Zotero's Word integration reads and writes (chrome/content/zotero/xpcom/
integration.js in zotero/zotero, and the Word plugins' field.cpp / field.m); docs/word.md says, part
by part, what Zotero reads and what synthdoc writes:

- a citation cluster is a complex field ``ADDIN ZOTERO_ITEM CSL_CITATION {json}`` whose JSON holds a
  ``citationID``, ``properties`` (``formattedCitation`` in the RTF Zotero's citation processor writes
  for Word, ``plainCitation`` — the field's text, which Zotero compares to notice a hand edit — and
  ``noteIndex``), and ``citationItems``: each item's ``uris`` (by which Zotero finds the item: in the
  writer's library, or else among the document's embedded items), its CSL data (``itemData``), its
  ``locator`` and ``label``, ``prefix``/``suffix`` and ``suppress-author``;
- the bibliography is one field ``ADDIN ZOTERO_BIBL {"uncited":[…],"omitted":[],"custom":[]}
  CSL_BIBLIOGRAPHY`` around its paragraphs;
- the document preferences are Zotero's XML (data version 3: session, style id and locale, field
  type ``Field``), split into custom properties ``ZOTERO_PREF_1``, ``ZOTERO_PREF_2``, … of at most
  255 characters each, as the Word plugin stores them.

A citation that names its author in the text (``@key [p. 4]``) stays plain text: Zotero's Word plugin
has no such citation (its writers type the name and cite with "omit author").
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..bibliography.readers import ZOTERO_ITEM_URI
from ..core.diagnostics import SynthdocError
from ..render.astwalk import raw_inline, stringify
from ..render.citations import locator_label
from ..sources.claims import LOCATOR_KINDS

# What Zotero writes as a citation's ``schema`` (Citation.toJSON); Zotero never reads it back.
SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
# The Word plugin's custom property for the document preferences, and the longest value Word keeps in one.
PREF_PROPERTY = "ZOTERO_PREF"
PREF_CHUNK = 255
DATA_VERSION = 3
# The URI of a work that is not in a Zotero library: synthdoc's own, which no Zotero library resolves, so
# Zotero keeps the work as an embedded item (its itemData) — one item for every field that carries it.
OWN_URI = "urn:synthdoc:item:"
_CSL = "{http://purl.org/net/xbiblio/csl}"

Node = dict[str, Any]


def _raw(xml: str) -> Node:
    return raw_inline("openxml", xml)


def _field_start(code: str) -> list[Node]:
    """A complex field's start. The code stands between spaces, as the Word plugin writes it: the plugin
    finds a Zotero field by `` ADDIN ZOTERO_`` (with its space) and drops one space at the end."""
    return [_raw('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'),
            _raw(f'<w:r><w:instrText xml:space="preserve"> {html.escape(code, quote=False)} </w:instrText></w:r>'),
            _raw('<w:r><w:fldChar w:fldCharType="separate"/></w:r>')]


_FIELD_END = _raw('<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def style_facts(csl: Path, shown: str, line: int = 1) -> tuple[str, bool, bool]:
    """The style's id (Zotero finds a style by it), whether it has a bibliography, and whether it is a
    note style."""
    try:
        root = ET.parse(csl).getroot()
    except (ET.ParseError, OSError):
        raise SynthdocError.single(shown, "the CSL style cannot be read", "style-unreadable", line) from None
    ident = root.findtext(f"{_CSL}info/{_CSL}id") or ""
    return ident.strip(), root.find(f"{_CSL}bibliography") is not None, root.get("class") == "note"


def zotero_uri(item: Mapping[str, Any]) -> str | None:
    """The Zotero item URI an entry carries: as its CSL ``id`` (Zotero's CSL JSON export of an item
    without a citation key), or as ``uri`` or ``URL``."""
    for field in ("id", "uri", "URL"):
        value = item.get(field)
        if isinstance(value, str) and ZOTERO_ITEM_URI.match(value.strip()):
            return value.strip()
    return None


def own_uri(key: str, item_data: Mapping[str, Any]) -> str:
    """synthdoc's URI of a work outside any Zotero library: its key and a digest of its data, so that the
    same entry has the same URI in every field and every build, and another work under the same key (in
    another project's document) never takes its place."""
    data = {k: v for k, v in item_data.items() if k != "id"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=True).encode()).hexdigest()[:16]
    return f"{OWN_URI}{quote(key, safe='')}:{digest}"


def item_uri(key: str, item: Mapping[str, Any], library: Mapping[str, str]) -> str:
    """The one URI of a work in every field: its Zotero item's (from the writer's zotero.sqlite or the
    entry itself), else synthdoc's own."""
    return library.get(key) or zotero_uri(item) or own_uri(key, _item_data(key, item))


def document_preferences(style_id: str, locale: str, has_bibliography: bool, session: str) -> str:
    """Zotero's document preferences (the XML its integration writes, data version 3)."""
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    return (f'<data data-version="{DATA_VERSION}" zotero-version="synthdoc">'
            f'<session id="{esc(session)}"/>'
            f'<style id="{esc(style_id)}" locale="{esc(locale)}" hasBibliography="{int(has_bibliography)}" '
            'bibliographyStyleHasBeenSet="1"/>'
            '<prefs><pref name="fieldType" value="Field"/></prefs></data>')


def preference_properties(preferences: str) -> dict[str, str]:
    """The preferences as the Word plugin stores them: ``ZOTERO_PREF_1``… of at most 255 characters."""
    chunks = [preferences[i:i + PREF_CHUNK] for i in range(0, len(preferences), PREF_CHUNK)]
    return {f"{PREF_PROPERTY}_{n}": chunk for n, chunk in enumerate(chunks, 1)}


def _code(data: Any) -> str:
    # ASCII only: every other character as a JSON escape, so that no character of the entry (one XML does
    # not allow, such as U+FFFE) can break the document. Compact, as Zotero's JSON.stringify writes it.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def live_citations(ast: Node, *, items: list[dict[str, Any]] | tuple[dict[str, Any], ...], csl: Path, lang: str,
                   locale: str, document: str, shown_style: str, style_line: int = 1,
                   library: Mapping[str, str] | None = None) -> Node:
    """The AST with each citation cluster and the bibliography as Zotero fields, and Zotero's document
    preferences as custom properties. What the reader sees is unchanged: the fields' results are
    synthdoc's own rendering. ``library``: citation key → the item's URI in the writer's Zotero library."""
    style_id, has_bibliography, note_style = style_facts(csl, shown_style, style_line)
    if note_style:
        raise SynthdocError.single(shown_style, "citations: zotero is not available for note styles yet (Zotero "
                                   "puts their fields in footnotes); use an author-date or numeric style, or "
                                   "citations: text", "zotero-note-style", style_line)
    by_key = {str(item.get("id")): item for item in items}
    uris = {key: item_uri(key, item, library or {}) for key, item in by_key.items()}
    seed = hashlib.sha256(document.encode("utf-8")).hexdigest()
    counter = [0]
    codes: list[str] = []
    cited: set[str] = set()

    def cluster(cite: Node) -> list[Node]:
        citations, content = cite["c"]
        if any(c["citationMode"]["t"] == "AuthorInText" for c in citations) or \
                any(c["citationId"] not in by_key for c in citations):
            return [cite]
        counter[0] += 1
        data = {
            "citationID": hashlib.sha256(f"{seed}:{counter[0]}".encode()).hexdigest()[:10],
            "properties": {"formattedCitation": _rtf(content), "plainCitation": _plain(content), "noteIndex": 0},
            "citationItems": [_citation_item(c, by_key[c["citationId"]], uris[c["citationId"]], lang)
                              for c in citations],
            "schema": SCHEMA,
        }
        cited.update(c["citationId"] for c in citations)
        code = "ADDIN ZOTERO_ITEM CSL_CITATION " + _code(data)
        codes.append(code)
        return [*_field_start(code), *content, _FIELD_END]

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                if isinstance(item, dict) and item.get("t") == "Cite":
                    out.extend(cluster(item))
                else:
                    out.append(walk(item))
            return out
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    blocks = walk(ast.get("blocks", []))
    blocks, bibliography = _bibliography_field(blocks, uris, cited)
    # Zotero keeps a session per session id while it runs: one id per document and content, so that a
    # rebuilt document (or another project's chapter of the same name) never takes an earlier one's session.
    session = hashlib.sha256("\n".join([document, *codes, bibliography]).encode("utf-8")).hexdigest()[:8]
    preferences = document_preferences(style_id, locale, has_bibliography, session)
    meta = dict(ast.get("meta", {}))
    for name, value in preference_properties(preferences).items():
        meta[name] = {"t": "MetaString", "c": value}
    return {**ast, "meta": meta, "blocks": blocks}


def _item_data(key: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {**item, "id": key}


def _citation_item(citation: Node, item: dict[str, Any], uri: str, lang: str) -> dict[str, Any]:
    # ``id`` is the URI, never a number: Zotero looks an item up by its id (as a local item ID) only when
    # it has no uris, and a number there would be another work of the writer's library.
    out: dict[str, Any] = {"id": uri, "uris": [uri], "itemData": _item_data(citation["citationId"], item)}
    if citation["citationMode"]["t"] == "SuppressAuthor":
        out["suppress-author"] = True
    prefix = stringify(citation["citationPrefix"]).strip()
    if prefix:
        out["prefix"] = prefix
    suffix = stringify(citation["citationSuffix"]).strip()
    label, locator, rest = _locator(suffix, lang)
    if locator:
        out["locator"], out["label"] = locator, label
    if rest:
        out["suffix"] = rest
    return out


def _locator(suffix: str, lang: str) -> tuple[str, str, str]:
    """``, bag. 4.1, 4.2`` (synthdoc's locator markup, labels in the document's language) → the CSL
    label, the locator and what is left."""
    text = suffix.removeprefix(",").strip()
    for kind in LOCATOR_KINDS:
        for plural in (True, False):
            label = locator_label(kind, lang, plural)
            if text.startswith(label + " "):
                return kind, text[len(label):].strip(), ""
    return "", "", suffix


_RTF = {"Emph": "{\\i{}%s}", "Strong": "{\\b{}%s}", "SmallCaps": "{\\scaps %s}", "Underline": "{\\ul{}%s}",
        "Superscript": "\\super %s\\nosupersub{}", "Subscript": "\\sub %s\\nosupersub{}"}
_STYLED = ("Emph", "Strong", "SmallCaps", "Underline", "Superscript", "Subscript")


def _rtf_text(text: str) -> str:
    """Text as citeproc-js's RTF output escapes it: backslash and braces escaped, every UTF-16 unit
    from U+007F up as ``\\uc0\\uN{}``, a tab as ``\\tab{}``."""
    text = re.sub(r"([\\{}])", r"\\\1", text).replace("\t", "\\tab{}")
    units = text.encode("utf-16-le")
    out = []
    for i in range(0, len(units), 2):
        unit = int.from_bytes(units[i:i + 2], "little")
        out.append(chr(unit) if unit < 0x7F else f"\\uc0\\u{unit}{{}}")
    return "".join(out)


def _rtf(content: list[Node]) -> str:
    """A citation's rendering as Zotero keeps ``formattedCitation`` for Word: the RTF its citation
    processor writes. On a refresh Zotero rewrites a field's text only where its own rendering differs."""
    out = []
    for node in content:
        t = node.get("t")
        if t == "Str":
            out.append(_rtf_text(node["c"]))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in _STYLED:
            out.append(_RTF[t] % _rtf(node["c"]))
        elif t == "Quoted":
            double = node["c"][0]["t"] == "DoubleQuote"
            out.append(_rtf_text("“" if double else "‘") + _rtf(node["c"][1]) + _rtf_text("”" if double else "’"))
        elif t in ("Link", "Span", "Cite"):
            out.append(_rtf(node["c"][1]))
        else:
            out.append(_rtf_text(stringify(node)))
    return "".join(out)


def _plain(content: list[Node]) -> str:
    """A citation's text as Word shows the field's result (pandoc writes quotation marks curly): Zotero
    compares it with ``plainCitation`` to tell whether the writer edited the citation by hand."""
    out = []
    for node in content:
        t = node.get("t")
        if t == "Quoted":
            double = node["c"][0]["t"] == "DoubleQuote"
            out.append(("“" if double else "‘") + _plain(node["c"][1]) + ("”" if double else "’"))
        elif t in ("Link", "Span", "Cite"):
            out.append(_plain(node["c"][1]))
        elif t in _STYLED:
            out.append(_plain(node["c"]))
        else:
            out.append(stringify(node))
    return "".join(out)


def _bibliography_field(blocks: list[Node], uris: Mapping[str, str], cited: set[str]) -> tuple[list[Node], str]:
    """The blocks with the bibliography's paragraphs inside one ZOTERO_BIBL field, and its code. A work
    the bibliography lists but no field cites (cited only by a narrative citation, or by ``nocite``) is
    ``uncited``, so that Zotero keeps its entry when the work is in the writer's library."""
    def paragraphs(node: Any) -> list[Node]:
        found: list[Node] = []
        if isinstance(node, list):
            for item in node:
                found.extend(paragraphs(item))
        elif isinstance(node, dict):
            if node.get("t") in ("Para", "Plain"):
                found.append(node)
            else:
                for value in node.values():
                    found.extend(paragraphs(value))
        return found

    for block in blocks:
        if block.get("t") == "Div" and block["c"][0][0] == "refs":
            entries = [b["c"][0][0].removeprefix("ref-") for b in block["c"][1]
                       if b.get("t") == "Div" and b["c"][0][0].startswith("ref-")]
            uncited = [[uris[key]] for key in entries if key in uris and key not in cited]
            paras = paragraphs(block["c"][1])
            if paras:
                settings = _code({"uncited": uncited, "omitted": [], "custom": []})
                code = f"ADDIN ZOTERO_BIBL {settings} CSL_BIBLIOGRAPHY"
                paras[0]["c"] = [*_field_start(code), *paras[0]["c"]]
                paras[-1]["c"] = [*paras[-1]["c"], _FIELD_END]
                return blocks, code
            break
    return blocks, ""
