"""A tolerant BibTeX/BibLaTeX splitter: each entry with its line and column, and each malformed
entry as a problem at its own place with what to do — so that one bad entry (an OJS key with
spaces, a missing comma, an unbalanced brace) does not take the whole file with it.

The well-formed entries are written out again and converted by pandoc, which stays the one
converter to CSL JSON; this module only finds where entries are and whether pandoc can read them.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

_ENTRY = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])")
# The start of a line that begins an entry: an unclosed brace never runs past it.
_LINE_ENTRY = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t\r\n]*[{(]")
_NAME = re.compile(r"[A-Za-z_][\w\-:.+/]*")
MAX_EXPANDED = 1_000_000  # characters one value may expand to, its @strings replaced
MAX_EXPANDED_FILE = 20_000_000  # characters all @strings named in a file may stand for
_MACRO = re.compile(r"[A-Za-z_][\w\-:.+/]*|\d+")
_FIELD_AHEAD = re.compile(r"[ \t\r\n]*,?[ \t\r\n]*([A-Za-z_][\w\-:.+/]*)[ \t\r\n]*=")
_KEY_BAD = set('{}"#%\\~,')
_CLOSE = {"{": "}", "(": ")"}


@dataclass(frozen=True)
class Field:
    name: str  # lowercase
    raw: str  # the value as written: {…}, "…", a number, a macro, or parts joined by #
    line: int

    @property
    def text(self) -> str:
        """The value without its outer braces or quotes (for looking at, not for converting)."""
        value = self.raw.strip()
        if len(value) >= 2 and value[0] + value[-1] in ("{}", '""'):
            value = value[1:-1]
        return value


@dataclass(frozen=True)
class Entry:
    kind: str  # lowercase entry type: article, phdthesis, …
    key: str
    line: int
    col: int
    fields: tuple[Field, ...]

    def get(self, name: str) -> str | None:
        for f in self.fields:
            if f.name == name:
                return f.text
        return None

    def source(self, replace: dict[str, str | None] | None = None) -> str:
        """The entry written out again, with the fields in ``replace`` set (or dropped when None)."""
        replace = replace or {}
        lines = [f"  {f.name} = {f.raw}," for f in self.fields if f.name not in replace]
        lines += [f"  {name} = {{{value}}}," for name, value in replace.items() if value is not None]
        body = "\n".join(lines)
        return f"@{self.kind}{{{self.key},\n{body}\n}}\n"


@dataclass(frozen=True)
class Problem:
    line: int
    col: int
    message: str
    key: str | None = None  # the entry's key, when it could be read


@dataclass
class Scan:
    entries: list[Entry] = field(default_factory=list)
    macros: list[str] = field(default_factory=list)  # @string and @preamble, as written
    problems: list[Problem] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, pos: int, message: str):
        super().__init__(message)
        self.pos, self.message = pos, message


@dataclass
class Expansions:
    """What a file's @strings expand to, carried from one part of the file to the next when the parts are
    split one by one (:class:`Index`), so that @strings doubling across parts are counted as in one split."""

    sizes: dict[str, int] = field(default_factory=dict)  # each @string's name (lowercase): its value's length
    total: int = 0  # characters the @strings named by the values read so far stand for


class _Splitter:
    def __init__(self, text: str, first_line: int = 1, expansions: Expansions | None = None):
        self.text = text
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.expansions = expansions if expansions is not None else Expansions()
        self.size = 0  # characters the last value read expands to

    def where(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, pos)
        return line + self.first_line - 1, pos - self.starts[line - 1] + 1

    def bound(self, pos: int) -> int:
        """Where the next entry's line begins after ``pos`` (or the end of the text)."""
        m = _LINE_ENTRY.search(self.text, pos)
        return m.start() + 1 if m else len(self.text)

    def skip_space(self, i: int, end: int) -> int:
        while i < end and self.text[i].isspace():
            i += 1
        return i

    def problem(self, pos: int, message: str, key: str | None = None) -> Problem:
        return Problem(*self.where(pos), message, key)

    def braced(self, i: int, end: int, what: str) -> int:
        """The position after the '}' matching the '{' at ``i``."""
        depth = 0
        for j in range(i, end):
            c = self.text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return j + 1
        raise _Bad(i, f"unbalanced brace: the '{{' that opens {what} is never closed; add the missing '}}' "
                   "at the end of the value")

    def quoted(self, i: int, end: int, what: str) -> int:
        depth = 0
        for j in range(i + 1, end):
            c = self.text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    raise _Bad(j, f"unbalanced brace: a '}}' in {what} closes no '{{'; remove it or add its '{{'")
            elif c == '"' and depth == 0:
                return j + 1
        raise _Bad(i, f"the '\"' that opens {what} is never closed; add the missing '\"'")

    def value(self, i: int, end: int, what: str) -> int:
        """The position after a field's value (parts joined by '#'). What the value expands to, with each
        @string it names replaced, is counted: a file of @strings that each double the one before would
        make pandoc build text of 2^N characters (MAX_EXPANDED for one value, MAX_EXPANDED_FILE in all)."""
        start, self.size, named = i, 0, 0
        while True:
            i = self.skip_space(i, end)
            if i >= end:
                raise _Bad(i, f"{what} has no value; write it as name = {{value}}")
            c = self.text[i]
            if c == "{":
                j, i = i, self.braced(i, end, what)
                self.size += i - j - 2
            elif c == '"':
                j, i = i, self.quoted(i, end, what)
                self.size += i - j - 2
            elif m := _MACRO.match(self.text, i):
                i = m.end()
                length = self.expansions.sizes.get(m.group().lower(), len(m.group()))
                named += length
                self.size += length
            else:
                raise _Bad(i, f"{what} has no value here; write it as name = {{value}}")
            if self.size > MAX_EXPANDED:
                raise _Bad(start, f"{what} expands to more than {MAX_EXPANDED:,} characters with its @strings "
                           "replaced (@strings that repeat each other?)")
            j = self.skip_space(i, end)
            if j < end and self.text[j] == "#":
                i = j + 1
                continue
            self.expansions.total += named
            if self.expansions.total > MAX_EXPANDED_FILE:
                raise _Bad(start, f"the @strings named up to here stand for more than {MAX_EXPANDED_FILE:,} "
                           "characters in all (@strings that repeat each other?)")
            return i


