"""Work kept under ``.synthdoc/cache`` by the content it was made from, so that it is done again only
when that content changes: the bibliography converted by pandoc, and the citation batches of large
documents. A value that cannot be read back is made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from .diagnostics import SynthdocError
from .files import atomic_write, read_record


def content_key(*parts: str | bytes) -> str:
    """A short digest of ``parts`` (each length-prefixed, so that no two lists of parts collide)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def digest(value: Any) -> str:
    """A short digest of a JSON value (keys sorted) or of bytes: what the build records of its inputs."""
    data = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                             default=str).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


class JsonCache:
    """JSON values in a folder, one file per key: ``<prefix><key>.json``."""

    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.folder, self.prefix = folder, prefix

    def path(self, key: str) -> Path:
        return self.folder / f"{self.prefix}{key}.json"

    def load(self, key: str) -> Any | None:
        """The value stored under ``key``, or None when there is none (or it cannot be read)."""
        return read_record(self.path(key))

    def store(self, key: str, value: Any, *, durable: bool = False) -> None:
        """Store ``value`` under ``key``, whole or not at all (SynthdocError when it cannot be written)."""
        self.store_json(key, json.dumps(value, ensure_ascii=False), durable=durable)

    def store_json(self, key: str, text: str, *, durable: bool = False) -> None:
        """Store a value already written as JSON text. A value is not flushed to disk unless ``durable`` (an
        fsync per entry is most of a first build's writes on a laptop's disk): a file a power cut left empty
        or cut short is not valid JSON, which ``load`` takes for missing. A file another program reads
        without ``load`` (pandoc's bibliography) is ``durable``."""
        atomic_write(self.path(key), text.encode("utf-8"), durable=durable)

    def empty(self) -> bool:
        """Whether no value is stored (or the folder cannot be listed)."""
        try:
            return next(self.folder.glob(f"{self.prefix}*.json"), None) is None
        except OSError:
            return True

    def keep_only(self, keys: set[str]) -> None:
        """Remove the values not under ``keys`` (what the last run no longer used)."""
        keep = {self.path(k).name for k in keys}
        with contextlib.suppress(OSError):
            for path in self.folder.glob(f"{self.prefix}*.json"):
                if path.name not in keep:
                    path.unlink(missing_ok=True)


class LaterJsonCache(JsonCache):
    """A JsonCache whose values are written when :meth:`keep` is called, not as they are made: a build stores
    the entries it converted beside its check (library.keep_read), not before its first pandoc run. A value that
    cannot be written then is made again by the next build."""

    def __init__(self, folder: Path, prefix: str = "") -> None:
        super().__init__(folder, prefix)
        self.pending: list[tuple[str, Any, bool]] = []

    def store(self, key: str, value: Any, *, durable: bool = False) -> None:
        self.pending.append((key, value, durable))

    def keep(self) -> None:
        """Write the values stored so far."""
        pending, self.pending = self.pending, []
        for key, value, durable in pending:
            with contextlib.suppress(SynthdocError):
                super().store(key, value, durable=durable)
