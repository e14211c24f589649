"""The build: load → check → per document: context → template → pandoc AST, citations rendered once → formats."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import filelock

from ..bibliography import BibFile, load_bibliography
from ..bibliography.library import keep_read
from ..check.checks import check, infer_pages, load_texts
from ..check.staleness import mark_stale
from ..check.translations import check_translations
from ..core import pandoc, warm
from ..core.cache import JsonCache
from ..core.diagnostics import Diagnostic, Severity, SynthdocError, has_errors
from ..core.files import WORK_DIR, atomic_write, finish_renames, put_in_place, remove_leftovers, work_dir
from ..core.paths import shown_path
from ..core.project import Document, Project
from ..render import citeproc, figures, htmlparts, provenance, spreadsheet, tables, thesis, typst_layout
from ..render.astwalk import raw_block
from ..render.citeproc import ambiguous_citations, read_cited, without_empty_notes
from ..render.document import Inputs, render_document
from ..render.phrases import phrases
from ..render.styles import locale_tag, resolve_style
from ..render.synthesis import selected_claims
from ..render.templating import written_citations
from ..sources.claims import load_sources
from ..word import bookmarks as word_bookmarks
from ..word import layout as word_layout
from ..word import versions as word_versions
from ..word import zotero as word_zotero
from .changes import ChangeReport, compare, render_report
from .manifest import MANIFEST, Fingerprint, Manifest, file_digest, fingerprints

# Page layout for PDF (typst): the usual Indonesian thesis rules.
TYPST_LAYOUT = """---
margin:
  left: 4cm
  top: 4cm
  right: 3cm
  bottom: 3cm
---

"""
# The body's first typst rules: tables that break across pages, space around headings (typst_layout);
# the bibliography with a 1.27 cm hanging indent.
TYPST_FONT = typst_layout.RULES
TYPST_BIBLIOGRAPHY = "#set par(hanging-indent: 1.27cm, first-line-indent: 0pt)"
# One Times-like family bundled with synthdoc, set before the title (typst_layout).
TYPST_VARIABLES = ["-V", "papersize=a4", "-V", "fontsize=12pt", "-V", "page-numbering=1", *typst_layout.variables()]
# The renames of a build's outputs being put in place, kept until all are made (core.files.put_in_place).
RENAMES = "renames.json"
# Left by a build whose check failed (removed by one whose check passes): the next build checks before it starts
# pandoc, as a writer fixing errors one build at a time waits for the check alone, not for pandoc beside it.
CHECK_FAILED = Path("state") / "check-failed"
# Line spacing where neither the document nor the project sets one: that of the built-in DOCX template.
DEFAULT_LINE_SPACING = 1.5


def typst_rules(doc: Document) -> tuple[str, str]:
    """The page rules of a document's PDF: for the body, and for the bibliography."""
    body = thesis.typst_page_rules(doc.line_spacing or DEFAULT_LINE_SPACING)
    return body, f"{TYPST_BIBLIOGRAPHY}\n{thesis.typst_bibliography_rules()}"

Report = Callable[[str], None]


@dataclass(frozen=True)
class Output:
    document: str
    format: str
    path: Path
    seconds: float


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    up_to_date: tuple[tuple[str, str], ...] = ()  # (document, format) left as they were
    changes: tuple[ChangeReport, ...] = ()
    texts: tuple[str, ...] = ()  # the source texts the build read
    bibliography: tuple[BibFile, ...] = ()  # the bibliography files it read, and what it read of each


@dataclass(frozen=True)
class Rendered:
    """One output made in memory; ``placed`` once it is in ``output/``."""

    output: Output
    data: bytes
    placed: bool = False


def load_inputs(project: Project, keep_later: bool = False) -> Inputs:
    """Sources, claims, texts and the bibliography of a project; loading problems become diagnostics.
    What the previous build of this process made of unchanged files is taken from there (``warm``). With
    ``keep_later``, what is read of a library is kept for the next build by the caller (``keep_read``)."""
    warm.new_build()
    sources, diags = load_sources(project.sources, project.root)
    texts, text_diags = load_texts(project, sources)
    sources, inferred = infer_pages(sources, texts)
    # Of a whole library (one export for everything) only the entries the project cites are read.
    cited = {s.key for s in sources} | written_citations([d.template for d in project.documents], project.templates)
    bib = load_bibliography(project.bibliographies, project.root, work_dir(project.root) / "cache",
                            project.languages, cited, keep_later)
    return Inputs(project, sources, bib, texts, tuple(diags + text_diags + list(bib.diagnostics)), inferred)


