"""Every file synthdoc opens goes through here: inputs are read only when they are regular files inside the
project and within a size limit, and outputs are written so that a failed or interrupted build never leaves a
half-written file behind, nor writes through a link that leads out of the project."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .diagnostics import SynthdocError
from .paths import resolved, shown_path

# The largest input synthdoc reads: a source PDF of a few hundred pages is well below it. YAML files,
# templates and styles have their own, smaller limits.
MAX_INPUT_BYTES = 200_000_000
MAX_RECORD_BYTES = 200_000_000
WORK_DIR = ".synthdoc"
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, stands inside ``root``."""
    try:
        resolved(path).relative_to(resolved(root))
    except (ValueError, OSError):
        return False
    return True


def read_input(path: Path, shown: str, kind: str, missing: str = "file not found", *, root: Path | None = None,
               limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file (``kind``: "a YAML file", …). It must be a regular file (not a folder, pipe
    or device), at most ``limit`` bytes, and — with ``root`` — inside that folder once links are followed;
    anything else is an error naming it, raised before a byte is read."""
    with open_input(path, shown, kind, missing, root=root, limit=limit) as handle:
        try:
            chunks, left = [], limit + 1
            while left > 0 and (chunk := handle.read(min(left, 1 << 20))):
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
        except OSError as exc:
            raise SynthdocError.single(shown, f"cannot read the file: {exc.strerror}", "file-unreadable") from None
    if len(data) > limit:
        raise _too_large(shown, len(data), limit)
    return data


def open_input(path: Path, shown: str, kind: str, missing: str = "file not found", *, root: Path | None = None,
               limit: int = MAX_INPUT_BYTES) -> BinaryIO:
    """An input file opened for reading, checked as :func:`read_input` checks it (a regular file, at most
    ``limit`` bytes, inside ``root``): for a reader that takes the file a piece at a time (a DOCX's zip)."""
    if "\0" in str(path):
        raise SynthdocError.single(shown, "the path contains a NUL character", "path-invalid")
    if root is not None and not is_inside(path, root):
        raise SynthdocError.single(shown, f"leads out of the project through a symbolic link; synthdoc reads "
                                   f"{kind} only from inside the project folder", "path-outside")
    try:
        st = os.stat(path)
        _check_regular(st, shown, kind, limit)
        fd = os.open(path, os.O_RDONLY | _BINARY | _NONBLOCK)
    except FileNotFoundError:
        raise SynthdocError.single(shown, missing, "file-missing") from None
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot read the file: {exc.strerror}", "file-unreadable") from None
    try:
        _check_regular(os.fstat(fd), shown, kind, limit)  # the file opened is the file checked
        return io.BufferedReader(io.FileIO(fd, "rb"))
    except BaseException:
        os.close(fd)
        raise


def _check_regular(st: os.stat_result, shown: str, kind: str, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise SynthdocError.single(shown, f"is a folder, not {kind}", "file-unreadable")
    if not stat.S_ISREG(st.st_mode):
        raise SynthdocError.single(shown, f"is not a regular file (a pipe, device or socket), not {kind}; "
                                   "synthdoc reads only regular files", "file-special")
    if st.st_size > limit:
        raise _too_large(shown, st.st_size, limit)


def _too_large(shown: str, size: int, limit: int) -> SynthdocError:
    return SynthdocError.single(shown, f"{size / 1e6:,.1f} MB is more than synthdoc reads from one file "
                                f"(limit {limit / 1e6:,.0f} MB); split it or leave it out", "file-too-large")


def list_folder(folder: Path, shown: str, kind: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files directly in ``folder`` whose names end in ``suffixes``, sorted by name. A folder that is
    missing or cannot be listed is an error, never an empty list: an unreadable ``sources/`` must not
    build a chapter without its claims."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.lower().endswith(suffixes)]
    except FileNotFoundError:
        raise SynthdocError.single(shown, f"{kind} not found", "file-missing") from None
    except NotADirectoryError:
        raise SynthdocError.single(shown, f"{kind} is not a folder", "file-unreadable") from None
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot list the {kind}: {exc.strerror}", "file-unreadable") from None
    return [folder / name for name in sorted(names)]


def read_record(path: Path) -> Any | None:
    """A JSON record synthdoc keeps for itself (manifest, state, cache), or None when it is missing or
    cannot be read: such a record only ever makes work cheaper, so its loss just means more work."""
    try:
        return json.loads(read_input(path, str(path), "a record", limit=MAX_RECORD_BYTES))
    except (SynthdocError, ValueError, RecursionError):
        return None


def _file_mode() -> int:
    """The mode a new file gets under this process's umask (read once, before any thread starts)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp makes its file 0600; a finished output takes the mode any other new file would have.
FILE_MODE = _file_mode()


def work_dir(root: Path) -> Path:
    """``.synthdoc/`` of the project at ``root``, created when missing. A ``.synthdoc`` that is a link, a file,
    or holds a link anywhere (a project shared as a zip or a repository can carry one) is refused: synthdoc
    writes and deletes files there, and a link would take those writes out of the project."""
    folder = root / WORK_DIR
    shown = WORK_DIR
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        try:
            folder.mkdir()
        except OSError as exc:
            raise SynthdocError.single(shown, f"cannot create synthdoc's work folder: {exc.strerror}",
                                       "work-dir") from None
        return folder
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot use synthdoc's work folder: {exc.strerror}", "work-dir") from None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a folder"
        raise SynthdocError.single(shown, f"{WORK_DIR} is {what}; synthdoc keeps its own files there. Delete it "
                                   "(it is made again)", "work-dir")
    for base, dirs, files in os.walk(folder, onerror=_raise):
        for name in (*dirs, *files):
            entry = Path(base) / name
            try:
                mode = os.lstat(entry).st_mode
            except FileNotFoundError:  # a temporary file renamed meanwhile (documents are built side by side)
                continue
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                what = "a symbolic link" if stat.S_ISLNK(mode) else "a special file"
                raise SynthdocError.single(entry.relative_to(root).as_posix(), f"synthdoc's work folder holds {what}; "
                                           f"delete {WORK_DIR} (it is made again)", "work-dir")
    return folder


def _raise(exc: OSError) -> None:
    if isinstance(exc, FileNotFoundError):  # a folder removed meanwhile
        return
    raise SynthdocError.single(WORK_DIR, f"cannot read synthdoc's work folder: {exc.strerror}", "work-dir")


def remove_leftovers(folders: Iterable[Path]) -> None:
    """The temporary files (:func:`stage`'s ``.<name>.*.tmp``) that a killed run left in ``folders`` before it
    could rename them; never a finished file. Called with the build lock held, so no other run's are removed."""
    for folder in folders:
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                discard(tmp)


def atomic_write(path: Path, data: bytes, shown: str | None = None, *, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over ``path``.
    ``durable=False``: not flushed to disk first (a cache: after a power cut the file may be empty or cut
    short, which its reader takes for missing; a reader never sees half a file otherwise)."""
    tmp = stage(path, data, shown, durable=durable)
    commit(tmp, path, shown)


def stage(path: Path, data: bytes, shown: str | None = None, *, durable: bool = True) -> Path:
    """``data`` in a new temporary file beside ``path``, flushed to disk (unless not ``durable``); :func:`commit`
    puts it in place. The temporary file is created new (never through an existing link), and the rename
    replaces a link at ``path`` rather than writing through it."""
    shown = shown or str(path)
    if path.is_dir():  # the rename would fail after other files were put in place
        raise SynthdocError.single(shown, "a folder stands where this file goes; previous outputs are unchanged",
                                   "output-unwritable")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SynthdocError.single(shown, f"cannot write here: {exc.strerror}; previous outputs are unchanged",
                                   "output-unwritable") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
    except OSError as exc:
        discard(Path(tmp))
        raise SynthdocError.single(shown, f"cannot write the output: {exc.strerror}; the previous file is "
                                   "unchanged", "output-unwritable") from None
    return Path(tmp)


def put_in_place(files: Sequence[tuple[Path, bytes | Callable[[], bytes]]], root: Path,
                 journal: Path | None = None) -> None:
    """Write every file (its bytes, or what a function reads when its turn comes, so that copies are not all held
    in memory) to a temporary file beside it; only when all were written, rename them into place. A file that
    cannot be written (a full disk) leaves every file as it was. With a ``journal``, the renames to be made are
    recorded there first: a run killed between two of them is completed by :func:`finish_renames`."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((stage(path, data if isinstance(data, bytes) else data(), shown_path(path, root)), path))
        if journal is not None and len(staged) > 1:
            atomic_write(journal, json.dumps([[tmp.relative_to(root).as_posix(), path.relative_to(root).as_posix()]
                                              for tmp, path in staged]).encode("utf-8"))
    except BaseException:
        for tmp, _ in staged:
            discard(tmp)
        raise
    for tmp, path in staged:
        commit(tmp, path, shown_path(path, root))
    if journal is not None:
        discard(journal)


def finish_renames(journal: Path, root: Path) -> None:
    """Complete the renames of a :func:`put_in_place` killed between two of them (every file had been written
    before the journal was), so that outputs are never some new beside some old — even when the next run
    fails before it writes anything. Only renames synthdoc could have recorded are made: a temporary file of
    its own naming, beside its target, both inside the project; the journal is a project file like any other."""
    record = read_record(journal)
    if isinstance(record, list):
        top = resolved(root)
        for entry in record:
            if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(p, str) for p in entry)):
                continue
            tmp, path = (root / p for p in entry)
            if (tmp.parent != path.parent or ".." in Path(entry[0]).parts or Path(entry[0]).is_absolute()
                    or not (tmp.name.startswith(f".{path.name}.") and tmp.name.endswith(".tmp"))
                    or not resolved(path.parent).is_relative_to(top)):
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(tmp).st_mode):
                    os.replace(tmp, path)
    discard(journal)


def commit(tmp: Path, path: Path, shown: str | None = None) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise SynthdocError.single(shown or str(path), f"cannot write the output: {exc.strerror}; the previous "
                                   "file is unchanged", "output-unwritable") from None


def discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
