"""Watch mode, driven by a scripted stream of changes instead of the file system."""

from __future__ import annotations

import http.client
from pathlib import Path

from synthdoc.build.watching import _Server, describe, watch, watch_filter


def test_rebuilds_after_a_change_and_keeps_watching_after_a_failure(small: Path, capsys):
    claims = small / "sources" / "smith2020.yaml"
    good = claims.read_text()

    def changes():
        claims.write_text(good.replace("themes: [law]", "themes: [lwa]"))
        yield {("modified", str(claims))}
        claims.write_text(good.replace("Debts bind workers to employers.", "Debts bind workers."))
        yield {("modified", str(claims))}
        raise KeyboardInterrupt

    watch(small / "synthdoc.yaml", changes=changes())
    err = capsys.readouterr().err
    assert "unknown theme 'lwa'" in err and "still watching" in err
    assert "changed: sources/smith2020.yaml" in err
    assert "review: 1 claims changed" in err and err.rstrip().endswith("stopped watching")


def test_filter_ignores_outputs_and_synthdoc_files(small: Path):
    accept = watch_filter(small, small / "output")
    assert accept("modified", str(small / "sources" / "smith2020.yaml"))
    assert not accept("modified", str(small / "output" / "review.html"))
    assert not accept("modified", str(small / ".synthdoc" / "manifest.json"))
    assert not accept("added", str(small / "sources" / ".#smith2020.yaml"))


def test_describe_leaves_out_files_that_came_and_went(small: Path):
    batch = {("added", str(small / "sources" / "sedX1")), ("deleted", str(small / "sources" / "sedX1")),
             ("modified", str(small / "sources" / "smith2020.yaml"))}
    assert describe(batch, small) == "sources/smith2020.yaml"


def test_the_preview_server_serves_only_the_outputs(tmp_path: Path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "brief.html").write_text("<html><body>brief</body></html>")
    (tmp_path / "private.html").write_text("<html><body>not an output</body></html>")
    server = _Server(output, 0)
    try:
        host, port = server.httpd.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=5)
        connection.request("GET", "/brief.html")
        page = connection.getresponse()
        assert page.status == 200 and b"brief" in page.read()
        connection.request("GET", "/../private.html")  # sent as it is: http.client does not normalize it
        escaped = connection.getresponse()
        assert b"not an output" not in escaped.read()
        assert escaped.status == 404
    finally:
        server.close()


def test_a_saved_claim_shows_in_the_html_before_docx_is_written(small: Path):
    """The preview first: when the HTML of a rebuild is written (and the page told to reload), the DOCX
    of the same rebuild has not been written yet."""
    from synthdoc.build.watching import rebuild

    config = small / "synthdoc.yaml"
    config.write_text(config.read_text().replace("formats: [html]", "formats: [docx, html]", 1))
    assert rebuild(config, ())
    claims = small / "sources" / "smith2020.yaml"
    claims.write_text(claims.read_text().replace("Debts bind workers to employers.", "Debts tie workers down."))
    docx, html = small / "output" / "review.docx", small / "output" / "review.html"
    before = docx.stat().st_mtime_ns
    seen: list[tuple[bool, bool]] = []
    assert rebuild(config, (), on_html=lambda: seen.append(("Debts tie workers down" in html.read_text(),
                                                            docx.stat().st_mtime_ns == before)))
    assert seen == [(True, True)]
    assert docx.stat().st_mtime_ns != before
