"""One bibliography file, whatever a library exported, as CSL JSON items with the line of each entry.

The format is told by the content first and the extension second: BibTeX/BibLaTeX, CSL JSON, CSL
YAML (a list, or a ``references:`` mapping; comments allowed), RIS, Hayagriva YAML. pandoc converts
BibTeX, RIS and CSL YAML; CSL JSON is read as it is; Hayagriva is converted by ``hayagriva.py``.
A problem in one entry is reported at that entry, and the other entries are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core import pandoc
from ..core.cache import JsonCache, content_key
from ..core.diagnostics import SynthdocError
from ..core.yamlfile import parse_yaml
from . import bibtex, hayagriva
from .language import is_english, language_tag

BIBTEX, BIBLATEX, CSL_JSON, CSL_YAML, RIS, HAYAGRIVA = (
    "BibTeX", "BibLaTeX", "CSL JSON", "CSL YAML", "RIS", "Hayagriva YAML")
EXTENSIONS = {".bib": BIBLATEX, ".biblatex": BIBLATEX, ".bibtex": BIBTEX, ".json": CSL_JSON, ".ris": RIS,
              ".yaml": CSL_YAML, ".yml": CSL_YAML}
# How to add the language to an entry, by format (for the warning about entries without one).
LANGUAGE_FIX = {BIBTEX: "langid = {%s}", BIBLATEX: "langid = {%s}", CSL_JSON: '"language": "%s"',
                CSL_YAML: "language: %s", HAYAGRIVA: "language: %s", RIS: "LA  - %s"}
# An item's URI in a Zotero library (Zotero.URI.getItemURI), as Zotero's CSL JSON export gives it as the item's
# id: users/local/<local key> for a library never synced, users/<userID> for a synced one, groups/<groupID>.
ZOTERO_ITEM_URI = re.compile(r"^http://zotero\.org/(?:users/local/[A-Za-z0-9]+|users/[0-9]+|groups/[0-9]+)"
                              r"/items/[A-Z0-9]{8}$")
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


@dataclass
class Read:
    """What one file held: its items (keys final), each item's line, and each problem."""

    format: str
    items: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # line, col, message, code
    broken: dict[str, int] = field(default_factory=dict)  # keys of entries that could not be read: line
    thesis: dict[str, str] = field(default_factory=dict)  # key: "phd"/"masters" when the entry type says it
    # every entry's key and line, read or not (a file read for some keys only); else those of the items
    keys: list[Any] = field(default_factory=list)  # [key, line] pairs: tuples as read, lists from JSON
    uris: dict[str, str] = field(default_factory=dict)  # key: the Zotero item URI a CSL JSON export gave as id
    # Of a file read for some keys only: the keys (casefolded) of every entry read (those asked for and
    # those they inherit from), and where its entries stand (its parts that are one plainly well-formed
    # entry: bibtex.outline, what a later build depends on in the file). None: the file was read whole.
    read: list[str] | None = None
    index: bibtex.Index | None = field(default=None, repr=False, compare=False)

    def places(self) -> list[tuple[str, int]]:
        """Every entry's key and line, in the file's order."""
        if self.keys and isinstance(self.keys[0], tuple):  # as read here, not restored from JSON
            return self.keys
        if self.keys:
            return [(str(key), int(line)) for key, line in self.keys]
        return [(str(item["id"]), line) for item, line in zip(self.items, self.lines, strict=True)]

    def problem(self, line: int, col: int, message: str, code: str = "bibliography-syntax",
                key: str | None = None, severity: str = "error") -> None:
        self.problems.append({"line": line, "col": col, "message": message, "code": code, "severity": severity})
        if key is not None:
            self.broken.setdefault(key, line)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect(path: Path, text: str) -> str:
    """The file's format: by its content where that is plain, else by its extension."""
    by_extension = EXTENSIONS.get(path.suffix.lower())
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("["):
        return CSL_JSON
    if text.startswith("TY  - ") or "\nTY  - " in text:  # a line that starts a RIS record
        return RIS
    if by_extension in (BIBTEX, BIBLATEX) or (by_extension is None and re.search(r"^\s*@\w+\s*[{(]", text, re.M)):
        return by_extension or BIBLATEX
    if by_extension in (CSL_JSON, RIS):
        return by_extension
    return CSL_YAML  # or Hayagriva: told apart once the YAML is read


