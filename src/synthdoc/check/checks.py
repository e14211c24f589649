"""Every check of a project, before anything renders: keys, quotes, locators, ids, references, entries."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TypeVar

from ..core.diagnostics import (
    MANY_LISTED,
    Diagnostic,
    Severity,
    SynthdocError,
    counted_as,
    documents_phrase,
    error,
    warning,
)
from ..core.paths import resolved, shown_path
from ..core.project import Document, Point, Project
from ..core.schema import Localized, did_you_mean, in_language
from ..core.warm import Memo
from ..render.citations import cited_keys
from ..render.document import Inputs, render_document
from ..render.phrases import PHRASES
from ..render.styles import resolve_style
from ..render.synthesis import selected_claims
from ..render.templating import environment, template_files
from ..sources.claims import Claim, Locator, Source
from ..sources.quotes import QuoteMatch, fold
from ..sources.texts import SourceText, label_ranges, page_number, read_text
from .statements import check_statements
from .told import told_claims

# What an entry needs to be cited properly, by CSL type (any one of a group of alternatives).
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "thesis": (("author",), ("title",), ("issued",), ("publisher",)),
    "book": (("author", "editor"), ("title",), ("issued",), ("publisher",)),
    "chapter": (("author",), ("title",), ("container-title",), ("issued",), ("publisher",)),
    "article-journal": (("author",), ("title",), ("container-title",), ("issued",)),
    "report": (("author",), ("title",), ("issued",), ("publisher",)),
}
DEFAULT_REQUIRED: tuple[tuple[str, ...], ...] = (("author", "editor"), ("title",), ("issued",))
FIELD_NAMES = {"publisher": "institution/publisher", "issued": "year", "container-title": "journal/book title"}


def infer_pages(sources: tuple[Source, ...], texts: dict[str, SourceText]) -> tuple[tuple[Source, ...], frozenset[str]]:
    """Claims of PDF sources without a locator get the page their quote stands on."""
    inferred: set[str] = set()
    out = []
    for source in sources:
        text = texts.get(source.key)
        if text is None or not text.pages:
            out.append(source)
            continue
        claims = []
        for claim in source.claims:
            if claim.at is None:
                page = _kept(_PAGES, text, (text.labels, claim.quote), lambda claim=claim, text=text: _page_of(
                    claim.quote, text))
                if page is not None:
                    claim = replace(claim, at=Locator("page", str(page)))
                    inferred.add(claim.ref)
            claims.append(claim)
        out.append(replace(source, claims=tuple(claims)))
    return tuple(out), frozenset(inferred)


_PAGES = Memo()
T = TypeVar("T")


def _kept(memo: Memo, text: SourceText, key: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, kept in ``memo`` by the text's bytes and ``key`` (everything else it reads); made each
    time for a text that was not read from a file (it has no digest)."""
    return memo.get((text.digest, *key), make) if text.digest else make()


def _page_of(quote: str, text: SourceText) -> str | None:
    """The printed number of the page a quote stands on first."""
    found = text.find_quote(quote)
    return text.label_at(found.start) if found else None


def load_texts(project: Project, sources: tuple[Source, ...]) -> tuple[dict[str, SourceText], list[Diagnostic]]:
    texts: dict[str, SourceText] = {}
    diags: list[Diagnostic] = []
    for source in sources:
        if source.text is None:
            continue
        try:
            texts[source.key] = read_text(source.text, shown_path(source.text, project.root), source.first_page,
                                          project.root, labels=source.page_labels)
        except SynthdocError as exc:
            d = exc.diagnostics[0]
            diags.append(error(source.path, source.line, 1, f"{d.message}: {d.path}", d.code))
    return texts, diags


def check(inputs: Inputs, every: bool = False) -> list[Diagnostic]:
    """All problems of a project, errors and warnings, in file order. Of many entries a library holds that
    no claim cites, one line per file (as the terminal lists them), unless ``every`` (``--format json``)."""
    diags = list(inputs.diagnostics)
    diags += _check_documents(inputs)
    diags += _check_languages(inputs)
    diags += _check_claims(inputs)
    diags += _check_entries(inputs, every)
    diags += check_statements(inputs.project, inputs.sources, inputs.texts)
    return _sorted(diags)


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    unique = list(dict.fromkeys(diags))
    return sorted(unique, key=lambda d: (d.path, d.line, d.col))


