"""Benchmark: reading a large bibliography — first read (split, pandoc conversion, cache write)
and the rebuild read (from the cache, by content), for BibLaTeX, RIS and CSL JSON libraries of
generated entries.

    python bench/bibliography.py [--runs 7] [--sizes 1000,5000]

Writes bench/BIBLIOGRAPHY.md. Times are medians of ``load_bibliography`` in process (the
rebuild's share of a ``synthdoc build``); the entries are generated, not a real library.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from synthdoc.bibliography import load_bibliography
from synthdoc.core.pandoc import pandoc_version

OUT = Path(__file__).resolve().parent / "BIBLIOGRAPHY.md"
WORDS = ["upaya", "pemerintah", "indonesia", "dalam", "penanganan", "perdagangan", "orang", "kawasan", "asean",
         "kerja", "sama", "keamanan", "migration", "governance", "border", "labour", "policy", "regional",
         "cooperation", "human", "rights", "protection"]


def title(i: int) -> str:
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)].capitalize() for k in range(8))


def bibtex(n: int) -> str:
    out = []
    for i in range(n):
        out.append(f"@article{{key{i},\n  author = {{Penulis{i}, Budi and Author{i}, Jane}},\n"
                   f"  title = {{{title(i)}}},\n  journaltitle = {{Jurnal {i % 50}}},\n  date = {{{1990 + i % 35}}},\n"
                   f"  volume = {{{i % 40}}},\n  pages = {{{i % 90}--{i % 90 + 12}}},\n"
                   f"  doi = {{10.1000/x{i}\\_{i}}},\n  langid = {{{'indonesian' if i % 2 else 'english'}}},\n}}\n")
    return "\n".join(out)


def ris(n: int) -> str:
    return "".join(f"TY  - JOUR\nAU  - Penulis{i}, Budi\nTI  - {title(i)}\nPY  - {1990 + i % 35}\n"
                   f"JO  - Jurnal {i % 50}\nLA  - Indonesian\nID  - key{i}\nER  - \n\n" for i in range(n))


def csl_json(n: int) -> str:
    return json.dumps([{"id": f"key{i}", "type": "article-journal", "title": title(i),
                        "author": [{"family": f"Penulis{i}", "given": "Budi"}],
                        "container-title": f"Jurnal {i % 50}", "issued": {"date-parts": [[1990 + i % 35]]},
                        "language": "id"} for i in range(n)], indent=2)


def measure(name: str, text: str, runs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        firsts, rebuilds = [], []
        for run in range(max(1, runs // 3)):
            cache = Path(tmp) / f"cache{run}"
            t0 = time.perf_counter()
            bib = load_bibliography(path, Path(tmp), cache, ("id",))
            firsts.append(time.perf_counter() - t0)
            for _ in range(runs):
                t0 = time.perf_counter()
                again = load_bibliography(path, Path(tmp), cache, ("id",))
                rebuilds.append(time.perf_counter() - t0)
                assert again.keys() == bib.keys()
        return statistics.median(firsts), statistics.median(rebuilds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--out", type=Path, default=OUT, help="the results page to write")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for fmt, name, make in (("BibLaTeX", "refs.bib", bibtex), ("RIS", "refs.ris", ris),
                                ("CSL JSON", "refs.json", csl_json)):
            first, rebuild = measure(name, make(size), args.runs)
            rows.append(f"| {size:,} | {fmt} | {first:.2f} s | {rebuild * 1000:.0f} ms | {first / rebuild:.0f}× |")
            print(rows[-1], file=sys.stderr, flush=True)
    args.out.write_text(
        "# Reading a large bibliography\n\n"
        "`python bench/bibliography.py` — `load_bibliography` on generated libraries (not a real one): the\n"
        "first read (split, pandoc conversion, cache write) and the rebuild's read (the file's content\n"
        f"hashed, its entries loaded from `.synthdoc/cache/`); medians of {args.runs} rebuild reads.\n\n"
        f"Python {platform.python_version()}, pandoc {pandoc_version()}, {platform.machine()}, "
        f"{platform.system()} (2 shared cores).\n\n"
        "| entries | format | first read | rebuild read | ratio |\n|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n"
        "Target: a rebuild reads a 5,000-entry library well under a second.\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