def texts_read(inputs: Inputs) -> tuple[str, ...]:
    """The source texts a build of these inputs read (BuildResult.texts)."""
    return tuple(sorted({str(t.path) for t in inputs.texts.values()}))


def check_project(project: Project, every: bool = False) -> tuple[Inputs, list[Diagnostic]]:
    """Every diagnostic of a project; quotes broken by a changed source text are reported as stale. ``every``:
    each of many uncited entries on its own (``check --format json``), not as the terminal lists them."""
    inputs = load_inputs(project)
    return inputs, check_inputs(inputs, every)


def check_inputs(inputs: Inputs, every: bool = False) -> list[Diagnostic]:
    """Every diagnostic of a project's loaded inputs (:func:`check_project`)."""
    diags = mark_stale(inputs, check(inputs, every), work_dir(inputs.project.root))
    return diags + check_translations(inputs)


def select_documents(project: Project, names: Sequence[str]) -> list[Document]:
    return [project.document(n) for n in names] if names else list(project.documents)


def is_note_style(csl: Path) -> bool:
    """Whether a CSL style puts its citations in footnotes (``<style class="note">``)."""
    try:
        head = csl.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return False
    match = re.search(r"<style\b[^>]*>", head)
    return bool(match and re.search(r"""\bclass\s*=\s*["']note["']""", match.group(0)))


def metadata(doc: Document, csl: Path | None = None) -> dict[str, str]:
    """The document's metadata for pandoc. A note style's list of works is headed "Bibliography" (in
    Indonesian "Daftar Pustaka" either way), an author-date style's "References"."""
    words = phrases(doc.lang)
    # A chapter opens with its own "BAB II" heading instead of a title block; the title names the page.
    meta = {
        ("pagetitle" if doc.chapter else "title"): doc.title,
        "lang": locale_tag(doc.lang),
        "reference-section-title": words["bibliography" if csl and is_note_style(csl) else "references"],
        "link-citations": "true",
        "link-bibliography": "true",
    }
    if doc.subtitle and not doc.chapter:
        meta["subtitle"] = doc.subtitle
    if doc.author:
        meta["author"] = doc.author
    return meta


def _format_extra(project: Project, doc: Document, fmt: str) -> dict[str, object]:
    if fmt == "pdf":
        return {"layout": TYPST_LAYOUT, "variables": TYPST_VARIABLES, "font": TYPST_FONT,
                "rules": typst_rules(doc)}
    if fmt == "docx":
        extra: dict[str, object] = {"reference_doc": file_digest(project.docx_template), "claim_bookmarks": 1,
                                    "citations": doc.citations}
        if doc.citations == "zotero" and project.zotero is not None:
            extra["zotero"] = file_digest(project.zotero)  # the items its citations link to
        return extra
    if fmt == "xlsx":
        return {"sheets": spreadsheet.CLAIM_COLUMNS}
    return {"head": provenance.HTML_HEAD, "script": provenance.HTML_SCRIPT}


def _library_uris(project: Project, inputs: Inputs) -> dict[str, str]:
    """Citation key → the item's URI in the writer's Zotero library: from the project's zotero.sqlite,
    else as a Zotero CSL JSON export named the item."""
    found = dict(inputs.bibliography.uris)
    if project.zotero is not None:
        from ..sources import zotero as zotero_library  # (with sqlite3: loaded by the projects that use it)

        found.update(zotero_library.item_uris(project.zotero, shown_path(project.zotero, project.root)))
    return found


def build_document(inputs: Inputs, doc: Document, formats: Sequence[str] | None = None,
                   report: Report | None = None, force: bool = False) -> list[Output]:
    """Render one document to ``formats`` (default: all of its own) and put them in place together."""
    made: list[word_versions.Version] = []
    rendered = render_outputs(inputs, doc, formats, report, force, versions=made)
    put_in_place([(r.output.path, r.data) for r in rendered if not r.placed] + _version_files(made),
                  inputs.project.root, work_dir(inputs.project.root) / RENAMES)
    _versions_kept(inputs.project.root, made)
    return [r.output for r in rendered]


