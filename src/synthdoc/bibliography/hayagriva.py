"""Hayagriva YAML (Typst's bibliography format) as CSL JSON items, field by field.

Hayagriva keeps few fields and puts the publication an item appears in under ``parent`` (an
article's journal, a chapter's book); CSL names those ``container-title``, ``volume``, … on the item
itself. See https://github.com/typst/hayagriva/blob/main/docs/file-format.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..core.diagnostics import SynthdocError
from ..core.yamlfile import YamlDocument

# Hayagriva's entry types (case-insensitive) as CSL types; an article's CSL type depends on its parent.
TYPES = {
    "article": "article-journal", "chapter": "chapter", "entry": "entry", "anthos": "chapter",
    "report": "report", "thesis": "thesis", "web": "webpage", "scene": "motion_picture", "artwork": "graphic",
    "patent": "patent", "case": "legal_case", "newspaper": "article-newspaper", "legislation": "legislation",
    "manuscript": "manuscript", "tweet": "post", "misc": "document", "periodical": "periodical",
    "proceedings": "book", "book": "book", "blog": "webpage", "reference": "book", "conference": "paper-conference",
    "anthology": "book", "repository": "software", "thread": "post", "video": "motion_picture", "audio": "song",
    "exhibition": "event",
}
ARTICLE_IN = {"newspaper": "article-newspaper", "blog": "post-weblog", "web": "post-weblog",
              "proceedings": "paper-conference", "conference": "paper-conference", "periodical": "article-journal"}
ENTRY_IN = {"reference": "entry-encyclopedia"}
# affiliated roles that CSL has as name variables
ROLES = {"translator": "translator", "compiler": "compiler", "director": "director", "illustrator": "illustrator",
         "narrator": "narrator", "composer": "composer", "producer": "producer", "organizer": "organizer",
         "executive-producer": "executive-producer", "executiveproducer": "executive-producer",
         "cast-member": "performer", "castmember": "performer", "writer": "script-writer",
         "collaborator": "contributor", "annotator": "annotator", "commentator": "commenter", "founder": "contributor",
         "holder": "contributor", "foreword": "contributor", "afterword": "contributor",
         "introduction": "contributor", "cinematography": "contributor"}
# plain fields: Hayagriva name → CSL name
PLAIN = {"issue": "issue", "volume": "volume", "volume-total": "number-of-volumes", "edition": "edition",
         "page-range": "page", "page-total": "number-of-pages", "runtime": "dimensions", "doi": "DOI",
         "isbn": "ISBN", "issn": "ISSN", "language": "language", "archive": "archive",
         "archive-location": "archive_location", "note": "note", "genre": "genre", "abstract": "abstract",
         "call-number": "call-number", "location": "publisher-place"}
# fields a child takes from its parent when it has none of its own
INHERITED = ("volume", "issue", "publisher", "publisher-place", "ISSN", "ISBN", "issued", "editor", "edition",
             "number-of-volumes")
_DATE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def read(doc: YamlDocument, result: Any, take: Callable[[Any, Any, int, str], None]) -> Any:
    """Each top-level entry of a Hayagriva file into ``result`` through ``take`` (item, line, what)."""
    for key, entry in doc.data.items():
        _check_parents(doc, key, entry)
        item = to_csl(entry)
        item["id"] = str(key)
        take(result, item, doc.where(key)[0], f"entry '{key}'")
    return result


def _check_parents(doc: YamlDocument, key: Any, entry: dict[str, Any]) -> None:
    """An entry's ``parent`` is an entry (a mapping) or a list of them: ``parent: [1, 2]`` is an error at it."""
    parents = entry.get("parent")
    if parents is None:
        return
    listed = isinstance(parents, list)
    for i, parent in enumerate(parents if listed else [parents]):
        if not isinstance(parent, dict):
            line, col = doc.where(key, "parent", i) if listed else doc.where(key, "parent")
            raise SynthdocError.single(doc.name(), f"entry '{key}': a parent is the entry this one appears in (a "
                                       f"mapping with type:, title: …), not {json.dumps(parent, default=str)[:60]}",
                                       "bibliography-format", line, col)


