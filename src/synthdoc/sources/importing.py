"""``synthdoc import``: PDF highlights, a Zotero 7 library or an extraction sheet become claims in
``sources/*.yaml``. Importing the same file again adds nothing; a file with a problem writes nothing."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bibliography import Bibliography, load_bibliography
from ..core.colors import theme_of
from ..core.diagnostics import Diagnostic, SynthdocError, error, warning
from ..core.files import put_in_place, read_input, work_dir
from ..core.paths import resolved, shown_path
from ..core.project import CLAIM_KINDS, Project
from ..core.schema import did_you_mean
from .claims import load_sources
from .claimsfile import ClaimsFile
from .editorschema import check_schema_folder, modeline, schema_files
from .quotes import CONTROL, fold, with_line_feeds
from .texts import SourceText, read_text

SHEETS = (".csv", ".xlsx")


@dataclass(frozen=True)
class Options:
    source: str | None = None
    themes: tuple[str, ...] = ()
    kind: str = "finding"
    dry_run: bool = False


@dataclass
class Imported:
    """What an import did (or, with --dry-run, would do)."""

    added: dict[str, list[str]] = field(default_factory=dict)  # claims file → ids of new claims
    drafts: int = 0
    already: int = 0
    copied: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings


@dataclass
class _Session:
    project: Project
    options: Options
    bibliography: Bibliography
    existing: dict[str, tuple[Path, Path | None, int | None]]  # key → claims file, text, first_page
    files: dict[Path, ClaimsFile] = field(default_factory=dict)
    copies: dict[Path, Path] = field(default_factory=dict)  # destination in sources/ → PDF to copy there
    other_text: dict[Path, tuple[Path, Path]] = field(default_factory=dict)  # claims file → (PDF, its own text)
    errors: list[Diagnostic] = field(default_factory=list)
    result: Imported = field(default_factory=Imported)
    others: dict[str, int] = field(default_factory=dict)  # claims from someone else's annotations, by author

    def shown(self, path: Path) -> str:
        return shown_path(path, self.project.root)


def import_files(project: Project, paths: Sequence[Path], options: Options) -> Imported:
    """Import each file; all problems of all files are reported at once, and then nothing is written.
    ``options`` are checked already: its kind is a claim kind, its themes are the project's."""
    bib = load_bibliography(project.bibliographies, project.root, work_dir(project.root) / "cache",
                            project.languages)
    sources, _ = load_sources(project.sources, project.root)
    existing = {s.key: (project.root / s.path, s.text, s.first_page) for s in sources}
    session = _Session(project, options, bib, existing)
    for path in paths:
        shown = str(path)
        if path.is_dir() and (path / "zotero.sqlite").is_file():
            path = path / "zotero.sqlite"  # Zotero's data folder
        if not path.is_file():
            session.errors.append(error(shown, 1, 1, "is a folder, not a file to import" if path.is_dir()
                                        else "file not found", "file-missing"))
            continue
        try:
            suffix = path.suffix.lower()
            if suffix == ".pdf":
                _import_pdf(session, path, shown)
            elif suffix in (".sqlite", ".db"):
                _import_zotero(session, path, shown)
            elif suffix in SHEETS:
                _import_sheet(session, path, shown)
            else:
                session.errors.append(error(shown, 1, 1, "synthdoc imports a PDF (its highlights), Zotero's "
                                            "zotero.sqlite, or a .csv/.xlsx extraction sheet", "import-format"))
        except SynthdocError as exc:
            session.errors.extend(exc.diagnostics)
    if session.errors:
        raise SynthdocError(session.errors)
    result = session.result
    for claims in session.files.values():
        if claims.added:
            result.added[claims.shown] = [c["id"] for c in claims.added]
        if claims.added and claims.path in session.other_text:
            pdf, text = session.other_text[claims.path]
            result.diagnostics.append(warning(
                claims.shown, 1, 1, f"quotes from {pdf.name} are checked against this file's text, "
                f"{session.shown(text)}, and their pages are not; to check them against the PDF, set text: to "
                "it", "import-other-text"))
    if session.others:
        who = ", ".join(f"{name} ({count})" for name, count in session.others.items())
        result.diagnostics.append(warning(
            str(project.config_path), 1, 1, f"claims from annotations by someone else are drafts that keep "
            f"their author: {who}; read each against its source and remove draft: true to adopt it. If a name is "
            "yours, add it to synthdoc.yaml: import: {me: [...]}", "import-author"))
    if not result.added:
        session.copies.clear()  # a PDF is copied for the claims that quote it, not for nothing
    result.copied = [session.shown(dest) for dest in session.copies]
    if any(claims.original is None and claims.added for claims in session.files.values()):
        check_schema_folder(project.root)  # before anything is written, and in a dry run too
    if not options.dry_run:
        _write(session)
    return result