def read(path: Path, shown: str, text: str, english: bool = False) -> Read:
    """The entries of one bibliography file; SynthdocError when the file as a whole cannot be read.
    ``english``: an entry that does not say its language is taken for English."""
    fmt = detect(path, text)
    if fmt in (BIBTEX, BIBLATEX):
        return _bibtex(text, fmt, shown, english)
    if fmt == CSL_JSON:
        return _csl_json(text, shown)
    if fmt == RIS:
        return _ris(text, shown)
    return _yaml(path, text, shown)


def finish(item: dict[str, Any]) -> dict[str, Any]:
    """An item as every format leaves it: its language as a locale tag, DOI and URL unescaped."""
    language = item.get("language")
    if isinstance(language, str):
        tag = language_tag(language)
        if tag:
            item["language"] = tag
        elif language.strip().lower() in ("", "und"):
            del item["language"]
    for name in ("DOI", "URL"):
        if isinstance(item.get(name), str):
            item[name] = unescape_link(item[name])
    return item


def unescape_link(value: str) -> str:
    """A DOI or URL as Mendeley and Better BibTeX escape it for TeX (``\\_``, ``{\\_}``) made plain."""
    value = re.sub(r"\{\\([_%&#$~])\}|\\([_%&#$~])", lambda m: m.group(1) or m.group(2), value)
    value = re.sub(r"\\(?:textunderscore|_)\{?\}?", "_", value)
    return value.replace("{", "").replace("}", "").strip()


def _convert(reader: str, source: str, shown: str, meanwhile: Callable[[], object] | None = None
             ) -> list[dict[str, Any]]:
    """``source`` converted by pandoc to CSL JSON items; ``meanwhile`` is called here while pandoc converts."""
    args, data = ["-f", reader, "-t", "csljson"], source.encode("utf-8")
    if meanwhile is None:
        return pandoc.output_json(pandoc.run(args, data, what=shown), shown, "entries")
    with ThreadPoolExecutor(1) as pool:
        converting = pool.submit(pandoc.run, args, data, what=shown)
        meanwhile()
        return pandoc.output_json(converting.result(), shown, "entries")


def _pandoc_message(exc: SynthdocError) -> str:
    message = exc.diagnostics[0].message.removeprefix("pandoc failed: ")
    return message.split(" (command: ")[0].splitlines()[-1].strip()


# ---- BibTeX / BibLaTeX ------------------------------------------------------------------------

_THESIS_TYPES = {"phdthesis": "phd", "mastersthesis": "masters", "mathesis": "masters"}


def _prepare(entry: bibtex.Entry, english: bool, tag: str | None) -> str:
    """The entry as pandoc is given it, in the language ``tag`` (its own or the one it inherits: see
    :func:`_bibtex_languages`). pandoc sentence-cases the title of an entry it takes for English: only a
    known English one is, or one that does not say its language in a project all in English."""
    taken = is_english(tag) if tag else english
    return entry.source({"langid": "english" if taken else "und", "hyphenation": None, "language": None})


def _warn_organisations(entry: bibtex.Entry, result: Read) -> None:
    for f, parts in _organisations_split(entry):
        result.problem(f.line, 1, f"{f.name} = {f.raw} of '{entry.key}' is read as {len(parts)} names, split at "
                       f"'and' ({'; '.join(parts)}), but it looks like one organisation: citations would print "
                       f"parts of it as if they were people; write it in double braces, "
                       f"{f.name} = {{{{{f.text.strip()}}}}}, to keep it one name", "organisation-name",
                       severity="warning")


def _thesis(entry: bibtex.Entry) -> str | None:
    typed = (entry.get("type") or "").strip().lower()
    return _THESIS_TYPES.get(typed if typed else entry.kind)


def _entry_item(entry: bibtex.Entry, item: dict[str, Any], tag: str | None) -> dict[str, Any]:
    item["id"] = entry.key
    item.pop("language", None)
    if tag:
        item["language"] = tag
    return finish(item)