def _check_documents(inputs: Inputs) -> list[Diagnostic]:
    project = inputs.project
    diags = []
    env = environment(project.templates)
    known_templates = set(env.list_templates(extensions=["j2"]))
    for doc in project.documents:
        if doc.template not in known_templates:
            diags.append(error(project.config_path, doc.line, 1,
                               f"document '{doc.id}': template '{doc.template}' not found in templates/ nor built in"
                               f"{did_you_mean(doc.template, known_templates)}", "template-missing"))
        else:  # rendered with the project's own claims: what would fail at build fails here
            try:
                markdown, ctx = render_document(inputs, doc)
            except SynthdocError as exc:
                diags += exc.diagnostics
            else:
                diags += _template_citations(inputs, doc, markdown)
                diags += told_claims(doc, markdown, ctx)
        try:
            where = ("command line (--style)", 1) if doc.style_line == 0 else (str(project.config_path), doc.style_line)
            resolve_style(doc.style, project.root, *where)
        except SynthdocError as exc:
            diags += exc.diagnostics
        keys = {s.key for s in inputs.sources}
        for key in doc.select.sources:
            if key not in keys:
                diags.append(error(project.config_path, doc.line, 1, f"document '{doc.id}' selects unknown source "
                                   f"'{key}'{did_you_mean(key, keys)}: no claims file cites it, so the document "
                                   "would leave it out", "unknown-key"))
        if keys and not selected_claims(doc, inputs.sources):
            diags.append(warning(project.config_path, doc.line, 1, f"document '{doc.id}' selects no claims: its "
                                 "select (kinds, themes, sources) matches none, so it comes out empty",
                                 "empty-document"))
        for theme in doc.select.themes:
            if theme not in {t.id for t in project.themes}:
                diags.append(error(project.config_path, doc.line, 1, f"document '{doc.id}' selects unknown theme "
                                   f"'{theme}'{did_you_mean(theme, [t.id for t in project.themes])}", "unknown-theme"))
    return diags


def _check_languages(inputs: Inputs) -> list[Diagnostic]:
    """A document is written in one language: every claim, point, theme and actor it shows has text in it."""
    project = inputs.project
    diags = []
    points = {p.id: p for p in project.points}
    themes = {t.id: t for t in project.themes}
    actors = {a.id: a for a in project.actors}
    shown: dict[tuple[str, str, int, str], list[tuple[Localized, str]]] = defaultdict(list)
    everywhere = _sources_by_point(c for s in inputs.sources for c in s.claims if not c.draft)
    for doc in project.documents:
        lang = doc.lang
        claims = selected_claims(doc, inputs.sources)
        mute = [c for c in claims if c.says and in_language(c.says, lang) is None]
        if mute:
            listed = ", ".join(f"{c.ref} ({c.path}:{c.line})" for c in mute[:8])
            more = f" and {len(mute) - 8} more" if len(mute) > 8 else ""
            diags.append(error(project.config_path, doc.line, 1, f"document '{doc.id}' is in '{lang}', but "
                               f"{len(mute)} of its claims say nothing in '{lang}': {listed}{more}; add "
                               f"says: {{{lang}: ...}} to each, or build the document in a language they have",
                               "missing-language"))
        here = _sources_by_point(claims)
        for point_id in dict.fromkeys(c.point for c in claims if c.point in points):
            shown[("point", point_id, points[point_id].line, lang)].append((points[point_id].says, doc.id))
            diags += _single_source_point(inputs, doc, points[point_id], here[point_id], everywhere[point_id])
        for theme_id in dict.fromkeys(t for c in claims for t in c.themes if t in themes):
            theme = themes[theme_id]
            shown[("theme", theme_id, theme.line, lang)] += [(theme.title, doc.id), (theme.intro, doc.id)]
        for actor_id in dict.fromkeys(a for c in claims for a in c.actors if a in actors):
            shown[("actor", actor_id, actors[actor_id].line, lang)].append((actors[actor_id].title, doc.id))
        if lang.split("-")[0].lower() not in PHRASES:
            diags.append(warning(project.config_path, doc.line, 1, f"document '{doc.id}' is in '{lang}', but the "
                                 f"phrase book (words: 'In contrast', 'Key findings' ...) speaks "
                                 f"{', '.join(PHRASES)} only: they come out in English", "missing-language"))
    for (what, ident, line, lang), texts in shown.items():
        docs = list(dict.fromkeys(d for text, d in texts if text and in_language(text, lang) is None))
        if docs:
            diags.append(error(project.config_path, line, 1, f"{what} '{ident}' has no text in '{lang}', the "
                               f"language of {documents_phrase(docs)}; add {lang}: ... to it", "missing-language"))
    return diags


