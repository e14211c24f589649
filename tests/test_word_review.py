"""synthdoc review: a reviewer's Word comments and tracked changes traced back to claims, themes and
template lines, through the hidden claim bookmarks every built DOCX carries — also after LibreOffice
has opened and saved the file."""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml import parse_xml
from typer.testing import CliRunner

from conftest import copy_example
from rendered import libreoffice_convert, run_uno_script
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


# --- A review made in LibreOffice, saved by LibreOffice's DOCX export -----------------------------------------

_TOKEN = re.compile(r"<[^>]+>|[^<]+")
_ENTITY = re.compile(r"&[^;]+;|.", re.S)
_SKIPPED = ("text:tracked-changes", "text:note", "office:annotation")  # text that is not the body's running text


def _fodt_text(fodt: str) -> tuple[str, list[tuple[int, int]]]:
    """The running text of a flat ODT's body, and for each of its characters where it stands in the XML."""
    body = fodt.index("<office:text")
    text: list[str] = []
    where: list[tuple[int, int]] = []
    skip: list[str] = []
    for token in _TOKEN.finditer(fodt, body):
        raw, at = token.group(), token.start()
        if raw.startswith("<"):
            name = raw.strip("</>").split()[0] if raw.strip("</>") else ""
            if skip:
                if raw.startswith("</") and name == skip[-1]:
                    skip.pop()
                elif not raw.startswith("</") and not raw.endswith("/>") and name == skip[-1]:
                    skip.append(name)
            elif name in _SKIPPED and not raw.startswith("</") and not raw.endswith("/>"):
                skip.append(name)
            elif name == "text:s" and not raw.startswith("</"):
                count = int((re.search(r'text:c="(\d+)"', raw) or [0, "1"])[1])
                text.extend(" " * count)
                where.extend([(at, at)] * count)
            elif raw in ("</text:p>", "</text:h>"):
                text.append("\n")
                where.append((at, at))
            continue
        if skip:
            continue
        for piece in _ENTITY.finditer(raw):
            text.append(html.unescape(piece.group()))
            where.append((at + piece.start(), at + piece.end()))
    return "".join(text), where


def _annotated(fodt: str, comments: list[dict]) -> str:
    """``fodt`` with each comment as LibreOffice keeps one (``office:annotation`` … ``office:annotation-end``)
    on the text it names: ``{"find": text, "after": text before it (optional), "author": …, "comment": …}``."""
    inserts: list[tuple[int, str]] = []
    text, where = _fodt_text(fodt)
    for n, comment in enumerate(comments):
        start = text.index(comment["after"]) if "after" in comment else 0
        first = text.index(comment["find"], start)
        last = first + len(comment["find"]) - 1
        name = f"__Annotation__{n}"
        inserts.append((where[last][1], f'<office:annotation-end office:name="{name}"/>'))
        inserts.append((where[first][0], f'<office:annotation office:name="{name}"><dc:creator>{comment["author"]}'
                                         f'</dc:creator><dc:date>2026-11-20T10:0{n}:00</dc:date><text:p>'
                                         f'{html.escape(comment["comment"])}</text:p></office:annotation>'))
    for at, xml in sorted(inserts, key=lambda item: item[0], reverse=True):
        fodt = fodt[:at] + xml + fodt[at:]
    return fodt


def reviewed_in_libreoffice(built: Path, work: Path, changes: list[dict], comments: list[dict]) -> Path:
    """``built`` as it comes back from a supervisor who used LibreOffice: opened and saved as DOCX by LibreOffice,
    with tracked ``changes`` typed in LibreOffice (tests/lo_review.py) and ``comments`` on its text, saved
    through LibreOffice's DOCX export."""
    opened = libreoffice_convert(built, "docx:MS Word 2007 XML", work / "opened")
    edits = work / "changes.json"
    edits.write_text(json.dumps(changes), encoding="utf-8")
    changed = work / "changed" / built.name
    changed.parent.mkdir()
    run_uno_script("lo_review.py", str(work / "profile"), str(opened), str(changed), str(edits))
    assert changed.is_file()
    fodt = libreoffice_convert(changed, "fodt", work / "flat")
    fodt.write_text(_annotated(fodt.read_text(encoding="utf-8"), comments), encoding="utf-8")
    return libreoffice_convert(fodt, "docx:MS Word 2007 XML", work / "returned")


