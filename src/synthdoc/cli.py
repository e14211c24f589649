"""The command line: the one place that turns results and errors into messages and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .core import console
from .core.console import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from .core.diagnostics import Severity, SynthdocError, has_errors, to_json
from .core.paths import shown_path
from .core.project import CITATIONS, FORMATS, find_config, load_project

app = typer.Typer(
    help="synthdoc: structured claims in, cited chapters, policy briefs and evidence matrices out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_print_diagnostics = console.print_diagnostics
_summary = console.summary


def _project(project_dir: Path | None):
    return load_project(find_config(project_dir or Path.cwd()))


def _formats(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    out = []
    for value in values:
        for fmt in value.split(","):
            fmt = fmt.strip().lower()
            if fmt not in FORMATS:
                raise typer.BadParameter(f"unknown format '{fmt}'; formats are {', '.join(FORMATS)}",
                                         param_hint="--format")
            out.append(fmt)
    return tuple(dict.fromkeys(out))


def _check_lang(lang: str | None) -> None:
    from .core.project import lang_problem

    if lang and (problem := lang_problem(lang)):
        raise typer.BadParameter(problem, param_hint="--lang")


ProjectOption = Annotated[Path | None, typer.Option("--project", "-C", help="Project folder (default: here).")]


@app.command()
def build(
    documents: Annotated[list[str] | None, typer.Argument(help="Documents to build (default: all).")] = None,
    style: Annotated[str | None, typer.Option(help="CSL style for every document: bundled name or .csl file.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language for every document: id, en, ...")] = None,
    fmt: Annotated[list[str] | None,
                   typer.Option("--format", "-f", help="docx, pdf, html, xlsx (repeat or comma-separate).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild every output, changed or not.")] = False,
    citations: Annotated[str | None, typer.Option(help="DOCX citations: text, or zotero (live Zotero fields).")]
    = None,
    strict: Annotated[bool, typer.Option(help="Warnings are errors: write nothing while there are any.")] = False,
    project_dir: ProjectOption = None,
) -> None:
    """Check the project, then build the documents whose inputs changed into output/."""
    from .build.command import build_command

    formats = _formats(fmt)
    _check_lang(lang)
    if citations not in (None, *CITATIONS):
        raise typer.BadParameter(f"use one of {', '.join(CITATIONS)}", param_hint="--citations")
    code = build_command(project_dir, tuple(documents or ()), style=style, lang=lang, formats=formats, force=force,
                         citations=citations, strict=strict)
    if code:
        raise typer.Exit(code)


@app.command()
def check(
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    project_dir: ProjectOption = None,
) -> None:
    """Prove every citation, quote and reference of the project; report all problems at once."""
    from .build.pipeline import check_project

    if output_format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    read: tuple[str, ...] = ()
    try:
        inputs, diags = check_project(_project(project_dir), every=output_format == "json")
        read = tuple(f.summary() for f in inputs.bibliography.files)
    except SynthdocError as exc:
        diags = exc.diagnostics
    if output_format == "json":
        typer.echo(to_json(list(diags)))
    else:
        for line in read:  # what each bibliography file gave, so that a file read as 0 entries shows
            typer.echo(line, err=True)
        _print_diagnostics(diags)
        typer.echo(f"check: {_summary(diags)}", err=True)
    failed = has_errors(list(diags)) or (strict and any(d.severity is Severity.WARNING for d in diags))
    raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)


@app.command()
def watch(
    documents: Annotated[list[str] | None, typer.Argument(help="Documents to rebuild (default: all).")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the HTML outputs on localhost; pages reload after a rebuild.")]
    = False,
    port: Annotated[int, typer.Option(help="Port for --serve (0 picks a free one).", min=0, max=65535)] = 8000,
    project_dir: ProjectOption = None,
) -> None:
    """Build, then rebuild what changed whenever the project's files change, until Ctrl-C."""
    from .build.watching import watch as run_watch

    try:
        config = find_config(project_dir or Path.cwd())
        run_watch(config, tuple(documents or ()), serve=serve, port=port)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as exc:
        typer.echo(f"cannot serve on port {port}: {exc.strerror}; choose another with --port", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def cite(
    key: Annotated[str, typer.Argument(help="The entry's key in the bibliography.")],
    style: Annotated[str | None, typer.Option(help="CSL style (default: the project's).")] = None,
    lang: Annotated[str | None, typer.Option(help="Language (default: the project's).")] = None,
    at: Annotated[str | None, typer.Option(help="A locator, e.g. section=4.1 or page=12.")] = None,
    project_dir: ProjectOption = None,
) -> None:
    """Preview how an entry is cited and listed, rendered in process by citeproc-py."""
    from .bibliography import load_bibliography
    from .core.files import work_dir
    from .core.schema import did_you_mean
    from .render.preview import preview
    from .sources.claims import LOCATOR_KINDS

    _check_lang(lang)
    locator = None
    if at:
        kind, _, value = at.partition("=")
        if kind not in LOCATOR_KINDS or not value:
            raise typer.BadParameter(f"use KIND=VALUE with KIND one of {', '.join(LOCATOR_KINDS)}", param_hint="--at")
        locator = (kind, value)
    try:
        project = _project(project_dir)
        bib = load_bibliography(project.bibliographies, project.root, work_dir(project.root) / "cache",
                                project.languages, cited=[key])
        if bib.get(key) is None and key not in bib.broken:
            raise SynthdocError.single(bib.shown, f"no entry '{key}'{did_you_mean(key, bib.keys())}", "unknown-key")
        lang = lang or project.lang
        shown = preview(bib.for_language(lang)[0], key, style or project.style, lang, project.root, locator)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    typer.echo(f"citation:  {shown.citation}")
    typer.echo(f"reference: {shown.reference}")
    for note in shown.warnings:
        typer.echo(f"warning: {note}", err=True)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new project.")],
    lang: Annotated[str, typer.Option(help="en: a small review; id: a skripsi's Bab II in Indonesian.")] = "en",
) -> None:
    """Start a new project: a few sources and claims, a bibliography and a config that build as they are."""
    from .sources.scaffold import STARTERS, scaffold

    if lang not in STARTERS:
        raise typer.BadParameter(f"starters exist for {', '.join(STARTERS)}", param_hint="--lang")
    try:
        written = scaffold(directory, lang)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    for path in written:
        typer.echo(f"created {path}")
    typer.echo(f"\nnext: cd {directory} && synthdoc build")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="PDFs with highlights, Zotero's zotero.sqlite, or .csv/.xlsx "
                                                     "extraction sheets.")],
    source: Annotated[str | None, typer.Option(help="The bibliography key the claims belong to.")] = None,
    theme: Annotated[list[str] | None, typer.Option(help="A theme for every imported claim (repeatable).")] = None,
    kind: Annotated[str, typer.Option(help="The kind of the imported claims.")] = "finding",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be added; write nothing.")] = False,
    project_dir: ProjectOption = None,
) -> None:
    """Turn PDF highlights, Zotero 7 annotations or an extraction sheet into claims in sources/*.yaml."""
    from .core.project import CLAIM_KINDS
    from .core.schema import did_you_mean
    from .sources.importing import Options, import_files

    if kind not in CLAIM_KINDS:
        raise typer.BadParameter(f"unknown kind '{kind}'{did_you_mean(kind, CLAIM_KINDS)}; kinds are "
                                 f"{', '.join(CLAIM_KINDS)}", param_hint="--kind")
    options = Options(source, tuple(theme or ()), kind, dry_run)
    try:
        project = _project(project_dir)
        themes = [t.id for t in project.themes]
        for name in options.themes:
            if name not in themes:
                raise typer.BadParameter(f"unknown theme '{name}'{did_you_mean(name, themes)}; themes are "
                                         f"{', '.join(themes)}", param_hint="--theme")
        result = import_files(project, files, options)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        typer.echo(f"import failed: {_summary(exc.diagnostics)}; nothing was written", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    _print_diagnostics(result.diagnostics)
    verb = "would add" if dry_run else "added"
    for path, ids in result.added.items():
        typer.echo(f"{verb} {len(ids)} claim{'s' * (len(ids) != 1)} to {path}: {', '.join(ids)}")
    for path in result.copied:
        typer.echo(f"{'would copy' if dry_run else 'copied'} the PDF to {path}")
    total = sum(len(ids) for ids in result.added.values())
    drafts = f", {result.drafts} of them drafts without themes or statement" if result.drafts else ""
    typer.echo(f"import: {total} new claim{'s' * (total != 1)}{drafts}; {result.already} already there"
               f"{'; nothing written (--dry-run)' if dry_run else ''}", err=True)


@app.command()
def schema(
    which: Annotated[str | None, typer.Argument(help="claims (sources/*.yaml) or project (synthdoc.yaml).")] = None,
    write: Annotated[bool, typer.Option("--write", help="Write both into the project's schemas/ folder.")] = False,
    project_dir: ProjectOption = None,
) -> None:
    """Print the JSON Schema of claims files or of synthdoc.yaml, for editors that complete and check YAML."""
    from .sources.editorschema import SCHEMAS, modeline, schema_text, write_schemas

    if write:
        try:
            project = _project(project_dir)
            written = write_schemas(project.root)
        except SynthdocError as exc:
            _print_diagnostics(exc.diagnostics)
            raise typer.Exit(EXIT_ERRORS) from None
        for path in written:
            typer.echo(f"wrote {shown_path(path, Path.cwd())}")
        typer.echo("first line of a claims file: " + modeline(project.root, project.sources / "x.yaml", "claims")
                   + "first line of synthdoc.yaml: " + modeline(project.root, project.root / "synthdoc.yaml",
                                                                "project"), nl=False)
        return
    if which not in SCHEMAS:
        raise typer.BadParameter(f"say which: {' or '.join(SCHEMAS)}", param_hint="WHICH")
    typer.echo(schema_text(which), nl=False)


@app.command()
def styles(
    query: Annotated[list[str] | None, typer.Argument(help="Words to look for in a style's name or title.")] = None,
) -> None:
    """Find a bundled CSL style by name or title (for style: in synthdoc.yaml or --style)."""
    from .render.styles import search_styles

    found = search_styles(" ".join(query or []))
    for name, title in found:
        typer.echo(f"{name:48} {title}")
    typer.echo(f"{len(found)} style{'s' * (len(found) != 1)}", err=True)
    if not found:
        raise typer.Exit(EXIT_ERRORS)


@app.command()
def review(
    file: Annotated[Path, typer.Argument(help="A DOCX built by synthdoc, with a reviewer's comments or changes.")],
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    project_dir: ProjectOption = None,
) -> None:
    """List a reviewer's comments and tracked changes, each at the claim (file:line) its text comes from."""
    from .build.pipeline import load_inputs
    from .word.review import review as run_review
    from .word.review import to_json as review_json

    if output_format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    try:
        result = run_review(load_inputs(_project(project_dir)), file)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    traced = result.traced
    if result.note:
        typer.echo(f"note: {result.note}", err=True)
    if output_format == "json":
        typer.echo(review_json(traced))
    else:
        for item in traced:
            for line in item.lines():
                typer.echo(line)
    comments = sum(t.remark.kind == "comment" for t in traced)
    typer.echo(f"review: {comments} comment{'s' * (comments != 1)}, {len(traced) - comments} tracked "
               f"change{'s' * (len(traced) - comments != 1)}", err=True)

@app.command()
def snapshot(
    name: Annotated[str | None, typer.Argument(help="A name for the current version of every document, "
                                                     "e.g. dikirim-ke-pembimbing.")] = None,
    list_them: Annotated[bool, typer.Option("--list", help="List the snapshots taken.")] = False,
    project_dir: ProjectOption = None,
) -> None:
    """Name the current built version of every document, to compare with later (synthdoc redline --since)."""
    from .build.pipeline import build_lock
    from .core.files import work_dir
    from .word import versions

    try:
        project = _project(project_dir)
        work = work_dir(project.root)
        if list_them or name is None:
            taken = versions.snapshots(work)
            for shot in taken:
                typer.echo(f"{shot.name:32} {shot.time}  {', '.join(sorted(shot.documents))}")
            typer.echo(f"{len(taken)} snapshot{'s' * (len(taken) != 1)}", err=True)
            return
        with build_lock(work):  # no build adds a version meanwhile, and no other snapshot's file is a leftover
            shot = versions.snapshot(work, name, [d.id for d in project.documents],
                                     shown_path(project.config_path, project.root))
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    typer.echo(f"snapshot '{shot.name}' taken ({shot.time}): {', '.join(sorted(shot.documents))}", err=True)
    unbuilt = [d.id for d in project.documents if d.id not in shot.documents]
    if unbuilt:
        typer.echo(f"not in it, never built: {', '.join(unbuilt)}", err=True)


@app.command()
def redline(
    document: Annotated[str, typer.Argument(help="The document to compare.")],
    since: Annotated[str | None, typer.Option(help="A snapshot's name (default: the previous build).")] = None,
    project_dir: ProjectOption = None,
) -> None:
    """Write output/DOCUMENT.redline.docx: the document with what changed since then as Word tracked changes."""
    from .word.redline import write_redline

    try:
        project = _project(project_dir)
        path, counts, against = write_redline(project, document, since)
    except SynthdocError as exc:
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_ERRORS) from None
    typer.echo(f"wrote {shown_path(path, Path.cwd())}: {counts['insertion']} insertion(s), {counts['deletion']} "
               f"deletion(s) since {against}", err=True)


def main() -> None:
    """The console script: the commands, with a last guard so that no input ever ends in a traceback."""
    code = console.guarded(app)
    if code:
        sys.exit(code)