def _template_citations(inputs: Inputs, doc: Document, markdown: str) -> list[Diagnostic]:
    """Citations a template writes itself (``[@smith2020]`` in its own text) must name entries of the
    bibliography: pandoc would print an unknown one as '(smith2021?)' and link it to nothing."""
    keys = set(inputs.bibliography.keys())
    claimed = {s.key for s in inputs.sources}  # an unknown one is reported at its claims file
    cited = cited_keys(markdown)
    unknown = [k for k in cited if k not in keys and k not in claimed]
    # A library is read for the keys claims cite and templates write in their text; a key a template
    # puts together from pieces was not read, and pandoc would not find it either.
    unread = [k for k in cited if k in keys and inputs.bibliography.get(k) is None
              and k not in inputs.bibliography.broken]
    diags = []
    files = template_files(doc.template, inputs.project.templates)
    for key in unknown:
        path, line = _written_at(files, key, inputs.project)
        diags.append(error(path, line, 1, f"document '{doc.id}' cites '@{key}', which is not in "
                           f"{inputs.bibliography.shown}{did_you_mean(key, keys)}; pandoc would print it as "
                           f"'({key}?)'", "unknown-key", doc.id))
    for key in unread:
        path, line = _written_at(files, key, inputs.project)
        diags.append(error(path, line, 1, f"document '{doc.id}' cites '@{key}', a key its template puts "
                           "together, so its entry was not read from the bibliography (only the entries claims "
                           f"cite and templates write out are); write '@{key}' whole in the template",
                           "unread-key", doc.id))
    return diags


def _written_at(files: list[Path], key: str, project: Project) -> tuple[str, int]:
    """The template file and line that write ``@key``, as far as its text shows it."""
    pattern = re.compile(rf"(?<![\w\\])@\{{?{re.escape(key)}")
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if m := pattern.search(text):
            shown = shown_path(path, project.root) if path.is_relative_to(project.root) else f"(built-in) {path.name}"
            return shown, text.count("\n", 0, m.start()) + 1
    return str(project.config_path), 1


def _sources_by_point(claims: Iterable[Claim]) -> defaultdict[str | None, set[str]]:
    """The sources whose claims back each point."""
    sources: defaultdict[str | None, set[str]] = defaultdict(set)
    for claim in claims:
        sources[claim.point].add(claim.source)
    return sources


def _single_source_point(inputs: Inputs, doc: Document, point: Point, here: set[str],
                         everywhere: set[str]) -> list[Diagnostic]:
    """A point gathers sources; in a document whose select keeps one of them (``here``, of ``everywhere``
    in the project), its synthesis rests on one work. (A point with one source in the whole project is
    reported once, as single-source.)"""
    if len(here) == 1 and len(everywhere) > 1:
        return [warning(inputs.project.config_path, point.line, 1, f"point '{point.id}' rests on one source "
                        f"({next(iter(here))}) in document '{doc.id}': its select leaves out "
                        f"{', '.join(sorted(everywhere - here))}", "single-source", doc.id)]
    return []