def _point_claims(project: Path, point: str) -> dict[str, tuple[str, int]]:
    """The claims gathered under synthesis point ``point``, by source: their file and line, read without synthdoc."""
    out = {}
    for path in sorted((project / "sources").glob("*.yaml")):
        for claim in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]:
            if claim.get("point") == point:
                where = _claim(project, path.stem, claim["id"])
                out[path.stem] = where[:2]
    return out


def _entry_line(project: Path, key: str) -> int:
    lines = (project / "bibliography.bib").read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.startswith("@") and text.rstrip(",").endswith("{" + key))


COMMUNITY = "Keterlibatan masyarakat, LSM, dan pemerintah daerah memperkuat pencegahan"


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The chapter (Bab II, its headings numbered 2.3.9 …) reviewed in LibreOffice and saved as DOCX by it."""
    work = tmp_path_factory.mktemp("supervised")
    root = copy_example(work / "example")
    config = root / "synthdoc.yaml"
    # LibreOffice 7.4 stops when a document it edits through UNO holds comments: build without synthdoc's own.
    config.write_text(re.sub(r"(?m)^ *provenance: comments.*\n", "", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    built = runner.invoke(app, ["build", "--format", "docx", "--project", str(root)])
    assert built.exit_code == 0, built.output
    returned = reviewed_in_libreoffice(
        root / "output" / "tinjauan-pustaka.docx", work,
        changes=[{"insert": "Memang, ", "before": COMMUNITY, "author": "Pak Budi"}],
        comments=[{"find": "2.3.9 Peran masyarakat", "author": "Dr. Sari", "comment": "Judul kurang tepat"},
                  {"find": "[Skripsi implementasi ACTIP di Indonesia], t.t., Bagian 4.1", "after": COMMUNITY,
                   "author": "Dr. Sari", "comment": "Tahun terbit skripsi ini?"},
                  {"find": "Universitas Pembangunan Nasional Veteran Jakarta", "after": "Daftar Pustaka",
                   "author": "Dr. Sari", "comment": "Tulis nama universitas lengkap"}])
    result = _review(root, returned, "--format", "json")
    assert result.exit_code == 0, result.output
    remarks = json.loads(result.stdout)
    return {"root": root, "file": returned, "remarks": remarks,
            "by_comment": {r["comment"]: r for r in remarks if r["kind"] == "comment"}}


def _places(remark: dict) -> list[tuple[str, int]]:
    return [(p["path"], p["line"]) for p in remark["places"]]


def test_comment_on_a_numbered_heading_goes_to_the_themes_title(supervised: dict) -> None:
    config = (supervised["root"] / "synthdoc.yaml").read_text(encoding="utf-8").splitlines()
    theme = next(i for i, t in enumerate(config, 1) if t.strip() == "- id: community")
    remark = supervised["by_comment"]["Judul kurang tepat"]
    assert remark["places"] == [{"path": "synthdoc.yaml", "line": theme, "what": "theme community: its title"}]


def test_insertion_before_a_sentence_goes_to_its_claims(supervised: dict) -> None:
    inserted = [r for r in supervised["remarks"] if r["kind"] == "insertion"]
    assert [r["text"] for r in inserted] == ["Memang,"]
    assert inserted[0]["author"] == "Pak Budi"
    claims = _point_claims(supervised["root"], "community-involvement")
    assert len(claims) == 3
    assert sorted(_places(inserted[0])) == sorted(claims.values())


def test_comment_on_one_citation_of_a_cluster_names_its_claim_only(supervised: dict) -> None:
    claims = _point_claims(supervised["root"], "community-involvement")
    remark = supervised["by_comment"]["Tahun terbit skripsi ini?"]
    assert _places(remark) == [claims["skripsi-actip-indonesia"]]


def test_comment_on_a_bibliography_entry_goes_to_the_entry(supervised: dict) -> None:
    remark = supervised["by_comment"]["Tulis nama universitas lengkap"]
    assert _places(remark) == [("bibliography.bib", _entry_line(supervised["root"], "amalia2025"))]


def _with_word_replies(returned: Path, target: Path, parent: str, replies: list[tuple[str, str, bool]]) -> Path:
    """``returned`` after the student answered the comment ``parent`` in Word: each reply (author, text, whether
    it has a range of its own) written as Word writes one, its last paragraph's ``w14:paraId`` named as
    ``w15:paraIdParent`` of the answered comment's in ``word/commentsExtended.xml``."""
    with zipfile.ZipFile(returned) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    comments = parts["word/comments.xml"].decode("utf-8")
    block = next(m for m in re.finditer(r'<w:comment w:id="(\d+)".*?</w:comment>', comments, re.S)
                 if parent in m.group())
    ident = block.group(1)
    last = block.group().rindex("<w:p>")
    answered = block.group()[:last] + '<w:p w14:paraId="0A1B2C3D">' + block.group()[last + len("<w:p>"):]
    body = parts["word/document.xml"].decode("utf-8")
    extended = ['<w15:commentEx w15:paraId="0A1B2C3D" w15:done="0"/>']
    added = []
    for n, (author, text, ranged) in enumerate(replies):
        reply, para = str(900 + n), f"0A1B2D{n:02d}"
        added.append(f'<w:comment w:id="{reply}" w:author="{author}" w:date="2026-11-21T09:00:00Z" w:initials="M">'
                     f'<w:p w14:paraId="{para}"><w:r><w:t>{html.escape(text)}</w:t></w:r></w:p></w:comment>')
        extended.append(f'<w15:commentEx w15:paraId="{para}" w15:paraIdParent="0A1B2C3D" w15:done="0"/>')
        if ranged:
            start = f'<w:commentRangeStart w:id="{ident}"/>'
            reference = f'<w:r><w:commentReference w:id="{ident}"/></w:r>'
            assert start in body and reference in body
            body = body.replace(start, f'{start}<w:commentRangeStart w:id="{reply}"/>')
            body = body.replace(reference, f'{reference}<w:commentRangeEnd w:id="{reply}"/>'
                                           f'<w:r><w:commentReference w:id="{reply}"/></w:r>')
    comments = comments.replace(block.group(), answered).replace("</w:comments>", "".join(added) + "</w:comments>")
    parts["word/comments.xml"] = comments.encode("utf-8")
    parts["word/document.xml"] = body.encode("utf-8")
    parts["word/commentsExtended.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx '
        'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">' + "".join(extended) +
        "</w15:commentsEx>").encode("utf-8")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/word/commentsExtended.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"/></Types>'))
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", (
        b'<Relationship Id="rIdReplies" Type="http://schemas.microsoft.com/office/2011/relationships/'
        b'commentsExtended" Target="commentsExtended.xml"/></Relationships>'))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def test_libreoffice_writes_no_thread(supervised: dict) -> None:
    """LibreOffice 7.4's DOCX export keeps no comment's reply to another (no commentsExtended.xml, no paraId):
    what a LibreOffice user answered is listed as a comment of its own, on the same text."""
    with zipfile.ZipFile(supervised["file"]) as archive:
        assert "word/commentsExtended.xml" not in archive.namelist()
    assert all(r["reply_to"] is None for r in supervised["remarks"])


def test_a_reply_is_shown_as_a_reply_to_its_comment(supervised: dict, tmp_path: Path) -> None:
    replies = [("Mahasiswa", "Tidak ada tahunnya", True), ("Dr. Sari", "Cari di repositori", False)]
    answered = _with_word_replies(supervised["file"], tmp_path / "answered.docx", "Tahun terbit skripsi ini?", replies)
    claims = _point_claims(supervised["root"], "community-involvement")
    path, line = claims["skripsi-actip-indonesia"]
    result = _review(supervised["root"], answered)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    asked = lines.index(f"{path}:{line}: Dr. Sari: Tahun terbit skripsi ini?")
    assert lines[asked + 1:asked + 3] == [f"{path}:{line}: Mahasiswa (reply to Dr. Sari): Tidak ada tahunnya",
                                          f"{path}:{line}: Dr. Sari (reply to Dr. Sari): Cari di repositori"]
    remarks = json.loads(_review(supervised["root"], answered, "--format", "json").stdout)
    reply = next(r for r in remarks if r["comment"] == "Tidak ada tahunnya")
    assert reply["reply_to"] == {"author": "Dr. Sari", "date": "2026-11-20T10:01:00Z",
                                 "comment": "Tahun terbit skripsi ini?"}
