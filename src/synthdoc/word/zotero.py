"""Live Zotero citations in a DOCX: the fields Zotero's Word plugin writes, with synthdoc's rendering as
their results, so that Zotero recognises the document, can refresh it and switch its style, and the
writer can go on citing in it.

The format is the one Zotero's Word integration reads and writes (chrome/content/zotero/xpcom/
integration.js in zotero/zotero, and the Windows plugin's document.cpp):

- a citation cluster is a complex field ``ADDIN ZOTERO_ITEM CSL_CITATION {json}`` whose JSON holds a
  ``citationID``, ``properties`` (``formattedCitation``, ``plainCitation`` — the field's text, which
  Zotero compares to notice a hand edit — and ``noteIndex``), and ``citationItems``: each item's CSL
  data (``itemData``), its ``locator`` and ``label``, ``prefix``/``suffix``, ``suppress-author``, and
  ``uris`` when the entry carries a Zotero item URI;
- the bibliography is one field ``ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]}
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
from pathlib import Path
from typing import Any

from ..core.diagnostics import SynthdocError
from ..render.astwalk import raw_inline, stringify
from ..render.citations import locator_label
from ..sources.claims import LOCATOR_KINDS

SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
BIBLIOGRAPHY_SETTINGS = '{"uncited":[],"omitted":[],"custom":[]}'
# The Word plugin's custom property for the document preferences, and the longest value Word keeps in one.
PREF_PROPERTY = "ZOTERO_PREF"
PREF_CHUNK = 255
DATA_VERSION = 3
# An item's URI in a Zotero library (as Zotero's own CSL JSON export names items).
ZOTERO_URI = re.compile(r"^https?://zotero\.org/(?:users|groups)/(?:local/)?[A-Za-z0-9]+/items/[A-Z0-9]{8}$")
_CSL = "{http://purl.org/net/xbiblio/csl}"

Node = dict[str, Any]


def _raw(xml: str) -> Node:
    return raw_inline("openxml", xml)


def _field_start(code: str) -> list[Node]:
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


def zotero_uri(item: dict[str, Any]) -> str | None:
    for field in ("id", "uri", "URL"):
        value = item.get(field)
        if isinstance(value, str) and ZOTERO_URI.match(value.strip()):
            return value.strip()
    return None


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


def live_citations(ast: Node, *, items: list[dict[str, Any]], csl: Path, lang: str, locale: str,
                   document: str, shown_style: str, style_line: int = 1) -> Node:
    """The AST with each citation cluster and the bibliography as Zotero fields, and Zotero's document
    preferences as custom properties. What the reader sees is unchanged: the fields' results are
    synthdoc's own rendering."""
    style_id, has_bibliography, note_style = style_facts(csl, shown_style, style_line)
    if note_style:
        raise SynthdocError.single(shown_style, "citations: zotero is not available for note styles yet (Zotero "
                                   "puts their fields in footnotes); use an author-date or numeric style, or "
                                   "citations: text", "zotero-note-style", style_line)
    by_key = {str(item.get("id")): item for item in items}
    seed = hashlib.sha256(document.encode("utf-8")).hexdigest()
    counter = [0]

    def cluster(cite: Node) -> list[Node]:
        citations, content = cite["c"]
        if any(c["citationMode"]["t"] == "AuthorInText" for c in citations) or \
                any(c["citationId"] not in by_key for c in citations):
            return [cite]
        counter[0] += 1
        data = {
            "citationID": hashlib.sha256(f"{seed}:{counter[0]}".encode()).hexdigest()[:10],
            "properties": {"formattedCitation": _html(content), "plainCitation": _plain(content),
                           "noteIndex": 0},
            "citationItems": [_citation_item(c, by_key[c["citationId"]], lang) for c in citations],
            "schema": SCHEMA,
        }
        # ASCII only: every other character as a JSON escape, so that no character of the entry (one XML
        # does not allow, such as U+FFFE) can break the document.
        code = "ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(data, ensure_ascii=True)
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

    blocks = _bibliography_field(walk(ast.get("blocks", [])))
    preferences = document_preferences(style_id, locale, has_bibliography, seed[:8])
    meta = dict(ast.get("meta", {}))
    for name, value in preference_properties(preferences).items():
        meta[name] = {"t": "MetaString", "c": value}
    return {**ast, "meta": meta, "blocks": blocks}


def _citation_item(citation: Node, item: dict[str, Any], lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": citation["citationId"]}
    uri = zotero_uri(item)
    if uri:
        out["uris"] = [uri]
    out["itemData"] = {**item, "id": citation["citationId"]}
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
        elif t in _HTML_TAGS:
            out.append(_plain(node["c"]))
        else:
            out.append(stringify(node))
    return "".join(out)


_HTML_TAGS = {"Emph": "i", "Strong": "b", "Superscript": "sup", "Subscript": "sub", "SmallCaps": "span"}


def _html(content: list[Node]) -> str:
    """A citation's rendering in the small HTML Zotero keeps as ``formattedCitation``."""
    out = []
    for node in content:
        t = node.get("t")
        if t == "Str":
            out.append(html.escape(node["c"], quote=False))
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in _HTML_TAGS:
            tag = _HTML_TAGS[t]
            style = ' style="font-variant:small-caps;"' if t == "SmallCaps" else ""
            out.append(f"<{tag}{style}>{_html(node['c'])}</{tag}>")
        elif t in ("Link", "Span", "Quoted", "Cite"):
            inner = node["c"][1]
            text = _html(inner)
            out.append(f"“{text}”" if t == "Quoted" else text)
        else:
            out.append(html.escape(stringify(node), quote=False))
    return "".join(out)


def _bibliography_field(blocks: list[Node]) -> list[Node]:
    """The blocks with the bibliography's paragraphs inside one ZOTERO_BIBL field."""
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
            paras = paragraphs(block["c"][1])
            if paras:
                code = f"ADDIN ZOTERO_BIBL {BIBLIOGRAPHY_SETTINGS} CSL_BIBLIOGRAPHY"
                paras[0]["c"] = [*_field_start(code), *paras[0]["c"]]
                paras[-1]["c"] = [*paras[-1]["c"], _FIELD_END]
            break
    return blocks