def _write(session: _Session) -> None:
    """The schemas (for a new claims file, which points editors at them), the PDFs copied and each claims file
    written whole, together: each to a temporary file first, and renamed into place only when all were written,
    so that a disk that fills leaves every file as it was."""
    root = session.project.root
    files: list[tuple[Path, bytes | Callable[[], bytes]]] = []
    if any(claims.original is None and claims.added for claims in session.files.values()):
        files += schema_files(root)
    for dest, pdf in session.copies.items():
        files.append((dest, functools.partial(read_input, pdf, str(pdf), "a PDF file")))
    files += [(claims.path, claims.render(modeline(root, claims.path, "claims")).encode("utf-8"))
              for claims in session.files.values() if claims.added]
    put_in_place(files, root)


# --- where claims go ------------------------------------------------------------------------------

def _target(session: _Session, key: str, pdf: Path | None, first_page: int | None = None) -> ClaimsFile:
    """The claims file of ``key``: the one that names it, else a new ``sources/<key>.yaml`` whose text is
    ``pdf`` (copied into sources/ when it is elsewhere)."""
    project = session.project
    if key in session.existing:
        path = session.existing[key][0]
        if path not in session.files:
            session.files[path] = ClaimsFile.open(path, session.shown(path))
        claims = session.files[path]
        text = session.existing[key][1]
        if pdf is not None and "text" not in claims.data:
            after_source = list(claims.data).index("source") + 1 if "source" in claims.data else 0
            claims.data.insert(after_source, "text", _place_pdf(session, key, pdf))
            if first_page is not None and "first_page" not in claims.data:
                claims.data.insert(after_source + 1, "first_page", first_page)
        elif pdf is not None and text is not None and not _same_file(session, text, pdf):
            session.other_text[path] = (pdf, text)
        return claims
    path = project.sources / f"{file_name(key)}.yaml"
    if path not in session.files:
        if path.exists():
            raise SynthdocError.single(session.shown(path), f"exists but is not the claims file of '{key}'; name "
                                       "the source with --source or rename the file", "import-target")
        text = _place_pdf(session, key, pdf) if pdf is not None else _text_beside(project.sources, key)
        session.files[path] = ClaimsFile.new(path, session.shown(path), key, text, _quote_lang(session, key),
                                             first_page)
    return session.files[path]


def _same_file(session: _Session, text: Path, pdf: Path) -> bool:
    """Whether a claims file's ``text`` (in the project) is the file ``pdf``: the same path or the same bytes."""
    if resolved(text) == resolved(pdf):
        return True
    try:
        return _project_file(session, text) == read_input(pdf, str(pdf), "a PDF file")
    except SynthdocError:
        return False


def _project_file(session: _Session, path: Path) -> bytes:
    """A file in the project read as an input: a regular file inside it, never a device or pipe through a link."""
    return read_input(path, session.shown(path), "a PDF file", root=session.project.root)


def _quote_lang(session: _Session, key: str) -> str | None:
    """The language of a source's quotes, as its bibliography entry names it (language / langid), or
    None: not the project's language, which a source in another language would wrongly claim."""
    item = session.bibliography.get(key) or {}
    code = str(item.get("language") or "").strip()
    return code.split("-")[0].lower() if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", code) else None