def _check_claims(inputs: Inputs) -> list[Diagnostic]:
    project, bib = inputs.project, inputs.bibliography
    diags: list[Diagnostic] = []
    keys = set(bib.keys())
    themes = {t.id for t in project.themes}
    points = {p.id for p in project.points}
    actors = {a.id for a in project.actors}
    refs = {c.ref for s in inputs.sources for c in s.claims}
    seen_sources: dict[str, Source] = {}
    by_point: dict[str, set[str]] = defaultdict(set)
    texts_of: dict[Path, list[Source]] = defaultdict(list)
    for source in inputs.sources:
        if source.text is not None:
            texts_of[resolved(source.text)].append(source)

    for source in inputs.sources:
        if source.key in seen_sources:
            diags.append(error(source.path, source.line, 1, f"source '{source.key}' already has a claims file: "
                               f"{seen_sources[source.key].path}", "duplicate-source"))
        seen_sources[source.key] = source
        if source.key not in keys and source.key not in bib.broken:  # a broken entry has its own error
            diags.append(error(source.path, source.line, 1, f"source key '{source.key}' is not in "
                               f"{bib.shown}{did_you_mean(source.key, keys)}", "unknown-key"))
        if not source.claims:
            diags.append(warning(source.path, source.line, 1, f"source '{source.key}' has no claims", "no-claims"))
        diags += _check_source_files(source, keys, project, texts_of)
        text = inputs.texts.get(source.key)
        seen_ids: dict[str, int] = {}
        for claim in source.claims:
            if claim.id in seen_ids:
                diags.append(error(claim.path, claim.line, 1, f"duplicate claim id '{claim.id}' (first at line "
                                   f"{seen_ids[claim.id]})", "duplicate-id"))
            seen_ids.setdefault(claim.id, claim.line)
            diags += _check_references(claim, themes, points, actors, refs)
            if claim.point:
                by_point[claim.point].add(claim.source)
            if claim.at is None:
                diags.append(warning(claim.path, claim.line, 1, f"claim '{claim.id}' has no locator; add one such "
                                     "as at: {section: \"4.1\"}", "no-locator"))
            if text is not None:
                diags += _check_quote(claim, text, claim.ref in inputs.inferred)
            diags += _outside_entry(claim, bib.get(source.key), bib.where(source.key), text,
                                    claim.ref in inputs.inferred)
            if claim.draft and claim.by:
                diags.append(Diagnostic(claim.path, claim.line, 1, Severity.NOTE, f"claim '{claim.id}' is a draft "
                                        f"from an annotation by {claim.by}, not by you: documents leave it out "
                                        "until you have read it against the source and made its statement your "
                                        "own; then remove draft: true", "draft"))
            elif claim.draft:
                diags.append(Diagnostic(claim.path, claim.line, 1, Severity.NOTE, f"claim '{claim.id}' is a draft: "
                                        "documents leave it out until it has themes and says something; then "
                                        "remove draft: true", "draft"))
            elif not claim.says:
                diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}' says nothing: add "
                                   "says: {id: ..., en: ...}", "schema-missing-field"))
        if text is not None:
            diags += _unverifiable_locators(source, text)
            diags += _page_numbering(source, text)

    for point in project.points:
        backers = by_point.get(point.id, set())
        if len(backers) == 1:
            diags.append(warning(project.config_path, point.line, 1, f"point '{point.id}' rests on one source only "
                                 f"({next(iter(backers))}); a synthesis point gathers two or more", "single-source"))
    return diags


def _check_source_files(source: Source, keys: set[str], project: Project,
                        texts_of: dict[Path, list[Source]]) -> list[Diagnostic]:
    """A claims file and its text belong to the source they cite: a file or text named after another entry
    of the bibliography, or a text two sources share, would put one work's quotes under another's key."""
    diags = []
    if source.key not in keys:
        return diags  # unknown-key says so, with a did-you-mean
    stem = Path(source.path).stem
    if stem != source.key and stem in keys:
        diags.append(error(source.path, source.line, 1, f"{source.path} is named after entry '{stem}', but its "
                           f"claims cite '{source.key}'; if they come from '{source.key}', rename the file "
                           f"{source.key}{Path(source.path).suffix}, else correct source:", "source-mismatch"))
    if source.text is None:
        if source.claims:
            diags.append(warning(source.path, source.line, 1, f"source '{source.key}' has no text: its "
                                 f"{len(source.claims)} quote(s) are not checked; add text: {source.key}.md (or .txt, "
                                 ".pdf) with the source's own text", "no-text"))
        return diags
    text = source.text

    def shown() -> str:  # the text's path as messages show it, made for a message only
        return shown_path(text, project.root)

    if source.text.stem != source.key and source.text.stem in keys:
        diags.append(error(source.path, source.line, 1, f"the text {shown()} is named after entry "
                           f"'{source.text.stem}', but these claims cite '{source.key}': quotes would be checked "
                           f"against another work; name the text of '{source.key}' here", "source-mismatch"))
    sharing = [s for s in texts_of[resolved(source.text)] if s.key != source.key]
    if sharing:
        diags.append(error(source.path, source.line, 1, f"the text {shown()} is also the text of "
                           f"'{sharing[0].key}' ({sharing[0].path}); each source has its own text", "source-mismatch"))
    return diags