def _bibtex(text: str, fmt: str, shown: str, english: bool) -> Read:
    result = Read(fmt)
    scan = bibtex.split(text)
    for p in scan.problems:
        result.problem(p.line, p.col, p.message, key=p.key)
    languages = _bibtex_languages(scan.entries)
    sources: list[str] = []
    for entry in scan.entries:
        _warn_organisations(entry, result)
        sources.append(_prepare(entry, english, languages[entry.key]))
        if kind := _thesis(entry):
            result.thesis[entry.key] = kind
    reader = "bibtex" if fmt == BIBTEX else "biblatex"
    macros = "\n".join(scan.macros) + "\n"
    try:
        converted = _by_key(_convert(reader, macros + "".join(sources), shown), scan.entries, shown)
        good = scan.entries
    except SynthdocError:
        converted, good = [], []
        for entry, source in zip(scan.entries, sources, strict=True):  # find the entries pandoc cannot read
            try:
                converted += _by_key(_convert(reader, macros + source, shown), [entry], shown)
                good.append(entry)
            except SynthdocError as exc:
                result.problem(entry.line, entry.col, f"entry '{entry.key}' cannot be read: {_pandoc_message(exc)}",
                               key=entry.key)
    for entry, item in zip(good, converted, strict=True):
        if item is not None:
            result.items.append(_entry_item(entry, item, languages[entry.key]))
            result.lines.append(entry.line)
    return result


def _by_key(converted: list[dict[str, Any]], entries: list[bibtex.Entry], shown: str) -> list[dict[str, Any] | None]:
    """pandoc's item for each entry (None for an @xdata entry, which only lends its fields to others). pandoc
    gives the items in the entries' order; two entries with one key (a duplicate, reported as such) each
    get their own, never the other's."""
    items: dict[str, list[dict[str, Any]]] = {}
    for item in converted:
        items.setdefault(str(item.get("id")), []).append(item)
    works = [e for e in entries if e.kind != "xdata"]
    wanted: dict[str, int] = {}
    for e in works:
        wanted[e.key] = wanted.get(e.key, 0) + 1
    if len(converted) != len(works) or any(len(items.get(key, ())) != n for key, n in wanted.items()):
        raise SynthdocError.single(shown, f"pandoc read {len(converted)} entries where synthdoc found {len(works)}",
                                   "bibliography-format")
    taken = {key: iter(same) for key, same in items.items()}
    return [None if e.kind == "xdata" else next(taken[e.key]) for e in entries]


