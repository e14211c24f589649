"""A skipped build is a promise that nothing changed: after any edit, ``synthdoc build`` writes what
``synthdoc build --force`` writes, whether it rebuilt an output or left it as it was.

Each test edits a project in one of the ways the output depends on (the order of claims, the name of a
claims file, the file an entry stands in, an entry cited only by the template's own text, a claims file's
language, an edit that keeps a file's size and time), builds as a user does (the CLI, with its no-op fast
path), and compares every output with a forced build's, normalised (tools/output_digests.py)."""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, write_project
from synthdoc.build import pipeline, quickcheck
from synthdoc.build.command import build_command
from synthdoc.build.pipeline import build
from synthdoc.cli import app
from synthdoc.core import warm
from synthdoc.core.project import load_project
from synthdoc.render.styles import resolve_style

sys.path.insert(0, str(REPO / "tools"))
from output_digests import file_digest

runner = CliRunner()

TEMPLATE = """\
# {{ title }}

Earlier work frames the question [@other2019].

{% for c in claims %}
{{ c.quoted }}: {{ c.sentence }}

{% endfor %}
{% for s in sources %}
- {{ s.citet }}: {{ s.title }}
{% endfor %}
"""

CONFIG = """\
title: Skips
style: {style}
lang: en
themes:
  - id: labour
    title: {{en: Labour}}
documents:
  - id: review
    template: mine.md.j2
    title: Review
    formats: [html, xlsx]
"""

ENTRY = """\
@book{{{key},
  author = {{{author}}},
  title = {{{title}}},
  year = {{{year}}},
  publisher = {{Example Press}},
}}
"""

ENTRIES = {
    "smith2020": ("Smith, Jane", "Recruitment and Its Discontents", "2020"),
    "tran2021": ("Tran, Van An", "Borders and Brokers", "2021"),
    "other2019": ("Smith, Jane", "Framing the Question", "2020"),
}

TEXT_A = "Recruiters promise good jobs abroad. Debts tie workers to their employers for years.\n"
TEXT_B = "Brokers at the border arrange papers and transport for migrants.\n"


def claims_file(key: str, text: str, claims: list[tuple[str, str, str]], lang: str = "en") -> str:
    out = f"source: {key}\ntext: {text}\nlang: {lang}\nclaims:\n"
    for ident, quote, section in claims:
        out += (f"  - id: {ident}\n    kind: finding\n    themes: [labour]\n"
                f"    says: {{en: The source says {ident}., id: Sumber mengatakan {ident}.}}\n"
                f"    quote: \"{quote}\"\n    at: {{section: \"{section}\"}}\n")
    return out


A_CLAIMS = [("promises", "Recruiters promise good jobs abroad", "1.1"),
            ("debts", "Debts tie workers to their employers for years", "2.3")]
B_CLAIMS = [("brokers", "Brokers at the border arrange papers and transport", "4")]


def make_project(root: Path, style: str = "apa") -> Path:
    return write_project(root, {
        "synthdoc.yaml": CONFIG.format(style=style),
        "templates/mine.md.j2": TEMPLATE,
        "a.bib": "\n".join(ENTRY.format(key=k, author=a, title=t, year=y)
                           for k, (a, t, y) in ENTRIES.items() if k != "tran2021"),
        "b.bib": ENTRY.format(key="tran2021", author=ENTRIES["tran2021"][0], title=ENTRIES["tran2021"][1],
                              year=ENTRIES["tran2021"][2]),
        "sources/smith2020.md": TEXT_A,
        "sources/smith2020.yaml": claims_file("smith2020", "smith2020.md", A_CLAIMS),
        "sources/tran2021.md": TEXT_B,
        "sources/tran2021.yaml": claims_file("tran2021", "tran2021.md", B_CLAIMS),
    })


def with_bibliographies(root: Path, files: list[str]) -> None:
    config = root / "synthdoc.yaml"
    config.write_text(config.read_text() + f"bibliography: [{', '.join(files)}]\n", encoding="utf-8")


@pytest.fixture
def skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "skips")
    with_bibliographies(root, ["a.bib", "b.bib"])
    monkeypatch.chdir(root)
    return root


