"""A corpus of small broken projects, one per problem: each names the right code, file and line.

Each case starts from the clean two-source project in conftest and changes one thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typst

from conftest import small_files, write_project
from synthdoc.build.pipeline import check_project
from synthdoc.core.diagnostics import SynthdocError
from synthdoc.core.project import load_project

A, B = "sources/smith2020.yaml", "sources/tran2021.yaml"


def edit(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    assert old in files[name], (name, old)
    files[name] = files[name].replace(old, new, 1)
    return files


# name: (changes, severity, code, path, line)
CASES = {
    "yaml-syntax": ([(A, "claims:\n", "claims: [\n")], "error", "yaml-syntax", A, 4),
    "unknown-field": ([(B, "    quote: \"most", "    qoute: \"most")], "error", "schema-unknown-field", B, 9),
    "wrong-type": ([(A, "themes: [law]", "themes: {law: 1}")], "error", "schema-type", A, 14),
    "missing-field": ([(B, "    kind: recommendation\n", "")], "error", "schema-missing-field", B, 11),
    "duplicate-id": ([(B, "id: regulate-brokers", "id: brokers")], "error", "duplicate-id", B, 11),
    "unknown-key": ([(A, "source: smith2020", "source: smith202")], "error", "unknown-key", A, 1),
    "quote-not-found": ([(A, "rarely kept", "never kept")], "error", "quote-not-found", A, 4),
    "unknown-contrast": ([(A, "    at: {section: \"1.1\"}\n  - id: debts",
                           "    at: {section: \"1.1\"}\n    contrasts: [tran2021/broker]\n  - id: debts")],
                         "error", "unknown-claim", A, 4),
    "unknown-point": ([(B, "point: shared", "point: sharde")], "error", "unknown-point", B, 4),
    "unknown-theme": ([(B, "themes: [law]", "themes: [laws]")], "error", "unknown-theme", B, 11),
    "unknown-point-theme": ([("synthdoc.yaml", "theme: labour", "theme: labor")], "error", "unknown-theme",
                            "synthdoc.yaml", 11),
    "unknown-section": ([(A, 'at: {section: "1.1"}\n  - id: debts', 'at: {section: "1.2"}\n  - id: debts')],
                        "error", "unknown-locator", A, 4),
    "template-missing": ([("synthdoc.yaml", "template: synthesis.md.j2", "template: synthesis.md")], "error",
                         "template-missing", "synthdoc.yaml", 19),
    "unknown-style": ([("synthdoc.yaml", "style: apa", "style: apa-7")], "error", "unknown-style",
                      "synthdoc.yaml", 2),
    "uncited-entry": ([("bibliography.bib", "@book{tran2021", "@book{lee2019,\n  author = {Lee, Min},\n  title = "
                        "{Unused},\n  year = {2019},\n  publisher = {Example Press},\n}\n\n@book{tran2021")],
                      "warning", "uncited-entry", "bibliography.bib", 8),
    "incomplete-entry": ([("bibliography.bib", "  year = {2021},\n", "")], "warning", "incomplete-entry",
                         "bibliography.bib", 8),
    "no-locator": ([(B, '    at: {section: "2.1"}\n  - id: regulate', "  - id: regulate")], "warning", "no-locator",
                   B, 4),
    "single-source": ([(B, "    point: shared\n", "")], "warning", "single-source", "synthdoc.yaml", 10),
    "section-mismatch": ([("sources/smith2020.md", "kept. Debts tie", "kept.\n\n## 1.2 More\n\nDebts tie")], "warning",
                         "locator-mismatch", A, 12),
}


def diagnose(root: Path):
    try:
        _, diags = check_project(load_project(root / "synthdoc.yaml"))
    except SynthdocError as exc:
        diags = exc.diagnostics
    return diags


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_is_named_at_its_file_and_line(tmp_path, case):
    changes, severity, code, path, line = CASES[case]
    files = small_files()
    for name, old, new in changes:
        edit(files, name, old, new)
    diags = diagnose(write_project(tmp_path, files))
    matches = [d for d in diags if d.code == code]
    assert matches, [str(d) for d in diags]
    assert (matches[0].severity.value, matches[0].path, matches[0].line) == (severity, path, line), str(matches[0])


def test_sources_without_claims_warn(tmp_path):
    files = small_files()
    files[B] = files[B].split("claims:")[0] + "claims: []\n"
    diags = diagnose(write_project(tmp_path, files))
    assert [(d.code, d.path, d.line) for d in diags if d.code == "no-claims"] == [("no-claims", B, 1)]


def test_everything_is_reported_at_once(tmp_path):
    files = small_files()
    edit(files, A, "rarely kept", "never kept")
    edit(files, B, "themes: [law]", "themes: [laws]")
    edit(files, "synthdoc.yaml", "style: apa", "style: nope-style")
    codes = {d.code for d in diagnose(write_project(tmp_path, files))}
    assert {"quote-not-found", "unknown-theme", "unknown-style"} <= codes


def test_stale_claim_after_source_text_changes(tmp_path):
    root = write_project(tmp_path, small_files())
    assert not [d for d in diagnose(root) if d.severity.value == "error"]
    text = root / "sources" / "smith2020.md"
    text.write_text(text.read_text().replace("rarely kept", "seldom kept"))
    [d] = [d for d in diagnose(root) if d.severity.value == "error"]
    assert (d.code, d.path, d.line) == ("quote-stale", A, 4)
    assert "smith2020.md changed" in d.message and "seldom kept" in d.message


# --- PDF sources --------------------------------------------------------------------------------

PDF_PAGES = ["Recruiters promise good jobs abroad, and the promises are rarely kept.",
             "Debts tie workers to their employers for years."]


@pytest.fixture
def pdf_project(tmp_path) -> Path:
    files = small_files()
    files[A] = files[A].replace("text: smith2020.md", "text: smith2020.pdf")
    root = write_project(tmp_path, files)
    source = "#set page(width: 12cm, height: 8cm)\n" + "\n#pagebreak()\n".join(PDF_PAGES)
    (root / "sources" / "smith2020.pdf").write_bytes(typst.compile(source.encode()))
    return root


def set_locator(root: Path, claim: str, locator: str | None) -> None:
    path = root / A
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {claim}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("at:"))
    lines[at] = f"    at: {locator}\n" if locator else ""
    path.write_text("".join(lines))


def test_pdf_quotes_are_found_on_their_page(pdf_project):
    set_locator(pdf_project, "promises", "{page: 1}")
    set_locator(pdf_project, "debts", "{page: 2}")
    assert [str(d) for d in diagnose(pdf_project) if d.severity.value != "note"] == []


def test_pdf_page_beyond_the_last(pdf_project):
    set_locator(pdf_project, "debts", "{page: 40}")
    [d] = [d for d in diagnose(pdf_project) if d.code == "unknown-locator"]
    assert (d.path, d.line) == (A, 12) and "last page (2)" in d.message


def test_pdf_page_that_disagrees_is_a_warning(pdf_project):
    set_locator(pdf_project, "debts", "{page: 1}")
    [d] = [d for d in diagnose(pdf_project) if d.code == "locator-mismatch"]
    assert d.severity.value == "warning" and "page 2" in d.message


def test_pdf_claim_without_page_gets_the_page_of_its_quote(pdf_project):
    set_locator(pdf_project, "debts", None)
    [d] = [d for d in diagnose(pdf_project) if d.code == "page-inferred"]
    assert d.severity.value == "note" and "page 2" in d.message
    from synthdoc.build.pipeline import load_inputs

    inputs = load_inputs(load_project(pdf_project / "synthdoc.yaml"))
    claim = next(c for s in inputs.sources for c in s.claims if c.id == "debts")
    assert (claim.at.kind, claim.at.value) == ("page", "2")


def test_pdf_quote_not_found_names_the_page_of_the_closest_passage(pdf_project):
    path = pdf_project / A
    path.write_text(path.read_text().replace("Debts tie workers", "Debts bind workers"))
    [d] = [d for d in diagnose(pdf_project) if d.code == "quote-not-found"]
    assert "page 2" in d.message and "Debts tie workers" in d.message
