"""The project: ``synthdoc.yaml`` read into typed, immutable values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .diagnostics import Diagnostic, SynthdocError, error, has_errors
from .paths import outside_reason, refusal, resolved
from .schema import Localized, Reader, did_you_mean
from .yamlfile import load_yaml

# A document's id names its output files, so it stays one plain file name.
DOCUMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# A language is a BCP 47 tag (``id``, ``en-GB``, ``zh-Hant-TW``): it is written into HTML's lang attribute
# and DOCX's language, so nothing else may pass.
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def lang_problem(lang: str) -> str | None:
    """Why ``lang`` is not a language tag; None when it is one."""
    if LANG_TAG.fullmatch(lang):
        return None
    return f"language '{lang}' is not a BCP 47 language tag; write one such as id, en or en-GB"

CONFIG_NAME = "synthdoc.yaml"
# What synthdoc brings along: its templates, and the DOCX template a project without its own uses.
BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"
BUILTIN_REFERENCE_DOC = Path(__file__).parent.parent / "resources" / "reference.docx"
FORMATS = ("docx", "pdf", "html", "xlsx")
# A document without formats: the three reading formats (xlsx is asked for by name).
DEFAULT_FORMATS = ("docx", "pdf", "html")
CLAIM_KINDS = ("finding", "recommendation", "limitation", "theory", "context")


@dataclass(frozen=True)
class Theme:
    id: str
    title: Localized
    intro: Localized
    line: int


@dataclass(frozen=True)
class Point:
    id: str
    theme: str
    says: Localized
    line: int
    infers: tuple[str, ...] = ()  # what the statement holds on the author's own authority, not its claims'
    spots: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)  # "says.en": (line, col)


@dataclass(frozen=True)
class Actor:
    id: str
    title: Localized
    line: int


@dataclass(frozen=True)
class Concept:
    """A concept of the student's own research, and the themes and points of the review that lead to it."""

    id: str
    title: Localized
    themes: tuple[str, ...]
    points: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Research:
    """The student's own research (``research:`` in synthdoc.yaml): its problem and its concepts, drawn
    as the chapter's Kerangka Pemikiran."""

    problem: Localized
    concepts: tuple[Concept, ...]
    line: int


@dataclass(frozen=True)
class Selection:
    """Which claims a document draws on; an empty tuple means no restriction."""

    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    id: str
    template: str
    title: str
    lang: str
    style: str
    formats: tuple[str, ...]
    select: Selection
    subtitle: str | None = None
    author: str | None = None
    line: int = 1
    style_line: int = 1  # where the style was set: the document's own style, or the project's
    provenance: str = "none"  # "comments": a Word comment on each synthesized sentence (DOCX)
    chapter: int | None = None  # a thesis chapter: "BAB II" / "CHAPTER 2" heading, sections numbered 2.1, 2.1.1
    line_spacing: float | None = None  # 1.5 or 2; None: the DOCX template's own (the built-in one: 1.5)
    citations: str = "text"  # "zotero": citations and bibliography as live Zotero fields (DOCX)


@dataclass(frozen=True)
class Project:
    root: Path
    title: Localized
    bibliographies: tuple[Path, ...]  # one file or several, read and combined in this order
    sources: Path
    templates: Path
    output: Path
    style: str
    lang: str
    themes: tuple[Theme, ...]
    points: tuple[Point, ...]
    actors: tuple[Actor, ...]
    documents: tuple[Document, ...]
    config_path: Path = field(default=Path(CONFIG_NAME))
    reference_doc: Path | None = None  # a university's own DOCX template; None: synthdoc's built-in one
    colors: tuple[tuple[str, str], ...] = ()  # import: highlight colour (#rrggbb) → theme id
    me: tuple[str, ...] = ()  # import: the names the user's PDF readers and Zotero write on their annotations
    research: Research | None = None  # the student's own research: problem and concepts (Kerangka Pemikiran)
    zotero: Path | None = None  # a zotero.sqlite in the project: live Zotero citations link to its items

    @property
    def bibliography(self) -> Path:
        """The first bibliography file (``bibliographies`` has them all)."""
        return self.bibliographies[0]

    @property
    def languages(self) -> tuple[str, ...]:
        """The project's language and each document's, in that order."""
        return (self.lang, *(d.lang for d in self.documents))

    @property
    def docx_template(self) -> Path:
        """The DOCX template a build uses: the project's own, else synthdoc's built-in one."""
        return self.reference_doc or BUILTIN_REFERENCE_DOC

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        known = [d.id for d in self.documents]
        raise SynthdocError.single(
            self.config_path, f"no document '{doc_id}'{did_you_mean(doc_id, known)}; documents: {', '.join(known)}",
            "unknown-document",
        )

    def with_overrides(self, style: str | None = None, lang: str | None = None,
                       formats: tuple[str, ...] | None = None, citations: str | None = None) -> Project:
        """The project with every document's style, language or formats replaced (command-line options)."""
        docs = []
        for doc in self.documents:
            changes: dict[str, object] = {}
            if style:
                changes["style"] = style
                changes["style_line"] = 0
            if lang:
                changes["lang"] = lang
            if formats:
                changes["formats"] = formats
            if citations:
                changes["citations"] = citations
            docs.append(replace(doc, **changes))
        return replace(self, documents=tuple(docs))


