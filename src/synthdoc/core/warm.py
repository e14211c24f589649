"""Work a synthdoc process keeps between its builds, by the content it was made from.

``synthdoc watch`` builds again after every save in one process. Most of a large project has not
changed since the previous build: its claims files, its source texts (read, and folded for quote
matching), and the checks of the quotes they hold. Each of these is kept here under a key made of
everything it is computed from (a file's path and the digest of its bytes, a quote with its text's
digest, …), so a value is reused exactly when making it again would give the same result.

Only pure work is kept. Everything that depends on the file system beyond a file's bytes (whether a
file is a regular file inside the project, where a link leads) is checked again on every build before
a kept value is used; files are read on every build, and their digests compared.

Memory stays bounded: a value not used by one build is dropped at the end of the next one.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_MISSING = object()


def digest(data: bytes) -> str:
    """A digest of a file's bytes, for keys."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Memo:
    """Values by key, kept from one build to the next. :func:`new_build` starts a build: what the
    build before it did not use is dropped."""

    def __init__(self) -> None:
        self._now: dict[Hashable, object] = {}
        self._before: dict[Hashable, object] = {}
        self._lock = threading.Lock()
        _MEMOS.append(self)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under ``key``; else ``make()``, kept."""
        value = self._take(key)
        if value is _MISSING:
            value = make()  # outside the lock: builds of two documents check side by side
            self.put(key, value)
        return value  # type: ignore[return-value]

    def peek(self, key: Hashable) -> object | None:
        """The value kept under ``key`` (kept on for the next build), or None."""
        value = self._take(key)
        return None if value is _MISSING else value

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._now[key] = value

    def _take(self, key: Hashable) -> object:
        """The value under ``key``, marked as used by this build; ``_MISSING`` when there is none."""
        with self._lock:
            value = self._now.get(key, _MISSING)
            if value is _MISSING:
                value = self._before.pop(key, _MISSING)
                if value is not _MISSING:
                    self._now[key] = value
            return value

    def turn(self) -> None:
        with self._lock:
            self._before, self._now = self._now, {}

    def __len__(self) -> int:
        return len(self._now) + len(self._before)


_MEMOS: list[Memo] = []


def new_build() -> None:
    """A build begins: values the previous build did not use are dropped."""
    for memo in _MEMOS:
        memo.turn()


def clear() -> None:
    """Forget everything kept (tests compare a warm build with a cold one)."""
    for memo in _MEMOS:
        memo.turn()
        memo.turn()
