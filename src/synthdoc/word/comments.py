"""Reading what a reviewer added to a DOCX: comments and tracked changes, with the bookmarks they sit in.

Word and LibreOffice both write comments as ``w:commentRangeStart``/``w:commentRangeEnd`` around the
commented text (and ``w:commentReference``), with the comment's own text in ``word/comments.xml``;
tracked changes as ``w:ins``/``w:del`` around runs. The body is walked once, in document order,
keeping the bookmarks open at each piece of text.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from ..core.diagnostics import SynthdocError
from .bookmarks import DOCUMENT_PROPERTY, digest_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
# Parts of a paragraph or run that describe formatting (a w:ins there marks a paragraph mark, not text).
_PROPERTIES = {f"{W}pPr", f"{W}rPr", f"{W}sectPr", f"{W}tblPr", f"{W}trPr", f"{W}tcPr"}


@dataclass
class Paragraph:
    style: str
    text: str = ""
    heading: str = ""  # the text of the last heading before it (its own text when it is one)


@dataclass
class Remark:
    """A comment or a tracked change, with the text it is anchored on and the bookmarks over that text."""

    kind: str  # comment | insertion | deletion
    author: str
    date: str
    text: str  # the comment's text (empty for a tracked change)
    anchored: str = ""
    bookmarks: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)

    def touch(self, paragraph: Paragraph, bookmarks: list[str]) -> None:
        if not self.paragraphs or self.paragraphs[-1] is not paragraph:
            self.paragraphs.append(paragraph)
        self.bookmarks.extend(b for b in bookmarks if b not in self.bookmarks)


@dataclass(frozen=True)
class Reviewed:
    document: str | None  # the synthdoc document the file was built as (custom property), when known
    remarks: tuple[Remark, ...]
    claim_bookmarks: int = 0  # how many claim bookmarks the file carries (none: not built by synthdoc)


def read_reviewed(path: Path, shown: str) -> Reviewed:
    """The comments and tracked changes of a DOCX, in document order."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            body = ET.fromstring(archive.read("word/document.xml"))
            comments = ET.fromstring(archive.read("word/comments.xml")) if "word/comments.xml" in names else None
            custom = ET.fromstring(archive.read("docProps/custom.xml")) if "docProps/custom.xml" in names else None
    except FileNotFoundError:
        raise SynthdocError.single(shown, "file not found", "file-missing") from None
    except IsADirectoryError:
        raise SynthdocError.single(shown, "this is a folder, not a DOCX file", "file-unreadable") from None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError):
        raise SynthdocError.single(shown, "not a readable DOCX file (save it from Word or LibreOffice as .docx)",
                                   "docx-unreadable") from None
    texts = _comment_texts(comments) if comments is not None else {}
    walker = _Walker(texts)
    walker.walk(body)
    document = None
    if custom is not None:
        for prop in custom.iter(f"{_CUSTOM}property"):
            if prop.get("name") == DOCUMENT_PROPERTY:
                document = "".join(prop.itertext()).strip() or None
    return Reviewed(document, tuple(walker.remarks), walker.claim_bookmarks)


def _comment_texts(root: ET.Element) -> dict[str, tuple[str, str, str]]:
    out = {}
    for comment in root.iter(f"{W}comment"):
        paras = [" ".join("".join(t.text or "" for t in p.iter(f"{W}t")).split()) for p in comment.iter(f"{W}p")]
        out[comment.get(f"{W}id", "")] = (comment.get(f"{W}author", ""), comment.get(f"{W}date", ""),
                                          "\n".join(p for p in paras if p))
    return out


class _Walker:
    def __init__(self, comments: dict[str, tuple[str, str, str]]) -> None:
        self.comments = comments
        self.bookmarks: dict[str, str] = {}  # open bookmarks: id -> name
        self.open: dict[str, Remark] = {}  # comments whose range is open
        self.changes: list[Remark] = []  # tracked changes being walked
        self.seen: dict[str, Remark] = {}
        self.remarks: list[Remark] = []
        self.paragraph = Paragraph("")
        self.heading = ""
        self.claim_bookmarks = 0

    def comment(self, cid: str) -> Remark | None:
        if cid in self.seen or cid not in self.comments:
            return None
        author, date, text = self.comments[cid]
        remark = Remark("comment", author, date, text)
        self.seen[cid] = remark
        self.remarks.append(remark)
        return remark

    def walk(self, el: ET.Element) -> None:
        tag = el.tag
        if tag in _PROPERTIES:
            return
        ident = el.get(f"{W}id", "")
        if tag == f"{W}bookmarkStart":
            self.bookmarks[ident] = el.get(f"{W}name", "")
            self.claim_bookmarks += digest_of(self.bookmarks[ident]) is not None
        elif tag == f"{W}bookmarkEnd":
            self.bookmarks.pop(ident, None)
        elif tag == f"{W}commentRangeStart":
            remark = self.comment(ident)
            if remark is not None:
                self.open[ident] = remark
                remark.touch(self.paragraph, list(self.bookmarks.values()))
        elif tag == f"{W}commentRangeEnd":
            self.open.pop(ident, None)
        elif tag == f"{W}commentReference":
            remark = self.comment(ident)  # a comment without a range: on the place it stands
            if remark is not None:
                remark.touch(self.paragraph, list(self.bookmarks.values()))
        elif tag in (f"{W}t", f"{W}delText"):
            self.text(el.text or "")
        elif tag in (f"{W}tab", f"{W}br"):
            self.text(" ")
        elif tag == f"{W}p":
            self.paragraph_of(el)
            return
        elif tag in (f"{W}ins", f"{W}del"):
            change = Remark("insertion" if tag == f"{W}ins" else "deletion",
                            el.get(f"{W}author", ""), el.get(f"{W}date", ""), "")
            change.touch(self.paragraph, list(self.bookmarks.values()))
            self.remarks.append(change)
            self.changes.append(change)
            for child in el:
                self.walk(child)
            self.changes.remove(change)
            return
        for child in el:
            self.walk(child)

    def paragraph_of(self, el: ET.Element) -> None:
        style = el.find(f"{W}pPr/{W}pStyle")
        name = style.get(f"{W}val", "") if style is not None else ""
        self.paragraph = Paragraph(name, heading=self.heading)
        for child in el:
            self.walk(child)
        self.paragraph.text = " ".join(self.paragraph.text.split())
        if _is_heading(name):
            self.heading = self.paragraph.heading = self.paragraph.text

    def text(self, text: str) -> None:
        self.paragraph.text += text
        names = list(self.bookmarks.values())
        for remark in [*self.open.values(), *self.changes]:
            remark.anchored += text
            remark.touch(self.paragraph, names)


def _is_heading(style: str) -> bool:
    lowered = style.lower().replace(" ", "")
    return lowered.startswith("heading") or lowered == "title"
