"""Fixtures for the importers, made here as a reader, Zotero or a researcher would make them: a PDF with
page labels and highlight annotations over its text, a database in Zotero 7's schema, extraction sheets."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pypdfium2 as pdfium
import typst
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

YELLOW, GREEN, RED = (1.0, 0.831, 0.0), (0.373, 0.698, 0.212), (1.0, 0.4, 0.4)


def typst_pdf(front: list[str], body: list[str], first: int | None = 87, width: str = "12cm") -> bytes:
    """Pages of text: ``front`` numbered i, ii, … and ``body`` from ``first`` (labels written by typst);
    with ``first=None``, no page numbering (so no page labels) at all."""
    page = f"#set page(width: {width}, height: 8cm"
    if first is None:
        return typst.compile((page + ")\n" + "\n#pagebreak()\n".join(front + body)).encode())
    source = page + ', numbering: "i")\n' + "\n#pagebreak()\n".join(front) if front else page + ")\n"
    source += f'\n#set page(numbering: "1")\n#counter(page).update({first})\n' + "\n#pagebreak()\n".join(body)
    return typst.compile(source.encode())


def quads(pdf: bytes, page: int, phrase: str) -> list[float]:
    """The quadrilaterals a reader draws over ``phrase`` on ``page`` (0-based): one per line it spans."""
    document = pdfium.PdfDocument(pdf)
    textpage = document[page].get_textpage()
    text = textpage.get_text_range()
    assert phrase in _flat(text), (phrase, text)
    # find the phrase in the page text, allowing the line breaks pdfium puts in as \r\n
    start = _find(text, phrase)
    count = _span(text, start, phrase)
    out: list[float] = []
    for k in range(textpage.count_rects(start, count)):
        left, bottom, right, top = textpage.get_rect(k)
        out += [left, top, right, top, left, bottom, right, bottom]
    document.close()
    return out


def zotero_rects(pdf: bytes, page: int, phrase: str) -> list[list[float]]:
    """The rectangles Zotero's reader stores for a highlight over ``phrase``: [x1, y1, x2, y2] per line."""
    points = quads(pdf, page, phrase)
    return [[points[i], points[i + 5], points[i + 2], points[i + 1]] for i in range(0, len(points), 8)]


def _flat(text: str) -> str:
    """Page text in single spaces; PDFium gives a hyphen at a line end as U+FFFE (and no line break)."""
    return " ".join(text.replace("\ufffe", "- ").replace("\r\n", " ").split())


def _find(text: str, phrase: str) -> int:
    words = phrase.split()
    for i in range(len(text)):
        if text.startswith(words[0], i) and _flat(text[i:i + len(phrase) * 2]).startswith(phrase):
            return i
    raise AssertionError(phrase)


def _span(text: str, start: int, phrase: str) -> int:
    end = start
    while _flat(text[start:end]) != phrase:
        end += 1
        assert end <= len(text), phrase
    return end - start


def annotate(pdf: bytes, marks: list[dict]) -> bytes:
    """``pdf`` with markup annotations: each mark has page, phrase (or quads), subtype, and optionally
    comment, color and name (/NM), written as a reader writes them."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for mark in marks:
        points = mark.get("quads") or quads(pdf, mark["page"], mark["phrase"])
        xs, ys = points[0::2], points[1::2]
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(mark.get("subtype", "/Highlight")),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (min(xs), min(ys), max(xs), max(ys))]),
            NameObject("/QuadPoints"): ArrayObject([FloatObject(v) for v in points]),
            NameObject("/C"): ArrayObject([FloatObject(v) for v in mark.get("color", YELLOW)]),
        })
        if mark.get("indirect"):  # as some writers do: values kept as objects of their own
            for name in ("/QuadPoints", "/C"):
                annot[NameObject(name)] = writer._add_object(annot[NameObject(name)])
        if mark.get("comment"):
            annot[NameObject("/Contents")] = TextStringObject(mark["comment"])
        if mark.get("name"):
            annot[NameObject("/NM")] = TextStringObject(mark["name"])
        writer.add_annotation(mark["page"], annot)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Zotero 7 ---------------------------------------------------------------------------------------
# The tables synthdoc reads, as Zotero 7's resource/schema/userdata.sql (schema version 123) creates them.
ZOTERO_TABLES = """
CREATE TABLE version (schema TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
    lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE fieldsCombined (fieldID INT NOT NULL, fieldName TEXT NOT NULL, label TEXT, fieldFormatID INT,
    custom INT NOT NULL, PRIMARY KEY (fieldID));
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
    charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
    lastProcessedModificationTime INT);