def split(text: str, first_line: int = 1, expansions: Expansions | None = None) -> Scan:
    """Every entry of a BibTeX/BibLaTeX file, or the problem that keeps it from being read (``text`` may
    be a part of a file that begins a line: ``first_line`` is that line's number, ``expansions`` what the
    @strings of the parts before it expand to)."""
    s = _Splitter(text, first_line, expansions)
    scan = Scan()
    pos = 0
    while True:
        m = _ENTRY.search(text, pos)
        if m is None:
            break
        # '%' starts a comment outside entries (as in pandoc and biber): an '@' in it is no entry
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "%" in text[line_start:m.start()]:
            pos = m.end()
            continue
        kind, opener = m.group(1).lower(), m.group(2)
        end = s.bound(m.end())
        closer = _CLOSE[opener]
        if kind == "comment":
            try:
                pos = s.braced(m.end() - 1, end, "the comment") if opener == "{" else end
            except _Bad:
                pos = end
            continue
        if kind in ("string", "preamble"):
            try:
                close = _close(s, s.value(m.end(), end, f"@{kind}") if kind == "preamble"
                               else _string_value(s, m.end(), end), end, closer)
            except _Bad as bad:
                scan.problems.append(s.problem(bad.pos, f"@{kind}: {bad.message}"))
                pos = end
                continue
            scan.macros.append(text[m.start():close])
            pos = close
            continue
        pos = _entry(s, scan, m, kind, closer, end)
    return scan


def _close(s: _Splitter, i: int, end: int, closer: str) -> int:
    i = s.skip_space(i, end)
    if i >= end or s.text[i] != closer:
        raise _Bad(i, f"expected '{closer}' here")
    return i + 1


def _string_value(s: _Splitter, i: int, end: int) -> int:
    i = s.skip_space(i, end)
    name = _NAME.match(s.text, i)
    if not name:
        raise _Bad(i, "write it as @string{name = {value}}")
    i = s.skip_space(name.end(), end)
    if i >= end or s.text[i] != "=":
        raise _Bad(i, "write it as @string{name = {value}}")
    after = s.value(i + 1, end, f"@string '{name.group()}'")
    s.expansions.sizes[name.group().lower()] = s.size
    return after