def _version_files(made: Sequence[word_versions.Version]) -> list[tuple[Path, bytes]]:
    return [file for version in made for file in version.files]


def _versions_kept(root: Path, made: Sequence[word_versions.Version]) -> None:
    for version in made:
        word_versions.kept(work_dir(root), version)


def render_outputs(inputs: Inputs, doc: Document, formats: Sequence[str] | None = None,
                   report: Report | None = None, force: bool = False, first: Sequence[str] = (),
                   on_output: Callable[[Output], None] | None = None,
                   later: list[Callable[[], list[Rendered]]] | None = None,
                   warnings: list[Diagnostic] | None = None,
                   versions: list[word_versions.Version] | None = None,
                   cited: Future[citeproc.Rendered] | None = None,
                   writing: Callable[[], None] | None = None) -> list[Rendered]:
    """Render one document to ``formats`` (default: all of its own) in memory; citeproc runs once, to the AST.
    The caller puts them in place (:func:`build`: the outputs of a whole run together).

    ``cited``: the document read and its citations rendered (:func:`read_document` for these ``formats``
    and ``force``), started by the caller while it checked the project; without it, read here.

    ``force`` runs citeproc again even when the previous build's result could be reused. The formats
    in ``first`` are made and put in place before the others start (``synthdoc watch``: the HTML preview
    first), and with a ``later`` list the others are left there to be made once every document's first
    ones are; ``on_output`` hears of each file put in place here. What the rendered document shows that a
    reader would misread (one citation text for two works) is added to ``warnings``. The document's version,
    for redlines against it later, is added to ``versions``, for the caller to put in place with the outputs:
    a build that fails or is killed before then records no version of text it never built. ``writing`` is called
    as a writer of the document's formats starts (:func:`build`: the work for the next build waits for it)."""
    project = inputs.project
    formats = list(formats if formats is not None else doc.formats)
    markdown, ctx = render_document(inputs, doc)
    work = work_dir(project.root) / "build"
    atomic_write(work / f"{doc.id}.md", markdown.encode("utf-8"))
    csl = resolve_style(doc.style, project.root, str(project.config_path), doc.line)
    what = f"document '{doc.id}'"
    items, csl_json = inputs.bibliography.for_language(doc.lang)
    rendered = cited.result() if cited is not None else read_document(inputs, doc, formats, force)
    if report and rendered.note:
        report(rendered.note)
    if warnings is not None:
        warnings += ambiguous_citations(rendered.ast, doc.id, inputs.bibliography.where)
    ast = private(tables.from_divs(without_empty_notes(rendered.ast), what))
    if doc.chapter:
        ast = thesis.number_chapter(ast, doc.chapter, doc.title, doc.lang)
    drawn = figures.svgs(ctx.research, ctx.words)

    # In synthdoc watch (``later``), the HTML preview is written from the previous rebuild's HTML where
    # parts of the document are unchanged (htmlparts), and written again whole once the rest is made.
    parts_reused = 0

    def make(fmt: str, in_parts: bool = False) -> Rendered:
        nonlocal parts_reused
        t0 = time.perf_counter()
        if writing is not None and fmt != "html":
            writing()
        if fmt == "pdf":
            pdf_ast = typst_layout.landscape_tables(
                thesis.chapter_heading_for(figures.place(ast, drawn, "typst"), "typst"))
            typ = pandoc.ast_to_bytes(typst_ready(pdf_ast, *typst_rules(doc)), "typst", what=what,
                                      extra=TYPST_VARIABLES)
            data = pandoc.typst_to_pdf(typ, what=what, root=project.root, fonts=typst_layout.font_paths())
        elif fmt == "docx":
            doc_ast = word_bookmarks.mark_claims(
                thesis.chapter_heading_for(figures.place(ast, drawn, "docx"), "docx"),
                                                 word_bookmarks.claim_names(ctx), doc.id)
            if doc.provenance == "comments":
                doc_ast = provenance.docx_comments(doc_ast, ctx)
            if doc.citations == "zotero":
                doc_ast = word_zotero.live_citations(
                    doc_ast, items=items, csl=csl, lang=doc.lang, locale=locale_tag(doc.lang),
                    document=doc.id, shown_style=shown_path(project.config_path, project.root),
                    style_line=doc.style_line, library=_library_uris(project, inputs))
            data = word_layout.docx_bytes(project, doc, doc_ast, what)
        elif fmt == "xlsx":
            cited = pandoc.read_markdown(spreadsheet.citation_markdown(ctx, markdown), bibliography=csl_json,
                                         csl=csl, metadata=metadata(doc, csl), what=what, citeproc=True)
            data = spreadsheet.workbook(ctx, spreadsheet.rendered_citations(cited))
        else:
            ast_html = thesis.chapter_heading_for(figures.place(ast, drawn, "html"), "html")
            head, tail = work / f"{doc.id}.head.html", work / f"{doc.id}.after.html"
            atomic_write(head, provenance.HTML_HEAD.encode("utf-8"))
            atomic_write(tail, provenance.html_after_body(ctx).encode("utf-8"))
            extra = ["--include-in-header", str(head), "--include-after-body", str(tail)]
            if in_parts:
                if writing is not None:
                    writing()
                data, parts_reused = htmlparts.write(ast_html, what=what, extra=extra)
            else:  # (the work for the next build waits until pandoc's input is made: it holds Python's lock)
                data = pandoc.ast_to_bytes(ast_html, fmt, what=what, extra=extra, started=writing)
        path = project.output / f"{doc.id}.{fmt}"
        pandoc.check_format(fmt, data, shown_path(path, project.root))
        return Rendered(Output(doc.id, fmt, path, time.perf_counter() - t0), data)

    outputs = [make(fmt, in_parts=later is not None) for fmt in formats if fmt in first]
    if outputs:  # the preview, put in place at once (synthdoc watch)
        put_in_place([(r.output.path, r.data) for r in outputs], project.root)
        outputs = [Rendered(r.output, r.data, placed=True) for r in outputs]
        for r in outputs:
            _written(r.output, project.root, report, on_output)
    rest = [fmt for fmt in formats if fmt not in first]

    def make_rest() -> list[Rendered]:
        # Side by side: each format is its own pandoc (or typst) run on the same AST.
        with ThreadPoolExecutor(max_workers=max(1, len(rest))) as pool:
            made = list(pool.map(make, rest))
        return made + _whole_html()

    def _whole_html() -> list[Rendered]:
        """The HTML page written in one piece, where the preview was written in parts: put in place
        only if it differs (it should not)."""
        preview = next((r for r in outputs if r.output.format == "html"), None)
        if preview is None or not parts_reused:
            return []
        whole = make("html")
        if whole.data == preview.data:
            return []
        htmlparts.forget()
        if report:
            report(f"{shown_path(whole.output.path, project.root)}: the preview differed from the page written "
                   "whole, which replaces it; previews are written whole from now on")
        return [whole]

    if later is not None:
        later.append(make_rest)
    else:
        outputs += make_rest()
    if versions is not None:
        versions.append(word_versions.version(work.parent, doc.id, ast, word_bookmarks.claim_names(ctx)))
    return outputs