def _place_pdf(session: _Session, key: str, pdf: Path) -> str:
    """The PDF's name relative to sources/: where it is, or ``<key>.pdf`` once copied there."""
    folder = resolved(session.project.sources)
    pdf_path = resolved(pdf)
    if pdf_path.is_relative_to(folder):
        return pdf_path.relative_to(folder).as_posix()
    dest = session.project.sources / f"{file_name(key)}.pdf"
    if not os.path.lexists(dest):
        session.copies[dest] = pdf
    elif _project_file(session, dest) != read_input(pdf, str(pdf), "a PDF file"):
        raise SynthdocError.single(session.shown(dest), f"already exists and is another file than {pdf}; move one "
                                   "of them, then import again", "import-target")
    return dest.name


def file_name(key: str) -> str:
    """A bibliography key as a file name that stays in sources/ on every system: ``smith:2020`` →
    ``smith_2020``, ``../x`` → ``x``."""
    return re.sub(r"(?:[^A-Za-z0-9._-]|\.\.)+", "_", key).strip("._") or "source"


def _text_beside(folder: Path, key: str) -> str | None:
    for suffix in (".pdf", ".md", ".txt"):
        if (folder / f"{file_name(key)}{suffix}").is_file():
            return f"{file_name(key)}{suffix}"
    return None


def _key(session: _Session, key: str | None, shown: str, line: int = 1, col: int = 1) -> str:
    keys = set(session.bibliography.keys())
    if key is None:
        raise SynthdocError.single(shown, "which source is this? give --source KEY (a key of "
                                   f"{session.bibliography.shown})", "import-source", line, col)
    if key not in keys:
        raise SynthdocError.single(shown, f"source '{key}' is not in {session.bibliography.shown}"
                                   f"{did_you_mean(key, keys)}; add its entry first", "unknown-key", line, col)
    return key


def _add(session: _Session, claims: ClaimsFile, claim: dict[str, Any], origin: tuple[str, str],
         where: tuple[str, int], author: str | None = None) -> None:
    """Append ``claim`` unless it was imported before (its origin) or the file has its quote already. A
    claim from someone else's annotation (``author``, not one of the user's names) keeps its author and
    stays a draft until the user adopts it. Control characters in its text (a NUL, BEL or ESC in a comment
    or a cell, at ``where``) are dropped, with a warning."""
    (claim, author), controls = _without_controls((claim, author))
    if origin in claims.origins() or fold(str(claim["quote"])) in claims.quotes():
        session.result.already += 1
        return
    if controls:
        session.result.diagnostics.append(warning(
            where[0], where[1], 1, f"{origin[1]}: control characters ({controls}) are no text and were left out",
            "import-control"))
    claim = {k: v for k, v in claim.items() if v not in (None, "", [], {})}
    other = author if author and author.casefold() not in {n.casefold() for n in session.project.me} else None
    if not claim.get("themes") or not claim.get("says") or other:
        claim["draft"] = True
        session.result.drafts += 1
    claim["from"] = {"file": origin[0], "annotation": origin[1], **({"author": other} if other else {})}
    if other:
        session.others[other] = session.others.get(other, 0) + 1
    claims.add(_ordered(claim))


def _without_controls(value: Any) -> tuple[Any, str]:
    """``value`` with every text in it stripped of control characters, and those it had (``U+0000, U+0007``)."""
    found: set[str] = set()

    def clean(v: Any) -> Any:
        if isinstance(v, str):
            v = with_line_feeds(v)
            found.update(CONTROL.findall(v))
            return CONTROL.sub("", v)
        if isinstance(v, dict):
            return {clean(k): clean(item) for k, item in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(clean(item) for item in v)
        return v

    return clean(value), ", ".join(f"U+{ord(c):04X}" for c in sorted(found))


_ORDER = ("id", "kind", "themes", "point", "draft", "says", "short", "quote", "at", "contrasts", "actors", "from")


def _ordered(claim: dict[str, Any]) -> dict[str, Any]:
    return {name: claim[name] for name in _ORDER if name in claim}


def _themes(session: _Session, *found: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*session.options.themes, *[t for group in found for t in group if t]]))


def _says(session: _Session, comment: str, quote: str) -> dict[str, str] | None:
    """The comment as the claim's statement, in the project's language. Some readers (PDF-XChange, Foxit,
    Zotero's 'copy to comment') fill the comment with the marked text itself: that is the author's
    wording, not the researcher's statement, so the claim stays a draft until someone writes one."""
    if not comment or fold(comment) in fold(quote):
        return None
    return {session.project.lang: comment}