def _entry(s: _Splitter, scan: Scan, m: re.Match[str], kind: str, closer: str, end: int) -> int:
    """Read one entry into ``scan`` (or its problem); the position after it."""
    text = s.text
    start = s.skip_space(m.end(), end)
    key_end = start
    while key_end < end and text[key_end] not in ",\n" + closer:
        key_end += 1
    key = text[start:key_end].strip()
    line, col = s.where(m.start())
    if not key or "=" in key:
        scan.problems.append(s.problem(start, f"this @{kind} entry has no key: write one after '@{kind}{{', "
                                       f"followed by a comma (e.g. @{kind}{{Amalia2025,)"))
        return end
    if any(c.isspace() for c in key):
        fixed = re.sub(r"\s+", "-", key)
        scan.problems.append(s.problem(start, f"the key '{key}' has spaces, which a BibTeX key cannot have "
                                       f"(journal sites running OJS export such keys): replace them, e.g. "
                                       f"'{fixed}', here and where claims cite it", key))
        return end
    if bad := sorted({c for c in key if c in _KEY_BAD}):
        scan.problems.append(s.problem(start, f"the key '{key}' has {' '.join(repr(c) for c in bad)}, which a "
                                       "BibTeX key cannot have: use letters, digits and - _ : . only", key))
        return end
    i = key_end
    if i >= end or text[i] == "\n":
        ahead = _FIELD_AHEAD.match(text, i)
        if ahead and i < end:
            scan.problems.append(s.problem(key_end, f"missing comma after the key '{key}': add ',' after it", key))
        else:
            scan.problems.append(s.problem(m.start(), f"entry '{key}' is not closed: add '{closer}' at its end", key))
        return end
    fields: list[Field] = []
    try:
        if text[i] == ",":
            i += 1
        while True:
            i = s.skip_space(i, end)
            if i < end and text[i] == closer:
                i += 1
                break
            if i < end and text[i] == "%":  # a comment line inside the entry
                i = text.find("\n", i, end) if "\n" in text[i:end] else end
                continue
            if i >= end:
                raise _Bad(m.start(), f"entry '{key}' is not closed: add '{closer}' after its last field")
            name = _NAME.match(text, i)
            if not name:
                raise _Bad(i, f"unexpected '{text[i]}' in entry '{key}': a field is written name = {{value}}")
            name_pos, j = i, s.skip_space(name.end(), end)
            if j >= end or text[j] != "=":
                raise _Bad(j, f"expected '=' after the field name '{name.group()}'")
            what = f"the field '{name.group()}'"
            value_start = s.skip_space(j + 1, end)
            value_end = s.value(j + 1, end, what)
            raw = text[value_start:value_end]
            fields.append(Field(name.group().lower(), raw, s.where(name_pos)[0]))
            i = s.skip_space(value_end, end)
            if i < end and text[i] == ",":
                i += 1
            elif i < end and text[i] == closer:
                i += 1
                break
            elif _FIELD_AHEAD.match(text, i):
                raise _Bad(value_end, f"missing comma after {what}: add ',' at the end of its value")
            else:
                # a value that swallowed the fields after it: its '{' was never closed
                swallowed = re.search(r"\n[ \t]*([A-Za-z_][\w\-]*)[ \t]*=", raw)
                if swallowed and raw.startswith("{"):
                    next_line = s.where(value_start + swallowed.start(1))[0]
                    raise _Bad(value_start, f"unbalanced brace: the '{{' that opens {what} is not closed before "
                               f"the field '{swallowed.group(1)}' on line {next_line}; add the missing '}}'")
                raise _Bad(i if i < end else m.start(), f"unexpected {repr(text[i]) if i < end else 'end'} after "
                           f"{what} in entry '{key}': fields are separated by ',' and the entry ends with '{closer}'")
    except _Bad as bad:
        scan.problems.append(s.problem(bad.pos, bad.message, key))
        return end
    # Text after the close that reads as more fields: a '}' too many closed the entry early.
    ahead = _FIELD_AHEAD.match(text, i)
    if ahead and not text[i:ahead.start(1)].strip().startswith("@"):
        line_of = s.where(ahead.start(1))[0]
        scan.problems.append(s.problem(i - 1, f"entry '{key}' ends here, but its field '{ahead.group(1)}' follows "
                                       f"on line {line_of}: a '}}' too many? remove it", key))
        return end
    scan.entries.append(Entry(kind, key, line, col, tuple(fields)))
    return i


# ---- An index of a whole library, for reading only the entries a project cites ------------------