def digests(root: Path) -> dict[str, str]:
    return {p.name: file_digest(p) for p in sorted((root / "output").iterdir())
            if p.is_file() and p.suffix in (".html", ".xlsx", ".docx", ".pdf")}


def cli_build(*args: str) -> str:
    result = runner.invoke(app, ["build", *args])
    assert result.exit_code == 0, result.output
    return result.output


def assert_skip_is_force(root: Path) -> str:
    """Build as a user does; its outputs must be those of a forced build of the same inputs."""
    said = cli_build()
    kept = digests(root)
    cli_build("--force")
    assert kept == digests(root), f"a build that said\n{said}\nleft outputs a forced build changes"
    return said


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_entry_cited_only_by_the_template_changes(skips):
    cli_build()
    edit(skips / "a.bib", "Framing the Question", "Framing Another Question")
    said = assert_skip_is_force(skips)
    assert "review" in said  # rebuilt, and the reason named


def test_two_claims_swapped_in_their_file(skips):
    cli_build()
    path = skips / "sources" / "smith2020.yaml"
    path.write_text(claims_file("smith2020", "smith2020.md", A_CLAIMS[::-1]), encoding="utf-8")
    assert_skip_is_force(skips)


def test_a_claims_file_renamed_changes_ieee_numbers(tmp_path, monkeypatch):
    root = make_project(tmp_path / "ieee", style="ieee")
    with_bibliographies(root, ["a.bib", "b.bib"])
    monkeypatch.chdir(root)
    cli_build()
    (root / "sources" / "smith2020.yaml").rename(root / "sources" / "z-smith2020.yaml")
    assert_skip_is_force(root)


def test_an_entry_moved_between_bibliography_files(skips):
    cli_build()
    a, b = skips / "a.bib", skips / "b.bib"
    moved = ENTRY.format(key="smith2020", author=ENTRIES["smith2020"][0], title=ENTRIES["smith2020"][1],
                         year=ENTRIES["smith2020"][2])
    edit(a, moved, "")
    b.write_text(b.read_text(encoding="utf-8") + "\n" + moved, encoding="utf-8")
    assert_skip_is_force(skips)


def test_a_claims_file_language_changes(skips):
    cli_build()
    edit(skips / "sources" / "tran2021.yaml", "lang: en", "lang: id")
    assert_skip_is_force(skips)


