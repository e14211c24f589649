"""The project's bibliography: one or more files, each read once per content (``.synthdoc/cache``),
combined into one list of CSL JSON items; a key defined twice is an error naming both places."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core import pandoc
from ..core.cache import JsonCache, LaterJsonCache, content_key
from ..core.diagnostics import Diagnostic, Severity, SynthdocError, error, warning
from ..core.files import read_input
from ..core.paths import shown_path
from . import bibtex, readers
from .language import is_english, langid_name, language_tag

# The readers' own version: a change to what they produce makes every cached conversion stale.
READER_VERSION = "5"
# A thesis whose degree only its entry type gives (@phdthesis, @mastersthesis), named as a document
# in that language names it; other languages keep the words pandoc gives ("PhD thesis").
THESIS_GENRES = {"id": {"phd": "Disertasi", "masters": "Tesis"}}


@dataclass(frozen=True)
class BibFile:
    path: Path
    shown: str
    format: str
    count: int
    digest: str = ""  # of the file's content, as read
    # Of a library read for the keys cited only (readers.Read.read, .index): what a later build depends on.
    read: frozenset[str] | None = field(default=None, repr=False, compare=False)
    index: bibtex.Index | None = field(default=None, repr=False, compare=False)
    # Where the library's index is kept for the next build that reads the same bytes (keep_read), and whether
    # it was taken from there (else it is written there, over a file that was not one).
    index_key: tuple[JsonCache, str] | None = field(default=None, repr=False, compare=False)
    index_taken: bool = field(default=False, repr=False, compare=False)
    # Where the entries converted for this build are kept, when they are written later (keep_read).
    entries: JsonCache | None = field(default=None, repr=False, compare=False)

    @cached_property
    def plain_digests(self) -> tuple[bytes, ...]:
        """The digests of the library's parts that are one plainly well-formed entry, in the library's order (made
        when asked: the no-op record's, while the outputs are written, not before the build's first pandoc run)."""
        return tuple(self.index.plain_digests()) if self.index is not None else ()

    @cached_property
    def plain(self) -> frozenset[bytes]:
        return frozenset(self.plain_digests)

    def summary(self) -> str:
        return f"{self.shown}: {self.count} entr{'y' if self.count == 1 else 'ies'} ({self.format})"


@dataclass(frozen=True)
class Bibliography:
    files: tuple[BibFile, ...]
    items: tuple[dict[str, Any], ...]
    csl_json: Path
    digest: str
    diagnostics: tuple[Diagnostic, ...] = ()
    broken: dict[str, tuple[str, int]] = field(default_factory=dict)  # keys of entries that could not be read
    places: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)  # key: (file, line)
    thesis: dict[str, str] = field(default_factory=dict, repr=False)  # key: "phd" / "masters"
    formats: dict[str, str] = field(default_factory=dict, repr=False)  # key: its file's format
    uris: dict[str, str] = field(default_factory=dict, repr=False)  # key: its Zotero item URI (CSL JSON export)

    @property
    def shown(self) -> str:
        """The files, as messages name them."""
        return ", ".join(f.shown for f in self.files)

    @property
    def path(self) -> Path:
        return self.files[0].path

    def keys(self) -> list[str]:
        """Every entry's key, in the order of the files, read or not (a library is read for its cited keys)."""
        return list(self.places)

    def get(self, key: str) -> dict[str, Any] | None:
        return self._by_key.get(key)

    def where(self, key: str) -> tuple[str, int]:
        """The file and line of ``key``'s entry."""
        return self.places.get(key) or self.broken.get(key) or (self.files[0].shown if self.files else "", 1)

    @cached_property
    def _by_key(self) -> dict[str, dict[str, Any]]:
        return {str(item.get("id")): item for item in self.items}

    def for_language(self, lang: str) -> tuple[tuple[dict[str, Any], ...], Path]:
        """The items and their CSL JSON file for a document in ``lang``: a thesis typed only by its
        entry type (@phdthesis, @mastersthesis) is described in that language (Disertasi, Tesis)."""
        genres = THESIS_GENRES.get(lang.split("-")[0].lower())
        if not genres or not self.thesis:
            return self.items, self.csl_json
        items = tuple({**item, "genre": genres[self.thesis[str(item.get("id"))]]}
                      if str(item.get("id")) in self.thesis else item for item in self.items)
        cache = JsonCache(self.csl_json.parent, "bibliography-")
        digest = content_key(self.digest, lang)
        if not cache.path(digest).is_file():
            cache.store(digest, list(items), durable=True)  # pandoc reads it
        return items, cache.path(digest)

    def language_warnings(self, keys: Sequence[str], languages: Sequence[str]) -> list[Diagnostic]:
        """Entries among ``keys`` with no language, in a project whose documents are not all in
        English: their titles are kept as typed, and the warning says how to name their language."""
        tag = next((t for t in (language_tag(lang) or lang for lang in languages) if not is_english(t)), None)
        if tag is None:
            return []
        diags = []
        for key in keys:
            item = self.get(key)
            if item is None or item.get("language"):
                continue
            fmt = self.formats.get(key, readers.BIBLATEX)
            value = langid_name(tag) if fmt in (readers.BIBTEX, readers.BIBLATEX) else (
                langid_name(tag).title() if fmt == readers.RIS else tag.split("-")[0])
            fix = readers.LANGUAGE_FIX[fmt] % value
            shown, line = self.where(key)
            diags.append(warning(shown, line, 1, f"entry '{key}' does not say its language: its title is kept "
                                 f"as typed, never sentence-cased; if the work is in {langid_name(tag).title()}, "
                                 f"add {fix}", "entry-language"))
        return diags