def _unverifiable_locators(source: Source, text: SourceText) -> list[Diagnostic]:
    """Locators that the text gives nothing to check against (sections of a text without numbered headings,
    pages of a text that is not a PDF, paragraphs): said once per source, never passed in silence."""
    diags = []
    why = {
        "section": None if text.sections else f"{text.shown} has no numbered section headings (such "
                   "as '## 4.1 Kesimpulan') to check them against; give the text its headings",
        "chapter": None if text.chapters else f"{text.shown} has no chapter headings (such as "
                   "'BAB IV') to check them against; give the text its headings",
        "page": None if text.pages else f"{text.shown} is not a PDF, so its pages cannot be checked; give the "
                "PDF as the text, or cite sections",
        "paragraph": "synthdoc does not check paragraph numbers; cite a section or page where you can",
    }
    for kind, reason in why.items():
        citing = [c for c in source.claims if c.at and c.at.kind == kind]
        if citing and reason:
            diags.append(warning(citing[0].path, citing[0].line, 1, f"{len(citing)} claim(s) of '{source.key}' cite "
                                 f"a {kind}, but {reason}", "unchecked-locator"))
    return diags


def _page_numbering(source: Source, text: SourceText) -> list[Diagnostic]:
    """How a PDF's pages are numbered, where citations would otherwise be silently off: the claims file's
    first_page: or page_labels: overriding the PDF's own labels (said, with which wins), and page numbers
    that disagree with the numbers the pages print (an unnumbered cover, then pages printed 1, 2, 3 …)."""
    if not text.pages or not any(c.at and c.at.kind == "page" for c in source.claims):
        return []
    line = source.numbered_at or source.line
    diags = []
    if text.own_labels:
        diags.append(warning(source.path, line, 1, f"{text.shown} has page labels of its own "
                             f"({label_ranges(text.own_labels)}), and {source.numbering} overrides them: locators "
                             f"are checked, and citations printed, by {source.numbering}'s numbers "
                             f"({text.label_ranges()}); remove it to use the PDF's own labels", "page-labels"))
    offsets: dict[int, list[int]] = defaultdict(list)
    for page, printed in text.printed_numbers.items():
        if (value := page_number(text.labels[page - 1])) is not None and text.labels[page - 1].isdecimal():
            offsets[printed - value].append(page)
    if not offsets:
        return diags
    offset, pages = max(offsets.items(), key=lambda item: len(item[1]))
    if offset == 0 or len(pages) < 2 or 2 * len(pages) < len(text.printed_numbers):
        return diags
    first = pages[0]
    start = text.printed_numbers[first] - (first - 1)  # what the PDF's first page would be printed
    fix = f"first_page: {start}" if start >= 1 else ("page_labels: [" + ", ".join(
        ["cover", *["unnumbered"] * (-start), "1"]) + "]")
    if text.own_labels and all(text.own_labels[p - 1] == str(text.printed_numbers[p]) for p in pages):
        fix = f"nothing: remove {source.numbering}, and the PDF's own labels, which agree with its pages, count"
    said = source.numbering or ("its own page labels" if text.printed else "no page labels, so its pages are "
                                "counted 1, 2, 3 … from the first")
    shown = ", ".join(f"{text.printed_numbers[p]} (cited as page {text.labels[p - 1]})" for p in pages[:3])
    what = f"add {fix} to this file" + (f" in place of {source.numbering}" if source.numbering else "") \
        if not fix.startswith("nothing") else fix.removeprefix("nothing: ")
    diags.append(warning(source.path, line, 1, f"{text.shown} has {said}, but its pages print other numbers: "
                         f"{shown} …; a quote found there, or a locator checked, is put {abs(offset)} page"
                         f"{'s' * (abs(offset) != 1)} {'too low' if offset > 0 else 'too high'}; {what}",
                         "page-labels"))
    return diags