def _unproven(session: _Session, text: SourceText | None, quote: str, shown: str, line: int, where: str) -> None:
    if text is not None and text.find_quote(quote) is None:
        session.result.diagnostics.append(warning(shown, line, 1, f"{where}: the marked text \"{quote[:80]}\" is not "
                                                  f"found as such in {text.shown}; check will say so until the "
                                                  "quote is corrected", "import-quote"))


# --- the three kinds of file ----------------------------------------------------------------------

def _import_pdf(session: _Session, path: Path, shown: str) -> None:
    from .pdf import read_highlights

    key = session.options.source or _pdf_key(session, path)
    key = _key(session, key, shown)
    first_page = session.existing.get(key, (None, None, None))[2]
    text, highlights = read_highlights(path, shown, first_page)
    if not highlights:
        session.result.diagnostics.append(warning(shown, 1, 1, "no highlights, underlines or squiggly lines in this "
                                                  "PDF", "import-empty"))
        return
    claims = _target(session, key, path)
    for h in highlights:
        theme = theme_of(h.color, session.project.colors)
        _unproven(session, text, h.text, shown, h.page, f"page {h.label}")
        _add(session, claims, {"kind": session.options.kind, "themes": _themes(session, [theme or ""]),
                               "says": _says(session, h.comment, h.text), "quote": h.text,
                               "at": {"page": _page(h.label)}},
             (path.name, h.annotation), (shown, h.page), h.author)


def _page(label: str) -> int | str:
    """A printed page number as YAML shows it best: 87, but "xii" in quotes as text."""
    return int(label) if label.isdecimal() and not label.startswith("0") else label  # not ², which int() refuses


def _pdf_key(session: _Session, path: Path) -> str | None:
    """The source a PDF belongs to: the claims file whose text it is, else a key named like the file."""
    for key, (_, text, _) in session.existing.items():
        if text is not None and resolved(text) == resolved(path):
            return key
    return path.stem if path.stem in set(session.bibliography.keys()) else None


def _import_zotero(session: _Session, path: Path, shown: str) -> None:
    from .zotero import read_library

    keys = set(session.bibliography.keys())
    wanted = session.options.source
    if wanted is not None:
        _key(session, wanted, "--source")
    items = [item for item in read_library(path, shown) if item.citation_key in keys
             and (wanted is None or item.citation_key == wanted)]
    if not items:
        session.result.diagnostics.append(warning(shown, 1, 1, "no highlighted PDF of an item whose citation key is "
                                                  f"in {session.bibliography.shown}", "import-empty"))
    theme_ids = {t.id.lower(): t.id for t in session.project.themes}
    for item in items:
        if item.pdf is None:
            session.result.diagnostics.append(warning(shown, 1, 1, f"{item.citation_key}: {item.pdf_problem}",
                                                      "import-pdf-missing"))
            continue
        text = read_text(item.pdf, str(item.pdf), session.existing.get(item.citation_key, (None, None, None))[2],
                         keep=False)
        claims = _target(session, item.citation_key, item.pdf, _first_page(text, item.highlights))
        first_page = claims.data.get("first_page")
        if not text.printed and isinstance(first_page, int) and not isinstance(first_page, bool) and first_page > 0:
            text = read_text(item.pdf, str(item.pdf), first_page, keep=False)
        printed = _printed(item.pdf, item.highlights, text)
        for h, quote in zip(item.highlights, printed, strict=True):
            where = f"{item.citation_key}, annotation {h.annotation}"
            if not quote:
                session.errors.append(error(shown, 1, 1, f"{where}: the highlight on page {h.label or '?'} has no "
                                            "text (an image area?); remove it in Zotero", "import-empty-highlight"))
                continue
            label = h.label or (text.labels[h.page_index] if h.page_index is not None
                                and 0 <= h.page_index < len(text.labels) else None)
            tags = [theme_ids.get(tag.lower(), "") for tag in h.tags]
            _unproven(session, text, quote, shown, 1, where)
            _add(session, claims, {"kind": session.options.kind,
                                   "themes": _themes(session, tags, [theme_of(h.color, session.project.colors) or ""]),
                                   "says": _says(session, h.comment, quote), "quote": quote,
                                   "at": {"page": _page(label)} if label else None},
                 (path.name, h.annotation), (shown, 1), h.author)


