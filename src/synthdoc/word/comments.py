"""Reading what a reviewer added to a DOCX: comments and tracked changes, with the bookmarks they sit in.

Word and LibreOffice both write comments as ``w:commentRangeStart``/``w:commentRangeEnd`` around the
commented text (and ``w:commentReference``), with the comment's own text in ``word/comments.xml``;
tracked changes as ``w:ins``/``w:del`` around runs. The body is read once, in document order, as a stream
of XML events (never a tree: a DOCX is sent back by anyone), keeping the bookmarks open at each piece of text.

A DOCX is a zip that anyone can make, so each part is read within limits: its size once decompressed (each
part and all of them together), how deep its elements nest, how many comments and changes it holds. What a
remark covers is kept as offsets into the document's text, so a range opened and never closed costs nothing
per piece of text that follows it.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ..core.diagnostics import SynthdocError
from ..core.files import open_input
from .bookmarks import DOCUMENT_PROPERTY, digest_of, entry_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
# Parts of a paragraph or run that describe formatting (a w:ins there marks a paragraph mark, not text).
_PROPERTIES = {f"{W}pPr", f"{W}rPr", f"{W}sectPr", f"{W}tblPr", f"{W}trPr", f"{W}tcPr"}

MAX_PART_BYTES = 32_000_000  # one part of the DOCX once decompressed (a 300-page thesis's body is a few MB)
MAX_TOTAL_BYTES = 64_000_000  # every part read, once decompressed
MAX_DEPTH = 1_000  # elements inside elements (Word nests a few dozen deep)
MAX_REMARKS = 20_000  # comments and tracked changes in one file
MAX_CLAIM_BOOKMARKS = 100_000  # claim and bibliography entry bookmarks in one file
MAX_LINKS = 100_000  # citations linked to their bibliography entries, in one file
MAX_CITATION = 500  # characters of text a remark on citations alone may cover (a cluster of a few works)
MAX_PLACES = 1_000  # claim bookmarks one remark may cover
MAX_SHOWN = 10_000  # characters of a comment, or of the text a remark covers, that are shown
MAX_NAME = 200  # characters of an author's name or a date
MAX_CLUSTER = 20  # citations a remark on citations alone may cover
_CHUNK = 1 << 16
_WORDS = re.compile(r"[^\W_]")  # a letter or digit: text that is not a citation's punctuation


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
    bookmarks: list[str] = field(default_factory=list)  # claim and bibliography entry bookmarks over its text
    paragraph: Paragraph | None = None  # the paragraph it starts in
    # The works whose citations alone it covers (keys), when it covers nothing but citations.
    citations: list[str] = field(default_factory=list)
    reply_to: Remark | None = None  # the comment it answers (Word's threads)


@dataclass(frozen=True)
class Reviewed:
    document: str | None  # the synthdoc document the file was built as (custom property), when known
    remarks: tuple[Remark, ...]
    claim_bookmarks: int = 0  # how many claim bookmarks the file carries (none: not built by synthdoc)


def cut(text: str, length: int | None = None) -> str:
    """``text`` as shown: at most MAX_SHOWN characters, and when it was longer, how long it was."""
    length = len(text) if length is None else length
    if length <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}… [cut: {length:,} characters in all]"


def read_reviewed(path: Path, shown: str) -> Reviewed:
    """The comments and tracked changes of a DOCX, in document order."""
    unreadable = "not a readable DOCX file (save it from Word or LibreOffice as .docx)"
    with open_input(path, shown, "a DOCX file") as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise SynthdocError.single(shown, unreadable, "docx-unreadable") from None
        with archive:
            reader = _Reader(archive, shown)
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise SynthdocError.single(shown, f"{unreadable}: it has no word/document.xml", "docx-unreadable")
            texts = _Comments()
            if "word/comments.xml" in names:
                reader.parse("word/comments.xml", texts)
            threads = _Threads()
            if "word/commentsExtended.xml" in names:
                reader.parse("word/commentsExtended.xml", threads)
            body = _Body(texts.found, reader, threads.replies(texts.para_ids))
            reader.parse("word/document.xml", body)
            custom = _Custom()
            if "docProps/custom.xml" in names:
                reader.parse("docProps/custom.xml", custom)
    return Reviewed(custom.document, tuple(body.finish()), body.claim_bookmarks)


class _Handler:
    """What one part's XML events do; ``stack`` holds the names of the open elements."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.where: Callable[[], int] = lambda: 1  # the line being read
        self.refuse: Callable[[str], SynthdocError] = lambda message: SynthdocError.single("", message, "docx")

    def start(self, tag: str, attrs: dict[str, str]) -> None: ...

    def end(self, tag: str) -> None: ...

    def text(self, text: str) -> None: ...


