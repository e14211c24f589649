"""The only place that runs pandoc (from pypandoc-binary) and typst (the Python package)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .diagnostics import SynthdocError

# Claim text and templates are data: raw HTML, TeX and Typst are never passed through, and
# dollar signs are money, not math.
MARKDOWN_READER = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"


# How long one pandoc or typst run may take before it is stopped (SYNTHDOC_TIMEOUT, in seconds, changes it):
# the 10,000-claim benchmark's longest pandoc run takes about two minutes.
TIMEOUT = float(os.environ.get("SYNTHDOC_TIMEOUT") or 600)


class PandocError(SynthdocError):
    pass


@lru_cache(maxsize=1)
def pandoc_binary() -> str:
    """The pandoc that pypandoc-binary ships (found without importing pypandoc, which is slow to import)."""
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "files" / "pandoc"
        if bundled.is_file():
            return str(bundled)
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as exc:
        raise PandocError.single("pandoc", f"pandoc is not available ({exc}); reinstall synthdoc "
                                 "(pip install -e .), which brings pandoc through pypandoc-binary",
                                 "pandoc-missing") from None


@lru_cache(maxsize=1)
def pandoc_identity() -> str:
    """Which pandoc this is, for cache keys: its path, size and time, without starting it."""
    path = Path(pandoc_binary())
    try:
        st = path.stat()
    except OSError:
        return pandoc_version()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = run(["--version"]).decode("utf-8", "replace")
    return out.splitlines()[0].split()[-1] if out else "unknown"


def run(args: list[str], stdin: bytes | None = None, *, what: str = "pandoc", cwd: Path | None = None) -> bytes:
    """Run pandoc in its sandbox (it reads only the files named on its command line, fetches nothing);
    a failure or a run longer than TIMEOUT becomes a PandocError carrying pandoc's own message."""
    command = [pandoc_binary(), *(args if args == ["--version"] else ["--sandbox", *args])]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PandocError.single(what, f"pandoc was still running after {TIMEOUT:.0f} s and was stopped "
                                 "(set SYNTHDOC_TIMEOUT to give it longer)", "pandoc-timeout") from None
    except OSError as exc:
        raise PandocError.single(what, f"could not start pandoc: {exc}", "pandoc-failed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        shown = " ".join(["pandoc", *args])
        raise PandocError.single(what, f"pandoc failed: {message} (command: {shown})", "pandoc-failed")
    return done.stdout


def read_markdown(markdown: str, *, bibliography: Path, csl: Path, metadata: dict[str, str],
                  what: str, citeproc: bool = False) -> dict[str, Any]:
    """Pandoc Markdown to pandoc's AST, its metadata naming the bibliography and the style; the
    citations are rendered by the same run with ``citeproc``, else still to be rendered
    (by a later ``pandoc --citeproc`` run)."""
    if citeproc:
        out = cite_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what)
    else:
        out = run(["-f", MARKDOWN_READER, "-t", "json", *_reading(bibliography, csl, metadata)],
                  markdown.encode("utf-8"), what=what)
    return output_json(out, what, "document")


def cite_markdown(markdown: str, *, bibliography: Path, csl: Path, metadata: dict[str, str], what: str) -> bytes:
    """Pandoc Markdown read and its citations rendered by one pandoc run: the JSON it printed, unread."""
    return run(["-f", MARKDOWN_READER, "-t", "json", *_reading(bibliography, csl, metadata), "--citeproc"],
               markdown.encode("utf-8"), what=what)


# A Lua filter run before citeproc that keeps the document as read in its metadata, under this name.
KEEP_READ = Path(__file__).parent.parent / "resources" / "keep_read.lua"
_KEPT_READ = "synthdoc-read"