CREATE TABLE itemAnnotations (itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL, type INTEGER NOT NULL,
    authorName TEXT, text TEXT, textNormalized TEXT, comment TEXT, commentNormalized TEXT, color TEXT,
    pageLabel TEXT, sortIndex TEXT NOT NULL, position TEXT NOT NULL, isExternal INT NOT NULL);
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, nameNormalized TEXT);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL, PRIMARY KEY (itemID, tagID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE settings (setting TEXT, key TEXT, value, PRIMARY KEY (setting, key));
CREATE TABLE users (userID INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE groupItems (itemID INTEGER PRIMARY KEY, createdByUserID INT, lastModifiedByUserID INT);
CREATE TABLE groups (groupID INTEGER PRIMARY KEY, libraryID INT NOT NULL UNIQUE, name TEXT NOT NULL,
    description TEXT NOT NULL, version INT NOT NULL);
"""
# itemTypes and fields as Zotero's global schema numbers them (journalArticle, attachment, annotation).
ITEM_TYPES = {"journalArticle": 22, "attachment": 3, "annotation": 1}
FIELDS = {"title": 1, "extra": 16, "citationKey": 132}


class ZoteroLibrary:
    """A Zotero data folder: ``zotero.sqlite`` and ``storage/<attachment key>/<file>.pdf``."""

    LOCAL_KEY = "v3aG8nQf"

    def __init__(self, folder: Path, version: int = 123):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "zotero.sqlite"
        self.db = sqlite3.connect(self.path)
        self.db.executescript(ZOTERO_TABLES)
        self.db.executemany("INSERT INTO version VALUES (?, ?)", [("userdata", version), ("system", 35)])
        self.db.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0)")
        # Zotero makes a local user key on its first start (Zotero.Users.init): the library's URIs name it
        self.db.execute("INSERT INTO settings VALUES ('account', 'localUserKey', ?)", (self.LOCAL_KEY,))
        self.db.executemany("INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [(v, k) for k, v in ITEM_TYPES.items()])
        for name, fid in FIELDS.items():
            self.db.execute("INSERT INTO fields VALUES (?, ?, NULL)", (fid, name))
            self.db.execute("INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)", (fid, name))
        self.next_id = 1

    def sync(self, user_id: int) -> None:
        """The library as after signing in to sync: Zotero keeps the account's userID beside the local key."""
        self.db.execute("INSERT INTO settings VALUES ('account', 'userID', ?)", (user_id,))

    def group(self, group_id: int) -> int:
        """A group library (as a synced group arrives): its libraryID."""
        (library,) = self.db.execute("SELECT MAX(libraryID) + 1 FROM libraries").fetchone()
        self.db.execute("INSERT INTO libraries VALUES (?, 'group', 1, 1, 0, 0, 0, 0)", (library,))
        self.db.execute("INSERT INTO groups VALUES (?, ?, 'Kelompok skripsi', '', 0)", (group_id, library))
        return library

    def trash(self, item: int) -> None:
        self.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item,))

    def _item(self, kind: str, key: str, library: int = 1) -> int:
        item = self.next_id
        self.next_id += 1
        self.db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, ?, ?)",
                        (item, ITEM_TYPES[kind], library, key))
        return item

    def _field(self, item: int, name: str, value: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
        (vid,) = self.db.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()
        self.db.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item, FIELDS[name], vid))

    def article(self, key: str, title: str, extra: str | None = None, citation_key: str | None = None,
                library: int = 1) -> int:
        item = self._item("journalArticle", key, library)
        self._field(item, "title", title)
        if extra:
            self._field(item, "extra", extra)
        if citation_key:
            self._field(item, "citationKey", citation_key)
        return item

    def pdf(self, parent: int, key: str, pdf: bytes, name: str = "paper.pdf") -> int:
        item = self._item("attachment", key)
        self.db.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                        "VALUES (?, ?, 0, 'application/pdf', ?)", (item, parent, f"storage:{name}"))
        folder = self.folder / "storage" / key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(pdf)
        return item

    def highlight(self, attachment: int, key: str, text: str, page_index: int, label: str | None,
                  comment: str = "", color: str = "#ffd400", tags: tuple[str, ...] = (), kind: int = 1,
                  rects: list[list[float]] | None = None, author: str | None = None, external: bool = False,
                  created_by: int | None = None) -> int:
        """An annotation as Zotero 7 stores it: ``rects`` in PDF points ([x1, y1, x2, y2] per line); an
        ``external`` one was embedded in the PDF (by ``author``); ``created_by`` a group member's user id."""
        item = self._item("annotation", key)
        position = json.dumps({"pageIndex": page_index, "rects": rects or [[72.0, 600.0, 300.0, 612.0]]})
        self.db.execute("INSERT INTO itemAnnotations (itemID, parentItemID, type, authorName, text, comment, color, "
                        "pageLabel, sortIndex, position, isExternal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (item, attachment, kind, author, text, comment, color, label,
                         f"{page_index:05d}|000100|00200", position, int(external)))
        if created_by is not None:
            self.db.execute("INSERT INTO groupItems VALUES (?, ?, ?)", (item, created_by, created_by))
        for tag in tags:
            self.db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
            (tid,) = self.db.execute("SELECT tagID FROM tags WHERE name = ?", (tag,)).fetchone()
            self.db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item, tid))
        return item

    def account(self, user: int, name: str, others: dict[int, str]) -> None:
        """The user this database belongs to (settings' account userID), and the group's members."""
        self.db.execute("INSERT INTO settings VALUES ('account', 'userID', ?)", (user,))
        self.db.executemany("INSERT INTO users VALUES (?, ?)", [(user, name), *others.items()])

    def close(self) -> Path:
        self.db.commit()
        self.db.close()
        return self.path