def read_document(inputs: Inputs, doc: Document, formats: Sequence[str], force: bool = False) -> citeproc.Rendered:
    """The document's Markdown read by pandoc, its citations and bibliography rendered by citeproc
    (:func:`~synthdoc.render.citeproc.read_cited`), for ``formats``: the pandoc work of a document before
    its writers. Writes nothing but the caches under .synthdoc/cache (kept by content), so that a build
    can start it while it checks the project and drop it when the check fails."""
    project = inputs.project
    markdown, _ = render_document(inputs, doc)
    csl = resolve_style(doc.style, project.root, str(project.config_path), doc.line)
    items, csl_json = inputs.bibliography.for_language(doc.lang)
    cache = work_dir(project.root) / "cache"
    return read_cited(TYPST_LAYOUT + markdown if "pdf" in formats else markdown, items=items,
                      bibliography=csl_json, csl=csl, metadata=metadata(doc, csl), what=f"document '{doc.id}'",
                      cache=JsonCache(cache / "citations" / doc.id), reuse=not force,
                      sections=JsonCache(cache / "sections" / doc.id))


def _written(output: Output, root: Path, report: Report | None, on_output: Callable[[Output], None] | None) -> None:
    if report:
        report(f"wrote {shown_path(output.path, root)} ({output.seconds:.1f} s)")
    if on_output:
        on_output(output)


