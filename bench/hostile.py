"""Cost of hostile inputs (issue #15): what a no-op build and a check pay for files nobody cites and for
large bibliographies.

    python bench/hostile.py [--runs 3] [--scan-mb 500] [--entries 10000,100000]

- no-op build: ``synthdoc build`` with nothing changed, in the small example project, without and with a
  file of ``--scan-mb`` MB under sources/ that no claims file names (a scanned PDF nobody cites);
- check: ``synthdoc check`` of a project whose CSL JSON bibliography has N entries (one cited), to show that
  its time grows linearly with N.

Writes bench/HOSTILE.md. Times are medians of the command, process start included.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import small_files, write_project

SYNTHDOC = str(Path(sys.executable).parent / "synthdoc")


def timed(args: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([SYNTHDOC, *args], cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def no_op(root: Path, scan_mb: int, runs: int) -> tuple[float, float]:
    project = write_project(root / "noop", small_files())
    subprocess.run([SYNTHDOC, "build"], cwd=project, capture_output=True, check=True)
    subprocess.run([SYNTHDOC, "build"], cwd=project, capture_output=True, check=True)
    plain = timed(["build"], project, runs)
    with open(project / "sources" / "scan-nobody-cites.pdf", "wb") as handle:
        chunk = os.urandom(1 << 20)
        for _ in range(scan_mb):
            handle.write(chunk)
    subprocess.run([SYNTHDOC, "build"], cwd=project, capture_output=True, check=True)
    return plain, timed(["build"], project, runs)


def check_time(root: Path, entries: int, runs: int) -> float:
    files = small_files()
    files["synthdoc.yaml"] = files["synthdoc.yaml"].replace("style: apa", "style: apa\nbibliography: refs.json")
    project = write_project(root / f"bib{entries}", files)
    items = [{"id": key, "type": "book", "title": "T", "author": [{"family": "A"}], "issued": {"date-parts": [[2020]]},
              "publisher": "P"} for key in ("smith2020", "tran2021")]
    items += [{"id": f"extra{i}", "type": "book", "title": f"Title {i}", "author": [{"family": f"Author{i}"}],
               "issued": {"date-parts": [[2000 + i % 20]]}, "publisher": "P"} for i in range(entries - 2)]
    (project / "refs.json").write_text(json.dumps(items, indent=1))
    return timed(["check"], project, runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scan-mb", type=int, default=500)
    parser.add_argument("--entries", default="10000,100000")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "HOSTILE.md",
                        help="the results page to write")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="synthdoc-hostile-"))
    try:
        plain, scanned = no_op(root, args.scan_mb, args.runs)
        sizes = [int(n) for n in args.entries.split(",")]
        checks = {n: check_time(root, n, args.runs) for n in sizes}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lines = ["# Cost of hostile inputs", "", f"Medians of {args.runs} runs, process start included "
             "(`python bench/hostile.py`).", "",
             "| no-op `synthdoc build` | seconds |", "|---|---:|",
             f"| small project | {plain:.2f} |",
             f"| the same with a {args.scan_mb} MB file nobody cites under sources/ | {scanned:.2f} |",
             f"| ratio | {scanned / plain:.2f} |", "",
             "| `synthdoc check`, CSL JSON entries | seconds | seconds per 1,000 entries |", "|---:|---:|---:|"]
    lines += [f"| {n:,} | {t:.2f} | {1000 * t / n:.3f} |" for n, t in checks.items()]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
