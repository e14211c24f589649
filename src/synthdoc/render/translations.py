"""Quotes across languages: a claim's quote shown in a document of another language.

A document in the source's language quotes the source's words. A document in another language
shows the author's own translation of the quote (``translation: {en: …}`` on the claim), marked
as such ("my translation", "terjemahan penulis", as APA advises), or, with none, paraphrases the
claim without quotation marks. ``check`` warns where a document would quote a source in another
language without a translation (check/translations.py)."""

from __future__ import annotations

from ..core.schema import in_language
from ..sources.claims import Claim


def base(lang: str) -> str:
    return lang.split("-")[0].lower()


def foreign(source_lang: str, doc_lang: str) -> bool:
    """Whether a source's quotes are in another language than the document (unknown: not foreign)."""
    return bool(source_lang) and base(source_lang) != base(doc_lang)


def untranslated(claims: tuple[Claim, ...], langs: dict[str, str], doc_lang: str) -> list[Claim]:
    """The claims among ``claims`` whose quotes a document in ``doc_lang`` could only show untranslated."""
    return [c for c in claims
            if foreign(langs.get(c.source, ""), doc_lang) and in_language(c.translation, doc_lang) is None]