def load_bibliography(files: Path | Sequence[Path], root: Path | str, cache_dir: Path,
                      languages: Sequence[str] = ("en",), cited: Collection[str] | None = None,
                      keep_later: bool = False) -> Bibliography:
    """Read each bibliography file (from the cache when its content was read before) and combine
    them. ``root`` is the project folder paths are shown from (or, for one file, its shown name).
    ``languages`` are the documents': only when all are English is an entry that does not say its
    language taken for English (and its title sentence-cased by pandoc, as APA wants).

    With ``cited``, only those keys' entries are read (a whole library exported for one chapter): of a
    BibTeX/BibLaTeX file, no other entry is converted or even split, and each entry's conversion is kept
    by its own text, so that a change to the library costs the entries that changed. Every key is still
    known, with its place (did-you-mean, the uncited count). With ``keep_later``, those conversions are written
    to the cache by :func:`keep_read`, not before this returns."""
    paths = [files] if isinstance(files, Path) else list(files)
    english = all(is_english(language_tag(lang) or lang) for lang in languages)
    cache = JsonCache(cache_dir, "bibliography-")  # CSL JSON lists, as pandoc reads them
    files_read = JsonCache(cache_dir, "bibfile-")  # what each file gave, by its content
    # what each entry gave, by its own text
    entries_read = (LaterJsonCache if keep_later else JsonCache)(cache_dir / "entries")
    wanted = None if cited is None else set(cited)
    fatal: list[Diagnostic] = []
    reads: list[tuple[BibFile, readers.Read]] = []
    for path in paths:
        shown = root if isinstance(root, str) else shown_path(path, root)
        try:
            reads.append(_read_file(path, shown, files_read, english, wanted, entries_read))
        except SynthdocError as exc:
            fatal += exc.diagnostics
    if fatal:
        raise SynthdocError(fatal)
    return _combine(reads, cache, wanted)


def _read_file(path: Path, shown: str, cache: JsonCache, english: bool, cited: set[str] | None = None,
               entries: JsonCache | None = None) -> tuple[BibFile, readers.Read]:
    raw = read_input(path, shown, "a bibliography file", missing="bibliography file not found")
    salt = content_key(READER_VERSION, pandoc.pandoc_identity(), str(english))
    digest = content_key(raw, path.suffix.lower(), salt)
    stored = cache.load(digest)
    if isinstance(stored, dict):
        result = readers.Read(**stored)
    else:
        try:
            text = _text(raw)
        except UnicodeDecodeError as exc:
            raise SynthdocError.single(shown, f"not UTF-8 text ({exc.reason}); export the bibliography as UTF-8",
                                       "encoding") from None
        some = None
        if cited is not None and entries is not None:
            kept = (JsonCache(cache.folder, "index-"), content_key(digest, bibtex.code_identity()))
            made = kept[0].load(kept[1])
            index = bibtex.index_from(text, made) if isinstance(made, dict) else None
            some = readers.read_cited(path, shown, text, cited, entries, salt, english, index)
        if some is not None:
            return BibFile(path, shown, some.format, len(some.keys), digest, frozenset(some.read or ()),
                           some.index, kept, index is not None, entries), some
        result = readers.read(path, shown, text, english)
        cache.store(digest, result.as_dict())
    return BibFile(path, shown, result.format, len(result.places()), digest), result


def keep_read(files: Sequence[BibFile]) -> None:
    """Keep what a build read of each library it read for its cited entries, for the next build: the entries it
    converted, where they were left to be written now (``keep_later``), and the index it made (a build of the
    same bytes takes it instead of indexing the library again: 0.2 s of every build after a claim's edit, with
    20,000 entries), and only that index: those of a library's earlier versions are removed. A cache: what
    cannot be written is made again by the next build."""
    for file in files:
        if isinstance(file.entries, LaterJsonCache):
            file.entries.keep()
    kept: dict[Path, tuple[JsonCache, set[str]]] = {}
    for file in files:
        if file.index is None or file.index_key is None:
            continue
        cache, key = file.index_key
        kept.setdefault(cache.folder, (cache, set()))[1].add(key)
        if not file.index_taken:
            with contextlib.suppress(SynthdocError):
                cache.store(key, bibtex.index_dump(file.index))
    for cache, keys in kept.values():
        cache.keep_only(keys)