def cite_markdown_read(markdown: str, *, bibliography: Path, csl: Path, metadata: dict[str, str],
                       what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Pandoc Markdown read, and its citations rendered, by one pandoc run: the document as ``read_markdown`` gives
    it (without citeproc) and as ``read_markdown`` gives it with citeproc (``resources/keep_read.lua``)."""
    out = run(["-f", MARKDOWN_READER, "-t", "json", *_reading(bibliography, csl, metadata), "--lua-filter",
               str(KEEP_READ), "--citeproc"], markdown.encode("utf-8"), what=what)
    cited = output_json(out, what, "document")
    kept = cited["meta"].pop(_KEPT_READ, None)
    text = kept.get("c") if isinstance(kept, dict) and kept.get("t") == "MetaString" else None
    read = output_json((text if isinstance(text, str) else "").encode("utf-8"), what, "document")
    return read, cited


def _reading(bibliography: Path, csl: Path, metadata: dict[str, str]) -> list[str]:
    """The options a document is read with: its bibliography, its style and its metadata."""
    args = ["--bibliography", str(bibliography), "--csl", str(csl)]
    for name, value in metadata.items():
        args += ["-M", f"{name}={value}"]
    return args


# One pandoc run reading many Markdown texts, each as a run of its own would (``read_markdown_each``): the Lua
# custom reader, and what follows each text on that run's input (the same string in the Lua file).
READ_EACH = Path(__file__).parent.parent / "resources" / "read_each.lua"
_SEPARATOR = "\0synthdoc-section\0\n"


def read_markdown_each(texts: Sequence[str], *, bibliography: Path, csl: Path, metadata: dict[str, str],
                       what: str) -> list[dict[str, Any]] | None:
    """``read_markdown`` (without citeproc) of each of ``texts``, all read by one pandoc run instead of one run
    each: pandoc's own input handling prepares the texts, its Markdown reader reads each alone with this command
    line's reader options (``resources/read_each.lua``), and each gets the metadata pandoc gives the command
    line's document, in place of its own of the same name, as on a run of its own. None, for the caller to read
    them one by one, when one run cannot read them so (a text holding a NUL, or starting with a byte order mark
    once pandoc has taken one away) or when that run fails or prints anything but one document per text."""
    inputs = []
    for text in texts:
        # What a run of its own reads: its input without a first byte order mark and without carriage returns
        # (pandoc's own input handling); the batch's input must hold each text whole, at the start of a line.
        text = text.removeprefix("\ufeff").replace("\r", "")
        if "\0" in text or text.startswith("\ufeff"):
            return None
        inputs.append(text + ("\n" if text and not text.endswith("\n") else "") + _SEPARATOR)
    args = ["-f", str(READ_EACH), "-t", "json", *_reading(bibliography, csl, metadata)]
    try:
        printed = output_json(run(args, "".join([MARKDOWN_READER, "\n", *inputs]).encode("utf-8"), what=what),
                              what, "document")
        blocks, given = printed["blocks"], printed["meta"]
        if len(blocks) != len(texts) or any(block.get("t") != "CodeBlock" for block in blocks):
            return None
        read = [output_json(block["c"][1].encode("utf-8"), what, "document") for block in blocks]
    except (PandocError, LookupError, TypeError, AttributeError):
        return None
    for one in read:  # pandoc's metadata is a map, written in the order of its names
        one["meta"] = dict(sorted({**one["meta"], **given}.items()))
    return read


def output_json(out: bytes, what: str, expected: str) -> Any:
    """What pandoc printed for ``-t json`` (``expected`` "document": an AST) or ``-t csljson`` ("entries": a list
    of CSL items), checked to be that before anything reads it. Anything else (a pandoc that changed, or is
    not pandoc) is a diagnostic saying what was printed, not a crash further on."""
    try:
        data = json.loads(out)
    except (ValueError, RecursionError):
        data = None
    if expected == "document":
        good = isinstance(data, dict) and isinstance(data.get("blocks"), list) and isinstance(data.get("meta"), dict)
    else:
        good = isinstance(data, list) and all(isinstance(item, dict) for item in data)
    if not good:
        shown = out[:120].decode("utf-8", "replace")
        raise PandocError.single(what, f"pandoc printed something other than the JSON {expected} synthdoc asked "
                                 f"for ({len(out):,} bytes: {shown!r}{'…' if len(out) > 120 else ''}); synthdoc "
                                 "works with the pandoc of the pypandoc-binary package it installs", "pandoc-output")
    return data


def ast_to_bytes(ast: dict[str, Any], fmt: str, *, what: str, extra: list[str] | None = None,
                 started: Callable[[], object] | None = None) -> bytes:
    """Write a (citeproc-rendered) AST as ``docx``, ``html`` or ``typst``; ``started`` is called once pandoc's input
    is made, as pandoc starts."""
    # typst-citations: write the citations citeproc rendered, not typst's own @key citations.
    writer = {"html": "html5", "typst": "typst-citations"}.get(fmt, fmt)
    args = ["-f", "json", "-t", writer, "--standalone", *(extra or [])]
    if fmt == "docx":
        args += ["-o", "-"]
    given = json.dumps(ast).encode("utf-8")
    if started is not None:
        started()
    data = run(args, given, what=what)
    if fmt in ("docx", "html"):
        check_format(fmt, data, what)
    return data


# The part every Office file of its kind holds.
_ZIP_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def check_format(fmt: str, data: bytes, shown: str) -> None:
    """An output that does not look like its format (a DOCX that is no zip, a PDF without ``%PDF``) is an error,
    not a file to put in place of a good one."""
    if fmt in _ZIP_PART:
        ok = False
        with contextlib.suppress(zipfile.BadZipFile, OSError, ValueError), \
                zipfile.ZipFile(io.BytesIO(data)) as archive:
            ok = _ZIP_PART[fmt] in archive.namelist()
    elif fmt == "pdf":
        ok = data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
    elif fmt == "html":
        ok = b"<html" in data[:4096].lower() and b"</html>" in data[-4096:].lower()
    else:
        ok = True
    if not ok:
        raise SynthdocError.single(shown, f"the {fmt.upper()} made is not a valid {fmt.upper()} file "
                                   f"({len(data):,} bytes beginning {data[:16]!r}); previous outputs are unchanged",
                                   "output-invalid")


# The typst compiler runs in a child Python process, so that a compilation that never ends can be stopped.
_TYPST = """
import sys
try:
    import typst
except ImportError as exc:
    sys.stderr.write(f"the typst package is missing ({exc}); reinstall synthdoc")
    sys.exit(3)
try:
    pdf = typst.compile(sys.stdin.buffer.read(), root=sys.argv[1], font_paths=sys.argv[2:])
except Exception as exc:  # typst raises its own TypstError with the compiler's message
    sys.stderr.write(str(exc))
    sys.exit(2)
sys.stdout.buffer.write(pdf)
"""


def typst_to_pdf(source: bytes, *, what: str, root: Path, fonts: Sequence[str] = ()) -> bytes:
    """Compile Typst source to PDF with the typst package, its file access confined to ``root``, reading
    fonts from the folders ``fonts`` too."""
    try:
        done = subprocess.run([sys.executable, "-c", _TYPST, str(root), *fonts], input=source,
                              capture_output=True, check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SynthdocError.single(what, f"typst was still running after {TIMEOUT:.0f} s and was stopped "
                                   "(set SYNTHDOC_TIMEOUT to give it longer)", "typst-timeout") from None
    except OSError as exc:
        raise SynthdocError.single(what, f"could not start typst: {exc}", "typst-failed") from None
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode == 3:
        raise SynthdocError.single(what, message, "typst-missing")
    if done.returncode != 0:
        raise SynthdocError.single(what, f"typst could not make the PDF: {message or done.returncode}",
                                   "typst-failed")
    check_format("pdf", done.stdout, what)
    return done.stdout
