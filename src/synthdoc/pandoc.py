"""The only place that runs pandoc (from pypandoc-binary) and typst (the Python package)."""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import typst_layout
from .diagnostics import SynthdocError

# Claim text and templates are data: raw HTML, TeX and Typst are never passed through, and
# dollar signs are money, not math.
MARKDOWN_READER = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"


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
    """Run pandoc; a failure becomes a PandocError carrying the command and pandoc's own message."""
    command = [pandoc_binary(), *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, check=False)
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
    args = ["-f", MARKDOWN_READER, "-t", "json", "--bibliography", str(bibliography), "--csl", str(csl)]
    if citeproc:
        args.append("--citeproc")
    for name, value in metadata.items():
        args += ["-M", f"{name}={value}"]
    return json.loads(run(args, markdown.encode("utf-8"), what=what))


def ast_to_bytes(ast: dict[str, Any], fmt: str, *, what: str, extra: list[str] | None = None) -> bytes:
    """Write a (citeproc-rendered) AST as ``docx``, ``html`` or ``typst``."""
    # typst-citations: write the citations citeproc rendered, not typst's own @key citations.
    writer = {"html": "html5", "typst": "typst-citations"}.get(fmt, fmt)
    args = ["-f", "json", "-t", writer, "--standalone", *(extra or [])]
    if fmt == "docx":
        args += ["-o", "-"]
    return run(args, json.dumps(ast).encode("utf-8"), what=what)


def typst_to_pdf(source: bytes, *, what: str, root: Path) -> bytes:
    """Compile Typst source to PDF in process with the typst package."""
    try:
        import typst
    except ImportError as exc:
        raise SynthdocError.single(what, f"the typst package is missing ({exc}); reinstall synthdoc",
                                   "typst-missing") from None
    try:
        return typst.compile(source, root=str(root), font_paths=list(typst_layout.font_paths()))
    except Exception as exc:  # typst raises its own TypstError with the compiler's message
        raise SynthdocError.single(what, f"typst could not make the PDF: {exc}", "typst-failed") from None