def _text(raw: bytes) -> str:
    """A bibliography file's text as its readers take it: UTF-8 (a byte-order mark dropped), line feeds."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def outline(path: Path, raw: bytes, read: Collection[str], plain: Collection[bytes],
            index: bibtex.Index | None = None) -> str | None:
    """What a build that read the entries ``read`` of a library (BibFile.read, .plain) depends on in its
    bytes ``raw`` now (bibtex.outline, with the format the file is read as); None when the file is no
    longer a BibTeX/BibLaTeX file in UTF-8, and only its bytes tell. With the ``index`` the build made of
    the library (BibFile.index), made from these bytes, the same from the index."""
    try:
        text = _text(raw)
    except UnicodeDecodeError:
        return None
    fmt = readers.detect(path, text)
    if fmt not in (readers.BIBTEX, readers.BIBLATEX):
        return None
    if index is not None and index.text == text:
        return f"{fmt} {index.outline(read)}"
    return f"{fmt} {bibtex.outline(text, read, plain)[0]}"


def _combine(reads: list[tuple[BibFile, readers.Read]], cache: JsonCache,
             cited: set[str] | None = None) -> Bibliography:
    items: list[dict[str, Any]] = []
    places: dict[str, tuple[str, int]] = {}
    diags: list[Diagnostic] = []
    broken: dict[str, tuple[str, int]] = {}
    thesis: dict[str, str] = {}
    formats: dict[str, str] = {}
    uris: dict[str, str] = {}
    for bib_file, result in reads:
        for p in result.problems:
            diags.append(Diagnostic(bib_file.shown, p["line"], p["col"], Severity(p.get("severity", "error")),
                                    p["message"], p["code"]))
        for key, line in result.broken.items():
            broken.setdefault(key, (bib_file.shown, line))
        for key, line in result.places():
            if key in places:
                first = places[key]
                diags.append(error(bib_file.shown, line, 1, f"key '{key}' is defined twice: at {first[0]}:{first[1]} "
                                   f"and at {bib_file.shown}:{line}; a claim citing it would cite whichever came "
                                   "first: give each work its own key, or delete the copy", "duplicate-key"))
                continue
            places[key] = (bib_file.shown, line)
            formats[key] = result.format
        for item, line in zip(result.items, result.lines, strict=True):
            key = str(item["id"])
            if places.get(key) != (bib_file.shown, line) or (cited is not None and key not in cited):
                continue  # a second definition, or an entry no claim cites
            items.append(item)
            if key in result.thesis:
                thesis[key] = result.thesis[key]
            if key in result.uris:
                uris[key] = result.uris[key]
    diags += _look_alikes(items, places, cited)
    # The file pandoc reads is named by what it holds, not by the files it was read from: an edit of an entry
    # no document cites leaves it as it was, and with it what is kept by its name (sections, citeproc's result).
    text = json.dumps(items, ensure_ascii=False)
    digest = content_key(READER_VERSION, text)
    path = cache.path(digest)
    if not path.is_file():
        cache.store_json(digest, text, durable=True)  # pandoc reads the combined bibliography from this file
    return Bibliography(tuple(f for f, _ in reads), tuple(items), path, digest, tuple(diags), broken, places,
                        thesis, formats, uris)


def _look_alikes(items: list[dict[str, Any]], places: dict[str, tuple[str, int]],
                 cited: set[str] | None = None) -> list[Diagnostic]:
    """Two keys that differ only in case (one key to BibTeX, Zotero and Word), and one work under two
    keys (the same DOI, as when two exports are merged): cited as two works, 2020a and 2020b. With
    ``cited``, only pairs where a claim cites one of the keys (of a library, only the cited entries are read)."""
    diags = []
    by_case: dict[str, str] = {}
    by_doi: dict[str, str] = {}
    for key, (shown, line) in places.items():
        other = by_case.setdefault(key.casefold(), key)
        if other != key and (cited is None or other in cited or key in cited):
            diags.append(warning(shown, line, 1, f"keys '{other}' ({':'.join(map(str, places[other]))}) and '{key}' "
                                 "differ only in case, which BibTeX, Zotero and Word take for one key: rename one",
                                 "key-case"))
    for item in items:
        key = str(item["id"])
        shown, line = places[key]
        doi = item.get("DOI")
        if isinstance(doi, str) and doi.strip():
            norm = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip().lower())
            other = by_doi.setdefault(norm, key)
            if other != key:
                diags.append(warning(shown, line, 1, f"entries '{other}' ({':'.join(map(str, places[other]))}) and "
                                     f"'{key}' have the same DOI {doi.strip()}: one work under two keys is cited as "
                                     "two works; keep one key and cite it", "duplicate-work"))
    return diags
