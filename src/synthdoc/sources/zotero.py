"""Zotero 7's ``zotero.sqlite``, read without ever writing it (Zotero may be running): the highlights
and underlines of each item's PDF, with Zotero's printed page label, comment, colour and tags; and each
item's URI in its library, by which a live Zotero citation in Word links to the item."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..core.diagnostics import SynthdocError
from ..core.paths import resolved

# userdata schema versions: itemAnnotations came with Zotero 6 (112 and later); Zotero 7.0 is 123.
FIRST_WITH_ANNOTATIONS = 112
HIGHLIGHT, UNDERLINE = 1, 5
_NEEDED = {
    "items": {"itemID", "key"},
    "itemAttachments": {"itemID", "parentItemID", "linkMode", "contentType", "path"},
    "itemAnnotations": {"itemID", "parentItemID", "type", "text", "comment", "color", "pageLabel", "sortIndex",
                        "position"},
    "itemData": {"itemID", "fieldID", "valueID"},
    "itemDataValues": {"valueID", "value"},
    "tags": {"tagID", "name"},
    "itemTags": {"itemID", "tagID"},
}
T = TypeVar("T")
_BBT_KEY = re.compile(r"^\s*Citation Key\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ZoteroHighlight:
    annotation: str  # Zotero's key of the annotation: the same in every import
    page_index: int | None
    label: str | None
    text: str  # as Zotero stores it (a line-end hyphen dropped: 'laki-⏎laki' is 'lakilaki')
    comment: str
    color: str | None
    tags: tuple[str, ...]
    rects: tuple[Box, ...] = ()  # where it stands on its page, in PDF points: the text is read from there
    author: str | None = None  # someone else's annotation (a group member's, or one embedded in the PDF): whose


@dataclass(frozen=True)
class ZoteroItem:
    citation_key: str
    item: str  # Zotero's key of the item
    pdf: Path | None
    pdf_problem: str  # why the PDF cannot be used, when pdf is None
    highlights: tuple[ZoteroHighlight, ...]


def read_library(path: Path, shown: str) -> list[ZoteroItem]:
    """Every item with a citation key (Better BibTeX's ``Citation Key:`` line in Extra, or Zotero's own
    citationKey field) and highlights on one of its PDFs, read from a read-only, immutable connection."""
    def items(db: sqlite3.Connection) -> list[ZoteroItem]:
        _check_schema(db, shown)
        return _items(db, path.parent / "storage", _authors(db))

    return _read(path, shown, items)


def item_uris(path: Path, shown: str) -> dict[str, str]:
    """Each citation key's item URI, as Zotero names the item (Zotero.URI.getItemURI):
    ``http://zotero.org/users/local/<local key>/items/<item key>`` in a library never synced,
    ``users/<userID>/…`` once synced, ``groups/<groupID>/…`` in a group library. An item in the trash,
    or in a feed, has none."""
    def uris(db: sqlite3.Connection) -> dict[str, str]:
        tables = _tables(db)
        missing = {"items", "libraries", "settings", "itemData", "itemDataValues"} - tables
        if "version" not in tables or missing:
            raise SynthdocError.single(shown, "not a Zotero database (no " + ", ".join(sorted(missing) or ["version"])
                                       + " table); give the zotero.sqlite from Zotero's data folder", "zotero-schema")
        account = dict(db.execute("SELECT key, value FROM settings WHERE setting = 'account'"))
        user = (f"users/{account['userID']}" if str(account.get("userID") or "").isdigit() else
                f"users/local/{account['localUserKey']}" if account.get("localUserKey") else None)
        groups = dict(db.execute("SELECT libraryID, groupID FROM groups")) if "groups" in tables else {}
        libraries = {}
        for library, kind in db.execute("SELECT libraryID, type FROM libraries"):
            if kind == "user" and user:
                libraries[library] = user
            elif kind == "group" and library in groups:
                libraries[library] = f"groups/{groups[library]}"
        out: dict[str, str] = {}
        citation_keys = _citation_keys(db)
        for item, (library, key) in _item_rows(db).items():
            citation_key = citation_keys.get(item)
            if citation_key and library in libraries and citation_key not in out:
                out[citation_key] = f"http://zotero.org/{libraries[library]}/items/{key}"
        return out

    return _read(path, shown, uris)


def _read(path: Path, shown: str, reader: Callable[[sqlite3.Connection], T]) -> T:
    try:
        db = sqlite3.connect(f"{resolved(path).as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise SynthdocError.single(shown, f"cannot open the Zotero database: {exc}", "zotero-schema") from None
    try:
        return reader(db)
    except sqlite3.DatabaseError as exc:
        raise SynthdocError.single(shown, f"cannot read the Zotero database: {exc}", "zotero-schema") from None
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _deleted(db: sqlite3.Connection) -> str:
    """A query for the items in Zotero's trash."""
    return "SELECT itemID FROM deletedItems" if "deletedItems" in _tables(db) else "SELECT NULL WHERE 0"


