"""synthdoc review: a reviewer's Word comments and tracked changes traced back to claims, themes and
template lines, through the hidden claim bookmarks every built DOCX carries — also after LibreOffice
has opened and saved the file."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml import parse_xml
from typer.testing import CliRunner

from conftest import copy_example
from rendered import libreoffice_convert
from synthdoc.cli import app

runner = CliRunner()
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _claim(project: Path, source: str, claim_id: str) -> tuple[str, int, dict]:
    """A claim's file, the line of its ``- id:`` and its YAML, read without synthdoc."""
    path = project / "sources" / f"{source}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == f"- id: {claim_id}")
    data = next(c for c in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"] if c["id"] == claim_id)
    return f"sources/{source}.yaml", line, data


def _paragraph_with(document: docx.document.Document, text: str):
    return next(p for p in document.paragraphs if text in p.text)


def _review(project: Path, file: Path, *extra: str):
    return runner.invoke(app, ["review", str(file), "--project", str(project), *extra])


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example built to DOCX; a supervisor's comments and tracked changes added to both documents."""
    root = copy_example(tmp_path_factory.mktemp("review") / "example")
    built = runner.invoke(app, ["build", "--format", "docx", "--project", str(root)])
    assert built.exit_code == 0, built.output
    out: dict = {"root": root}

    # The policy brief has no provenance comments: the bookmarks alone carry the claims.
    brief = docx.Document(str(root / "output" / "policy-brief.docx"))
    path, line, claim = _claim(root, "amalia2025", "integrated-coordination")
    out["recommendation"] = (path, line)
    para = _paragraph_with(brief, claim["says"]["en"].split(",")[0])
    brief.add_comment(para.runs[0], text="Siapa yang mengoordinasi?", author="Dr. Sari", initials="DS")
    heading = next(p for p in brief.paragraphs if p.text == "Key findings")
    brief.add_comment(heading.runs, text="Rename this section", author="Dr. Sari", initials="DS")
    # A tracked insertion and a tracked deletion inside the same sentence.
    para.runs[0]._r.addprevious(parse_xml(
        f'<w:ins {W_NS} w:id="91" w:author="Pak Budi" w:date="2026-11-20T10:00:00Z">'
        '<w:r><w:t xml:space="preserve">Indeed, </w:t></w:r></w:ins>'))
    last = para.runs[-1]._r
    deleted = parse_xml(f'<w:del {W_NS} w:id="92" w:author="Pak Budi" w:date="2026-11-20T10:00:00Z"/>')
    last.addprevious(deleted)
    deleted.append(last)
    for t in last.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        t.tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}delText"
    out["brief"] = root / "brief-reviewed.docx"
    brief.save(str(out["brief"]))

    # The chapter has provenance comments of synthdoc's own; the reviewer's are listed, synthdoc's are not.
    chapter = docx.Document(str(root / "output" / "tinjauan-pustaka.docx"))
    path, line, claim = _claim(root, "skripsi-actipwc-vietnam", "weak-policy")
    out["loose"] = (path, line)
    para = _paragraph_with(chapter, claim["says"]["id"][:40])
    run = next(r for r in para.runs if claim["says"]["id"][:20] in r.text)
    chapter.add_comment(run, text="Data tahun berapa?", author="Dr. Sari", initials="DS")
    intro = _paragraph_with(chapter, "Penegakan hukum dinilai sebagai mata rantai")
    chapter.add_comment(intro.runs, text="Terlalu pendek", author="Dr. Sari", initials="DS")
    differ = _paragraph_with(chapter, "Temuan tentang hal ini tidak seragam.")
    chapter.add_comment(differ.runs[0], text="Kalimat ini kaku", author="Dr. Sari", initials="DS")
    out["chapter"] = root / "chapter-reviewed.docx"
    chapter.save(str(out["chapter"]))
    return out