class _Reader:
    """Each part of the archive, decompressed a piece at a time and fed to expat within the limits."""

    def __init__(self, archive: zipfile.ZipFile, shown: str) -> None:
        self.archive = archive
        self.shown = shown
        self.total = 0

    def refuse(self, part: str, line: int, message: str, code: str = "docx-too-large") -> SynthdocError:
        return SynthdocError.single(self.shown, f"{part}, line {line}: {message}", code)

    def parse(self, part: str, handler: _Handler) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        stack = handler.stack
        handler.where = lambda: parser.CurrentLineNumber
        handler.refuse = lambda message: self.refuse(part, parser.CurrentLineNumber, message)

        def start(name: str, attrs: dict[str, str]) -> None:
            if len(stack) >= MAX_DEPTH:
                raise self.refuse(part, parser.CurrentLineNumber, f"elements nest more than {MAX_DEPTH:,} deep; "
                                  "Word never writes that", "docx-unreadable")
            tag = "{" + name if "}" in name else name
            handler.start(tag, {"{" + k if "}" in k else k: v for k, v in attrs.items()} if attrs else attrs)
            stack.append(tag)

        def end(name: str) -> None:
            handler.end(stack.pop())

        def doctype(*_: object) -> None:
            raise self.refuse(part, parser.CurrentLineNumber, "the XML declares a document type (with entities); "
                              "Word never writes one", "docx-unreadable")

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = handler.text
        parser.StartDoctypeDeclHandler = doctype
        size = 0
        try:
            with self.archive.open(part) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    self.total += len(chunk)
                    if size > MAX_PART_BYTES:
                        raise self.refuse(part, parser.CurrentLineNumber, f"more than {MAX_PART_BYTES / 1e6:,.0f} MB "
                                          "once decompressed; synthdoc reads no larger part")
                    if self.total > MAX_TOTAL_BYTES:
                        raise self.refuse(part, parser.CurrentLineNumber, f"the parts read come to more than "
                                          f"{MAX_TOTAL_BYTES / 1e6:,.0f} MB once decompressed; synthdoc reads no more")
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise self.refuse(part, exc.lineno, f"not well-formed XML ({expat.ErrorString(exc.code)}, column "
                              f"{exc.offset + 1})", "docx-unreadable") from None
        except LookupError as exc:  # expat asks Python for an encoding it does not know itself
            raise self.refuse(part, parser.CurrentLineNumber, f"the XML declares an encoding synthdoc cannot read "
                              f"({exc}); Word writes UTF-8", "docx-unreadable") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
            raise self.refuse(part, parser.CurrentLineNumber, f"cannot be decompressed ({exc})",
                              "docx-unreadable") from None
        except RuntimeError as exc:  # zipfile: an encrypted part
            if isinstance(exc, RecursionError):
                raise
            raise self.refuse(part, 1, f"cannot be read ({exc})", "docx-unreadable") from None


