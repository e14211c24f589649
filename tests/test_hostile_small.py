"""Hostile inputs, the smaller cases of issue #30: control characters from imported comments, a snapshot's
leftover temporary file, a Zotero attachment that is no PDF, a slowloris client of ``watch --serve``."""

from __future__ import annotations

import re
import socket
import time

import pytest
from typer.testing import CliRunner

from conftest import small_files, write_project
from importing_fixtures import ZoteroLibrary, annotate, typst_pdf
from synthdoc.cli import app
from test_hostile_surfaces import POSIX, child
from test_import import FRONT, LEE, SMITH, TRAN, sheet_rows, write_csv
from test_import import project as import_project
from test_import import run as import_run

runner = CliRunner()
# C0 control characters but tab and line feed, DEL and the C1 controls: none may reach a claims file or a page.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NASTY = "\x00\x07\x1b[31m\x1b]0;pwned\x07\x0b\x0c\x7f\x85"


def test_control_characters_of_imported_comments_are_dropped_with_a_warning(tmp_path):
    # A Zotero annotation's comment.
    root = import_project(tmp_path / "zotero")
    lib = ZoteroLibrary(tmp_path / "Zotero")
    item = lib.article("TRAN2021", "Borders and Brokers", citation_key="tran2021")
    pdf = lib.pdf(item, "ATTACH01", typst_pdf([], TRAN, first=None))
    lib.highlight(pdf, "ANNOT001", "arrange papers and transport", 0, "87",
                  comment=f"Brokers{NASTY} arrange papers.", tags=("labour",), author=f"Ani{NASTY}")
    result = import_run(root, str(lib.close()))
    assert result.exit_code == 0 and "[import-control]" in result.output, result.output
    assert "zotero.sqlite" in result.output and "Traceback" not in result.output
    written = (root / "sources" / "tran2021.yaml").read_text()
    assert not CONTROL.search(written) and "Brokers[31m]0;pwned arrange papers." in written, written
    # A PDF highlight's comment.
    root = import_project(tmp_path / "pdf")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "smith2020.pdf").write_bytes(annotate(typst_pdf(FRONT, SMITH), [
        {"page": 1, "phrase": "good jobs abroad, and the promises are rarely kept.",
         "comment": f"Promises{NASTY} are rarely kept.", "name": "okular-1"}]))
    result = import_run(root, str(inbox / "smith2020.pdf"))
    assert result.exit_code == 0 and "[import-control]" in result.output, result.output
    assert "smith2020.pdf" in result.output
    written = (root / "sources" / "smith2020.yaml").read_text()
    assert not CONTROL.search(written) and "Promises" in written, written
    # A sheet's cell.
    root = import_project(tmp_path / "sheet")
    (root / "sources" / "lee2019.pdf").write_bytes(typst_pdf([], LEE, first=12))
    rows = sheet_rows()
    rows[1][4] = f"Recruiters{NASTY} are often kin."
    result = import_run(root, str(write_csv(tmp_path / "x.csv", rows)))
    assert result.exit_code == 0 and "[import-control]" in result.output, result.output
    assert re.search(r"x\.csv:2:\d+: warning", result.output), result.output
    written = (root / "sources" / "lee2019.yaml").read_text()
    assert not CONTROL.search(written) and "Recruiters[31m]0;pwned are often kin." in written, written


def test_no_control_character_of_a_claim_reaches_the_html_page(tmp_path):
    files = small_files()
    # YAML's escapes put any control character in a claims file written by hand (or by an older import).
    files["sources/smith2020.yaml"] = files["sources/smith2020.yaml"].replace(
        "{en: Debts bind workers to employers.",
        '{en: "Debts\\0 bind\\a workers\\e[31m to\\x7f employers\\x85 \\v for years.\\x01"')
    root = write_project(tmp_path / "p", files)
    result = runner.invoke(app, ["build", "-C", str(root)])
    assert result.exit_code == 0, result.output
    page = (root / "output" / "review.html").read_text()
    assert not CONTROL.search(page), sorted({hex(ord(c)) for c in CONTROL.findall(page)})
    assert re.search(r"Debts bind workers\[31m to\s+employers\s+for\s+years", page), page


# A snapshot killed (SIGKILL) between writing its temporary file and renaming it.
KILLED_BEFORE_RENAME = "import os, signal; os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)"