class _Library:
    """A BibTeX/BibLaTeX file read for some of its keys: the entries they name, the entries those
    inherit from (crossref, xdata) and the @strings any of them use; nothing else is split or converted."""

    def __init__(self, index: bibtex.Index, fmt: str, shown: str, english: bool, result: Read):
        self.fmt, self.shown, self.english, self.result = fmt, shown, english, result
        self.index = index
        self.where: dict[str, list[int]] = {}
        for key, _, number in self.index.keys:
            self.where.setdefault(key, []).append(number)
        for p in self.index.problems:
            result.problem(p.line, p.col, p.message, key=p.key)
        # each @string (name, its source, the names its value uses) and @preamble, in the file's order
        self.macros: list[tuple[str | None, str, set[str]]] = []
        for number in self.index.macros:
            for source in self.scan(number).macros:
                name = bibtex.macro_name(source)
                value = source.split("=", 1)[1][:-1] if name else ""
                self.macros.append((name, source, bibtex.macro_names(value)))

    def scan(self, number: int) -> bibtex.Scan:
        return self.index.split(number)

    @cached_property
    def folded(self) -> dict[str, list[int]]:
        """The parts of each key, casefolded (a parent named in another case), made when one is looked for."""
        folded: dict[str, list[int]] = {}
        for key, _, number in self.index.keys:
            folded.setdefault(key.casefold(), []).append(number)
        return folded

    def closure(self, number: int) -> list[int]:
        """The part ``number`` and the parts its entries inherit from, in the file's order."""
        seen, todo = {number}, [number]
        while todo:
            for entry in self.scan(todo.pop()).entries:
                for parent in bibtex.parents(entry):
                    for other in self.where.get(parent) or self.folded.get(parent.casefold(), []):
                        if other not in seen:
                            seen.add(other)
                            todo.append(other)
        return sorted(seen)

    def macros_for(self, parts: list[int]) -> list[str]:
        """The @strings (and every @preamble) the entries of ``parts`` use, with those they use in turn."""
        used = {name for n in parts for e in self.scan(n).entries for f in e.fields
                for name in bibtex.macro_names(f.raw)}
        grown = True
        while grown:
            grown = False
            for name, _, refs in self.macros:
                if name in used and not refs <= used:
                    used |= refs
                    grown = True
        return [source for name, source, _ in self.macros if name is None or name in used]

    def convert(self, parts: list[int], meanwhile: Callable[[], object] | None = None
                ) -> dict[tuple[int, int], dict[str, Any] | None]:
        """Each entry of ``parts`` (by part and place in it) as pandoc converts it with the others and the
        @strings they use, or why pandoc cannot read it (``meanwhile``: called while pandoc converts)."""
        reader = "bibtex" if self.fmt == BIBTEX else "biblatex"
        entries = [((n, i), e) for n in parts for i, e in enumerate(self.scan(n).entries)]
        languages = _bibtex_languages([e for _, e in entries])  # parts holds what each entry inherits from
        sources = [_prepare(e, self.english, languages[e.key]) for _, e in entries]
        macros = "\n".join(self.macros_for(parts)) + "\n"
        converted = _by_key(_convert(reader, macros + "".join(sources), self.shown, meanwhile),
                            [e for _, e in entries], self.shown)
        return {place: None if item is None else _entry_item(entry, item, languages[entry.key])
                for (place, entry), item in zip(entries, converted, strict=True)}

    def read(self, keys: set[str], cache: JsonCache, salt: str, meanwhile: Callable[[], object] | None = None
             ) -> None:
        """Read the entries of ``keys`` into the result: from the cache where their text (with what they
        inherit from and the @strings they use) was converted before, else converted together (``meanwhile``
        is called while pandoc converts them, if it does)."""
        numbers = sorted({n for key in keys for n in self.where.get(key, [])})
        closures = {n: self.closure(n) for n in numbers}
        self.result.read = sorted({e.key.casefold() for n in numbers for m in closures[n]
                                   for e in self.scan(m).entries})
        digests = {n: content_key(salt, self.fmt, *(self.index.part(m) for m in closures[n]),
                                  *self.macros_for(closures[n])) for n in numbers}
        done: dict[int, list[Any]] = {}
        for n in numbers:
            stored = cache.load(digests[n])
            if isinstance(stored, list) and len(stored) == len(self.scan(n).entries):
                done[n] = stored
        missing = [n for n in numbers if n not in done]
        if missing:
            try:
                both = self.convert(sorted({m for n in missing for m in closures[n]}), meanwhile)
                made = {n: [both[(n, i)] for i in range(len(self.scan(n).entries))] for n in missing}
            except SynthdocError:
                made = {n: self._one_by_one(n, closures[n]) for n in missing}
            for n in missing:
                cache.store(digests[n], made[n])
                done[n] = made[n]
        for n in numbers:
            for entry, made in zip(self.scan(n).entries, done[n], strict=True):
                if made is None:
                    continue  # an @xdata entry: fields for others, no work of its own
                if isinstance(made, str):
                    self.result.problem(entry.line, entry.col, f"entry '{entry.key}' cannot be read: {made}",
                                        key=entry.key)
                    continue
                if entry.key not in keys:
                    continue
                _warn_organisations(entry, self.result)
                self.result.items.append(made)
                self.result.lines.append(entry.line)
                if kind := _thesis(entry):
                    self.result.thesis[entry.key] = kind

    def _one_by_one(self, number: int, closure: list[int]) -> list[Any]:
        """Each entry of a part converted with what it inherits from, or pandoc's reason it cannot be."""
        parents = [m for m in closure if m != number]
        made: list[Any] = []
        for i in range(len(self.scan(number).entries)):
            try:
                made.append(self.convert(sorted([number, *parents]))[(number, i)])
            except SynthdocError as exc:
                made.append(_pandoc_message(exc))
        return made


def read_cited(path: Path, shown: str, text: str, keys: set[str], cache: JsonCache, salt: str,
               english: bool = False, index: bibtex.Index | None = None) -> Read | None:
    """The entries of ``keys`` in one bibliography file, and where every other entry stands
    (``Read.keys``), reading no more of a BibTeX/BibLaTeX file than those entries; None for the other
    formats, which are read whole.

    Without the file's ``index`` (``bibtex.index(text)``, kept by an earlier build), the index found here is
    verified (each part taken for a plainly well-formed entry matched) while pandoc converts the cited entries;
    a file where one is not is read again with an index made the slow way, which splits it."""
    fmt = detect(path, text)
    if fmt not in (BIBTEX, BIBLATEX):
        return None
    if index is not None:
        return _read_cited(index, fmt, shown, keys, cache, salt, english)
    index = bibtex.index(text, verify=False)
    result = _read_cited(index, fmt, shown, keys, cache, salt, english, index.verify)
    if index.verify():  # (done already, beside pandoc's conversion, when there was one)
        return result
    return _read_cited(bibtex.index(text), fmt, shown, keys, cache, salt, english)


