"""Sources and their claims: ``sources/*.yaml`` read into values that remember file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.diagnostics import Diagnostic, SynthdocError
from ..core.files import list_folder, read_input
from ..core.paths import outside_reason, refusal, shown_path
from ..core.project import CLAIM_KINDS
from ..core.schema import Localized, Reader, did_you_mean
from ..core.warm import Memo, digest
from ..core.yamlfile import MAX_BYTES, decode_yaml
from .quotes import fold
from .texts import page_number

LOCATOR_KINDS = ("page", "section", "chapter", "paragraph")

# What no citation key may hold: it would end the ``@{...}`` braces or the citation.
_BAD_KEY = re.compile(r"[{}\s\x00-\x1f\x7f]")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be cited; None when it can."""
    if _BAD_KEY.search(key):
        return (f"source key '{key}' holds a brace, a space or a control character, which a citation cannot "
                "carry; rename the entry's key (letters, digits and - _ : . / are safe)")
    return None


@dataclass(frozen=True)
class Locator:
    """Where in its source a claim stands: a kind (page, section, ...) and a value ("VI.2.1")."""

    kind: str
    value: str


@dataclass(frozen=True)
class Claim:
    source: str
    id: str
    kind: str
    themes: tuple[str, ...]
    says: Localized
    short: Localized
    quote: str
    at: Locator | None
    point: str | None
    contrasts: tuple[str, ...]
    actors: tuple[str, ...]
    path: str
    line: int
    draft: bool = False  # imported without a theme: checked, noted, left out of documents until it has themes
    translation: Localized = field(default_factory=dict)  # the author's own translation of the quote, per language
    by: str | None = None  # imported from someone else's annotation (from: {author: …}): whose
    # What its statements hold on the author's own authority (a year, a name, a negation): checked statements
    # accept it, and documents show it as the author's, not the source's.
    infers: tuple[str, ...] = ()
    # Where each statement stands in the claims file: "says.en" → (line, col), for the statement checks.
    spots: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """The claim's project-wide name: ``source-key/claim-id``."""
        return f"{self.source}/{self.id}"


@dataclass(frozen=True)
class Source:
    key: str
    text: Path | None
    lang: str
    claims: tuple[Claim, ...]
    path: str
    line: int
    first_page: int | None = None  # the number printed on the first page of a PDF text without page labels
    relevance: Localized = field(default_factory=dict)  # how the source bears on the user's own study
    # study: the source as previous research (Penelitian Terdahulu): focus, method, similarity, difference
    study: tuple[tuple[str, Localized], ...] = ()
    # page_labels: the printed numbers of a PDF's first pages, the rest counting on ("cover", "1")
    page_labels: tuple[str, ...] = ()
    numbered_at: int = 0  # the line of first_page: or page_labels:

    @property
    def numbering(self) -> str:
        """How the claims file numbers its PDF's pages, as it is written (``first_page: 87``), or ""."""
        if self.first_page is not None:
            return f"first_page: {self.first_page}"
        return f"page_labels: [{', '.join(self.page_labels)}]" if self.page_labels else ""

    def studied(self, name: str) -> Localized:
        """One field of ``study:`` (focus, method, similarity, difference); empty when not given."""
        return dict(self.study).get(name, {})


_SOURCE_FIELDS = {"source", "text", "lang", "claims", "first_page", "page_labels", "relevance", "study"}
# What a claims file may say of its source as previous research (the chapter's Penelitian Terdahulu).
STUDY_FIELDS = ("focus", "method", "similarity", "difference")
_CLAIM_FIELDS = {"id", "kind", "themes", "says", "short", "quote", "at", "point", "contrasts", "actors", "draft",
                 "from", "translation", "infers"}
_REQUIRED = {"id", "kind", "themes", "says", "quote"}
_DRAFT_REQUIRED = {"id", "kind", "quote"}  # an imported highlight may have no theme or comment yet


