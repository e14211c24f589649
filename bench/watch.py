"""Edit-to-preview in `synthdoc watch`: from saving a claim's new wording to that wording in the
document's HTML, with the real `synthdoc watch` process running (file-system events included).

    python bench/watch.py [--runs 5] [--sizes example,1000:300,10000:1000]

For each project `synthdoc watch` is started and its first build awaited; then, run after run, one
claim's wording is changed and saved, and the time until the HTML holds it is measured (then the
rest of the rebuild, DOCX and PDF, is awaited before the next edit). Bare pandoc doing the same
work — one `pandoc --citeproc -t html5 -s` of the document's Markdown with the same bibliography,
style and language — is timed in the same run. Medians. Writes bench/WATCH.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)
from generate import generate, wording_anchor
from incremental import SYNTHDOC, copy_example
from scale import NOTES

from synthdoc.core.pandoc import MARKDOWN_READER, pandoc_binary, pandoc_version
from synthdoc.render.styles import resolve_style

HERE = Path(__file__).resolve().parent
EDIT_SECONDS = 600.0  # an edit that has not reached the page by then never will


def project(size: str, tmp: Path) -> tuple[Path, str, Path, str, str, str]:
    """(root, document, claims file, text before which the edit goes, bibliography, lang)."""
    if size == "example":
        root = tmp / "example"
        root.mkdir()
        copy_example(root)
        # the edit goes into a finding's short label, which the chapter's Tabel 2.1 prints (its statement is
        # told by its quote there)
        return (root, "tinjauan-pustaka", root / "sources" / "amalia2025.yaml", "    short: {id: ",
                "bibliography.bib", "id-ID")
    claims, refs = (int(n) for n in size.split(":"))
    root = generate(tmp / "p", claims, refs)
    claims_file = root / "sources" / "ref00000.yaml"
    return root, "chapter", claims_file, wording_anchor(claims_file.read_text(encoding="utf-8")), "refs.json", "id-ID"


def lines_of(proc: subprocess.Popen) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stderr:
            out.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return out


def wait_for(lines: queue.Queue[str], words: str, timeout: float = 3600) -> None:
    end = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, end - time.monotonic()))
        if words in line:
            return


def measure(size: str, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        root, doc, claims_file, anchor, bib, lang = project(size, Path(tmp))
        html = root / "output" / f"{doc}.html"
        proc = subprocess.Popen([str(SYNTHDOC), "watch"], cwd=root, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                text=True)
        lines = lines_of(proc)
        try:
            wait_for(lines, "watching ")
            time.sleep(1.0)  # the file-system watcher starts once the loop asks it for changes
            to_html, to_all = [], []
            for i in range(runs):
                token = f"Suntingan{i}x"
                text = claims_file.read_text(encoding="utf-8")
                t0 = time.perf_counter()
                claims_file.write_text(text.replace(anchor, f"{anchor}{token} ", 1), encoding="utf-8")
                seen, deadline = None, time.monotonic() + EDIT_SECONDS
                while True:  # read the HTML only when it was written again: reading 5 MB in a loop takes a core
                    if time.monotonic() > deadline:
                        raise SystemExit(f"the edit never reached {html.name} in {EDIT_SECONDS:.0f} s: does the "
                                         "document still print what the benchmark edits?")
                    with contextlib.suppress(FileNotFoundError):
                        stamp = html.stat().st_mtime_ns
                        if stamp != seen:
                            seen = stamp
                            if token in html.read_text(encoding="utf-8", errors="replace"):
                                break
                    time.sleep(0.005)
                to_html.append(time.perf_counter() - t0)
                wait_for(lines, "rebuilt ")
                to_all.append(time.perf_counter() - t0)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=300)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        markdown = root / ".synthdoc" / "build" / f"{doc}.md"
        bare = [pandoc_binary(), "-f", MARKDOWN_READER, "--citeproc", "-t", "html5", "-s", "--bibliography",
                str(root / bib), "--csl", str(resolve_style("apa", root)), "-M", f"lang={lang}", str(markdown),
                "-o", os.devnull]
        floor = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(bare, check=True, capture_output=True)
            floor.append(time.perf_counter() - t0)
    return {"size": size, "runs": runs, "html": statistics.median(to_html), "all": statistics.median(to_all),
            "floor": statistics.median(floor), "html_runs": to_html}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="example,1000:300,10000:1000")
    parser.add_argument("--out", type=Path, default=HERE / "WATCH.md", help="the results page to write")
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        runs = args.runs
        r = measure(size, runs)
        print(r, flush=True)
        name = "example (3 documents)" if size == "example" else \
            "{:,} claims / {:,} refs".format(*(int(n) for n in size.split(":")))
        rows.append(f"| {name} | {r['runs']} | {r['html']:.2f} | {r['all']:.2f} | {r['floor']:.2f} | "
                    f"{r['html'] / r['floor']:.2f} | {', '.join(f'{x:.2f}' for x in r['html_runs'])} |")
    text = "\n".join([
        "# Edit to preview in `synthdoc watch`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"CPython {platform.python_version()}, pandoc {pandoc_version()}; APA, id-ID. Made by "
        f"`python bench/watch.py --runs {args.runs} --sizes {args.sizes}`.",
        "",
        "save → HTML: from writing a claim's new wording to the document's HTML holding it, with the real "
        "`synthdoc watch` running (its file-system wait included). save → all: until DOCX (and PDF) are "
        "written too. Bare pandoc: one `pandoc --citeproc -t html5 -s` of the same Markdown, timed in the "
        "same run.",
        "",
        "| project | runs | save → HTML (s) | save → all (s) | bare pandoc HTML (s) | HTML / pandoc "
        "| save → HTML runs (s) |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ])
    page = args.out
    previous = page.read_text(encoding="utf-8") if page.exists() else ""
    notes = previous[previous.index(NOTES):] if NOTES in previous else NOTES + "\n"  # kept as written by hand
    page.write_text(text + "\n\n" + notes, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