_TOP = {"title", "bibliography", "sources", "templates", "output", "style", "lang",
        "themes", "points", "actors", "documents", "reference_doc", "import", "line_spacing",
        "research", "zotero"}


def find_config(start: Path) -> Path:
    """``synthdoc.yaml`` in ``start`` or the nearest folder above it."""
    start = resolved(start)
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise SynthdocError.single(
        start / CONFIG_NAME,
        f"no {CONFIG_NAME} here or in any folder above; run 'synthdoc init DIR' to start a project",
        "no-project",
    )


def load_project(config: Path) -> Project:
    """Read and validate ``synthdoc.yaml``; every problem is reported at once."""
    root = resolved(config.parent)
    doc = load_yaml(config, display=_display(config), root=root)
    diags: list[Diagnostic] = []
    r = Reader(doc, diags)
    top = r.mapping((), doc.data if doc.data is not None else {}, _TOP, {"documents"}, CONFIG_NAME)

    lang = r.string(("lang",), top.get("lang"), "lang", "en") or "en"
    if problem := lang_problem(lang):
        r.problem(("lang",), problem, "lang-invalid")
        lang = "en"
    style = r.string(("style",), top.get("style"), "style", "apa") or "apa"
    themes = tuple(_themes(r, top.get("themes")))
    points = tuple(_points(r, top.get("points"), {t.id for t in themes}))
    actors = tuple(_actors(r, top.get("actors")))
    spacing = line_spacing(r, ("line_spacing",), top.get("line_spacing"))
    documents = tuple(_documents(r, top.get("documents"), lang, style, doc.where("style")[0], spacing))
    colors, me = _import_settings(r, top.get("import"), {t.id for t in themes})
    research = _research(r, top.get("research"), {t.id for t in themes}, {p.id for p in points})
    if has_errors(diags):
        raise SynthdocError(diags)

    def path_of(name: str, default: str) -> Path:
        relative = r.string((name,), top.get(name), name, default) or default
        reason = outside_reason(root, relative)
        if reason:
            r.problem((name,), refusal(relative, reason, name), "path-outside")
        return root / relative

    paths = {name: path_of(name, default) for name, default in (
        ("sources", "sources"), ("templates", "templates"), ("output", "output"))}
    bibliographies = _bibliographies(r, root, top.get("bibliography"))
    reference_doc = None
    if top.get("reference_doc") is not None:
        relative = r.string(("reference_doc",), top.get("reference_doc"), "reference_doc") or ""
        reason = outside_reason(root, relative)
        if reason:
            r.problem(("reference_doc",), refusal(relative, reason, "reference_doc"), "path-outside")
        elif not (root / relative).is_file():
            r.problem(("reference_doc",), f"reference_doc '{relative}' not found", "file-missing")
        elif not relative.lower().endswith(".docx"):
            r.problem(("reference_doc",), f"reference_doc '{relative}' must be a .docx file", "schema-type")
        else:
            reference_doc = root / relative
    zotero = None
    if top.get("zotero") is not None:
        relative = r.string(("zotero",), top.get("zotero"), "zotero") or ""
        reason = outside_reason(root, relative)
        if reason:
            r.problem(("zotero",), refusal(relative, reason, "zotero"), "path-outside")
        elif (root / relative).is_dir() and (root / relative / "zotero.sqlite").is_file():
            inner = f"{relative}/zotero.sqlite"  # a copy of Zotero's data folder
            if reason := outside_reason(root, inner):
                r.problem(("zotero",), refusal(inner, reason, "zotero"), "path-outside")
            zotero = root / inner
        elif not (root / relative).is_file():
            r.problem(("zotero",), f"zotero '{relative}' not found: name a copy of Zotero's zotero.sqlite in the "
                      "project", "file-missing")
        else:
            zotero = root / relative
    for d in documents:
        if d.style.endswith(".csl") and (reason := outside_reason(root, d.style)):
            r.diagnostics.append(error(doc.name(), d.style_line, 1, refusal(d.style, reason, "style"), "path-outside"))
    if has_errors(diags):
        raise SynthdocError(diags)

    return Project(
        root=root,
        title=r.localized(("title",), top.get("title"), "title"),
        bibliographies=bibliographies,
        sources=paths["sources"],
        templates=paths["templates"],
        output=paths["output"],
        style=style,
        lang=lang,
        themes=themes,
        points=points,
        actors=actors,
        documents=documents,
        config_path=Path(doc.name()),
        reference_doc=reference_doc,
        colors=colors,
        me=me,
        research=research,
        zotero=zotero,
    )