# Metadata pandoc needs only to render the citations: their values are paths on this machine
# (C:\\Users\\<name>\\…), which DOCX would keep as custom document properties for every reader to see.
LOCAL_METADATA = ("bibliography", "csl", "citation-abbreviations")


def private(ast: dict) -> dict:
    """The AST without metadata that names files on this machine."""
    return {**ast, "meta": {k: v for k, v in ast.get("meta", {}).items() if k not in LOCAL_METADATA}}


def typst_ready(ast: dict, body_rules: str = "", refs_rules: str = TYPST_BIBLIOGRAPHY) -> dict:
    """The AST with synthdoc's typst page rules: the font and the body's rules first, the bibliography's
    (hanging indent, spacing) before it."""
    blocks = [raw_block("typst", TYPST_FONT)] + ([raw_block("typst", body_rules)] if body_rules else [])
    for block in ast.get("blocks", []):
        if block.get("t") == "Div" and block["c"][0][0] == "refs":
            blocks.append(raw_block("typst", refs_rules))
        blocks.append(block)
    return {**ast, "blocks": blocks}


@dataclass(frozen=True)
class Plan:
    document: Document
    fingerprints: dict[str, Fingerprint]
    reasons: dict[str, list[str]]  # format -> why it is rebuilt; absent when up to date

    @property
    def formats(self) -> list[str]:
        return [f for f in self.document.formats if f in self.reasons]


def plan(inputs: Inputs, docs: Sequence[Document], manifest: Manifest, force: bool = False) -> list[Plan]:
    """Which outputs must be rebuilt, and why."""
    plans = []
    for doc in docs:
        fps = fingerprints(inputs, doc, render_document(inputs, doc),
                           {fmt: _format_extra(inputs.project, doc, fmt) for fmt in doc.formats})
        reasons = {}
        for fmt, fp in fps.items():
            why = ["--force"] if force else manifest.reasons(doc.id, fmt, fp, inputs.project.output / f"{doc.id}.{fmt}")
            if why:
                reasons[fmt] = why
        plans.append(Plan(doc, fps, reasons))
    return plans