def _printed(pdf: Path, highlights: Sequence[Any], text: SourceText) -> list[str]:
    """Each Zotero annotation's quote as the page prints it: the PDF's text under the annotation's rectangles,
    read as PDF highlights are (Zotero stores the text with a line-end hyphen dropped, 'laki-⏎laki' as
    'lakilaki'); Zotero's own text where the annotation has no rectangles or nothing stands under them."""
    from .pdf import texts_under

    wanted: dict[int, list[list[tuple[float, float, float, float]]]] = {}
    for h in highlights:
        if h.page_index is not None and h.rects:
            wanted.setdefault(h.page_index, []).append(list(h.rects))
    unders = texts_under(read_input(pdf, str(pdf), "a PDF file"), str(pdf), wanted, text.normalized.spellings)
    out = []
    for h in highlights:
        under = unders[h.page_index].pop(0) if h.page_index is not None and h.rects else ""
        out.append(under.strip() or h.text)
    return out


def _first_page(text: SourceText, highlights: Sequence[Any]) -> int | None:
    """For a PDF without page labels: the first page's number, when Zotero's page labels of its highlights
    all say the same offset from the page index (Zotero finds printed numbers on the pages themselves)."""
    if text.printed:
        return None
    offsets = {int(h.label) - h.page_index for h in highlights
               if h.label and h.label.isdecimal() and h.page_index is not None}
    if len(offsets) == 1 and (offset := offsets.pop()) != 1 and offset >= 1:
        return offset
    return None


def _import_sheet(session: _Session, path: Path, shown: str) -> None:
    from .sheet import read_sheet

    theme_ids = {t.id for t in session.project.themes}
    rows_by_id: dict[tuple[str, str], int] = {}
    for row in read_sheet(path, shown):
        values = dict(row.values)
        try:
            key = _key(session, str(values.pop("source", "") or session.options.source or "") or None, shown,
                       row.line)
        except SynthdocError as exc:
            session.errors.extend(exc.diagnostics)
            continue
        if not values.get("quote"):
            session.errors.append(error(shown, row.line, 1, f"row {row.line} has no quote", "sheet-column"))
            continue
        kind = str(values.pop("kind", "") or session.options.kind)
        if kind not in CLAIM_KINDS:
            session.errors.append(error(shown, row.line, 1, f"row {row.line}: unknown kind '{kind}'"
                                        f"{did_you_mean(kind, CLAIM_KINDS)}", "unknown-kind"))
            continue
        themes = _themes(session, values.pop("themes", []))
        unknown = [t for t in themes if t not in theme_ids]
        if unknown:
            session.errors.append(error(shown, row.line, 1, f"row {row.line}: unknown theme '{unknown[0]}'"
                                        f"{did_you_mean(unknown[0], theme_ids)}", "unknown-theme"))
            continue
        says = values.pop("says", None)
        if isinstance(says, str):
            says = {session.project.lang: says}
        short = values.get("short")
        if isinstance(short, str):
            values["short"] = {session.project.lang: short}
        if isinstance(values.get("at"), dict) and "page" in values["at"]:
            values["at"] = {"page": _page(str(values["at"]["page"]))}
        ident = str(values.get("id") or "")
        origin = ident or "row-" + hashlib.sha256(
            f"{key}\n{values['quote']}\n{values.get('at')}".encode()).hexdigest()[:10]
        claims = _target(session, key, None)
        if ident and (key, ident) in rows_by_id:
            session.errors.append(error(shown, row.line, 1, f"row {row.line}: claim id '{ident}' is the id of row "
                                        f"{rows_by_id[key, ident]} too; give each row its own id", "duplicate-id"))
            continue
        if ident:
            rows_by_id[key, ident] = row.line
        if ident and ident in claims.ids() and (path.name, ident) not in claims.origins():
            session.errors.append(error(shown, row.line, 1, f"row {row.line}: claim id '{ident}' is taken in "
                                        f"{claims.shown}; give the row another id", "duplicate-id"))
            continue
        _add(session, claims, {**values, "kind": kind, "themes": themes, "says": says}, (path.name, origin),
             (shown, row.line))