def _item_rows(db: sqlite3.Connection) -> dict[int, tuple[int, str]]:
    """Each item not in the trash: its library and key."""
    return {row[0]: (row[1], str(row[2])) for row in db.execute(
        f"SELECT itemID, libraryID, key FROM items WHERE itemID NOT IN ({_deleted(db)}) ORDER BY itemID")}


def _citation_keys(db: sqlite3.Connection) -> dict[int, str]:
    """Each item's citation key: Zotero's own citationKey field, else Better BibTeX's ``Citation Key:``
    line in Extra."""
    fields = "fieldsCombined" if "fieldsCombined" in _tables(db) else "fields"
    deleted = _deleted(db)
    keys: dict[int, str] = {}
    for item, name, value in db.execute(
            f"SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN {fields} f ON f.fieldID = d.fieldID "
            "JOIN itemDataValues v ON v.valueID = d.valueID WHERE f.fieldName IN ('citationKey', 'extra') "
            f"AND d.itemID NOT IN ({deleted}) ORDER BY f.fieldName"):
        if name == "citationKey" and str(value).strip():
            keys[item] = str(value).strip()  # Zotero's own field wins over Extra (sorted first)
        elif name == "extra" and item not in keys and (m := _BBT_KEY.search(str(value))):
            keys[item] = m.group(1)
    return keys