def to_csl(entry: dict[str, Any]) -> dict[str, Any]:
    """One Hayagriva entry (with its parents) as a CSL item, without its id."""
    kind = str(entry.get("type", "misc")).strip().lower()
    parents = entry.get("parent")
    parent = parents[0] if isinstance(parents, list) and parents else parents if isinstance(parents, dict) else None
    parent_kind = str(parent.get("type", "")).strip().lower() if parent else ""
    csl_type = TYPES.get(kind, "document")
    if kind == "article":
        csl_type = ARTICLE_IN.get(parent_kind or "periodical", "article-journal")
    elif kind == "entry":
        csl_type = ENTRY_IN.get(parent_kind or "reference", "entry")
    item: dict[str, Any] = {"type": csl_type}
    _fields(entry, item)
    if parent:
        own: dict[str, Any] = {}
        _fields(parent, own)
        if own.get("title"):
            item["container-title"] = own["title"]
        if own.get("title-short"):
            item["container-title-short"] = own["title-short"]
        for name in INHERITED:
            if name in own and name not in item:
                item[name] = own[name]
        if own.get("URL") and "URL" not in item:
            item["URL"] = own["URL"]
        grand = parent.get("parent")
        grand = grand[0] if isinstance(grand, list) and grand else grand
        if isinstance(grand, dict) and grand.get("title"):
            item["collection-title"] = _title(grand["title"])[0]
    return item


def _fields(entry: dict[str, Any], item: dict[str, Any]) -> None:
    if "title" in entry:
        title, short = _title(entry["title"])
        item["title"] = title
        if short:
            item["title-short"] = short
    for name in ("author", "editor"):
        if name in entry:
            item[name] = _persons(entry[name])
    for group in _as_list(entry.get("affiliated")):
        if isinstance(group, dict):
            role = ROLES.get(str(group.get("role", "")).strip().lower())
            if role:
                item.setdefault(role, []).extend(_persons(group.get("names")))
    if "date" in entry:
        date = _date(entry["date"])
        if date:
            item["issued"] = date
    publisher = entry.get("publisher")
    if isinstance(publisher, dict) and "name" in publisher:  # newer form: {name, location}
        if publisher.get("location"):
            item["publisher-place"] = _text(publisher["location"])
        publisher = publisher["name"]
    if publisher is not None:
        item["publisher"] = _text(publisher)
    elif entry.get("organization"):
        item["publisher"] = _text(entry["organization"])
    for name, csl in PLAIN.items():
        if entry.get(name) is not None and csl not in item:
            item[csl] = _text(entry[name])
    url = entry.get("url")
    if isinstance(url, dict):
        if url.get("value"):
            item["URL"] = _text(url["value"])
        accessed = _date(url.get("date"))
        if accessed:
            item["accessed"] = accessed
    elif url:
        item["URL"] = _text(url)
    serial = entry.get("serial-number")
    if isinstance(serial, dict):
        for name, csl in {"doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID"}.items():
            if serial.get(name) and csl not in item:
                item[csl] = _text(serial[name])
        rest = [_text(v) for k, v in serial.items() if k not in ("doi", "isbn", "issn", "pmid", "pmcid")]
        if rest:
            item["number"] = rest[0]
    elif serial is not None:
        item["number"] = _text(serial)


def _text(value: Any) -> str:
    """A formattable string: text, a number, or {value: …, verbatim: …}."""
    if isinstance(value, dict):
        value = value.get("value", "")
    return str(value).strip() if value is not None else ""


def _title(value: Any) -> tuple[str, str | None]:
    """A title and its shorthand; braces that protect case become CSL's nocase spans, and a
    verbatim title is protected whole."""
    short = None
    verbatim = False
    if isinstance(value, dict):
        short = _text(value["shorthand"]) if value.get("shorthand") else None
        verbatim = value.get("verbatim") is True
    text = re.sub(r"\{([^{}]*)\}", r'<span class="nocase">\1</span>', _text(value))
    if verbatim:
        text = f'<span class="nocase">{text}</span>'
    return text, short


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _persons(value: Any) -> list[dict[str, str]]:
    return [p for p in (_person(v) for v in _as_list(value)) if p]


def _person(value: Any) -> dict[str, str] | None:
    """A person: "Family, Given[, Suffix]" (lowercase words before the family name are its prefix),
    a single name (an organization), or {name, given-name, prefix, suffix}."""
    if isinstance(value, dict):
        person = {"family": _text(value.get("name")), "given": _text(value.get("given-name")),
                  "non-dropping-particle": _text(value.get("prefix")), "suffix": _text(value.get("suffix"))}
        return {k: v for k, v in person.items() if v} or None
    text = _text(value)
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        return {"literal": parts[0]}
    words = parts[0].split()
    prefix = []
    while len(words) > 1 and words[0][:1].islower():
        prefix.append(words.pop(0))
    person = {"family": " ".join(words), "given": parts[1]}
    if prefix:
        person["non-dropping-particle"] = " ".join(prefix)
    if len(parts) > 2 and parts[2]:
        person["suffix"] = parts[2]
    return {k: v for k, v in person.items() if v}


def _date(value: Any) -> dict[str, Any] | None:
    """An ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD; a year may be a number) as CSL date-parts."""
    if value is None:
        return None
    m = _DATE.match(str(value))
    if not m:
        return {"literal": str(value)}
    parts = [int(p) for p in m.groups() if p is not None]
    return {"date-parts": [parts]}