def _read_cited(index: bibtex.Index, fmt: str, shown: str, keys: set[str], cache: JsonCache, salt: str,
                english: bool, meanwhile: Callable[[], object] | None = None) -> Read:
    result = Read(fmt)
    library = _Library(index, fmt, shown, english, result)
    result.keys = [(key, line) for key, line, _ in index.keys]
    library.read(keys, cache, salt, meanwhile)
    result.index = index
    return result


# Fields BibTeX and BibLaTeX split into several names or organisations at a bare "and".
_NAME_LISTS = ("author", "editor", "translator", "institution", "organization", "publisher")
# Words that name an organisation's kind or part, never a given or family name (English and Indonesian).
_INSTITUTIONAL = frozenset("""
ministry department agency office bureau commission council committee government republic kingdom state states
nations union organization organisation association foundation institute institution university college school
centre center bank fund programme program authority board service services directorate secretariat affairs
fisheries maritime trade labour labor health education justice interior foreign development planning
statistics police court parliament assembly network alliance society federation coalition kementerian badan
dinas lembaga direktorat sekretariat pemerintah republik universitas komisi dewan kantor pusat perserikatan
bangsa-bangsa
""".split())  # noqa: SIM905 (a list of words reads best as words)
_PARTICLES = re.compile(r"\b(?:of|for|on|the|dan|untuk)\b")