@POSIX
@pytest.mark.parametrize("then", ["snapshot", "build"])
def test_a_killed_snapshot_leaves_no_temporary_file_after_the_next_snapshot_or_build(tmp_path, then):
    root = write_project(tmp_path / "p", small_files())
    assert runner.invoke(app, ["build", "-C", str(root)]).exit_code == 0
    snapshots = root / ".synthdoc" / "snapshots"
    code, out, _, _ = child(["snapshot", "sent", "-C", str(root)], root, setup=KILLED_BEFORE_RENAME)
    assert code == -9, out
    assert [p.name for p in snapshots.iterdir() if p.name.endswith(".tmp")], "the kill left no temporary file"
    # (a build with nothing changed answers without building; one that builds, here forced, removes it)
    args = ["snapshot", "sent-again"] if then == "snapshot" else ["build", "--force"]
    result = runner.invoke(app, [*args, "-C", str(root)])
    assert result.exit_code == 0, result.output
    assert not [p.name for p in snapshots.iterdir() if p.name.endswith(".tmp")]


def test_a_zotero_attachment_that_is_no_pdf_is_skipped_with_its_reason(tmp_path):
    root = import_project(tmp_path / "p")
    lib = ZoteroLibrary(tmp_path / "Zotero")
    # A linked file (link mode 2, an absolute path) that is a web page saved under a PDF's name.
    page = tmp_path / "elsewhere" / "tran2021.pdf"
    page.parent.mkdir()
    page.write_text("<!DOCTYPE html><html><body>Sign in to read this article</body></html>")
    item = lib.article("TRAN2021", "Borders and Brokers", citation_key="tran2021")
    linked = lib._item("attachment", "LINKED01")
    lib.db.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                   "VALUES (?, ?, 2, 'application/pdf', ?)", (linked, item, str(page)))
    lib.highlight(linked, "ANNOT001", "arrange papers and transport", 0, "87")
    # A stored one that is a text file.
    other = lib.article("SMITH2020", "Promises", citation_key="smith2020")
    stored = lib.pdf(other, "STORED01", b"just some notes, not a PDF\n")
    lib.highlight(stored, "ANNOT002", "rarely kept", 0, "87")
    result = import_run(root, str(lib.close()))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    warned = [line for line in result.output.splitlines() if "[import-pdf-missing]" in line]
    assert any("tran2021" in w and "LINKED01" in w and "not a PDF" in w for w in warned), result.output
    assert any("smith2020" in w and "STORED01" in w and "not a PDF" in w for w in warned), result.output
    assert not list((root / "sources").glob("*.pdf")) and not list((root / "sources").glob("*.yaml"))
    assert runner.invoke(app, ["check", "-C", str(root)]).exit_code == 0


def test_a_slowloris_client_is_cut_off_at_the_idle_limit(tmp_path, monkeypatch, capsys):
    import synthdoc.build.watching as watching

    monkeypatch.setattr(watching, "IDLE_SECONDS", 2)
    output = tmp_path / "output"
    output.mkdir()
    (output / "review.html").write_text("<html><body>review</body></html>")
    server = watching._Server(output, 0)
    host, port = server.httpd.server_address[:2]
    assert host == "127.0.0.1"
    try:
        client = socket.create_connection((host, port))
        client.settimeout(0.25)
        client.sendall(f"GET /review.html HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())
        start, closed = time.monotonic(), None
        while time.monotonic() - start < 10:  # a header byte every quarter second: never idle for 2 s
            try:
                client.sendall(b"X")
                if client.recv(100) == b"":
                    closed = time.monotonic() - start
                    break
            except TimeoutError:
                continue
            except OSError:  # reset by the server
                closed = time.monotonic() - start
                break
        client.close()
        assert closed is not None and closed < 4, f"held open for {closed or 'over 10'} s"
        # A request that comes whole in time is answered as before, on the same server.
        ok = socket.create_connection((host, port), timeout=5)
        ok.sendall(f"GET /review.html HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := ok.recv(4096):
            answer += chunk
        ok.close()
        assert answer.startswith(b"HTTP/1.0 200") and b"review" in answer, answer[:200]
    finally:
        server.close()
    assert "Traceback" not in capsys.readouterr().err
