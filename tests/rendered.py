"""Outputs as a reader sees them: DOCX through LibreOffice, PDF through poppler, HTML through headless Chromium.

These helpers run the real clients. Where one is missing, a test is skipped on a developer's machine and
fails under CI (``CI`` set), where ``.ci/run`` installs them: a rendered-output test never passes unseen.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need(tool: str) -> str:
    """The path of a client program; skip the test without it (fail under CI, which installs it)."""
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; .ci/run installs it")
        pytest.skip(f"{tool} is not installed")
    return path


def _run(cmd: list[str], timeout: float = 240) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


# --- LibreOffice -------------------------------------------------------------------------------------------

def run_uno_script(script: str, *args: str) -> str:
    """What ``tests/<script>`` prints, run by the system's Python with LibreOffice's ``uno`` (python3-uno)."""
    need("soffice")
    python = "/usr/bin/python3"
    if subprocess.run([python, "-c", "import uno"], capture_output=True).returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice's Python bridge (python3-uno) is missing; .ci/run installs it")
        pytest.skip("python3-uno is not installed")
    done = subprocess.run([python, str(Path(__file__).parent / script), *args], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def libreoffice_convert(path: Path, target: str, outdir: Path) -> Path:
    """``path`` converted by LibreOffice headless to ``target`` (``pdf``, ``fodt``, ``html``, …) in ``outdir``.

    Each call uses its own LibreOffice profile under ``outdir``, so that tests can run side by side."""
    soffice = need("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = (outdir / ".libreoffice-profile").resolve()
    _run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
          "--convert-to", target, "--outdir", str(outdir), str(path)])
    result = outdir / f"{path.stem}.{target.split(':')[0]}"
    assert result.exists(), f"LibreOffice wrote no {result.name}"
    return result


@dataclass(frozen=True)
class TrackedChange:
    kind: str  # insertion | deletion | format-change
    author: str
    text: str  # the words inserted or deleted, as LibreOffice keeps them in the body


def tracked_changes(docx: Path, outdir: Path) -> list[TrackedChange]:
    """The tracked changes LibreOffice keeps when it opens ``docx`` (read from its flat ODT), in order."""
    fodt = libreoffice_convert(docx, "fodt", outdir).read_text(encoding="utf-8")
    out = []
    for region in re.finditer(r'<text:changed-region[^>]*text:id="([^"]+)"[^>]*>(.*?)</text:changed-region>',
                              fodt, re.S):
        ident, inner = region.groups()
        kind = re.search(r"<text:(insertion|deletion|format-change)", inner)
        author = re.search(r"<dc:creator>(.*?)</dc:creator>", inner)
        span = re.search(rf'<text:change-start text:change-id="{re.escape(ident)}"/>(.*?)'
                         rf'<text:change-end text:change-id="{re.escape(ident)}"/>', fodt, re.S)
        text = re.sub(r"<[^>]+>", "", span.group(1) if span else inner.split("</office:change-info>")[-1])
        out.append(TrackedChange(kind.group(1) if kind else "", author.group(1) if author else "",
                                 " ".join(text.split())))
    return out


def docx_as_pdf(docx: Path, outdir: Path) -> Path:
    """The DOCX as LibreOffice lays it out, as a PDF (then read it with the poppler helpers below)."""
    return libreoffice_convert(docx, "pdf", outdir)


# --- poppler -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    page: int  # from 1
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: Path) -> list[Word]:
    """Every word poppler finds, with its page and box (points, origin top left), in reading order."""
    need("pdftotext")
    xhtml = _run(["pdftotext", "-bbox", str(pdf), "-"])
    xhtml = re.sub(r"<!DOCTYPE[^>]*>", "", xhtml)
    root = ET.fromstring(xhtml)
    words = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for w in page.iter("{http://www.w3.org/1999/xhtml}word"):
            words.append(Word(number, float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                              float(w.get("yMax")), w.text or ""))
    return words


def pdf_text(pdf: Path, *, layout: bool = False, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text as pdftotext reads it (``layout`` keeps columns side by side); pages end in a form feed."""
    need("pdftotext")
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    cmd += (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return _run([*cmd, str(pdf), "-"])


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points."""
    need("pdfinfo")
    count = int(re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo", str(pdf)]), re.M).group(1))
    info = _run(["pdfinfo", "-f", "1", "-l", str(count), str(pdf)])
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]


@dataclass(frozen=True)
class Font:
    name: str
    type: str
    embedded: bool


def pdf_fonts(pdf: Path) -> list[Font]:
    """The fonts the PDF uses, as pdffonts lists them."""
    need("pdffonts")
    lines = _run(["pdffonts", str(pdf)]).splitlines()[2:]
    fonts = []
    for line in lines:
        # name type… encoding emb sub uni object ID: the last five columns are fixed, the type may hold spaces.
        parts = line.split()
        if len(parts) >= 7:
            fonts.append(Font(parts[0], " ".join(parts[1:-6]), parts[-5] == "yes"))
    return fonts


def overprinted(words: list[Word], share: float = 0.4) -> list[tuple[Word, Word]]:
    """Pairs of words drawn on top of each other: their boxes overlap by more than ``share`` of the smaller."""
    pairs = []
    by_page: dict[int, list[Word]] = {}
    for w in words:
        if w.text.strip():
            by_page.setdefault(w.page, []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx > 0 and dy > 0:
                    smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0)) or 1.0
                    if dx * dy / smaller > share:
                        pairs.append((a, b))
    return pairs


def pdf_png(pdf: Path, outdir: Path, dpi: int = 50, first: int = 1, last: int | None = None) -> list[Path]:
    """Pages as PNG files (to look at them, or to keep beside a failing test)."""
    need("pdftoppm")
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first)] + (["-l", str(last)] if last else [])
    _run([*cmd, str(pdf), str(outdir / pdf.stem)])
    return sorted(outdir.glob(f"{pdf.stem}*.png"))


# --- Chromium ----------------------------------------------------------------------------------------------

@dataclass
class PageErrors:
    console: list[str]
    exceptions: list[str]
    requests: list[str]  # every request the page made beyond its own file


@contextmanager
def chromium_page(html: Path, width: int = 1280, height: int = 900) -> Iterator[tuple[object, PageErrors]]:
    """``html`` opened in headless Chromium (Playwright driving the system's Chromium), with what went wrong.

    Yields the Playwright page and the console errors, uncaught exceptions and outside requests it saw."""
    binary = need("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    errors = PageErrors([], [], [])
    url = html.resolve().as_uri()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.exceptions.append(str(e)))
            page.on("request", lambda r: errors.requests.append(r.url) if r.url != url else None)
            page.goto(url, wait_until="load")
            yield page, errors
        finally:
            browser.close()