_KEY_AT = re.compile(r"\s*([^,\n]*)")
# _ENTRY, and _KEY_AT's key after it (group 3), looked at without being taken: each '@type{' is still found.
_ENTRY_AHEAD = re.compile(_ENTRY.pattern + r"(?=" + _KEY_AT.pattern + ")")
# The first line of a part that is one plainly well-formed entry, up to its key (_ENTRY, then _KEY_AT).
_PLAIN_HEAD = re.compile(r"[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t\r\n]*\{\s*([^,\n]*)")
_NOT_ENTRIES = ("comment", "string", "preamble")


# An entry the splitter reads without a problem, in the plain form libraries export: a key, fields
# separated by commas, values in braces (nested up to four deep), plain quotes, numbers or @string names.
# A part that matches is well formed as it stands; any other part is split to find its problem.
# Written with possessive quantifiers and braces' contents unrolled (a run of other characters, then a
# nested group and another run), which the matcher takes 30% faster than atomic groups around alternatives.
_BRACED = (r"\{[^{}]*+(?:\{[^{}]*+(?:\{[^{}]*+(?:\{[^{}]*+\}[^{}]*+)*+\}[^{}]*+)*+\}[^{}]*+)*+\}")
_PART = rf"(?:{_BRACED}|\"[^\"{{}}]*+\"|\d++|[A-Za-z_][\w\-:.+/]*+)"
_VALUE = rf"{_PART}(?:\s*+#\s*+{_PART})*+"
_FIELD = rf"[A-Za-z_][\w\-:.+/]*+\s*+=\s*+{_VALUE}"
_WELL_FORMED = re.compile(rf"[ \t]*+@[ \t]*+[A-Za-z][\w-]*+[ \t\r\n]*+\{{\s*+[^\s,{{}}\"#%\\~=()]++[ \t]*+,"
                          rf"(?:\s*+{_FIELD}\s*+,)*+(?:\s*+{_FIELD})?+\s*+\}}\s*+")


@dataclass
class Index:
    """Where every entry of a file stands, and every entry's problem, without splitting the entries
    that are well formed: each key's part of the file, to be split and converted when it is cited.

    A part runs from the start of a line that begins an entry to the next such line: the splitter
    never reads an entry past that line, so each part splits as it does within the file."""

    text: str
    bounds: list[int] = field(default_factory=list)  # where each part starts, and where the last one ends
    lines: list[int] = field(default_factory=list)  # the line each part starts on
    keys: list[tuple[str, int, int]] = field(default_factory=list)  # of entries read well: key, line, part
    plain: list[int] = field(default_factory=list)  # the parts that are one plainly well-formed entry
    macros: list[int] = field(default_factory=list)  # the parts holding @string or @preamble
    problems: list[Problem] = field(default_factory=list)  # of every entry, in the file's order
    scans: dict[int, Scan] = field(default_factory=dict)  # the parts split so far
    # What the @strings expand to: the parts holding them are split in the file's order by index().
    expansions: Expansions = field(default_factory=Expansions)
    verified: bool = True  # each part in ``plain`` is known to be one (index() without verify: not yet)

    def verify(self) -> bool:
        """Whether each part taken for one plainly well-formed entry is one: then this index is the one
        ``index(text)`` makes (which splits every other part, as this one did), and is marked verified."""
        if not self.verified:
            self.verified = all(_WELL_FORMED.fullmatch(self.text, self.bounds[n], self.bounds[n + 1])
                                for n in self.plain)
        return self.verified

    def part(self, number: int) -> str:
        return self.text[self.bounds[number]:self.bounds[number + 1]]

    def plain_digests(self) -> list[bytes]:
        """The digest of each part that is one plainly well-formed entry (:func:`part_digest`)."""
        return [part_digest(self.part(n).encode()) for n in self.plain]

    def outline(self, read: Collection[str]) -> str:
        """:func:`outline`'s digest of this file, from where its index found its entries: no part is
        matched or hashed again, and a plain part not read is not even encoded."""
        made = _Outline(read)
        plain = set(self.plain)
        keys = {number: key for key, _, number in self.keys if number in plain}
        # each part's line feeds: from the line the next part starts on (the last part's, counted)
        newlines = [b - a for a, b in pairwise(self.lines)] + [self.text.count("\n", self.bounds[-2])]
        for number, count in enumerate(newlines):
            key = keys.get(number)
            if made.stands_for(key):
                made.key(key, count)
            else:
                made.part(self.part(number).encode())
        return made.total.hexdigest()

    def split(self, number: int) -> Scan:
        if number not in self.scans:
            self.scans[number] = split(self.part(number), self.lines[number], self.expansions)
        return self.scans[number]