def _split_at_and(value: str) -> list[str]:
    """A field's text split where BibTeX splits a list: at "and" between spaces, outside braces."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        ch = value[i]
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and value[i:i + 5].lower() == " and " :
            parts.append(value[start:i])
            start = i = i + 5
            continue
        i += 1
    parts.append(value[start:])
    return [" ".join(p.split()) for p in parts if p.strip()]


def _organisations_split(entry: bibtex.Entry) -> list[tuple[bibtex.Field, list[str]]]:
    """The name-list fields of an entry that BibTeX splits at "and" into parts that read as one organisation:
    a part in institutional words ("Ministry", "Fisheries", "Kementerian") or joined by particles ("of the")."""
    found = []
    for f in entry.fields:
        if f.name not in _NAME_LISTS:
            continue
        parts = _split_at_and(f.text)
        if len(parts) < 2:
            continue
        words = [w.strip(".,()").lower() for part in parts if "," not in part for w in part.split()]
        particles = any(_PARTICLES.search(part) for part in parts if "," not in part and len(part.split()) > 2)
        if particles or sum(w in _INSTITUTIONAL for w in words) >= 2:
            found.append((f, parts))
    return found


def _bibtex_languages(entries: list[bibtex.Entry]) -> dict[str, str | None]:
    """Each entry's language as a locale tag: its own (langid, hyphenation, language), else the one it
    inherits, as BibLaTeX and pandoc read it, from the entry it cross-references (``crossref``, ``xdata``)."""
    own = {e.key: language_tag(e.get("langid") or e.get("hyphenation")) or language_tag(e.get("language"))
           for e in entries}
    by_key = {e.key.casefold(): e for e in entries}

    def inherited(entry: bibtex.Entry, seen: frozenset[str]) -> str | None:
        if own[entry.key] or entry.key in seen:
            return own[entry.key]
        parents = [entry.get("crossref") or "", *(entry.get("xdata") or "").split(",")]
        for name in parents:
            parent = by_key.get(name.strip().casefold())
            if parent is not None and (tag := inherited(parent, seen | {entry.key})):
                return tag
        return None

    return {e.key: inherited(e, frozenset()) for e in entries}


# ---- CSL JSON ---------------------------------------------------------------------------------

def _csl_json(text: str, shown: str) -> Read:
    result = Read(CSL_JSON)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SynthdocError.single(shown, f"not valid JSON: {exc.msg}", "bibliography-syntax",
                                   exc.lineno, exc.colno) from None
    except RecursionError:
        raise SynthdocError.single(shown, "not a CSL JSON bibliography: lists or objects nested hundreds of "
                                   "levels deep", "bibliography-syntax") from None
    if not isinstance(data, list):
        raise SynthdocError.single(shown, "a CSL JSON bibliography must be a list of entries ([{...}, ...])",
                                   "bibliography-format")
    lines = _json_item_lines(text)
    for i, item in enumerate(data):
        line = lines[i] if i < len(lines) else 1
        _take(result, item, line, f"entry {i + 1}")
    return result


def _take(result: Read, item: Any, line: int, what: str) -> None:
    """A CSL item with its key: ``citation-key`` (Zotero and Better BibTeX) before ``id``."""
    if not isinstance(item, dict):
        result.problem(line, 1, f"{what} is not a mapping of fields", "bibliography-format")
        return
    key = item.get("citation-key") or item.get("id")
    if not isinstance(key, str | int) or isinstance(key, bool) or not str(key).strip():
        result.problem(line, 1, f"{what} has no key: give it an id (or citation-key)", "bibliography-format")
        return
    item = dict(item)
    given = item.get("id")
    if item.get("citation-key") and given != item["citation-key"]:
        item["id"] = str(item["citation-key"])
    item["id"] = str(item["id"]).strip()
    # Zotero's CSL JSON export names an item by its URI in the library (http://zotero.org/…/items/…): kept,
    # so that a live Zotero citation of the entry links to that item.
    if isinstance(given, str) and ZOTERO_ITEM_URI.match(given.strip()):
        result.uris[item["id"]] = given.strip()
    result.items.append(finish(item))
    result.lines.append(line)


def _json_item_lines(text: str) -> list[int]:
    """The line where each object of a top-level JSON list begins."""
    lines, depth, line, in_string, escaped = [], 0, 1, False, False
    for c in text:
        if c == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            continue
        if c == '"':
            in_string = True
        elif c in "[{":
            if depth == 1 and c == "{":
                lines.append(line)
            depth += 1
        elif c in "]}":
            depth -= 1
    return lines


# ---- RIS --------------------------------------------------------------------------------------

def _ris(text: str, shown: str) -> Read:
    result = Read(RIS)
    records: list[tuple[int, dict[str, list[str]]]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        m = _RIS_TAG.match(raw.rstrip())
        if not m:
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            records.append((number, {}))
        if records:
            records[-1][1].setdefault(tag, []).append(value)
    try:
        items = _convert("ris", text, shown)
    except SynthdocError as exc:
        raise SynthdocError.single(shown, f"this RIS file cannot be read: {_pandoc_message(exc)}",
                                   "bibliography-syntax") from None
    if len(items) != len(records):
        raise SynthdocError.single(shown, f"pandoc read {len(items)} RIS records where synthdoc found "
                                   f"{len(records)} (each begins with 'TY  - ')", "bibliography-format")
    for (line, tags), item in zip(records, items, strict=True):
        if item.get("type") == "thesis" and not item.get("genre") and tags.get("M3", [""])[0]:
            item["genre"] = tags["M3"][0]
        translators = [_ris_name(v) for v in tags.get("A4", []) if v]
        if translators and not item.get("translator"):
            item["translator"] = translators
        result.items.append(finish(item))
        result.lines.append(line)
    return result


def _ris_name(value: str) -> dict[str, str]:
    family, _, given = value.partition(",")
    return {"family": family.strip(), "given": given.strip()} if given.strip() else {"literal": family.strip()}


# ---- YAML: CSL YAML or Hayagriva ----------------------------------------------------------------

def _yaml(path: Path, text: str, shown: str) -> Read:
    doc = parse_yaml(text.lstrip("\ufeff"), path, shown)
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        entries, prefix = data["references"], ("references",)
    elif isinstance(data, list):
        entries, prefix = data, ()
    elif isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        return hayagriva.read(doc, Read(HAYAGRIVA), _take)
    elif not data:
        return Read(CSL_YAML)
    else:
        raise SynthdocError.single(shown, "this YAML is neither CSL YAML (a list of entries, or references: "
                                   "with one) nor Hayagriva (a mapping of keys to entries)", "bibliography-format")
    result = Read(CSL_YAML)
    for i, item in enumerate(entries):
        _take(result, item, doc.where(*prefix, i)[0], f"entry {i + 1}")
    if result.items:
        # pandoc reads CSL YAML's values as Markdown and its dates in every form CSL YAML allows
        source = "---\nreferences: " + json.dumps(result.items, ensure_ascii=False, default=str) + "\n---\n"
        converted = _convert("markdown", source, shown)
        if len(converted) != len(result.items):
            raise SynthdocError.single(shown, f"pandoc read {len(converted)} entries of {len(result.items)}",
                                       "bibliography-format")
        result.items = [finish(item) for item in converted]
    return result