def build(project: Project, names: Sequence[str] = (), report: Report | None = None,
          force: bool = False, first: Sequence[str] = (),
          on_output: Callable[[Output], None] | None = None, strict: bool = False,
          on_inputs: Callable[[Inputs, Callable[[], bool]], None] | None = None) -> BuildResult:
    """Check the project, then rebuild the outputs of the named documents (all by default) that changed.

    Each document writes the formats in ``first`` before its others; ``on_output`` hears of each file
    as soon as it is written; ``on_inputs`` hears of the inputs once they are loaded and pandoc's work on
    the documents has started, with a function that waits until pandoc starts writing the outputs or the build
    ends, and says whether the build is still good (:class:`Writing`): work of the caller's own for a later
    build is best begun after that, as the build's own is.

    Errors stop the build before anything is written; warnings are returned with the outputs (``strict``:
    warnings are errors, and stop it too; a document that cites a page its quote is not on is not written). The build is
    a transaction: every output of the run, the change reports and the manifest are written to temporary
    files first and renamed into place only when all of them were made; otherwise none is (``first``
    formats excepted: they are put in place as soon as they are made).
    Builds of one project are serialized by a lock; documents are built in parallel. Pandoc reads the
    documents to be rebuilt and renders their citations (:func:`read_document`) while the project is
    checked; a check that fails drops that work, and nothing of it is in ``output/``. After a failed check,
    the next build checks first (``CHECK_FAILED``): a writer fixing errors waits for the check alone.
    """
    docs = select_documents(project, names)
    work = work_dir(project.root)
    writing = Writing()
    with build_lock(work, report), _without_cycle_collection(), _quick_handoffs(), \
            _background(len(docs)) as early, _background(1) as keeping, writing.until_done():
        finish_renames(work / RENAMES, project.root)  # a build killed while it put its outputs in place
        _remove_leftovers(project.output, work)
        inputs = load_inputs(project, keep_later=True)
        manifest = Manifest(work / MANIFEST)
        # What to rebuild is known once the documents are rendered (check renders them, once): pandoc reads
        # those and renders their citations while the check runs here (two cores). A failed check drops it.
        started: dict[str, tuple[list[str], Future[citeproc.Rendered]]] = {}

        def start(doc: Document, formats: list[str]) -> None:
            started[doc.id] = formats, early.submit(read_document, inputs, doc, formats, force)

        def cited(p: Plan) -> Future[citeproc.Rendered] | None:
            formats, future = started.pop(p.document.id, ([], None))
            return future if formats == p.formats else None  # read for other formats: read again

        after_errors = (work / CHECK_FAILED).is_file()
        plans = None if after_errors else _plan_early(inputs, docs, manifest, force, strict, start)
        # The work for the next build waits until pandoc writes the outputs (or the build stops): until then two
        # pandoc runs and the check share the two cores, and then the AST is made ready for the writers.
        def keep() -> None:
            writing.wait()
            keep_read(inputs.bibliography.files)

        keeping.submit(keep)
        if on_inputs is not None:
            on_inputs(inputs, writing.wait)
        diags = check_inputs(inputs)
        if strict:
            diags = strictly(diags)
        if has_errors(diags) or after_errors:
            _check_failed(work, has_errors(diags))
        if has_errors(diags):
            raise SynthdocError(diags)
        if plans is None:
            plans = plan(inputs, docs, manifest, force)
        todo = [p for p in plans if p.formats]
        if not todo:
            writing.start()  # no writer will start: the work for the next build need not wait
        up_to_date = tuple((p.document.id, f) for p in plans for f in p.document.formats if f not in p.reasons)
        if report:
            for p in todo:
                report(f"building {p.document.id} ({', '.join(p.formats)}): "
                       f"{'; '.join(dict.fromkeys(r for f in p.formats for r in p.reasons[f]))}")
        reports: list[ChangeReport] = []
        shown: dict[str, list[Diagnostic]] = {p.document.id: [] for p in todo}
        versions: list[word_versions.Version] = []
        with ThreadPoolExecutor(max_workers=max(1, len(todo))) as pool:
            later: list[Callable[[], list[Rendered]]] = []
            results = list(pool.map(lambda p: render_outputs(inputs, p.document, p.formats, report, force, first,
                                                             on_output, later if first else None,
                                                             shown[p.document.id], versions,
                                                             cited(p), writing.start), todo))
            results += list(pool.map(lambda make_rest: make_rest(), later))
        made = [r for rs in results for r in rs if not r.placed]
        if strict and (late := strictly([d for found in shown.values() for d in found])):
            raise SynthdocError(diags + late)
        files: list[tuple[Path, bytes]] = [(r.output.path, r.data) for r in made]
        for p in todo:
            fmt = p.formats[0]
            before = manifest.previous(p.document.id, fmt)
            if before is not None:
                change = compare(p.document, before, p.fingerprints[fmt], misplaced(inputs, p.document, diags))
                if not change.empty:
                    files.append((project.output / f"{p.document.id}.changes.md",
                                  render_report(change, inputs, p.document).encode("utf-8")))
                    reports.append(change)
            for f in p.formats:
                manifest.record(p.document.id, f, p.fingerprints[f], shown[p.document.id])
        # An output left as it was shows what it showed when it was made.
        for p in plans:
            if p.document.id not in shown:
                shown[p.document.id] = manifest.warnings(p.document.id, p.document.formats[0])
        diags += [d for doc_warnings in shown.values() for d in doc_warnings]
        files += _version_files(versions)  # after the outputs: a kill between renames records no version
        if todo:
            files.append((manifest.path, manifest.payload()))
        put_in_place(files, project.root, work / RENAMES)
        _versions_kept(project.root, versions)
        for r in made:
            _written(r.output, project.root, report, on_output)
    return BuildResult(tuple(r.output for rs in results for r in rs), tuple(diags), up_to_date, tuple(reports),
                       texts_read(inputs), inputs.bibliography.files)


def _plan_early(inputs: Inputs, docs: Sequence[Document], manifest: Manifest, force: bool, strict: bool,
                start: Callable[[Document, list[str]], None]) -> list[Plan] | None:
    """The build's plan before the check, each document to be rebuilt ``start``-ed with its formats as soon
    as they are known; or None where the check will fail on what made it fail: a project that did not load,
    a template or style that does not render (the check says where)."""
    loaded = strictly(inputs.diagnostics) if strict else list(inputs.diagnostics)
    if has_errors(loaded):
        return None
    plans = []
    try:
        for doc in docs:
            render_document(inputs, doc)
            # --force, or no output made yet: every format is rebuilt, known before the fingerprints are.
            every = bool(doc.formats) and (force or not any((inputs.project.output / f"{doc.id}.{fmt}").is_file()
                                                            for fmt in doc.formats))
            if every:
                start(doc, list(doc.formats))
            plans += plan(inputs, [doc], manifest, force)
            if plans[-1].formats and not every:
                start(doc, plans[-1].formats)
    except SynthdocError:
        return None
    return plans