def _bounds(text: str) -> list[int]:
    """Where each part of a file starts (at a line that begins an entry), and the file's end."""
    return [0] + [m.start() + 1 for m in _LINE_ENTRY.finditer(text)] + [len(text)]


def _plain_key(text: str, start: int, end: int, m: re.Match[str], match: bool = True) -> str | None:
    """The key of the part ``text[start:end]`` (whose one '@type{' is ``m``) when the part is one entry in the
    plain form libraries export, which the splitter reads as it stands; else None. Without ``match``, the part
    is not matched with _WELL_FORMED, only seen to start with its entry (blanks before it, as every part
    _WELL_FORMED matches does): the key of a part that may be one (:meth:`Index.verify`)."""
    if m.group(1).lower() in _NOT_ENTRIES or m.group(2) != "{":
        return None
    at = m.start()
    if not (_WELL_FORMED.fullmatch(text, start, end) if match else at == start or not text[start:at].strip(" \t")):
        return None
    if m.re is _ENTRY_AHEAD and m.end(3) <= end:  # the key _KEY_AT finds, looked at by the entry's own match
        return _first_line_key(m.group(3))
    header = _KEY_AT.match(text, m.end(), end)
    return _first_line_key(header.group(1)) if header else ""


def _first_line_key(after: str) -> str:
    """The key in what follows an entry's '@type{' on its first line, up to a comma."""
    return after.split("}")[0].strip()


def index(text: str, verify: bool = True) -> Index:
    """Every entry's key, line and problem, by the lines that begin entries (``@type{key,``). A part
    where anything else could begin an entry (two on one line, an '@type{' inside a value) or that is not
    plainly well formed is split here, so that its keys and problems are the splitter's; every other
    part's key is read from its first line. The same keys and problems as :func:`split` of the file.

    Without ``verify``, a part that is one entry and starts with it is taken for plainly well formed without
    matching it: the index is this one once :meth:`Index.verify` finds that each such part is (the matching,
    most of the work, can then be done while the cited entries are converted)."""
    bounds = _bounds(text)
    # each '@type{' in the file: part by part, in order (without verify, with what follows it on its line)
    entries = list((_ENTRY if verify else _ENTRY_AHEAD).finditer(text))
    starts = [m.start() for m in entries] + [len(text) + 1]  # (after the last, one past the end)
    result = Index(text, bounds, verified=verify)
    keys, plain, lines = result.keys, result.plain, result.lines
    newlines = text.count
    line, first, previous = 1, 0, 0
    for number, end in enumerate(bounds[1:]):
        start = bounds[number]
        line += newlines("\n", previous, start)
        previous = start
        lines.append(line)
        if starts[first] >= end:
            continue  # no entry begins in this part
        if starts[first + 1] >= end:  # one entry
            m = entries[first]
            first += 1
            if m.group(1).lower() == "comment" and not text[start:m.start()].strip():
                continue
            key = _plain_key(text, start, end, m, verify)
            if key is not None:
                keys.append((key, line, number))
                plain.append(number)
                continue
        else:
            while starts[first] < end:
                first += 1
        scan = result.split(number)
        if scan.macros:
            result.macros.append(number)
        keys += [(e.key, e.line, number) for e in scan.entries]
        result.problems += scan.problems
    return result


# ---- An index kept between builds (library.keep_read), by the bytes it was made of -----------------


def index_dump(made: Index) -> dict[str, Any]:
    """An index as JSON values, for :func:`index_from`."""
    return {"bounds": made.bounds, "lines": made.lines, "keys": made.keys, "plain": made.plain,
            "macros": made.macros, "problems": [[p.line, p.col, p.message, p.key] for p in made.problems],
            "split": list(made.scans)}