class _Comments(_Handler):
    """``word/comments.xml``: each comment's author, date and text (its paragraphs, one a line)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, tuple[str, str, str]] = {}
        self.para_ids: dict[str, str] = {}  # comment id -> w14:paraId of its last paragraph (Word's threads)
        self.comment: tuple[str, str, str] | None = None
        self.paragraphs: list[list[str]] = []  # the open paragraphs of the comment, innermost last
        self.done: list[str] = []
        self.kept = 0  # characters kept of the comment's text
        self.length = 0  # characters the comment's text has
        self.in_text = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{W}comment":
            if len(self.found) >= MAX_REMARKS:
                raise self.refuse(f"more than {MAX_REMARKS:,} comments")
            self.comment = (attrs.get(f"{W}id", ""), attrs.get(f"{W}author", "")[:MAX_NAME],
                            attrs.get(f"{W}date", "")[:MAX_NAME])
            self.paragraphs, self.done, self.kept, self.length = [], [], 0, 0
        elif self.comment is not None and tag == f"{W}p":
            self.paragraphs.append([])
            if f"{W14}paraId" in attrs:
                self.para_ids[self.comment[0]] = attrs[f"{W14}paraId"][:MAX_NAME]
        elif tag == f"{W}t":
            self.in_text = True

    def text(self, text: str) -> None:
        if self.in_text and self.paragraphs:
            self.length += len(text)
            if self.kept <= MAX_SHOWN:
                self.paragraphs[-1].append(text[:MAX_SHOWN + 1])
                self.kept += min(len(text), MAX_SHOWN + 1)

    def end(self, tag: str) -> None:
        if tag == f"{W}t":
            self.in_text = False
        elif tag == f"{W}p" and self.paragraphs:
            words = " ".join("".join(self.paragraphs.pop()).split())
            if words:
                self.done.append(words)
        elif tag == f"{W}comment" and self.comment is not None:
            ident, author, date = self.comment
            self.found[ident] = (author, date, cut("\n".join(self.done), self.length))
            self.comment = None


class _Threads(_Handler):
    """``word/commentsExtended.xml`` as Word writes it: a reply names the last paragraph of the comment it
    answers (``w15:paraIdParent``), each comment by its own last paragraph (``w15:paraId``)."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[str, str] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{W15}commentEx" and f"{W15}paraIdParent" in attrs:
            if len(self.parents) >= MAX_REMARKS:
                raise self.refuse(f"more than {MAX_REMARKS:,} replies")
            self.parents[attrs.get(f"{W15}paraId", "")[:MAX_NAME]] = attrs[f"{W15}paraIdParent"][:MAX_NAME]

    def replies(self, para_ids: dict[str, str]) -> dict[str, str]:
        """Each reply's comment id -> the id of the comment it answers."""
        comment_of = {para: ident for ident, para in para_ids.items()}
        out = {}
        for ident, para in para_ids.items():
            parent = comment_of.get(self.parents.get(para, ""))
            if parent is not None and parent != ident:
                out[ident] = parent
        return out


class _Custom(_Handler):
    """``docProps/custom.xml``: the synthdoc document the file was built as."""

    def __init__(self) -> None:
        super().__init__()
        self.document: str | None = None
        self.inside = False
        self.pieces: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_CUSTOM}property" and attrs.get("name") == DOCUMENT_PROPERTY:
            self.inside, self.pieces = True, []

    def text(self, text: str) -> None:
        if self.inside and sum(map(len, self.pieces)) < MAX_NAME:
            self.pieces.append(text[:MAX_NAME])

    def end(self, tag: str) -> None:
        if tag == f"{_CUSTOM}property" and self.inside:
            self.inside = False
            self.document = "".join(self.pieces).strip()[:MAX_NAME] or None