class Writing:
    """When a build's writers start: the work for a later build waits for it (:meth:`wait`), until then two pandoc
    runs and the check share two cores, and then the AST is made ready for the writers. A build with nothing
    to write lets it go once its plan says so; one that stops (a failed check) as it ends."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._failed = False

    def start(self) -> None:
        self._event.set()

    def wait(self) -> bool:
        """Wait until the writers start or the build ends; False when the build failed (there is nothing to keep
        of it for the no-op record)."""
        self._event.wait()
        return not self._failed

    @contextlib.contextmanager
    def until_done(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self._failed = True
            raise
        finally:
            self._event.set()


def _check_failed(work: Path, failed: bool) -> None:
    """Leave, or remove, the mark of a failed check (a convenience: an unwritable .synthdoc/ fails no build)."""
    with contextlib.suppress(SynthdocError, OSError):
        if failed:
            atomic_write(work / CHECK_FAILED, b"", durable=False)
        else:
            (work / CHECK_FAILED).unlink(missing_ok=True)


@contextlib.contextmanager
def _background(workers: int) -> Iterator[ThreadPoolExecutor]:
    """Threads for a build's work begun before its check ends (pandoc's; the libraries' indexes kept). On the
    way out (the build done, or stopped by the check), work not started is dropped and work under way is
    waited for: none outlives the build's lock."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="synthdoc-early")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def strictly(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``build --strict``: each warning as an error (as ``check --strict`` fails on them)."""
    return [dataclasses.replace(d, severity=Severity.ERROR, message=f"{d.message} (an error under --strict)")
            if d.severity is Severity.WARNING else d for d in diags]


def misplaced(inputs: Inputs, doc: Document, diags: Sequence[Diagnostic]) -> dict[str, str]:
    """The document's claims whose locator names a page or section their quote does not stand on (what its
    citations print that the reader will not find there), by ref: what check says of each."""
    said = {(d.path, d.line): d.message for d in diags if d.code == "locator-mismatch"}
    return {c.ref: said[(c.path, c.line)] for c in selected_claims(doc, inputs.sources) if (c.path, c.line) in said}


def _remove_leftovers(output: Path, work: Path) -> None:
    """Temporary files of a build or a snapshot that was killed before it could rename them (never a finished
    output)."""
    remove_leftovers([output, work, *word_versions.leftover_folders(work)])


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for a build. A document's AST is millions of dicts and lists
    with no cycle among them, and the collector, woken by their allocation, walks them all again
    and again: reading a 10,000-claim document's JSON takes 0.12 s without it and 0.4–0.5 s with
    it. Cycles made during the build are collected after it, as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _quick_handoffs() -> Iterator[None]:
    """Python's lock handed from thread to thread every half millisecond during a build, not every five. A build's
    threads mostly wait for pandoc: the one that starts a pandoc run or takes what it printed waits for the lock
    while another thread checks the project, and pandoc waits with it (a pipe full). Measured on the library
    benchmark's first build: about 3% less time, alternating 25 runs each way."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextlib.contextmanager
def build_lock(work: Path, report: Report | None = None) -> Iterator[None]:
    """One build of a project at a time: a second one waits for the first to finish. The lock file is
    opened without following links and never truncated (``filelock``, on Windows as elsewhere); a lock
    that is a link or not a regular file is refused."""
    path = work / "build.lock"
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise SynthdocError.single(f"{WORK_DIR}/build.lock", "the build lock is not a regular file (a link?); "
                                       "delete it and build again", "work-dir")
    lock = filelock.FileLock(str(path))
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if report:
                report("waiting for another build of this project to finish")
            lock.acquire()
    except OSError as exc:
        raise SynthdocError.single(f"{WORK_DIR}/build.lock", f"cannot take the build lock: {exc.strerror}",
                                   "work-dir") from None
    try:
        yield
    finally:
        lock.release()
