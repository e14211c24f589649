"""The full adversarial differential: synthdoc's citations against one plain `pandoc --citeproc` run.

    python bench/differential.py [--jobs 2] [--seeds 10] [--sizes 10,20,40,80,150,300,1000,2000]

Every style of ``tests/citation_corpus.STYLES`` (author-date, numeric, superscript, alphanumeric,
note) × every seed × every size (references; above 300 references one seed, above 1,000 the
large styles only). Each case
is compared twice: a first build, and a rebuild after a wording edit (which reuses the first
build's citeproc result wherever it may; a rebuild that could reuse it and did not counts as a
difference). Writes bench/DIFFERENTIAL.md: the count of cases and comparisons, and every difference
found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from citation_corpus import STYLES  # noqa: E402
from test_citations_identical import compare  # noqa: E402


def one(case: tuple[str, int, int]) -> tuple[tuple[str, int, int], list[str], float]:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="synthdoc-differential-") as tmp:
        problems = compare(*case, Path(tmp))
    return case, problems, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--sizes", default="10,20,40,80,150,300,1000,2000")
    parser.add_argument("--large-styles", default="apa,din-1505-2-alphanumeric,ieee,chicago-notes-bibliography")
    parser.add_argument("--out", default=str(HERE / "DIFFERENTIAL.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    large = args.large_styles.split(",")
    cases = [(style, seed, size) for size in sizes for seed in range(args.seeds if size <= 300 else 1)
             for style in (STYLES if size <= 1000 else large)]
    started = time.perf_counter()
    failures: list[str] = []
    done = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for case, problems, seconds in pool.map(one, cases):
            done += 1
            failures += problems
            print(f"{done}/{len(cases)} {case} {seconds:.1f} s {problems or 'OK'}", flush=True)
            report(args, done, cases, failures, (time.perf_counter() - started) / 60)
    print(f"{done} cases, {len(failures)} differences")


def report(args: argparse.Namespace, done: int, cases: list[tuple[str, int, int]], failures: list[str],
           minutes: float) -> None:
    """bench/DIFFERENTIAL.md, written again after each case (a run cut short still says what it compared)."""
    sizes = sorted({c[2] for c in cases[:done]})
    lines = [
        "# Citation differential: synthdoc against one plain `pandoc --citeproc` run",
        "",
        f"Made by `python bench/differential.py --seeds {args.seeds} --sizes {args.sizes} --large-styles "
        f"{args.large_styles}` ({minutes:.0f} min, {args.jobs} jobs{'' if done == len(cases) else ', cut short'}).",
        "",
        f"- cases compared: {done} of {len(cases)} ({len(STYLES)} styles; sizes {', '.join(map(str, sizes))} "
        "references; above 300 references one seed, above 1,000 the large styles only)",
        f"- comparisons: {2 * done} (each case: a first build, and a rebuild after a wording edit)",
        f"- differences found: {len(failures)}",
        "",
    ]
    lines += [f"- {f}" for f in failures] or ["Every comparison was identical (the whole pandoc AST)."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
