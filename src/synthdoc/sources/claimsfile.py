"""A claims file a person keeps editing, extended by an import: read with ruamel.yaml's round trip so
that its claims, comments, order and formatting stay as they are; new claims are appended."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.diagnostics import SynthdocError
from ..core.files import read_input
from .quotes import fold

_DASH = re.compile(r"^claims:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*([ \t]*)- ", re.MULTILINE)


def _yaml(offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a line the user wrote
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


@dataclass
class ClaimsFile:
    """One ``sources/*.yaml``: its round-trip data, what it already holds, and what an import adds."""

    path: Path
    shown: str
    data: Any
    original: str | None  # None: a new file
    offset: int = 2
    crlf: bool = False  # written as it was: Windows line ends and a byte-order mark stay
    bom: bool = False
    added: list[dict[str, Any]] = field(default_factory=list)
    _indexed: tuple[set[str], set[tuple[str, str]], set[str]] | None = field(default=None, repr=False)
    _counters: dict[str, int] = field(default_factory=dict, repr=False)  # unique_id's next number, by id

    @classmethod
    def open(cls, path: Path, shown: str) -> ClaimsFile:
        from ruamel.yaml.error import YAMLError

        raw = read_input(path, shown, "a claims file")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SynthdocError.single(shown, "not UTF-8 text; save it as UTF-8, then import again",
                                       "text-encoding") from None
        text = text.replace("\r\n", "\n")
        m = _DASH.search(text)
        offset = len(m.group(1).expandtabs()) if m else 2
        try:
            data = _yaml(offset).load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise SynthdocError.single(shown, f"cannot extend this file, its YAML does not parse: "
                                       f"{getattr(exc, 'problem', exc)}; fix it, then import again",
                                       "yaml-syntax", line) from None
        if not isinstance(data, dict) or not isinstance(data.get("claims", []), list | type(None)):
            raise SynthdocError.single(shown, "cannot extend this file: it is not a claims file (source:, claims: "
                                       "[…])", "schema-type")
        return cls(path, shown, data, text, offset, crlf=b"\r\n" in raw, bom=raw.startswith(b"\xef\xbb\xbf"))

    @classmethod
    def new(cls, path: Path, shown: str, source: str, text: str | None, lang: str | None,
            first_page: int | None = None) -> ClaimsFile:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
        data["source"] = source
        if text:
            data["text"] = text
        if first_page is not None:
            data["first_page"] = first_page
        if lang:
            data["lang"] = lang
        data["claims"] = []
        return cls(path, shown, data, None)

    def claims(self) -> list[Any]:
        return [c for c in (self.data.get("claims") or []) if isinstance(c, dict)]

    def ids(self) -> set[str]:
        return self._index()[0]

    def origins(self) -> set[tuple[str, str]]:
        return self._index()[1]

    def quotes(self) -> set[str]:
        return self._index()[2]

    def _index(self) -> tuple[set[str], set[tuple[str, str]], set[str]]:
        """The ids, origins and folded quotes of the file's claims and those added: made once, then kept up to
        date by :meth:`add` (asked again for each row, they made a sheet import quadratic)."""
        if self._indexed is None:
            self._indexed = (set(), set(), set())
            for claim in [*self.claims(), *self.added]:
                self._note(claim)
        return self._indexed

    def _note(self, claim: dict[str, Any]) -> None:
        ids, origins, quotes = self._index()
        ids.add(str(claim.get("id")))
        origin = claim.get("from")
        if isinstance(origin, dict):
            origins.add((str(origin.get("file", "")), str(origin.get("annotation", ""))))
        if claim.get("quote"):
            quotes.add(fold(str(claim.get("quote"))))

    def add(self, claim: dict[str, Any]) -> str:
        """Append ``claim`` (its id made unique in this file when it has none) and return its id."""
        ident = str(claim.get("id") or "") or unique_id(str(claim["quote"]), self.ids(), self._counters)
        added = {"id": ident, **{k: v for k, v in claim.items() if k != "id"}}
        self._index()
        self.added.append(added)
        self._note(added)
        return ident

    def render(self, modeline: str = "") -> str:
        """The file with the added claims appended, as YAML text."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        claims = self.data.get("claims")
        if not isinstance(claims, CommentedSeq):
            claims = CommentedSeq(claims or [])
            self.data["claims"] = claims
        claims.fa.set_block_style()
        for claim in self.added:
            entry = CommentedMap()
            for name, value in claim.items():
                if isinstance(value, dict):
                    value = CommentedMap(value)
                    if name in ("at", "from"):
                        value.fa.set_flow_style()
                elif isinstance(value, list):
                    value = CommentedSeq(value)
                    value.fa.set_flow_style()
                entry[name] = value
            claims.append(entry)
        out = io.StringIO()
        _yaml(self.offset).dump(self.data, out)
        text = out.getvalue()
        if self.original is None:
            return modeline + text
        return ("\ufeff" if self.bom else "") + (text.replace("\n", "\r\n") if self.crlf else text)


def unique_id(quote: str, taken: set[str], counters: dict[str, int] | None = None) -> str:
    """A readable id from the quote's first words (``recruiters-promise-good-jobs``), unique in ``taken``.
    ``counters`` remembers the next number tried for each id, so that many quotes that begin alike do not
    each try every number before theirs."""
    plain = unicodedata.normalize("NFKD", quote).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)[:4]
    base = "-".join(words) or "claim"
    counters = {} if counters is None else counters
    ident, n = base, counters.get(base, 2)
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    counters[base] = n
    return ident
