"""Every benchmark script runs, at a small size, so that none rots between the runs that measure.

Each writes its results page to a temporary file (``--out``), never over the page in bench/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

SMALL = {
    "example.py": ["--runs", "1"],
    "bibliography.py": ["--runs", "1", "--sizes", "30"],
    "library.py": ["--runs", "1", "--entries", "200", "--check-entries", "300", "--cited", "5"],
    "incremental.py": ["--runs", "1"],
    "scale.py": ["--runs", "1", "--sizes", "20:10"],
    "hostile.py": ["--runs", "1", "--scan-mb", "1", "--entries", "50"],
    "differential.py": ["--jobs", "1", "--seeds", "1", "--sizes", "10", "--large-styles", "apa"],
    "watch.py": ["--runs", "1", "--sizes", "example"],
    "statements.py": ["--limit", "4"],
}
WRITES_NO_PAGE = {"example.py"}


def test_every_bench_script_is_run_here():
    scripts = {p.name for p in BENCH.glob("*.py")}
    assert scripts - {"generate.py", "userenv.py"} == set(SMALL), \
        "add the new script to SMALL (generate.py runs in scale.py; userenv.py is imported by the timing scripts)"


@pytest.mark.parametrize("script", sorted(SMALL))
def test_bench_script_runs_at_a_small_size(script: str, tmp_path: Path):
    out = tmp_path / "RESULTS.md"
    pages = {p: p.read_bytes() for p in BENCH.glob("*.md")}
    args = [*SMALL[script]] + ([] if script in WRITES_NO_PAGE else ["--out", str(out)])
    done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    if script in WRITES_NO_PAGE:
        assert "| ratio |" in done.stdout, "a results table"
    else:
        assert out.read_text(encoding="utf-8").startswith("# "), "a results page"
    assert {p: p.read_bytes() for p in BENCH.glob("*.md")} == pages, "bench/*.md are left as measured"