def _check_schema(db: sqlite3.Connection, shown: str) -> None:
    tables = _tables(db)
    if "version" not in tables or "items" not in tables:
        raise SynthdocError.single(shown, "not a Zotero database (no items or version table); give the "
                                   "zotero.sqlite from Zotero's data folder", "zotero-schema")
    row = db.execute("SELECT version FROM version WHERE schema = 'userdata'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdecimal() else None
    if version is None or version < FIRST_WITH_ANNOTATIONS:
        raise SynthdocError.single(shown, f"a Zotero database of schema version {version}, from before Zotero 6: it "
                                   "has no annotations; open it once in Zotero 7, then import again", "zotero-schema")
    for table, columns in _NEEDED.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")} if table in tables else set()
        if not columns <= have:
            missing = ", ".join(sorted(columns - have))
            raise SynthdocError.single(shown, f"a Zotero database of schema version {version} without {table} "
                                       f"({missing}); synthdoc reads Zotero 7's schema", "zotero-schema")


def _authors(db: sqlite3.Connection) -> dict[int, str]:
    """The annotations someone else wrote, and whose: one embedded in the PDF by an earlier reader (Zotero's
    isExternal, with the author the PDF names), or one a group library's member made who is not the user
    of this database (groupItems.createdByUserID, against the account's userID in settings)."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {r[1] for r in db.execute("PRAGMA table_info(itemAnnotations)")}
    name = "authorName" if "authorName" in columns else "NULL"
    out: dict[int, str] = {}
    if "isExternal" in columns:
        for item, author in db.execute(f"SELECT itemID, {name} FROM itemAnnotations WHERE isExternal = 1"):
            out[item] = str(author or "").strip() or "an earlier reader of the PDF"
    if "groupItems" in tables:
        me = db.execute("SELECT value FROM settings WHERE setting = 'account' AND key = 'userID'").fetchone() \
            if "settings" in tables else None
        users = dict(db.execute("SELECT userID, name FROM users")) if "users" in tables else {}
        for item, creator, author in db.execute(
                f"SELECT g.itemID, g.createdByUserID, {name} FROM groupItems g "
                "JOIN itemAnnotations a ON a.itemID = g.itemID"):
            if me is None or str(creator) != str(me[0]):
                out.setdefault(item, str(author or users.get(creator) or "").strip()
                               or "another member of the group library")
    return out


def _items(db: sqlite3.Connection, storage: Path, authors: dict[int, str]) -> list[ZoteroItem]:
    deleted = _deleted(db)
    keys = _citation_keys(db)
    item_keys = dict(db.execute("SELECT itemID, key FROM items"))
    tags: dict[int, list[str]] = {}
    for item, name in db.execute("SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID "
                                 "ORDER BY t.name"):
        tags.setdefault(item, []).append(str(name))
    out = []
    for attachment, parent, link_mode, path in db.execute(
            "SELECT itemID, parentItemID, linkMode, path FROM itemAttachments WHERE contentType = 'application/pdf' "
            f"AND itemID NOT IN ({deleted}) ORDER BY itemID"):
        if parent not in keys:
            continue
        highlights = tuple(
            _highlight(item_keys.get(row[0], str(row[0])), row[1:], tuple(tags.get(row[0], ())), authors.get(row[0]))
            for row in db.execute(
                "SELECT itemID, text, comment, color, pageLabel, position FROM itemAnnotations WHERE parentItemID = ? "
                f"AND type IN ({HIGHLIGHT}, {UNDERLINE}) AND itemID NOT IN ({deleted}) ORDER BY sortIndex",
                (attachment,)))
        if not highlights:
            continue
        pdf, problem = _stored_file(storage, item_keys.get(attachment, ""), link_mode, path)
        out.append(ZoteroItem(keys[parent], item_keys.get(parent, ""), pdf, problem, highlights))
    return out


def _highlight(key: str, row: tuple, tags: tuple[str, ...], author: str | None) -> ZoteroHighlight:
    text, comment, color, label, position = row
    try:
        where = json.loads(position or "{}")
        index, rects = where.get("pageIndex"), where.get("rects") or []
        boxes = tuple((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                      for x1, y1, x2, y2 in ([float(v) for v in rect] for rect in rects))
    except (ValueError, AttributeError, TypeError, RecursionError):  # a position nested 100,000 deep: none
        index, boxes = None, ()
    return ZoteroHighlight(key, index if isinstance(index, int) else None, str(label).strip() if label else None,
                           str(text or "").strip(), str(comment or "").strip(), str(color) if color else None, tags,
                           boxes, author)


def _stored_file(storage: Path, key: str, link_mode: int, path: str | None) -> tuple[Path | None, str]:
    """The attachment's file: ``storage:name.pdf`` lives in ``storage/<attachment key>/``; a linked
    file (link mode 2) is where its absolute path says."""
    if path and path.startswith("storage:") and re.fullmatch(r"[A-Za-z0-9]+", key):
        name = Path(path[len("storage:"):].replace("\\", "/")).name
        found = storage / key / name
        if found.is_file():
            return _pdf_or_problem(found, key)
        return None, f"its PDF is not in Zotero's storage folder ({found}); let Zotero download it, then import again"
    if link_mode == 2 and path and not path.startswith("attachments:") and Path(path).is_absolute():
        found = Path(path)
        return _pdf_or_problem(found, key) if found.is_file() else (None, f"its linked PDF {found} is missing")
    return None, f"its PDF is linked as '{path}', relative to a base folder synthdoc cannot see; import the PDF itself"


PDF_MAGIC = b"%PDF-"


def _pdf_or_problem(found: Path, key: str) -> tuple[Path | None, str]:
    """``found`` when it is a PDF (``%PDF-`` in its first 1,024 bytes, where PDF readers look for it); else why
    attachment ``key`` is skipped. Zotero files a web page saved in a PDF's place (a publisher's login page) or
    any file linked by hand as ``application/pdf`` as readily as a PDF."""
    try:
        with found.open("rb") as handle:  # a regular file (is_file): no pipe or device to wait on
            head = handle.read(1024)
    except OSError as exc:
        return None, f"its attachment {key} ({found}) cannot be read: {exc.strerror}"
    if PDF_MAGIC in head:
        return found, ""
    return None, (f"its attachment {key} ({found}) is not a PDF (no {PDF_MAGIC.decode()} at its start), so it was "
                  "skipped; attach the PDF itself in Zotero, then import again")