def load_sources(folder: Path, root: Path) -> tuple[tuple[Source, ...], list[Diagnostic]]:
    """Every ``*.yaml`` under ``folder``, sorted by name; problems come back as diagnostics. A file whose
    bytes were read by the previous build of this process is not read again (``warm``)."""
    diags: list[Diagnostic] = []
    sources: list[Source] = []
    for path in list_folder(folder, shown_path(folder, root), "sources folder", (".yaml", ".yml")):
        shown = shown_path(path, root)
        try:
            raw = read_input(path, shown, "a YAML file", root=root, limit=MAX_BYTES)
        except SynthdocError as exc:
            diags.extend(exc.diagnostics)
            continue
        source, found, text, reason = _LOADED.get(
            (str(path), shown, str(folder), str(root), digest(raw)),
            lambda raw=raw, path=path, shown=shown: _load(raw, path, shown, folder, root))
        if text is not None and outside_reason(root, text, base=folder) != reason:  # a link changed since
            source, found, text, reason = _load(raw, path, shown, folder, root)
        diags.extend(found)
        if source is not None:
            sources.append(source)
    return tuple(sources), diags


# Claims files by their bytes: (the source, its diagnostics, its text as written, and why that text
# was refused). Whether the text leads out of the project depends on links, not on the bytes: it is
# asked again on every build, and the file read again when the answer changed.
_LOADED = Memo()


def _load(raw: bytes, path: Path, shown: str, folder: Path,
          root: Path) -> tuple[Source | None, list[Diagnostic], str | None, str | None]:
    diags: list[Diagnostic] = []
    try:
        doc = decode_yaml(raw, path, shown)
    except SynthdocError as exc:
        return None, list(exc.diagnostics), None, None
    source = _source(Reader(doc, diags), folder, root)
    text = doc.data.get("text") if isinstance(doc.data, dict) else None
    if not isinstance(text, str):
        return source, diags, None, None
    return source, diags, text, outside_reason(root, text, base=folder)


def _source(r: Reader, folder: Path, root: Path) -> Source | None:
    data = r.doc.data if r.doc.data is not None else {}
    top = r.mapping((), data, _SOURCE_FIELDS, {"source", "claims"}, "a source file")
    key = r.string(("source",), top.get("source"), "source key")
    if key is not None and (problem := key_problem(key)):
        r.problem(("source",), problem, "key-invalid")
        key = None
    text = r.string(("text",), top.get("text"), "text")
    if text is not None:
        reason = outside_reason(root, text, base=folder)
        if reason:
            r.problem(("text",), refusal(text, reason, "text"), "path-outside")
            text = None
    lang = r.string(("lang",), top.get("lang"), "lang", "") or ""
    first_page, labels = _numbering(r, top)
    raw_claims = top.get("claims")
    if key is None:
        return None
    if raw_claims is not None and not isinstance(raw_claims, list):
        r.problem(("claims",), "'claims' must be a list", "schema-type")
        raw_claims = []
    claims = []
    for i, item in enumerate(raw_claims or []):
        claim = _claim(r, ("claims", i), item, key)
        if claim is not None:
            claims.append(claim)
    study = r.mapping(("study",), top.get("study") or {}, set(STUDY_FIELDS), set(), "study")
    return Source(key, folder / text if text else None, lang, tuple(claims), r.doc.name(), r.doc.where("source")[0],
                  first_page, r.localized(("relevance",), top.get("relevance"), "relevance"),
                  tuple((name, r.localized(("study", name), study[name], f"study {name}"))
                        for name in STUDY_FIELDS if study.get(name) is not None),
                  labels, r.doc.where("first_page" if first_page is not None else "page_labels")[0])


_COVER_HINT = ("a PDF whose first page is an unnumbered cover, then pages printed 1, 2, 3 …, is numbered with "
               "page_labels: [cover, 1] (the printed number of its first pages; the rest count on)")