# --- PDFs as publishers make them: running heads, page numbers, footnotes -------------------------------
# A paragraph is text in which ``[^…]`` is a footnote and a newline a forced line break; both producers lay
# out the same paragraphs.

def _notes(paragraph: str, note: object) -> str:
    import re

    return re.sub(r"\[\^([^\]]*)\]", lambda m: note(m.group(1)), paragraph)


def typst_article(paragraphs: list[str], header: str, width: str = "9cm", height: str = "7cm",
                  hyphenate: bool = True) -> bytes:
    """An article as typst sets it: a running head, page numbers at the foot, footnotes, justified lines
    (hyphenated by typst when ``hyphenate``: then its font gives every hyphen as U+00AD to pypdf)."""
    source = (f'#set page(width: {width}, height: {height}, numbering: "1", header: [{header}])\n'
              f'#set text(lang: "en", hyphenate: {"true" if hyphenate else "false"})\n#set par(justify: true)\n')
    return typst.compile((source + "\n\n".join(_notes(p, lambda n: f"#footnote[{n}]").replace("\n", "\\\n")
                                                for p in paragraphs)).encode())


def office_article(paragraphs: list[str], header: str, folder: Path, width: str = "10cm",
                   height: str = "6cm") -> bytes:
    """The same article as LibreOffice Writer exports it to PDF (headless): header, page number field in the
    footer, footnotes at the page foot."""
    from xml.sax.saxutils import escape

    from rendered import libreoffice_convert

    def note(text: str) -> str:
        return ('<text:note text:note-class="footnote"><text:note-citation>#</text:note-citation><text:note-body>'
                f'<text:p>{escape(text)}</text:p></text:note-body></text:note>')
    body = "".join('<text:p text:style-name="Standard">' + _notes(escape(p), note).replace("\n", "<text:line-break/>")
                   + "</text:p>" for p in paragraphs)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
    fodt = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {ns} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles><style:style style:name="Standard" style:family="paragraph">
<style:paragraph-properties fo:text-align="justify"/><style:text-properties fo:font-size="11pt"/></style:style>
</office:styles>
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{width}"
 fo:page-height="{height}" fo:margin-top="1cm" fo:margin-bottom="1cm" fo:margin-left="1.5cm" fo:margin-right="1.5cm"/>
<style:header-style><style:header-footer-properties fo:min-height="0.5cm"/></style:header-style>
<style:footer-style><style:header-footer-properties fo:min-height="0.5cm"/></style:footer-style></style:page-layout>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
<style:header><text:p>{escape(header)}</text:p></style:header>
<style:footer><text:p><text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>
</style:master-page></office:master-styles>
<office:body><office:text>{body}</office:text></office:body></office:document>'''
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.fodt").write_text(fodt, encoding="utf-8")
    return libreoffice_convert(folder / "article.fodt", "pdf", folder).read_bytes()
