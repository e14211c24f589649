"""Benchmark: full build, no-op rebuild and one-claim edit of the built-in example, as a user runs them.

Each figure is the median wall time of several runs of the `synthdoc` command in a fresh copy of
the example. Writes bench/INCREMENTAL.md.

    python bench/incremental.py [--runs 5]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)

REPO = Path(__file__).resolve().parent.parent
SYNTHDOC = Path(sys.executable).parent / "synthdoc"
EDIT = ("Kasus menurun 2023–2024", "Kasus turun 2023–2024")


def copy_example(dest: Path) -> Path:
    for name in ("synthdoc.yaml", "bibliography.bib"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "sources", dest / "sources")
    return dest


def timed(args: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run([str(SYNTHDOC), *args], cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "INCREMENTAL.md",
                        help="the results page to write")
    args = parser.parse_args()
    runs = args.runs
    full, noop, edit = [], [], []
    rebuilt_by_edit = ""
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_example(Path(tmp))
        timed(["build"], root)  # warm the bibliography cache and the OS file cache
        for i in range(runs):
            full.append(timed(["build", "--force"], root)[0])
            noop.append(timed(["build"], root)[0])
            claims = root / "sources" / "amalia2025.yaml"
            old, new = EDIT if i % 2 == 0 else EDIT[::-1]
            claims.write_text(claims.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
            seconds, err = timed(["build"], root)
            edit.append(seconds)
            rebuilt_by_edit = ", ".join(line.split(":")[0].removeprefix("building ")
                                        for line in err.splitlines() if line.startswith("building "))
    m_full, m_noop, m_edit = (statistics.median(x) for x in (full, noop, edit))
    table = [
        "| run | median wall (s) | runs (s) | vs full build |",
        "|---|---|---|---|",
        f"| full build (`build --force`, 8 files) | {m_full:.2f} | {', '.join(f'{x:.2f}' for x in full)} | 1.00 |",
        f"| no-op rebuild (`build`, nothing changed) | {m_noop:.2f} | {', '.join(f'{x:.2f}' for x in noop)} | "
        f"{m_noop / m_full:.2f} |",
        f"| one claim's `short` edited (`build`) | {m_edit:.2f} | {', '.join(f'{x:.2f}' for x in edit)} | "
        f"{m_edit / m_full:.2f} |",
    ]
    text = "\n".join([
        "# Incremental builds of the built-in example",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()}; {runs} runs each; wall time of the `synthdoc` command, process start included.",
        "",
        *table,
        "",
        f"Rebuilt by the one-claim edit: {rebuilt_by_edit or 'nothing'}.",
        "",
        "Made by `python bench/incremental.py`.",
        "",
    ])
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