def _check_references(claim: Claim, themes: set[str], points: set[str], actors: set[str],
                      refs: set[str]) -> list[Diagnostic]:
    diags = []
    for theme in claim.themes:
        if theme not in themes:
            diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}': unknown theme '{theme}'"
                               f"{did_you_mean(theme, themes)}", "unknown-theme"))
    if claim.point and claim.point not in points:
        diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}': unknown point '{claim.point}'"
                           f"{did_you_mean(claim.point, points)}", "unknown-point"))
    for actor in claim.actors:
        if actor not in actors:
            diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}': unknown actor '{actor}'"
                               f"{did_you_mean(actor, actors)}", "unknown-actor"))
    for ref in claim.contrasts:
        full = ref if "/" in ref else f"{claim.source}/{ref}"
        if full == claim.ref:
            diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}' contrasts with itself; name the "
                               "claim that says otherwise, as source-key/claim-id", "unknown-claim"))
        elif full not in refs:
            diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}' contrasts with unknown claim "
                               f"'{ref}'{did_you_mean(full, refs)}; name it as source-key/claim-id", "unknown-claim"))
    if not claim.themes and not claim.draft:
        diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}' has no themes", "schema-missing-field"))
    if claim.kind == "recommendation" and not claim.actors and actors and not claim.draft:
        diags.append(warning(claim.path, claim.line, 1, f"recommendation '{claim.id}' addresses no actor; a policy "
                             "brief lists recommendations by actor and leaves it out: add actors: "
                             f"[{', '.join(sorted(actors))}]", "no-actor"))
    return diags


def _check_quote(claim: Claim, text: SourceText, inferred: bool = False) -> list[Diagnostic]:
    """The quote of a claim against its text (kept, for the process's next build, by the text's bytes and
    everything of the claim the check reads)."""
    key = (text.shown, text.labels, text.printed, claim.quote, claim.at, claim.id, claim.path, claim.line, inferred)
    return list(_kept(_QUOTE_CHECKS, text, key, lambda: tuple(_quote_problems(claim, text, inferred))))


_QUOTE_CHECKS = Memo()


def _quote_problems(claim: Claim, text: SourceText, inferred: bool) -> list[Diagnostic]:
    if not fold(claim.quote):
        return []  # an empty quote is reported where it is read
    matches = list(islice(text.find_quotes(claim.quote), _MAX_PLACES))
    if not matches:
        near = text.closest(claim.quote)
        where = f"page {text.label_at(near.start)}" if near and text.pages else ""
        place = f"{text.shown}, {where}" if where else f"{text.shown}:{near.line}" if near else text.shown
        hint = f"; closest passage ({near.similarity:.0f}% similar, {place}): \"{near.passage}\"" if near else ""
        return [error(claim.path, claim.line, 1, f"claim '{claim.id}': quote not found in {text.shown}{hint}",
                      "quote-not-found")]
    if inferred and len(pages := list(dict.fromkeys(text.label_at(m.start) for m in matches))) > 1:
        return [warning(claim.path, claim.line, 1, f"claim '{claim.id}' has no locator, and its quote stands on "
                        f"pages {', '.join(map(str, pages))} of {text.shown}: page {pages[0]} is used; add "
                        f"at: {{page: ...}} with the page you mean", "page-ambiguous")]
    # A quote that stands in several places is checked where its locator says, if it stands there.
    located = [_dropped(claim, text, found) + _check_place(claim, text, found, inferred) for found in matches]
    return next((diags for diags in located if not diags), located[0])


def _dropped(claim: Claim, text: SourceText, found: QuoteMatch) -> list[Diagnostic]:
    """A quote that leaves out a hyphen the author wrote (``lakilaki`` where the page prints ``laki-⏎laki``)
    is found, but it misquotes the page: say which words to write as printed."""
    if not found.dropped:
        return []
    where = f"page {text.label_at(found.start)}" if text.pages else f"line {found.line}"
    words = ", ".join(f"'{w}'" for w in found.dropped)
    return [error(claim.path, claim.line, 1, f"claim '{claim.id}': the quote drops the hyphen of {words}, which "
                  f"{text.shown} prints with it ({where}); write {words} in the quote", "quote-hyphen")]


