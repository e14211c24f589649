"""Benchmark at scale: synthetic projects of 100, 1,000 and 10,000 claims; full build, no-op rebuild,
one-claim edit and peak memory, against bare pandoc rendering the same Markdown (the floor).

    python bench/scale.py [--runs 3] [--sizes 100:50,1000:300,10000:1000]

Writes bench/RESULTS.md (sizes not measured again keep their rows). Wall times are medians of the
`synthdoc` command, process start included.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)
from generate import generate, wording_anchor

from synthdoc.core.pandoc import MARKDOWN_READER, pandoc_binary, pandoc_version
from synthdoc.render.styles import resolve_style

BIN = Path(sys.executable).parent
NOTES = "<!-- notes: kept when the table is measured again -->"
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def peak_mb(cmd: list[str], cwd: Path) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK, *cmd], cwd=cwd, check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def bare_pandoc(root: Path) -> list[list[str]]:
    md = root / ".synthdoc" / "build" / "chapter.md"
    common = [pandoc_binary(), "-f", MARKDOWN_READER, "--citeproc", "--bibliography", str(root / "refs.json"),
              "--csl", str(resolve_style("apa", root)), "-M", "lang=id-ID", "-s", str(md)]
    return [[*common, "-t", "html5", "-o", os.devnull], [*common, "-t", "docx", "-o", str(root / "floor.docx")]]


def measure(claims: int, refs: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "p", claims, refs)
        synthdoc = [str(BIN / "synthdoc"), "build"]
        timed(synthdoc, root)  # warm caches (bibliography conversion, OS files)
        full = [timed([*synthdoc, "--force"], root) for _ in range(runs)]
        noop = [timed(synthdoc, root) for _ in range(runs)]
        edits = []
        claims_file = root / "sources" / "ref00000.yaml"
        for i in range(runs):
            text = claims_file.read_text(encoding="utf-8")
            anchor = wording_anchor(text)
            edited = text.replace(anchor, f"{anchor}Edit {i}: ", 1)  # its wording
            claims_file.write_text(edited, encoding="utf-8")
            edits.append(timed(synthdoc, root))
        floor = [sum(timed(cmd, root) for cmd in bare_pandoc(root)) for _ in range(runs)]
        memory = peak_mb([*synthdoc, "--force"], root)
        floor_memory = max(peak_mb(cmd, root) for cmd in bare_pandoc(root))
    med = {k: statistics.median(v) for k, v in
           {"full": full, "noop": noop, "edit": edits, "floor": floor}.items()}
    return {"claims": claims, "refs": refs, **med, "memory": memory, "floor_memory": floor_memory}


HEADER = ("| claims | refs | runs | full build (s) | bare pandoc (s) | full / pandoc | no-op (s) | no-op / full | "
          "one-claim edit (s) | edit / full | peak RSS (MB) | pandoc peak RSS (MB) |")


def table_row(r: dict[str, object]) -> str:
    return (f"| {r['claims']:,} | {r['refs']:,} | {r['runs']} | {r['full']:.2f} | {r['floor']:.2f} | "
            f"{r['full'] / r['floor']:.2f} | {r['noop']:.2f} | {r['noop'] / r['full']:.2f} | "
            f"{r['edit']:.2f} | {r['edit'] / r['full']:.2f} | {r['memory']:.0f} | {r['floor_memory']:.0f} |")


def kept_rows(previous: str, measured: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Rows of the previous table for sizes not measured this time: they stay as they were."""
    rows = {}
    for line in previous.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == HEADER.count("|") - 1 and cells[0].replace(",", "").isdigit():
            size = (int(cells[0].replace(",", "")), int(cells[1].replace(",", "")))
            if size not in measured:
                rows[size] = line
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100:50,1000:300,10000:1000")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md",
                        help="the results page to write (its rows of other sizes are kept)")
    args = parser.parse_args()
    rows: dict[tuple[int, int], str] = {}
    for size in args.sizes.split(","):
        claims, refs = (int(x) for x in size.split(":"))
        print(f"measuring {claims} claims, {refs} references ...", file=sys.stderr, flush=True)
        rows[(claims, refs)] = table_row({**measure(claims, refs, args.runs), "runs": args.runs})
    results = args.out
    previous = results.read_text(encoding="utf-8") if results.exists() else ""
    rows = {**kept_rows(previous, set(rows)), **rows}
    lines = [
        "# synthdoc at scale",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, pandoc {pandoc_version()}; APA, id-ID; one chapter document written "
        "as HTML and DOCX. Projects from `bench/generate.py`.",
        "Bare pandoc (the floor) renders the same generated Markdown with `--citeproc` to HTML and to DOCX.",
        "Times are medians of `runs` runs of the `synthdoc` command, process start included; the full build",
        "is `synthdoc build --force`, the one-claim edit changes one claim's wording and builds again.",
        "",
        HEADER,
        "|" + "---|" * (HEADER.count("|") - 1),
        *(rows[size] for size in sorted(rows)),
        "",
        "Made by `python bench/scale.py`; a size not measured again keeps its row.",
        "",
    ]
    # Notes written by hand below the marker are kept.
    notes = previous[previous.index(NOTES):] if NOTES in previous else NOTES + "\n"
    text = "\n".join(lines) + "\n" + notes
    results.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
