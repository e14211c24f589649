"""Snapshots and redlines: an edit to one claim after a snapshot is, in the redline, a handful of word-level
tracked changes by "synthdoc" — in the claim's sentence, its citation and its bibliography entry — that
LibreOffice keeps as changes to accept or reject; the rest of the document is not marked."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import copy_example
from rendered import tracked_changes
from synthdoc.cli import app
from synthdoc.word.redline import redline

runner = CliRunner()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLD_SAYS = "membangun sistem koordinasi yang solid, berbasis data terpadu"
NEW_SAYS = "membangun sistem koordinasi nasional yang kuat, berbasis data bersama"


def _cli(root: Path, *args: str):
    return runner.invoke(app, [*args, "--project", str(root)])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _changes(docx: Path) -> list[tuple[str, str, str, str]]:
    """(kind, author, date, text) of each tracked change in a DOCX, read from its XML."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(docx) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
    out = []
    for el in body.iter():
        if el.tag in (f"{W}ins", f"{W}del"):
            text = "".join(t.text or "" for t in el.iter() if t.tag in (f"{W}t", f"{W}delText"))
            out.append((el.tag.removeprefix(W), el.get(f"{W}author"), el.get(f"{W}date", ""), text))
    return out


@pytest.fixture(scope="module")
def redlined(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = copy_example(tmp_path_factory.mktemp("redline") / "example")
    assert _cli(root, "build", "--format", "docx").exit_code == 0
    taken = _cli(root, "snapshot", "dikirim-ke-pembimbing")
    assert taken.exit_code == 0, taken.output
    # One claim edited: its wording and its locator; and its source's bibliography entry.
    _edit(root / "sources" / "amalia2025.yaml", OLD_SAYS, NEW_SAYS)
    _edit(root / "sources" / "amalia2025.yaml", 'antar instansi"\n    at: {section: "VI.2.1"}',
          'antar instansi"\n    at: {section: "VI.2.2"}')
    _edit(root / "bibliography.bib", "dalam Penanganan Human Trafficking di Indonesia",
          "dalam Penanganan Perdagangan Orang di Indonesia")
    rebuilt = _cli(root, "build", "--format", "docx")
    assert rebuilt.exit_code == 0, rebuilt.output
    result = _cli(root, "redline", "tinjauan-pustaka", "--since", "dikirim-ke-pembimbing")
    assert result.exit_code == 0, result.output
    out = root / "output" / "tinjauan-pustaka.redline.docx"
    return {"root": root, "result": result, "docx": out, "changes": _changes(out),
            "kept": tracked_changes(out, root / "lo")}


def test_the_edit_is_a_handful_of_word_level_changes_by_synthdoc(redlined: dict) -> None:
    changes = redlined["changes"]
    # The claim's words, its locator, and the title in Tabel 2.1 and in the bibliography: word by word.
    assert 3 <= len(changes) <= 16, changes
    assert {author for _, author, _, _ in changes} == {"synthdoc"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", date) for _, _, date, _ in changes)
    inserted = " ".join(t for kind, _, _, t in changes if kind == "ins").split()
    deleted = " ".join(t for kind, _, _, t in changes if kind == "del").split()
    assert {"nasional", "kuat,", "bersama,"} <= set(inserted)
    assert {"solid,", "terpadu,"} <= set(deleted)
    # Words that stayed are not marked
    assert "koordinasi" not in inserted + deleted and "berbasis" not in inserted + deleted


def test_the_citation_change_is_marked_inside_the_citation(redlined: dict) -> None:
    changes = redlined["changes"]
    assert any(kind == "del" and "VI.2.1" in text for kind, _, _, text in changes)
    assert any(kind == "ins" and "VI.2.2" in text for kind, _, _, text in changes)


def test_the_bibliography_entry_change_is_marked_in_the_entry(redlined: dict) -> None:
    changes = redlined["changes"]
    assert any(kind == "del" and "Human" in text for kind, _, _, text in changes)
    assert any(kind == "ins" and "Perdagangan" in text for kind, _, _, text in changes)


def test_libreoffice_keeps_them_as_changes(redlined: dict) -> None:
    kept = redlined["kept"]
    written = [("insertion" if kind == "ins" else "deletion", " ".join(text.split()))
               for kind, _, _, text in redlined["changes"]]
    assert [(c.kind, c.text) for c in kept] == written
    assert {c.author for c in kept} == {"synthdoc"}
    assert {"solid,", "terpadu,"} <= {c.text for c in kept if c.kind == "deletion"}


def test_the_command_reports_what_it_compared(redlined: dict) -> None:
    err = redlined["result"].stderr
    assert "tinjauan-pustaka.redline.docx" in err and "since snapshot 'dikirim-ke-pembimbing'" in err
    listed = _cli(redlined["root"], "snapshot", "--list")
    assert listed.exit_code == 0 and listed.stdout.startswith("dikirim-ke-pembimbing ")


def test_review_ignores_synthdocs_own_changes(redlined: dict) -> None:
    result = runner.invoke(app, ["review", str(redlined["docx"]), "--project", str(redlined["root"])])
    assert result.exit_code == 0 and result.stdout == ""


def test_default_is_the_previous_build_and_errors_are_clear(redlined: dict, tmp_path: Path) -> None:
    root = redlined["root"]
    _edit(root / "sources" / "amalia2025.yaml", NEW_SAYS, NEW_SAYS.replace("bersama", "yang sama"))
    assert _cli(root, "build", "--format", "docx").exit_code == 0
    result = _cli(root, "redline", "tinjauan-pustaka")
    assert result.exit_code == 0, result.output
    changes = _changes(root / "output" / "tinjauan-pustaka.redline.docx")
    assert [(k, t.split()) for k, _, _, t in changes] == [("del", ["bersama,"]), ("ins", ["yang", "sama,"])]
    missing = _cli(root, "redline", "tinjauan-pustaka", "--since", "nope")
    assert missing.exit_code == 1 and "no snapshot 'nope'; snapshots: dikirim-ke-pembimbing" in missing.stderr
    bad = _cli(root, "snapshot", "../x")
    assert bad.exit_code == 1 and "must be a plain name" in bad.stderr
    fresh = copy_example(tmp_path / "fresh")
    unbuilt = _cli(fresh, "redline", "tinjauan-pustaka")
    assert unbuilt.exit_code == 1 and "has not been built yet" in unbuilt.stderr and "Traceback" not in unbuilt.output
    nothing = _cli(fresh, "snapshot", "first")
    assert nothing.exit_code == 1 and "no document has been built yet" in nothing.stderr
    assert _cli(fresh, "build", "policy-brief", "--format", "html").exit_code == 0
    partial = _cli(fresh, "snapshot", "first")
    assert partial.exit_code == 0 and "not in it, never built: tinjauan-pustaka, evidence-matrix" in partial.stderr
    missing_doc = _cli(fresh, "redline", "tinjauan-pustaka", "--since", "first")
    assert missing_doc.exit_code == 1 and "has not been built yet" in missing_doc.stderr
    assert _cli(fresh, "build", "tinjauan-pustaka", "--format", "html").exit_code == 0
    later = _cli(fresh, "redline", "tinjauan-pustaka", "--since", "first")
    assert later.exit_code == 1 and "snapshot 'first' has no document 'tinjauan-pustaka'" in later.stderr


def _para(*words: str) -> dict:
    inlines: list[dict] = []
    for i, word in enumerate(words):
        if i:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return {"t": "Para", "c": inlines}


def test_identical_versions_have_no_changes_and_whole_blocks_are_marked() -> None:
    doc = {"blocks": [_para("a", "b"), {"t": "Header", "c": [1, ["h", [], []], [{"t": "Str", "c": "H"}]]}]}
    assert redline(doc, doc, "synthdoc", "2026-01-01T00:00:00Z") == doc
    new = {"blocks": [*doc["blocks"], _para("new", "one")]}
    marked = redline(doc, new, "synthdoc", "2026-01-01T00:00:00Z")
    last = marked["blocks"][-1]["c"]
    assert len(last) == 1 and last[0]["t"] == "Span" and last[0]["c"][0][1] == ["insertion"]


# --- Accept All and Reject All, as LibreOffice does them -----------------------------------------------------

IOM = "skripsi-iom-indonesia"
STRUCTURE_DOCS = ("tinjauan-pustaka", "penelitian-terdahulu", "evidence-matrix")


def _libreoffice_after(profile: Path, jobs: list[tuple[Path, str]]) -> list[list]:
    """What LibreOffice leaves of each DOCX after Accept All, Reject All or nothing ('none'), block by block."""
    import json

    from rendered import run_uno_script

    done = run_uno_script("lo_changes.py", str(profile), *(f"{path}:{mode}" for path, mode in jobs))
    return [result["blocks"] for result in json.loads(done)]


@pytest.fixture(scope="module")
def restructured(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example after a snapshot, then: one claim reworded, one thesis removed (its claims file, the contrast
    naming it; its row, its matrix column and its bibliography entry, the last, go) and one table cell edited."""
    from synthdoc.core.files import WORK_DIR
    from synthdoc.core.project import load_project
    from synthdoc.word import versions
    from synthdoc.word.redline import version_docx

    root = copy_example(tmp_path_factory.mktemp("restructured") / "example")
    assert _cli(root, "build", "--format", "docx").exit_code == 0
    assert _cli(root, "snapshot", "sent").exit_code == 0
    amalia = root / "sources" / "amalia2025.yaml"
    _edit(amalia, OLD_SAYS, NEW_SAYS)
    _edit(amalia, f", {IOM}/iceberg]", "]")
    _edit(amalia, "short: {id: Proyek AMPUH,", "short: {id: Proyek AMPUH bersama IOM,")
    (root / "sources" / f"{IOM}.yaml").unlink()
    rebuilt = _cli(root, "build", "--format", "docx")
    assert rebuilt.exit_code == 0, rebuilt.output
    project = load_project(root / "synthdoc.yaml")
    work = root / WORK_DIR
    files: dict[str, dict[str, Path]] = {}
    for name in STRUCTURE_DOCS:
        assert _cli(root, "redline", name, "--since", "sent").exit_code == 0
        doc = project.document(name)
        old = versions.load(work, name, versions.find_snapshot(work, "sent", "x").documents[name])
        new = versions.load(work, name, versions.current(work, name)[0])
        files[name] = {"redline": root / "output" / f"{name}.redline.docx"}
        for label, ast in (("old", old), ("new", new)):  # each version alone, written as the redline is
            files[name][label] = root / f"{name}.{label}.docx"
            files[name][label].write_bytes(version_docx(project, doc, ast, label))
    jobs = [(f[kind], mode) for f in files.values()
            for kind, mode in (("redline", "accept"), ("redline", "reject"), ("new", "none"), ("old", "none"))]
    seen = iter(_libreoffice_after(root / "lo", jobs))
    return {name: {"files": f, "accepted": next(seen), "rejected": next(seen), "new": next(seen), "old": next(seen)}
            for name, f in files.items()}


@pytest.mark.parametrize("name", STRUCTURE_DOCS)
def test_accept_all_is_the_new_version_and_reject_all_the_old(restructured: dict, name: str) -> None:
    seen = restructured[name]
    assert seen["old"] != seen["new"]
    assert seen["accepted"] == seen["new"]
    assert seen["rejected"] == seen["old"]


def test_a_removed_thesis_is_a_deleted_table_row_and_the_edited_cell_a_word_change(restructured: dict) -> None:
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(restructured["penelitian-terdahulu"]["files"]["redline"]) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
    rows = list(body.iter(f"{W}tr"))
    deleted = [r for r in rows if r.find(f"{W}trPr/{W}del") is not None]
    assert len(deleted) == 1 and "peran IOM" in "".join(t.text or "" for t in deleted[0].iter(f"{W}delText"))
    assert not [r for r in rows if r.find(f"{W}trPr/{W}ins") is not None]
    inserted = [" ".join((t.text or "") for t in el.iter(f"{W}t")).strip() for el in body.iter(f"{W}ins")]
    assert "bersama IOM" in " ".join(inserted)
    assert len(restructured["penelitian-terdahulu"]["new"][2][1]) == len(rows) - 1  # one table, a row fewer


@pytest.mark.parametrize("name", STRUCTURE_DOCS)
def test_every_tracked_change_has_its_own_revision_id(restructured: dict, name: str) -> None:
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(restructured[name]["files"]["redline"]) as archive:
        body = ET.fromstring(archive.read("word/document.xml"))
    changes = [el.get(f"{W}id") for el in body.iter() if el.tag in (f"{W}ins", f"{W}del")]
    others = {el.get(f"{W}id") for el in body.iter() if el.tag in (f"{W}bookmarkStart", f"{W}commentRangeStart")}
    assert changes and len(changes) == len(set(changes)) and not set(changes) & others