def _display(config: Path) -> str:
    """Paths in messages are relative to the project folder, as every other path of the project."""
    return config.name


def _items(r: Reader, key: str, value: object) -> list[tuple[int, dict]]:
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem((key,), f"'{key}' must be a list", "schema-type")
        return []
    return [(i, item) for i, item in enumerate(value)]


def _unique(r: Reader, key: tuple, ident: str | None, seen: set[str], what: str) -> bool:
    if ident is None:
        return False
    if ident in seen:
        r.problem(key, f"duplicate {what} id '{ident}'", "duplicate-id")
        return False
    seen.add(ident)
    return True


def _themes(r: Reader, value: object):
    seen: set[str] = set()
    for i, item in _items(r, "themes", value):
        key = ("themes", i)
        m = r.mapping(key, item, {"id", "title", "intro"}, {"id", "title"}, "a theme")
        ident = r.string((*key, "id"), m.get("id"), "theme id")
        if _unique(r, (*key, "id"), ident, seen, "theme"):
            yield Theme(ident, r.localized((*key, "title"), m.get("title"), "theme title"),
                        r.localized((*key, "intro"), m.get("intro"), "theme intro"), r.doc.where(*key)[0])


def _points(r: Reader, value: object, theme_ids: set[str]):
    seen: set[str] = set()
    for i, item in _items(r, "points", value):
        key = ("points", i)
        m = r.mapping(key, item, {"id", "theme", "says", "infers"}, {"id", "theme", "says"}, "a point")
        ident = r.string((*key, "id"), m.get("id"), "point id")
        theme = r.string((*key, "theme"), m.get("theme"), "point theme")
        if theme is not None and theme not in theme_ids:
            r.problem((*key, "theme"), f"unknown theme '{theme}'{did_you_mean(theme, theme_ids)}", "unknown-theme")
        if _unique(r, (*key, "id"), ident, seen, "point") and theme:
            yield Point(ident, theme, r.localized((*key, "says"), m.get("says"), "point statement"),
                        r.doc.where(*key)[0], r.strings((*key, "infers"), m.get("infers"), "infers"),
                        r.spots(key, m, ("says",)))


