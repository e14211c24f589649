"""Benchmark: the example's full build against bare pandoc doing the same work.

Bare pandoc renders each document's generated Markdown (`.synthdoc/build/<document>.md`) with
`--citeproc`, the same style, locale and reference document, to each of the document's formats,
one command per output as a user would run them; PDF goes through pandoc's Typst writer and the
`typst` package, as synthdoc's does. Medians of several runs. Prints a Markdown table.

    python bench/example.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import typst
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)
from incremental import SYNTHDOC, copy_example

from synthdoc.build.pipeline import TYPST_LAYOUT, TYPST_VARIABLES, typst_ready
from synthdoc.core.pandoc import MARKDOWN_READER, pandoc_binary
from synthdoc.core.project import BUILTIN_REFERENCE_DOC, load_project
from synthdoc.render.styles import locale_tag, resolve_style


def bare_pandoc(root: Path) -> float:
    project = load_project(root / "synthdoc.yaml")
    t0 = time.perf_counter()
    for doc in project.documents:
        md = (root / ".synthdoc" / "build" / f"{doc.id}.md").read_text(encoding="utf-8")
        common = [pandoc_binary(), "-f", MARKDOWN_READER, "--citeproc",
                  "--bibliography", str(root / "bibliography.bib"), "--csl", str(resolve_style(doc.style, root)),
                  "-M", f"lang={locale_tag(doc.lang)}", "-s"]
        for fmt in doc.formats:
            if fmt == "xlsx":  # pandoc writes no spreadsheet: synthdoc's is work bare pandoc has no part of
                continue
            if fmt == "pdf":
                ast = subprocess.run([*common, "-t", "json"], input=(TYPST_LAYOUT + md).encode(), check=True,
                                     capture_output=True).stdout
                typ = subprocess.run([pandoc_binary(), "-f", "json", "-t", "typst-citations", "-s", *TYPST_VARIABLES],
                                     input=json.dumps(typst_ready(json.loads(ast))).encode(), check=True,
                                     capture_output=True).stdout
                typst.compile(typ, root=str(root))
            else:
                extra = ["--reference-doc", str(BUILTIN_REFERENCE_DOC)] if fmt == "docx" else []
                subprocess.run([*common, "-t", {"html": "html5"}.get(fmt, fmt), *extra, "-o", "-"],
                               input=md.encode(), check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_example(Path(tmp))
        subprocess.run([str(SYNTHDOC), "build"], cwd=root, check=True, capture_output=True)
        full, floor = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([str(SYNTHDOC), "build", "--force"], cwd=root, check=True, capture_output=True)
            full.append(time.perf_counter() - t0)
            floor.append(bare_pandoc(root))
        project = load_project(root / "synthdoc.yaml")
    f, p = statistics.median(full), statistics.median(floor)
    files = sum(len(doc.formats) for doc in project.documents)
    print(f"| example ({len(project.documents)} documents, {files} files; bare pandoc makes no XLSX) "
          "| median wall (s) |")
    print("|---|---|")
    print(f"| synthdoc build --force | {f:.2f} |")
    print(f"| bare pandoc, same work | {p:.2f} |")
    print(f"| ratio | {f / p:.2f} |")


if __name__ == "__main__":
    main()
