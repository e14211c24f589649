"""Benchmark of the statement check: a corpus of mutated statements from the example project and both starters
(numbers, years, number words, percentages, names and negations inserted, changed or dropped, in claims and
in points), plus every unmodified statement; what the check finds (recall on mutations) and what it reports
on texts as their authors wrote them (false alarms). With --scale, `synthdoc check` at 10,000 claims against
another checkout's code (medians, interleaved in one run).

    python bench/statements.py                       # the corpus table → bench/STATEMENTS.md
    python bench/statements.py --scale ../main/src   # adds check times at 10,000 claims, this code vs that
    python bench/statements.py --limit 4 --out /tmp/S.md   # a small run
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from synthdoc.build.pipeline import load_inputs
from synthdoc.check.statements import _STOP, NEGATORS, check_statements, numbers
from synthdoc.core.project import Project, load_project
from synthdoc.sources.claims import Claim, Source
from synthdoc.sources.texts import SourceText

sys.path.insert(0, str(Path(__file__).resolve().parent))
import userenv  # noqa: F401 (timed processes write bytecode, as on a user's machine)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
YEARS = (1987, 1999, 2019, 2031)
NAMES = ("UNODC", "Interpol", "Kamboja", "Myanmar", "Laos", "Brunei")
NUMBER_WORDS = {"tiga": "tujuh", "three": "seven", "dua": "sembilan", "two": "nine", "enam": "delapan",
                "six": "eight", "keenam": "kedelapan", "sixth": "eighth", "empat": "sebelas", "four": "eleven"}


@dataclass(frozen=True)
class Case:
    project: str  # example, starter, starter-id
    where: str  # claim ref or point id, and the field
    kind: str  # unmodified, number-insert, ...
    text: str
    caught: bool


def _projects(tmp: Path, limit: int | None) -> Iterator[tuple[str, Project]]:
    yield "example", load_project(REPO / "synthdoc.yaml")
    if limit is not None and limit < 100:
        return
    for name, args in (("starter", []), ("starter-id", ["--lang", "id"])):
        subprocess.run([sys.executable, "-m", "synthdoc", "init", *args, str(tmp / name)], check=True,
                       capture_output=True)
        yield name, load_project(tmp / name / "synthdoc.yaml")


def _lang(key: str, source_lang: str) -> str:
    return (source_lang if key == "*" else key).split("-")[0].lower()


def mutations(text: str, lang: str, same_language: bool, evidence: str, quote: str) -> Iterator[tuple[str, str]]:
    """(kind, mutated text) for a statement in ``lang``; ``evidence`` is what its numbers and names must not be
    found in (the quotes and the source texts), so that each mutation is a real misstatement; a negation is
    inserted before a word the statement shares with ``quote``."""
    folded = evidence.lower()
    held = {v for n in numbers(evidence, parts=True) for v in n.values}
    body, end = (text[:-1], text[-1]) if text.endswith((".", "!", "?")) else (text, "")
    year = next(y for y in YEARS if y not in held)
    yield "number-insert", f"{body} {'pada tahun' if lang == 'id' else 'in'} {year}{end}"
    yield "percent-insert", f"{body} {'sebesar 37 persen' if lang == 'id' else 'by 37%'}{end}"
    digits = re.search(r"(?<![\w-])(\d{1,4})(?!\d)", text)
    if digits:
        value = int(digits.group(1))
        new = value + 7 if value > 1900 else value * 2 + 5
        if new not in held:
            yield "number-change", text[:digits.start(1)] + str(new) + text[digits.end(1):]
    for word, other in NUMBER_WORDS.items():
        found = re.search(rf"\b{word}\b", text, re.IGNORECASE)
        if found:
            yield "number-word", text[:found.start()] + other + text[found.end():]
            break
    name = next((n for n in NAMES if n.lower() not in folded), None)
    if name:
        yield "name-insert", f"{body} {'menurut' if lang == 'id' else 'according to'} {name}{end}"
        known = re.search(r"(?<=\s)(IOM|ASEAN|Vietnam|Indonesia|ACTIP-WC|ACTIP|AMPUH|Andresen)\b", text)
        if known:
            yield "name-swap", text[:known.start()] + name + text[known.end():]
    if same_language:
        words = text.split()
        quote_words = set(re.findall(r"\w+", quote.lower()))
        for i, word in enumerate(words):
            token = re.sub(r"\W", "", word).lower()
            if len(token) >= 4 and token in quote_words and token not in _STOP and token not in NEGATORS \
                    and i > 0 and words[i - 1].lower() not in NEGATORS:
                yield "negation-insert", " ".join([*words[:i], "tidak" if lang == "id" else "not", *words[i:]])
                break
        for i, word in enumerate(words):
            if word.lower() in NEGATORS and i + 1 < len(words):
                yield "negation-drop", " ".join(words[:i] + words[i + 1:])
                break


def _claim_cases(name: str, project: Project, sources: tuple[Source, ...], texts: dict[str, SourceText],
                 limit: int | None) -> Iterator[Case]:
    bare = replace(project, points=())
    count = 0
    for source in sources:
        text = texts.get(source.key)
        for claim in source.claims:
            if claim.draft:
                continue
            count += 1
            if limit is not None and count > limit:
                return
            evidence = " ".join([claim.quote, *claim.translation.values(), text.text if text else ""])
            for field in ("says", "short", "translation"):
                for key, value in getattr(claim, field).items():
                    spot = claim.spots.get(f"{field}.{key}")
                    lang = _lang(key, source.lang)
                    same = lang == _lang("*", source.lang) and field != "translation"
                    kinds = [("unmodified", value)]
                    if field == "says" or (field == "translation" and not limit):
                        kinds += list(mutations(value, lang, same, evidence, claim.quote))
                    for kind, mutated in kinds:
                        changed = replace(claim, **{field: {**getattr(claim, field), key: mutated}})
                        yield Case(name, f"{claim.ref} {field} ({key})", kind, mutated,
                                   _caught(bare, replace(source, claims=(changed,)), texts, changed, spot))


def _caught(project: Project, source: Source, texts: dict[str, SourceText], claim: Claim,
            spot: tuple[int, int] | None) -> bool:
    found = check_statements(project, (source,), texts)
    return any(d.severity.value == "warning" and (d.line, d.col) == spot for d in found)


def _point_cases(name: str, project: Project, sources: tuple[Source, ...],
                 texts: dict[str, SourceText]) -> Iterator[Case]:
    for point in project.points:
        backers = [(c, s) for s in sources for c in s.claims if c.point == point.id and not c.draft]
        if not backers:
            continue
        evidence = " ".join(c.quote + " " + (texts[s.key].text if s.key in texts else "") for c, s in backers)
        langs = {_lang("*", s.lang) for _, s in backers}
        for key, value in point.says.items():
            spot = point.spots.get(f"says.{key}")
            lang = _lang(key, "")
            for kind, mutated in [("unmodified", value), *mutations(value, lang, lang in langs, evidence,
                                                                         " ".join(c.quote for c, _ in backers))]:
                changed = replace(point, says={**point.says, key: mutated})
                found = check_statements(replace(project, points=(changed,)), sources, texts)
                caught = any(d.severity.value == "warning" and d.path == str(project.config_path)
                             and (d.line, d.col) == spot for d in found)
                yield Case(name, f"point {point.id} ({key})", kind, mutated, caught)


def corpus(limit: int | None = None) -> list[Case]:
    """Every case, from the example (its first ``limit`` claims) and, in a full run, both starters."""
    cases: list[Case] = []
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path.cwd()
        try:
            for name, project in _projects(Path(tmp), limit):
                os.chdir(project.root)  # shown paths are relative to the project, as the command line has them
                inputs = load_inputs(project)
                cases += _claim_cases(name, inputs.project, inputs.sources, inputs.texts, limit)
                if limit is None:
                    cases += _point_cases(name, inputs.project, inputs.sources, inputs.texts)
        finally:
            os.chdir(cwd)
    return cases


def table(cases: list[Case]) -> str:
    rows = ["| kind | statements | reported | rate |", "|---|---:|---:|---:|"]
    by_kind: dict[str, list[Case]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case)
    mutated = [c for c in cases if c.kind != "unmodified"]
    for kind in sorted(by_kind, key=lambda k: (k == "unmodified", k)):
        group = by_kind[kind]
        hits = sum(c.caught for c in group)
        label = "unmodified (false alarms)" if kind == "unmodified" else kind
        rows.append(f"| {label} | {len(group)} | {hits} | {hits / len(group):.0%} |")
    hits = sum(c.caught for c in mutated)
    rows.insert(2, f"| **all mutations (recall)** | {len(mutated)} | {hits} | {hits / max(1, len(mutated)):.0%} |")
    return "\n".join(rows)


def missed(cases: list[Case], shown: int = 12) -> list[str]:
    return [f"- {c.kind}, {c.project} {c.where}: {c.text}" for c in cases if c.kind != "unmodified" and not c.caught
            ][:shown]


def scale_times(base_src: Path, runs: int) -> tuple[float, float]:
    """Median wall time of `synthdoc check` on the 10,000-claim project of bench/scale.py: this code, and the
    code at ``base_src`` (a checkout's src/), interleaved in one run."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "p", 10_000, 1_000)
        command = [sys.executable, "-m", "synthdoc", "check"]
        here_env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        base_env = {**os.environ, "PYTHONPATH": str(base_src)}
        for env in (here_env, base_env):  # warm caches (bibliography conversion, OS files)
            subprocess.run(command, cwd=root, env=env, capture_output=True)
        here, base = [], []
        for _ in range(runs):
            for env, into in ((here_env, here), (base_env, base)):
                t0 = time.perf_counter()
                subprocess.run(command, cwd=root, env=env, capture_output=True)
                into.append(time.perf_counter() - t0)
        shutil.rmtree(root, ignore_errors=True)
    return statistics.median(here), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=Path, help="the src/ folder of the code to compare check times with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, help="the example's first N claims only (a small run)")
    parser.add_argument("--out", type=Path, default=HERE / "STATEMENTS.md", help="the results page to write")
    args = parser.parse_args()
    cases = corpus(args.limit)
    lines = ["# The statement check, measured", "", "`python bench/statements.py` (see docs/claims.md).", "",
             table(cases), "", f"Statements by project: {dict(Counter(c.project for c in cases))}", "",
             "Mutations the check missed (first 12):", "", *missed(cases), ""]
    if args.scale:
        here, base = scale_times(args.scale, args.runs)
        lines += ["## `synthdoc check` at 10,000 claims", "",
                  f"Medians of {args.runs} interleaved runs: without the statement check {base:.2f} s, with it "
                  f"{here:.2f} s ({(here / base - 1):+.0%}).", ""]
    text = "\n".join(lines)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