class _Log:
    """The document's text, in pieces of a few thousand characters, read back by character offsets."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.starts: list[int] = []
        self.pending: list[str] = []
        self.pending_start = 0
        self.size = 0

    def add(self, text: str) -> None:
        self.pending.append(text)
        self.size += len(text)
        if self.size - self.pending_start >= 4096:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.chunks.append("".join(self.pending))
            self.starts.append(self.pending_start)
            self.pending, self.pending_start = [], self.size

    def between(self, start: int, end: int) -> str:
        self.flush()
        end = min(end, start + MAX_SHOWN + 1)
        out, i = [], max(bisect_left(self.starts, start + 1) - 1, 0)
        while i < len(self.chunks) and self.starts[i] < end:
            first = self.starts[i]
            out.append(self.chunks[i][max(start - first, 0):end - first])
            i += 1
        return "".join(out)


@dataclass
class _Open:
    """A remark being read: where its text starts and ends in the log, the claim bookmarks open as it began."""

    remark: Remark
    start: int
    line: int
    bookmarks: list[int]
    end: int | None = None
    ident: str = ""  # a comment's id


class _Body(_Handler):
    """``word/document.xml``: paragraphs, claim bookmarks, comment ranges and tracked changes, in order."""

    def __init__(self, comments: dict[str, tuple[str, str, str]], reader: _Reader,
                 replies: dict[str, str] | None = None) -> None:
        super().__init__()
        self.comments = comments
        self.replies = replies or {}  # a reply's comment id -> the id of the comment it answers
        self.reader = reader
        self.log = _Log()
        self.claims: list[list] = []  # each claim or bibliography entry bookmark: [start, end or None, name]
        self.open_claims: dict[str, int] = {}  # open claim bookmarks: id -> index in self.claims
        self.open: dict[str, _Open] = {}  # comments whose range is open
        self.changes: list[_Open | None] = []  # per open element: the tracked change it opened, if any
        self.anchors: list[tuple[int, str] | None] = []  # per open element: a citation link it opened, if any
        self.links: list[tuple[int, int, str]] = []  # each citation's text: start, end, the work's key
        self.seen: set[str] = set()
        self.remarks: list[_Open] = []
        self.paragraphs: list[tuple[Paragraph, list[str], int]] = []  # open paragraphs: their text so far
        self.outside = Paragraph("")
        self.heading = ""
        self.claim_bookmarks = 0
        self.skip = 0  # depth of the properties element being skipped (0: none)
        self.in_text = False

    @property
    def paragraph(self) -> Paragraph:
        return self.paragraphs[-1][0] if self.paragraphs else self.outside

    def remark(self, kind: str, author: str, date: str, text: str, ident: str = "") -> _Open:
        if len(self.remarks) >= MAX_REMARKS:
            raise self.refuse(f"more than {MAX_REMARKS:,} comments and tracked changes; accept or reject some "
                              "and try again")
        if len(self.open_claims) > MAX_PLACES:
            self.too_many()
        item = _Open(Remark(kind, author[:MAX_NAME], date[:MAX_NAME], text, paragraph=self.paragraph),
                     self.log.size, self.where(), list(self.open_claims.values()), ident=ident)
        self.remarks.append(item)
        return item

    def too_many(self, line: int | None = None) -> None:
        raise self.reader.refuse("word/document.xml", line or self.where(), f"a comment or tracked change here "
                                 f"covers more than {MAX_PLACES:,} claims; comment on a smaller part of the text")

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.skip:
            if tag == f"{W}pStyle" and self.paragraphs and self.stack[-2:] == [f"{W}p", f"{W}pPr"]:
                self.paragraph.style = attrs.get(f"{W}val", "")[:MAX_NAME]
            return
        if tag in _PROPERTIES:
            self.skip = len(self.stack) + 1
            return
        self.changes.append(None)
        self.anchors.append(None)
        ident = attrs.get(f"{W}id", "")
        if tag == f"{W}bookmarkStart":
            name = attrs.get(f"{W}name", "")[:MAX_NAME]
            claim = digest_of(name) is not None
            if claim or entry_of(name) is not None:
                if len(self.claims) >= MAX_CLAIM_BOOKMARKS:
                    raise self.refuse(f"more than {MAX_CLAIM_BOOKMARKS:,} claim and bibliography bookmarks")
                self.claim_bookmarks += claim
                self.open_claims[ident] = len(self.claims)
                self.claims.append([self.log.size, None, name])
            else:
                self.open_claims.pop(ident, None)
        elif tag == f"{W}bookmarkEnd":
            index = self.open_claims.pop(ident, None)
            if index is not None:
                self.claims[index][1] = self.log.size
        elif tag in (f"{W}commentRangeStart", f"{W}commentReference"):
            if ident in self.comments and ident not in self.seen:
                self.seen.add(ident)
                item = self.remark("comment", *self.comments[ident], ident=ident)
                if tag == f"{W}commentRangeStart":
                    self.open[ident] = item
                else:
                    item.end = item.start  # a comment without a range: on the place it stands
        elif tag == f"{W}commentRangeEnd":
            item = self.open.pop(ident, None)
            if item is not None:
                item.end = self.log.size
        elif tag in (f"{W}t", f"{W}delText"):
            self.in_text = True
        elif tag in (f"{W}tab", f"{W}br"):
            self.add(" ")
        elif tag == f"{W}p":
            self.paragraphs.append((Paragraph("", heading=self.heading), [], 0))
        elif tag in (f"{W}ins", f"{W}del"):
            kind = "insertion" if tag == f"{W}ins" else "deletion"
            self.changes[-1] = self.remark(kind, attrs.get(f"{W}author", ""), attrs.get(f"{W}date", ""), "")
        elif tag == f"{W}hyperlink" and (key := entry_of(attrs.get(f"{W}anchor", "")[:MAX_NAME])) is not None:
            self.anchors[-1] = (self.log.size, key)

    def end(self, tag: str) -> None:
        if self.skip:
            if len(self.stack) + 1 == self.skip:
                self.skip = 0
            return
        change = self.changes.pop()
        if change is not None:
            change.end = self.log.size
        anchor = self.anchors.pop()
        if anchor is not None and anchor[0] < self.log.size:
            if len(self.links) >= MAX_LINKS:
                raise self.refuse(f"more than {MAX_LINKS:,} citations linked to the bibliography")
            self.links.append((anchor[0], self.log.size, anchor[1]))
        if tag in (f"{W}t", f"{W}delText"):
            self.in_text = False
        elif tag == f"{W}p" and self.paragraphs:
            paragraph, pieces, _ = self.paragraphs.pop()
            paragraph.text = " ".join("".join(pieces).split())
            self.log.add("\n")  # a paragraph's end: what ends one paragraph does not touch the next
            if _is_heading(paragraph.style):
                self.heading = paragraph.heading = paragraph.text

    def text(self, text: str) -> None:
        if self.in_text and not self.skip and text:
            self.add(text)

    def add(self, text: str) -> None:
        self.log.add(text)
        if self.paragraphs:
            paragraph, pieces, kept = self.paragraphs[-1]
            if kept <= MAX_SHOWN:
                pieces.append(text[:MAX_SHOWN + 1])
                self.paragraphs[-1] = (paragraph, pieces, kept + len(pieces[-1]))

    def finish(self) -> list[Remark]:
        """Each remark with the text it covers and the claim bookmarks over that text."""
        size = self.log.size
        covering = [(start, i) for i, (start, end, _) in enumerate(self.claims)
                    if (size if end is None else end) > start]
        starts = [start for start, _ in covering]
        link_starts = [start for start, _, _ in self.links]
        by_id = {item.ident: item for item in self.remarks if item.ident}
        for ident, parent in self.replies.items():  # a reply Word wrote without a range of its own
            if ident not in by_id and parent in by_id and ident in self.comments:
                first = by_id[parent]
                item = self.remark("comment", *self.comments[ident], ident=ident)
                item.start, item.end, item.bookmarks, item.remark.paragraph = (first.start, first.end,
                                                                               first.bookmarks, first.remark.paragraph)
                by_id[ident] = item
        self.remarks.sort(key=lambda item: item.start)
        out = []
        for item in self.remarks:
            end = size if item.end is None else item.end
            lo, hi = bisect_left(starts, item.start), bisect_left(starts, end)
            if hi - lo > MAX_PLACES:
                self.too_many(item.line)
            chosen = dict.fromkeys([*item.bookmarks, *(i for _, i in covering[lo:hi])])
            if not chosen and (item.remark.kind == "insertion" or item.start == end):
                # Typed at a sentence's start, or a comment on the point where it begins: Word and LibreOffice
                # put the new text before the sentence's bookmarks, which open where it ends.
                chosen = dict.fromkeys(i for _, i in covering[hi:bisect_right(starts, end)])
            if len(chosen) > MAX_PLACES:
                self.too_many(item.line)
            remark = item.remark
            remark.bookmarks = list(dict.fromkeys(self.claims[i][2] for i in chosen))
            remark.anchored = cut(self.log.between(item.start, end), end - item.start)
            remark.citations = self.cited(link_starts, item.start, end)
            parent = by_id.get(self.replies.get(item.ident, ""))
            remark.reply_to = parent.remark if parent is not None else None
            out.append(remark)
        return out

    def cited(self, link_starts: list[int], start: int, end: int) -> list[str]:
        """The works whose citations are all the text from ``start`` to ``end`` holds, besides spaces and
        punctuation (the keys of their entries); none when it holds more, or no citation."""
        if end - start > MAX_CITATION:
            return []
        text = self.log.between(start, end)
        keys: list[str] = []
        at = start  # where the text not yet looked at begins
        i = max(bisect_right(link_starts, start) - 1, 0)
        while i < len(self.links) and (self.links[i][0] < end or self.links[i][0] == start == end):
            first, last, key = self.links[i]
            i += 1
            if last <= start:
                continue
            if len(keys) >= MAX_CLUSTER or _WORDS.search(text, at - start, max(first - start, at - start)):
                return []
            keys.append(key)
            at = max(at, last)
        if _WORDS.search(text, min(at - start, len(text))):
            return []
        return list(dict.fromkeys(keys))


def _is_heading(style: str) -> bool:
    lowered = style.lower().replace(" ", "")
    return lowered.startswith("heading") or lowered == "title"
