"""Reading typed values out of a YamlDocument, collecting a diagnostic for each problem."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .diagnostics import Diagnostic, error
from .yamlfile import Key, YamlDocument

Localized = dict[str, str]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Typed access to one YAML document; every problem becomes a diagnostic, never an exception."""

    def __init__(self, doc: YamlDocument, diagnostics: list[Diagnostic]):
        self.doc = doc
        self.diagnostics = diagnostics

    def problem(self, key: Key, message: str, code: str) -> None:
        line, col = self.doc.where(*key)
        self.diagnostics.append(error(self.doc.name(), line, col, message, code))

    def mapping(self, key: Key, value: Any, allowed: set[str], required: set[str], what: str) -> dict[str, Any]:
        """``value`` as a mapping, with unknown and missing fields reported."""
        if not isinstance(value, dict):
            self.problem(key, f"{what} must be a mapping, not {_kind(value)}", "schema-type")
            return {}
        for name in value:
            if name not in allowed:
                hint = did_you_mean(str(name), allowed)
                self.problem((*key, name), f"unknown field '{name}' in {what}{hint}", "schema-unknown-field")
        for name in sorted(required - value.keys()):
            self.problem(key, f"{what} is missing the required field '{name}'", "schema-missing-field")
        return value

    def string(self, key: Key, value: Any, what: str, default: str | None = None) -> str | None:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(key, f"{what} must be text, not {_kind(value)}", "schema-type")
            return default
        text = str(value).strip()
        if not text:
            self.problem(key, f"{what} is empty", "schema-type")
            return default
        return text

    def strings(self, key: Key, value: Any, what: str) -> tuple[str, ...]:
        """A list of text values; a single value is taken as a list of one."""
        if value is None:
            return ()
        if isinstance(value, str | int) and not isinstance(value, bool):
            return (str(value),)
        if not isinstance(value, list):
            self.problem(key, f"{what} must be a list, not {_kind(value)}", "schema-type")
            return ()
        out = []
        for i, item in enumerate(value):
            text = self.string((*key, i), item, f"each of {what}")
            if text is not None:
                out.append(text)
        return tuple(out)

    def localized(self, key: Key, value: Any, what: str) -> Localized:
        """Text per language: ``{id: ..., en: ...}``; plain text counts for every language."""
        if value is None:
            return {}
        if isinstance(value, str):
            if not value.strip():
                self.problem(key, f"{what} is empty", "schema-type")
                return {}
            return {"*": value.strip()}
        if not isinstance(value, dict):
            self.problem(key, f"{what} must be text or a mapping of language to text", "schema-type")
            return {}
        out: Localized = {}
        for lang, text in value.items():
            if text is None:
                self.problem((*key, lang), f"{what} has no text for '{lang}'; if a comma split the text inside "
                             "{...}, put the text in quotes", "schema-type")
                continue
            got = self.string((*key, lang), text, f"{what} ({lang})")
            if got is not None:
                out[str(lang)] = got
        return out

    def spots(self, key: Key, mapping: dict[str, Any], fields: tuple[str, ...]) -> dict[str, tuple[int, int]]:
        """Where each language's text of the localized ``fields`` of ``mapping`` stands: ``"says.en"`` →
        (line, col); ``"says.*"`` for one text for every language."""
        out: dict[str, tuple[int, int]] = {}
        for name in fields:
            value = mapping.get(name)
            if isinstance(value, str):
                out[f"{name}.*"] = self.doc.where(*key, name)
            elif isinstance(value, dict):
                out |= {f"{name}.{lang}": self.doc.where(*key, name, lang) for lang in value}
        return out


def in_language(text: Localized, lang: str) -> str | None:
    """The text for ``lang`` (``id`` matches ``id-ID``), else the language-neutral one, else None."""
    base = lang.split("-")[0].lower()
    for candidate in (lang, base, "*"):
        if candidate in text:
            return text[candidate]
    for code, value in text.items():
        if code.split("-")[0].lower() == base:
            return value
    return None


def pick(text: Localized, lang: str) -> str:
    """The text for ``lang`` (see ``in_language``), else any (check reports a missing language first)."""
    found = in_language(text, lang)
    return found if found is not None else next(iter(text.values()), "")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    return "text"