_MAX_PLACES = 20  # places of one quote compared with its locator


def _check_place(claim: Claim, text: SourceText, found: QuoteMatch, inferred: bool) -> list[Diagnostic]:
    """The locator of a claim against one place where its quote stands."""
    if text.pages and (claim.at is None or claim.at.kind == "page"):
        return _check_page(claim, text, text.page_at(found.start) or 1, inferred)
    diags = []  # a section or chapter, of a text or of a PDF
    if claim.at and claim.at.kind == "section" and text.sections:
        if claim.at.value not in text.sections:
            diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}': section {claim.at.value} is not a "
                               f"heading of {text.shown} (its sections: {', '.join(text.sections)})",
                               "unknown-locator"))
        else:
            actual = text.section_at(found.line)
            if actual and actual != claim.at.value and not actual.startswith(claim.at.value + "."):
                diags.append(warning(claim.path, claim.line, 1, f"claim '{claim.id}': the quote stands in section "
                                     f"{actual} ({text.shown}:{found.line}), not {claim.at.value}",
                                     "locator-mismatch"))
    if claim.at and claim.at.kind == "chapter" and text.chapters and claim.at.value not in text.chapters:
        diags.append(error(claim.path, claim.line, 1, f"claim '{claim.id}': chapter {claim.at.value} is not in "
                           f"{text.shown}", "unknown-locator"))
    return diags


def _check_page(claim: Claim, text: SourceText, page: int, inferred: bool) -> list[Diagnostic]:
    """A page locator of a PDF source names printed page numbers (its labels), as a citation does."""
    label = text.labels[page - 1]
    if inferred:
        return [Diagnostic(claim.path, claim.line, 1, Severity.NOTE, f"claim '{claim.id}' has no locator; its quote "
                           f"stands on page {label} of {text.shown}, which is used (add at: {{page: {label}}})",
                           "page-inferred")]
    if claim.at is None or claim.at.kind != "page":
        return []
    ends = [part.strip() for part in re.split(r"[-–]", claim.at.value, maxsplit=1)]
    indices = [text.page_of(end) for end in ends]
    for end, index in zip(ends, indices, strict=True):
        if index is None:
            return [error(claim.path, claim.line, 1, f"claim '{claim.id}': {_no_such_page(end, text)}"
                          f"{_own_label(text, page)}", "unknown-locator")]
    first, last = indices[0], indices[-1]
    if first is not None and last is not None and not first <= page <= max(first, last):
        return [warning(claim.path, claim.line, 1, f"claim '{claim.id}': the quote stands on page {label} of "
                        f"{text.shown}, not page {claim.at.value}{_own_label(text, page)}", "locator-mismatch")]
    return []


_PAGE_PART = re.compile(r"\s*([0-9]+|[ivxlcdm]+)\s*(?:[-\u2010-\u2015]+\s*([0-9]+|[ivxlcdm]+)\s*)?", re.IGNORECASE)


def entry_pages(page: object) -> list[tuple[int, int, bool]]:
    """The pages an entry's ``page`` field gives (``87–110``, ``iii-xii, 1-20``, ``1234-56``) as (first, last,
    roman) ranges; none when a part is no page number or no part is a range (a book's page count)."""
    if not isinstance(page, str | int) or isinstance(page, bool):
        return []
    ranges, any_range = [], False
    for part in str(page).split(","):
        m = _PAGE_PART.fullmatch(part)
        if m is None:
            return []
        first, last = m.group(1), m.group(2) or m.group(1)
        if first.isdecimal() != last.isdecimal():
            return []
        if first.isdecimal() and int(last) < int(first) and len(last) < len(first):  # 1234-56 is 1234-1256
            last = first[:len(first) - len(last)] + last
        low, high = page_number(first), page_number(last)
        if low is None or high is None or high < low:
            return []
        any_range = any_range or m.group(2) is not None
        ranges.append((low, high, not first.isdecimal()))
    return ranges if any_range else []