def test_watch_sees_an_edit_that_keeps_size_and_time(skips):
    """``synthdoc watch`` builds again in one process: a style edited by ``cp -p`` (same size, same time)."""
    style = skips / "mine.csl"
    style.write_bytes(resolve_style("apa", skips).read_bytes())
    edit(skips / "synthdoc.yaml", "style: apa", "style: mine.csl")
    project = load_project(skips / "synthdoc.yaml")
    build(project)
    before = style.stat()
    data = style.read_bytes()
    # the same length: the in-text citation's parentheses become brackets
    changed = data.replace(b'<layout delimiter="; " prefix="(" suffix=")">',
                           b'<layout delimiter="; " prefix="[" suffix="]">', 1)
    assert changed != data and len(changed) == len(data)
    style.write_bytes(changed)
    os.utime(style, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = build(load_project(skips / "synthdoc.yaml"))
    assert {o.format for o in result.outputs} == {"html", "xlsx"}


# The differential: random sequences of the edits above (and wording edits), each build compared with a
# forced one. Seeds are fixed so a failure can be replayed.
_ENTRY = re.compile(r"@book\{.*?\n\}\n", re.DOTALL)


def _random_edit(root: Path, rng: random.Random) -> str:
    sources = sorted((root / "sources").glob("*.yaml"))
    choice = rng.choice(["swap", "rename", "move", "template-entry", "lang", "same-size", "wording"])
    if choice == "swap":
        path = rng.choice(sources)
        lines = path.read_text(encoding="utf-8").split("\n  - id: ")
        if len(lines) > 2:
            head, *claims = lines
            rng.shuffle(claims)
            path.write_text("\n  - id: ".join([head, *claims]), encoding="utf-8")
    elif choice == "rename":
        path = rng.choice(sources)
        path.rename(path.with_name(f"{rng.choice('abcxyz')}{rng.randrange(100)}-{path.name.split('-')[-1]}"))
    elif choice == "move":
        files = [root / "a.bib", root / "b.bib"]
        rng.shuffle(files)
        give, take = files
        entries = _ENTRY.findall(give.read_text(encoding="utf-8"))
        if entries:
            moved = rng.choice(entries)
            give.write_text(give.read_text(encoding="utf-8").replace(moved, ""), encoding="utf-8")
            kept = _ENTRY.findall(take.read_text(encoding="utf-8"))
            kept.insert(rng.randrange(len(kept) + 1), moved)
            take.write_text("".join(kept), encoding="utf-8")
    elif choice == "template-entry":
        bib = next(p for p in (root / "a.bib", root / "b.bib") if "other2019" in p.read_text(encoding="utf-8"))
        text = bib.read_text(encoding="utf-8")
        year = rng.choice(["2019", "2020", "2021"])
        bib.write_text(re.sub(r"(@book\{other2019,[^@]*?year = \{)\d+", rf"\g<1>{year}", text), encoding="utf-8")
    elif choice == "lang":
        path = rng.choice(sources)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("lang: en", "lang: id") if "lang: en" in text
                        else text.replace("lang: id", "lang: en"), encoding="utf-8")
    elif choice == "same-size":
        template = root / "templates" / "mine.md.j2"
        before = template.stat()
        text = template.read_text(encoding="utf-8")
        swapped = text.replace("frames", "FRAMES") if "frames" in text else text.replace("FRAMES", "frames")
        template.write_text(swapped, encoding="utf-8")
        os.utime(template, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        path = rng.choice(sources)
        edit(path, "The source says", "The source states") if "says" in path.read_text(encoding="utf-8") \
            else edit(path, "The source states", "The source says")
    return choice


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edit_sequences_skip_only_what_a_forced_build_leaves_alone(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    root = make_project(tmp_path / f"seed{seed}", style=rng.choice(["apa", "ieee"]))
    with_bibliographies(root, ["a.bib", "b.bib"])
    monkeypatch.chdir(root)
    cli_build()
    done = []
    for _ in range(8):
        done.append(_random_edit(root, rng))
        warm.clear() if rng.random() < 0.5 else None
        said = cli_build()
        kept = digests(root)
        project = load_project(root / "synthdoc.yaml")
        build(project, force=True)
        assert kept == digests(root), f"after {done}: the build said\n{said}"


def test_a_build_stopped_before_it_recorded_its_inputs_is_not_taken_for_the_one_before(skips, monkeypatch):
    """A build stopped (Ctrl-C, a crash) after it put its outputs in place and before it recorded their inputs,
    then the inputs set back to those of the build before: the outputs are not those inputs', and the next build
    must not answer that they are up to date."""
    cli_build()
    claims = skips / "sources" / "smith2020.yaml"
    before = claims.read_text(encoding="utf-8")
    edit(claims, "The source says debts.", "The source says the debts last for years.")

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(quickcheck, "remember", stopped)
        with pytest.raises(KeyboardInterrupt):
            build_command(None, ())
    assert "debts last for years" in (skips / "output" / "review.html").read_text(encoding="utf-8")
    claims.write_text(before, encoding="utf-8")
    said = assert_skip_is_force(skips)
    assert "up to date" not in said
    assert "debts last for years" not in (skips / "output" / "review.html").read_text(encoding="utf-8")


def test_a_source_text_edited_while_the_build_runs_is_not_taken_for_the_one_it_read(skips, monkeypatch):
    """A source text saved again while the build runs, after the build read it: the outputs are made of what the
    build read, and the next build must not answer that they are up to date with the text as it is now."""
    text = skips / "sources" / "smith2020.md"
    real = pipeline.load_texts

    def read_then_edited(*args: object, **kwargs: object) -> object:
        made = real(*args, **kwargs)
        text.write_text(text.read_text(encoding="utf-8") + "\nA paragraph saved while the build ran.\n",
                        encoding="utf-8")
        return made

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "load_texts", read_then_edited)
        assert build_command(None, ()) == 0
    said = cli_build()
    assert "up to date" not in said