def _import_settings(r: Reader, value: object,
                     theme_ids: set[str]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``import: {colors: …, me: [Budi Santoso]}``: the theme of each highlight colour, and the user's own
    names as annotations carry them (an annotation by anyone else is imported as a draft)."""
    if value is None:
        return (), ()
    settings = r.mapping(("import",), value, {"colors", "me"}, set(), "import")
    names = r.strings(("import", "me"), settings.get("me"), "import me (your names)")
    return _colors(r, settings.get("colors"), theme_ids), tuple(n.strip() for n in names if n.strip())


def _colors(r: Reader, colors: object, theme_ids: set[str]) -> tuple[tuple[str, str], ...]:
    """``import: {colors: {yellow: coordination, "#ff6666": limits}}``: the theme of each highlight colour."""
    from .colors import NAMED, parse_color

    if colors is None:
        return ()
    if not isinstance(colors, dict):
        r.problem(("import", "colors"), "import colors must be a mapping of colour to theme, such as "
                  "{yellow: coordination}", "schema-type")
        return ()
    out = []
    for name, theme in colors.items():
        where = ("import", "colors", name)
        color = parse_color(str(name))
        if color is None:
            r.problem(where, f"'{name}' is not a colour: use #rrggbb or one of {', '.join(NAMED)}", "schema-type")
            continue
        text = r.string(where, theme, "theme")
        if text is not None and text not in theme_ids:
            r.problem(where, f"unknown theme '{text}'{did_you_mean(text, theme_ids)}", "unknown-theme")
        elif text is not None:
            out.append((color, text))
    return tuple(out)


def _research(r: Reader, value: object, theme_ids: set[str], point_ids: set[str]) -> Research | None:
    """``research: {problem: …, concepts: [{id, title, themes, points}]}``: the student's own study."""
    if value is None:
        return None
    m = r.mapping(("research",), value, {"problem", "concepts"}, {"problem"}, "research")
    concepts = []
    seen: set[str] = set()
    listed = m.get("concepts")
    if listed is not None and not isinstance(listed, list):
        r.problem(("research", "concepts"), "'concepts' must be a list", "schema-type")
        listed = []
    for i, item in enumerate(listed or []):
        key = ("research", "concepts", i)
        c = r.mapping(key, item, {"id", "title", "themes", "points"}, {"id", "title"}, "a concept")
        ident = r.string((*key, "id"), c.get("id"), "concept id")
        themes = r.strings((*key, "themes"), c.get("themes"), "themes")
        points = r.strings((*key, "points"), c.get("points"), "points")
        for j, theme in enumerate(themes):
            if theme not in theme_ids:
                r.problem((*key, "themes", j), f"unknown theme '{theme}'{did_you_mean(theme, theme_ids)}",
                          "unknown-theme")
        for j, point in enumerate(points):
            if point not in point_ids:
                r.problem((*key, "points", j), f"unknown point '{point}'{did_you_mean(point, point_ids)}",
                          "unknown-point")
        if _unique(r, (*key, "id"), ident, seen, "concept"):
            concepts.append(Concept(ident, r.localized((*key, "title"), c.get("title"), "concept title"),
                                    tuple(t for t in themes if t in theme_ids),
                                    tuple(p for p in points if p in point_ids), r.doc.where(*key)[0]))
    return Research(r.localized(("research", "problem"), m.get("problem"), "research problem"), tuple(concepts),
                    r.doc.where("research")[0])


def _actors(r: Reader, value: object):
    seen: set[str] = set()
    for i, item in _items(r, "actors", value):
        key = ("actors", i)
        m = r.mapping(key, item, {"id", "title"}, {"id", "title"}, "an actor")
        ident = r.string((*key, "id"), m.get("id"), "actor id")
        if _unique(r, (*key, "id"), ident, seen, "actor"):
            yield Actor(ident, r.localized((*key, "title"), m.get("title"), "actor title"), r.doc.where(*key)[0])


_DOC_FIELDS = {"id", "template", "title", "subtitle", "author", "lang", "style", "formats", "select", "provenance",
               "chapter", "line_spacing", "citations"}
PROVENANCE = ("none", "comments")
LINE_SPACINGS = (1, 1.5, 2)
CITATIONS = ("text", "zotero")


def line_spacing(r: Reader, key: tuple, value: object) -> float | None:
    """``line_spacing: 1.5`` or ``2`` (or 1): the lines of body text, in Word's sense."""
    if value is None:
        return None
    # synthdoc's YAML reader keeps decimals as written ("4.10" stays a section number): 1.5 comes as text
    number = None if isinstance(value, bool) or not isinstance(value, int | float | str) else \
        next((float(n) for n in LINE_SPACINGS if str(value).strip() in (str(n), f"{float(n)}")), None)
    if number is None:
        r.problem(key, f"line_spacing is one of {', '.join(str(s) for s in LINE_SPACINGS)} (as in Word: 1.5 "
                  f"lines, double), not {value}", "schema-type")
    return number


def chapter_number(r: Reader, key: tuple, value: object) -> int | None:
    """``chapter: 2``: the document is a thesis chapter (BAB II)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
        r.problem(key, f"chapter is the chapter's number, such as 2 for BAB II, not {value!r}", "schema-type")
        return None
    return value


def _documents(r: Reader, value: object, lang: str, style: str, style_line: int, spacing: float | None):
    seen: set[str] = set()
    if not value:
        r.problem(("documents",), "no documents: name at least one under 'documents'", "schema-missing-field")
    for i, item in _items(r, "documents", value):
        key = ("documents", i)
        m = r.mapping(key, item, _DOC_FIELDS, {"id", "template"}, "a document")
        ident = r.string((*key, "id"), m.get("id"), "document id")
        if ident is not None and not DOCUMENT_ID.fullmatch(ident):
            r.problem((*key, "id"), f"document id '{ident}' names the output files (output/<id>.html …): use "
                      "letters, digits, '.', '_' and '-' only, starting with a letter or digit (e.g. policy-brief)",
                      "schema-type")
            ident = None
        formats = r.strings((*key, "formats"), m.get("formats"), "formats") or DEFAULT_FORMATS
        for j, fmt in enumerate(formats):
            if fmt not in FORMATS:
                r.problem((*key, "formats", j), f"unknown format '{fmt}'{did_you_mean(fmt, FORMATS)}; "
                          f"formats are {', '.join(FORMATS)}", "unknown-format")
        sel = r.mapping((*key, "select"), m.get("select") or {}, {"kinds", "themes", "sources"}, set(), "select")
        kinds = r.strings((*key, "select", "kinds"), sel.get("kinds"), "kinds")
        for j, kind in enumerate(kinds):
            if kind not in CLAIM_KINDS:
                r.problem((*key, "select", "kinds", j), f"unknown claim kind '{kind}'{did_you_mean(kind, CLAIM_KINDS)}",
                          "unknown-kind")
        doc_lang = r.string((*key, "lang"), m.get("lang"), "lang") or lang
        if problem := lang_problem(doc_lang):
            r.problem((*key, "lang"), problem, "lang-invalid")
        prov = r.string((*key, "provenance"), m.get("provenance"), "provenance", "none") or "none"
        if prov not in PROVENANCE:
            r.problem((*key, "provenance"), f"provenance is one of {', '.join(PROVENANCE)}", "schema-type")
        cites = r.string((*key, "citations"), m.get("citations"), "citations", "text") or "text"
        if cites not in CITATIONS:
            r.problem((*key, "citations"), f"citations is one of {', '.join(CITATIONS)}", "schema-type")
        if _unique(r, (*key, "id"), ident, seen, "document"):
            yield Document(
                id=ident,
                template=r.string((*key, "template"), m.get("template"), "template") or "",
                title=r.string((*key, "title"), m.get("title"), "title") or ident,
                subtitle=r.string((*key, "subtitle"), m.get("subtitle"), "subtitle"),
                author=r.string((*key, "author"), m.get("author"), "author"),
                lang=doc_lang,
                style=r.string((*key, "style"), m.get("style"), "style") or style,
                formats=tuple(f for f in formats if f in FORMATS),
                select=Selection(kinds, r.strings((*key, "select", "themes"), sel.get("themes"), "themes"),
                                 r.strings((*key, "select", "sources"), sel.get("sources"), "sources")),
                line=r.doc.where(*key)[0],
                style_line=r.doc.where(*key, "style")[0] if m.get("style") else style_line,
                provenance=prov,
                chapter=chapter_number(r, (*key, "chapter"), m.get("chapter")),
                line_spacing=line_spacing(r, (*key, "line_spacing"), m.get("line_spacing")) or spacing,
                citations=cites if cites in CITATIONS else "text",
            )


def _bibliographies(r: Reader, root: Path, value: object) -> tuple[Path, ...]:
    """``bibliography:`` as one file or a list of files (default: bibliography.bib)."""
    if isinstance(value, list) and not value:
        r.problem(("bibliography",), "bibliography lists no file; name one or more, or leave it out for "
                  "bibliography.bib", "schema-type")
    names = r.strings(("bibliography",), value, "bibliography") or ("bibliography.bib",)
    out = []
    for i, relative in enumerate(names):
        reason = outside_reason(root, relative)
        key = ("bibliography", i) if isinstance(value, list) else ("bibliography",)
        if reason:
            r.problem(key, refusal(relative, reason, "bibliography"), "path-outside")
        elif root / relative in out:
            r.problem(key, f"bibliography '{relative}' is listed twice", "schema-type")
        out.append(root / relative)
    return tuple(out)