def _outside_entry(claim: Claim, entry: dict | None, place: tuple[str, int], text: SourceText | None,
                   inferred: bool) -> list[Diagnostic]:
    """A page locator outside the pages the claim's entry gives for its work (``at: {page: ii}`` of a
    chapter on pages 87–110) cites a page the reader will not find in that work."""
    if claim.at is None or claim.at.kind != "page" or entry is None:
        return []
    ranges = entry_pages(entry.get("page"))
    ends = [part.strip() for part in re.split(r"[-–]", claim.at.value, maxsplit=1)]
    values = [(page_number(end), not end.isdecimal()) for end in ends]
    if not ranges or any(v is None for v, _ in values):
        return []
    if all(any(low <= v <= high and roman == r for low, high, roman in ranges) for v, r in values if v is not None):
        return []
    pages = str(entry.get("page")).replace("--", "–")
    where = f"the entry gives its pages as {pages} ({place[0]}:{place[1]})"
    if inferred:
        fix = ("number the PDF's pages as they are printed: first_page: or page_labels: in this file"
               if text is not None and text.pages and not text.printed else "check the entry's pages")
        message = (f"claim '{claim.id}' has no locator, and its quote stands on page {claim.at.value} of "
                   f"{text.shown if text else 'its text'}, but {where}; {fix}")
    else:
        message = (f"claim '{claim.id}' cites page {claim.at.value}, but {where}: a reader finds no page "
                   f"{claim.at.value} in it; correct the locator or the entry's pages")
    return [warning(claim.path, claim.line, 1, message, "page-outside-entry")]


def _own_label(text: SourceText, page: int) -> str:
    """For a PDF whose own page labels the claims file overrides: what they call the page a quote stands on."""
    if not text.own_labels or text.own_labels[page - 1] == text.labels[page - 1]:
        return ""
    return (f" (numbered by this file's first_page: or page_labels:, which override the PDF's own labels; by "
            f"those it is page {text.own_labels[page - 1]})")


def _no_such_page(stated: str, text: SourceText) -> str:
    """Why no page of a PDF is printed ``stated``, and what to do, in the PDF's printed numbers."""
    numbers = [int(label) for label in text.labels if label.isdecimal()]  # not isdigit: ² is a digit int() refuses
    if stated.isdecimal() and numbers and int(stated) > max(numbers):
        message = f"page {stated} is beyond the last page ({text.labels[-1]}) of {text.shown}"
    else:
        message = f"no page of {text.shown} is numbered {stated} (its pages: {text.label_ranges()})"
    if not text.printed:
        message += ("; if its pages are printed with other numbers (an excerpt starting at page 87, say), add "
                    "first_page: 87 to this file, or page_labels: [cover, 1] for an unnumbered cover before page 1")
    return message


_UNCITED = "entries are not cited by a claim (a library export? only cited entries are read); --format json lists them"


def _check_entries(inputs: Inputs, every: bool = False) -> list[Diagnostic]:
    bib = inputs.bibliography
    cited = {s.key for s in inputs.sources if s.claims}
    diags = bib.language_warnings(sorted({s.key for s in inputs.sources}), inputs.project.languages)
    uncited: dict[str, list[tuple[int, str]]] = {}
    for key, (shown, line) in bib.places.items():
        if key not in cited:
            uncited.setdefault(shown, []).append((line, key))
    for shown, found in uncited.items():
        # many: the one line the terminal lists of them (diagnostics.grouped), made once rather than 20,000 times
        listed = found if every or len(found) <= MANY_LISTED else [min(found)]
        for line, key in listed:
            said = warning(shown, line, 1, f"entry '{key}' is never cited by a claim", "uncited-entry", many=_UNCITED)
            diags.append(said if listed is found else counted_as(said, len(found)))
    for item in bib.items:
        key = str(item.get("id"))
        shown, line = bib.where(key)
        kind = str(item.get("type", ""))
        missing = [FIELD_NAMES.get(group[0], group[0]) for group in REQUIRED_FIELDS.get(kind, DEFAULT_REQUIRED)
                   if not any(item.get(f) for f in group)]
        if missing:
            diags.append(warning(shown, line, 1, f"entry '{key}' ({kind or 'no type'}) has no "
                                 f"{', '.join(missing)}", "incomplete-entry"))
    return diags
