"""Watch mode, driven by a scripted stream of changes instead of the file system."""

from __future__ import annotations

from pathlib import Path

from synthdoc.watching import describe, watch, watch_filter


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