def index_from(text: str, made: dict[str, Any]) -> Index | None:
    """The index :func:`index_dump` gave (``made``) of ``text``, as ``index(text)`` makes it: the parts it split are
    split again, in its order (what @strings expand to is carried from one to the next); None when it is not
    one (a file cut short, spoilt, or written by other code)."""
    try:
        bounds, lines, plain, macros, split_parts = (made[name] for name in ("bounds", "lines", "plain", "macros",
                                                                             "split"))
        keys = [(k, line, n) for k, line, n in made["keys"]]
        problems = made["problems"]
        parts = len(bounds) - 1
        numbers = [*bounds, *lines, *plain, *macros, *split_parts, *(v for _, line, n in keys for v in (line, n))]
        if not all(type(n) is int for n in numbers) or not all(isinstance(k, str) for k, _, _ in keys) \
                or not all(isinstance(p, list) and len(p) == 4 and type(p[0]) is int and type(p[1]) is int
                           and isinstance(p[2], str) and (p[3] is None or isinstance(p[3], str)) for p in problems) \
                or parts < 0 or bounds[0] != 0 or bounds[-1] != len(text) or len(lines) != parts or lines[0] != 1 \
                or any(b < a for a, b in pairwise(bounds)) or any(b < a for a, b in pairwise(lines)) \
                or not all(0 <= n < parts for n in (*plain, *macros, *split_parts, *(n for _, _, n in keys))):
            return None
        result = Index(text, bounds, lines, keys, plain, macros, [Problem(*p) for p in problems])
        for number in split_parts:
            result.split(number)
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return result


@functools.cache
def code_identity() -> str:
    """This module's code, by which an index is kept: one made by other code is not taken."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def part_digest(data: bytes) -> bytes:
    """A part's digest (of its UTF-8 bytes), by which a part known to be plain is recognised without reading
    it again."""
    return hashlib.blake2b(data, digest_size=16).digest()


def outline(text: str, read: Collection[str], plain: Collection[bytes] = ()) -> tuple[str, list[bytes]]:
    """What reading the entries ``read`` (their keys casefolded: those cited and those they inherit from)
    depends on in a file: every part as it stands, except an entry not read that is one plainly well-formed
    entry, which stands for its key and its number of lines only (its fields are never read). A change
    to an entry no claim cites changes nothing here, unless it moves a line or changes a key.

    Returns the digest of that, and the digests of those parts (:func:`part_digest`): a part among
    ``plain`` is known to be plainly well formed without matching it again. :meth:`Index.outline` makes
    the same digest from a file's index."""
    made = _Outline(read)
    unread: list[bytes] = []
    bounds = _bounds(text)
    for number in range(len(bounds) - 1):
        part = text[bounds[number]:bounds[number + 1]]
        data = part.encode()
        mark = part_digest(data)
        key = None
        if mark in plain:
            m = _PLAIN_HEAD.match(part)  # _ENTRY then _KEY_AT in one: a plain part starts with its entry
            key = _first_line_key(m.group(1)) if m else None
        elif "@" in part:
            matches = list(_ENTRY.finditer(part))
            key = _plain_key(part, 0, len(part), matches[0]) if len(matches) == 1 else None
        if made.stands_for(key):
            made.key(key, part.count("\n"))
            unread.append(mark)
        else:
            made.part(data)
    return made.total.hexdigest(), unread


class _Outline:
    """The digest :func:`outline` makes, one part after another."""

    def __init__(self, read: Collection[str]) -> None:
        self.read = read
        self.total = hashlib.blake2b(digest_size=20)

    def stands_for(self, key: str | None) -> bool:
        """Whether a part whose key is ``key`` (None: not one plainly well-formed entry) is outlined by its key
        and its number of lines, not by its bytes: an entry the build did not read."""
        return key is not None and key.casefold() not in self.read

    def key(self, key: str, newlines: int) -> None:
        self.total.update(b"\1%d\0%s\0" % (newlines, key.encode()))

    def part(self, data: bytes) -> None:
        self.total.update(b"\2%d\0" % len(data))
        self.total.update(data)


def macro_names(raw: str) -> set[str]:
    """The @string names a field's value uses: the bare words outside its braces and quotes."""
    names: set[str] = set()
    depth, quoted, i = 0, False, 0
    while i < len(raw):
        c = raw[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif depth == 0 and not quoted and (m := _NAME.match(raw, i)):
            names.add(m.group().lower())
            i = m.end()
            continue
        i += 1
    return names


def macro_name(source: str) -> str | None:
    """The name an ``@string{name = …}`` defines (lowercase), None for a @preamble."""
    m = re.match(r"@[ \t]*string[ \t\r\n]*[{(]\s*([A-Za-z_][\w\-:.+/]*)", source, re.IGNORECASE)
    return m.group(1).lower() if m else None


def parents(entry: Entry) -> list[str]:
    """The keys an entry inherits fields from: its ``crossref`` and its ``xdata`` entries."""
    keys = [entry.get("crossref") or "", *(entry.get("xdata") or "").split(",")]
    return [k.strip() for k in keys if k.strip()]
