"""``synthdoc build`` as a function: the project checked and built, what happened said on the terminal,
and the exit code. The command line (cli.py) parses the options and comes here; ``synthdoc build
[DOCUMENT...]`` without options comes here straight from the console script (entry.py), without
loading the CLI framework, whose start costs a tenth of a second of every build."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import console
from ..core.diagnostics import SynthdocError, grouped
from ..core.paths import shown_path
from ..core.project import find_config, load_project
from . import quickcheck

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future


def build_command(project_dir: Path | None, names: tuple[str, ...], *, style: str | None = None,
                  lang: str | None = None, formats: tuple[str, ...] | None = None, force: bool = False,
                  citations: str | None = None, strict: bool = False) -> int:
    """Build the named documents (all by default) of the project in ``project_dir`` (default: here) whose
    inputs changed; the options as ``synthdoc build`` takes them, already checked. Returns the exit code."""
    try:
        project = load_project(find_config(project_dir or Path.cwd())).with_overrides(
            style=style, lang=lang, formats=formats, citations=citations)
        for name in names:
            project.document(name)
        state = quickcheck.recorded(project)
        files = quickcheck.snapshot(project, state.texts)  # the inputs as this build starts
        stored = quickcheck.unchanged(project, names, force, state, files)
        if stored is not None and strict and any(d.get("severity") == "warning" for d in stored):
            stored = None  # its warnings are errors now: checked again, to say so with their places
        if stored is not None:
            diags = console.from_dicts(stored)
            console.print_diagnostics(diags)
            console.say(f"all {len(quickcheck.outputs(project, names))} outputs are up to date: no input changed "
                        f"({console.summary(diags)}); --force rebuilds them")
            return console.EXIT_OK
        from concurrent.futures import ThreadPoolExecutor  # (with logging: 13 ms the no-op answer never needs)

        from .pipeline import Inputs, build, texts_read  # the whole build, loaded only when there is one to make

        with ThreadPoolExecutor(1) as pool:
            # The digest of the inputs as they were (of a library: what the build read of it) is made while pandoc
            # writes the outputs; every build that returns has told on_inputs.
            early: list[Future[tuple[str | None, quickcheck.Libraries]]] = []

            def on_inputs(inputs: Inputs, writing: Callable[[], bool]) -> None:
                quickcheck.forget(project)  # (before any output is put in place)
                texts, bibliography = texts_read(inputs), inputs.bibliography.files
                # the source texts as the build read them (their bytes' digests), not as they are when the digest
                # is made: a text saved meanwhile is not taken for the one the outputs are made of
                read = [(t.path, t.digest) for t in inputs.texts.values() if t.digest]

                def digest() -> tuple[str | None, quickcheck.Libraries]:
                    # (the other files as they were when the build started)
                    now = None if files is None else quickcheck.snapshot(project, list(texts), [*files, *read])
                    if not writing():  # the rest once pandoc writes the outputs; none when the build failed
                        return None, {}
                    libraries = quickcheck.libraries_of(bibliography, state.libraries)
                    return quickcheck.inputs_digest(project, names, now, libraries), libraries

                early.append(pool.submit(digest))

            result = build(project, names, report=console.say, force=force, strict=strict, on_inputs=on_inputs)
            digest, libraries = early[0].result()
        diags = grouped(result.diagnostics)  # as listed: once, not once per use (a library's are thousands)
        quickcheck.remember(project, digest, diags, result.texts, libraries)
    except SynthdocError as exc:
        failed = grouped(exc.diagnostics)
        console.print_diagnostics(failed)
        console.say(f"build failed: {console.summary(failed)}; previous outputs are unchanged")
        return console.EXIT_ERRORS
    console.print_diagnostics(diags)
    output = shown_path(project.output, Path.cwd())
    for change in result.changes:
        console.say(f"{change.document}: {change.summary()} (see {Path(output) / f'{change.document}.changes.md'})")
    if not result.outputs:
        console.say(f"all {len(result.up_to_date)} outputs are up to date ({console.summary(diags)}); "
                    "--force rebuilds them")
        return console.EXIT_OK
    kept = f", {len(result.up_to_date)} up to date" if result.up_to_date else ""
    console.say(f"built {len(result.outputs)} file{'s' * (len(result.outputs) != 1)} in "
                f"{output}{os.sep}{kept} ({console.summary(diags)})")
    return console.EXIT_OK