def _numbering(r: Reader, top: dict[str, Any]) -> tuple[int | None, tuple[str, ...]]:
    """How a claims file numbers its PDF's pages: ``first_page: 87``, or ``page_labels: [cover, i, ii, 1]``
    (the printed numbers of the first pages, the pages after them counting on from the last)."""
    first_page = top.get("first_page")
    if first_page is not None and (isinstance(first_page, bool) or not isinstance(first_page, int)
                                   or first_page < 1):
        r.problem(("first_page",), "first_page is the number printed on the PDF's first page, a whole number "
                  f"such as 87; {_COVER_HINT}", "schema-type")
        first_page = None
    raw = top.get("page_labels")
    if raw is None:
        return first_page, ()
    if not isinstance(raw, list) or not raw:
        r.problem(("page_labels",), f"page_labels is a list of printed page numbers; {_COVER_HINT}", "schema-type")
        return first_page, ()
    labels = r.strings(("page_labels",), raw, "page_labels")
    if len(labels) != len(raw):
        return first_page, ()
    if page_number(labels[-1]) is None:
        r.problem(("page_labels", len(raw) - 1), f"the last of page_labels, '{labels[-1]}', is no page number (arabic "
                  "or roman): the pages after it count on from it; end the list with the number printed on the first "
                  "numbered page, as in page_labels: [cover, 1]", "schema-type")
        return first_page, ()
    if first_page is not None:
        r.problem(("page_labels",), "give first_page or page_labels, not both: first_page: 87 is page_labels: [87]",
                  "schema-type")
        return first_page, ()
    return None, labels


def _claim(r: Reader, key: tuple, item: object, source: str) -> Claim | None:
    draft = isinstance(item, dict) and item.get("draft") is True
    m = r.mapping(key, item, _CLAIM_FIELDS, _DRAFT_REQUIRED if draft else _REQUIRED, "a claim")
    if m.get("draft") not in (None, True, False):
        r.problem((*key, "draft"), "draft is true or false", "schema-type")
    by = None
    if m.get("from") is not None:
        origin = r.mapping((*key, "from"), m.get("from"), {"file", "annotation", "author"}, {"file"},
                           "from (where a claim was imported from)")
        by = r.string((*key, "from", "author"), origin.get("author"), "author") if "author" in origin else None
    ident = r.string((*key, "id"), m.get("id"), "claim id")
    kind = r.string((*key, "kind"), m.get("kind"), "kind")
    if kind is not None and kind not in CLAIM_KINDS:
        r.problem((*key, "kind"), f"unknown kind '{kind}'{did_you_mean(kind, CLAIM_KINDS)}; kinds are "
                  f"{', '.join(CLAIM_KINDS)}", "unknown-kind")
    quote = m.get("quote")
    if quote is not None and not isinstance(quote, str):
        r.problem((*key, "quote"), "quote must be text", "schema-type")
        quote = None
    elif "quote" in m and not fold(quote or ""):
        r.problem((*key, "quote"), "quote is empty: copy the passage the claim rests on from the source, word for "
                  "word", "empty-quote")
        quote = quote or ""
    if ident is None or kind is None or quote is None:
        return None
    return Claim(
        source=source,
        id=ident,
        kind=kind,
        themes=r.strings((*key, "themes"), m.get("themes"), "themes"),
        says=r.localized((*key, "says"), m.get("says"), "says"),
        short=r.localized((*key, "short"), m.get("short"), "short"),
        quote=quote,
        at=_locator(r, (*key, "at"), m.get("at")),
        point=r.string((*key, "point"), m.get("point"), "point"),
        # "claim-id" names a claim of the same source: kept as "source-key/claim-id", as every claim is known
        contrasts=tuple(ref if "/" in ref else f"{source}/{ref}"
                        for ref in r.strings((*key, "contrasts"), m.get("contrasts"), "contrasts")),
        actors=r.strings((*key, "actors"), m.get("actors"), "actors"),
        path=r.doc.name(),
        line=r.doc.where(*key)[0],
        draft=draft,
        translation=r.localized((*key, "translation"), m.get("translation"), "translation"),
        by=by,
        infers=r.strings((*key, "infers"), m.get("infers"), "infers"),
        spots=r.spots(key, m, ("says", "short", "translation")),
    )


def _locator(r: Reader, key: tuple, value: object) -> Locator | None:
    if value is None:
        return None
    m = r.mapping(key, value, set(LOCATOR_KINDS), set(), "a locator")
    if len(m) != 1:
        if m:
            r.problem(key, "a locator names one place, such as {section: \"4.1\"} or {page: 12}", "schema-type")
        return None
    kind, raw = next(iter(m.items()))
    text = r.string((*key, kind), raw, f"{kind} locator")
    return Locator(kind, text) if kind in LOCATOR_KINDS and text else None