def test_comment_on_a_sentence_is_traced_to_its_claim_without_provenance_comments(reviewed: dict) -> None:
    path, line = reviewed["recommendation"]
    result = _review(reviewed["root"], reviewed["brief"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"{path}:{line}: Dr. Sari: Siapa yang mengoordinasi?" in lines


def test_tracked_changes_are_listed_at_their_claim(reviewed: dict) -> None:
    path, line = reviewed["recommendation"]
    lines = _review(reviewed["root"], reviewed["brief"]).stdout.splitlines()
    assert f"{path}:{line}: Pak Budi: inserted “Indeed,”" in lines
    assert any(x.startswith(f"{path}:{line}: Pak Budi: deleted “") for x in lines)


def test_comment_on_a_heading_names_the_template_line_that_wrote_it(reviewed: dict) -> None:
    lines = _review(reviewed["root"], reviewed["brief"]).stdout.splitlines()
    template = (Path(__file__).parent.parent / "src/synthdoc/templates/policy-brief.md.j2").read_text().splitlines()
    line = next(i for i, t in enumerate(template, 1) if t.strip() == "# {{ words.key_findings }}")
    assert f"(built-in) policy-brief.md.j2:{line}: Dr. Sari: Rename this section [template]" in lines


def test_chapter_comments_traced_to_claim_theme_and_template(reviewed: dict) -> None:
    root = reviewed["root"]
    result = _review(root, reviewed["chapter"], "--format", "json")
    assert result.exit_code == 0, result.output
    # synthdoc's own provenance comments are not the reviewer's
    by_comment = {r["comment"]: r for r in json.loads(result.stdout)}
    assert set(by_comment) == {"Data tahun berapa?", "Terlalu pendek", "Kalimat ini kaku"}
    remarks = [by_comment[c] for c in ("Data tahun berapa?", "Terlalu pendek", "Kalimat ini kaku")]
    path, line = reviewed["loose"]
    assert [(p["path"], p["line"]) for p in remarks[0]["places"]] == [(path, line)]
    assert remarks[0]["author"] == "Dr. Sari" and remarks[0]["kind"] == "comment"
    config = (root / "synthdoc.yaml").read_text(encoding="utf-8").splitlines()
    theme_line = next(i for i, t in enumerate(config, 1) if t.strip() == "- id: law-enforcement")
    assert remarks[1]["places"] == [{"path": "synthdoc.yaml", "line": theme_line,
                                     "what": "theme law-enforcement: its introduction"}]
    template = (Path(__file__).parent.parent / "src/synthdoc/templates/synthesis.md.j2").read_text().splitlines()
    not_uniform = next(i for i, t in enumerate(template, 1) if t.startswith("{{ words.not_uniform }}"))
    assert remarks[2]["places"][0]["line"] == not_uniform
    assert remarks[2]["places"][0]["path"] == "(built-in) synthesis.md.j2"


def test_libreoffice_round_trip_keeps_the_bookmarks(reviewed: dict, tmp_path: Path) -> None:
    saved = libreoffice_convert(reviewed["brief"], "docx:MS Word 2007 XML", tmp_path / "lo")
    path, line = reviewed["recommendation"]
    with zipfile.ZipFile(saved) as archive:
        assert "_sd" in archive.read("word/document.xml").decode("utf-8")
    result = _review(reviewed["root"], saved)
    assert result.exit_code == 0, result.output
    assert f"{path}:{line}: Dr. Sari: Siapa yang mengoordinasi?" in result.stdout.splitlines()


def test_unreadable_file_is_one_clear_error(reviewed: dict, tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    bad.write_text("not a zip", encoding="utf-8")
    result = _review(reviewed["root"], bad)
    assert result.exit_code == 1
    assert "notes.docx:1:1: error: not a readable DOCX file" in result.stderr
    assert "Traceback" not in result.output
    missing = _review(reviewed["root"], tmp_path / "absent.docx")
    assert missing.exit_code == 1 and "file not found" in missing.stderr


def test_a_file_without_claim_bookmarks_is_said_so(reviewed: dict, tmp_path: Path) -> None:
    plain = docx.Document()
    para = plain.add_paragraph("Koordinasi antarlembaga masih sektoral.")
    plain.add_comment(para.runs, text="Sumber?", author="Dr. Sari", initials="DS")
    path = tmp_path / "retyped.docx"
    plain.save(str(path))
    result = _review(reviewed["root"], path)
    assert result.exit_code == 0
    assert "carries no claim bookmarks" in result.stderr
    assert result.stdout.splitlines() == [
        "synthdoc.yaml:1: Dr. Sari: Sumber? [the document (no claim, theme or template line)]"]
    assert "no claim bookmarks" not in _review(reviewed["root"], reviewed["brief"]).stderr


def test_claim_removed_since_the_build_is_said_so(reviewed: dict, tmp_path: Path) -> None:
    root = tmp_path / "moved"
    shutil.copytree(reviewed["root"], root)
    source = root / "sources" / "amalia2025.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("- id: integrated-coordination",
                                                                  "- id: integrated-coordination-renamed"),
                      encoding="utf-8")
    lines = _review(root, root / "brief-reviewed.docx").stdout.splitlines()
    assert ("sources:1: Dr. Sari: Siapa yang mengoordinasi? [a claim no longer in the project (removed or renamed "
            "since this file was built)]") in lines
