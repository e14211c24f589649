"""Quotes across languages: a claim's quote shown in a document of another language.

A document in the source's language quotes the source's words. A document in another language
shows the author's own translation of the quote (``translation: {en: …}`` on the claim), marked
as such ("my translation", "terjemahan penulis", as APA advises), or, with none, paraphrases the
claim without quotation marks. ``check`` warns where a document would quote a source in another
language without a translation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.diagnostics import Diagnostic, SynthdocError, warning
from ..core.schema import in_language
from ..sources.claims import Claim

if TYPE_CHECKING:
    from ..check.checks import Inputs


def base(lang: str) -> str:
    return lang.split("-")[0].lower()


def foreign(source_lang: str, doc_lang: str) -> bool:
    """Whether a source's quotes are in another language than the document (unknown: not foreign)."""
    return bool(source_lang) and base(source_lang) != base(doc_lang)


def untranslated(claims: tuple[Claim, ...], langs: dict[str, str], doc_lang: str) -> list[Claim]:
    """The claims among ``claims`` whose quotes a document in ``doc_lang`` could only show untranslated."""
    return [c for c in claims
            if foreign(langs.get(c.source, ""), doc_lang) and in_language(c.translation, doc_lang) is None]


def check_translations(inputs: Inputs) -> list[Diagnostic]:
    """A warning at each claim a document quotes from a source in another language without a translation.

    Only documents with such claims are looked at; their templates are rendered (once: the build reuses
    the result) to see which quotes they ask for. A document that cannot be rendered is reported by the
    template check."""
    from ..build.pipeline import render_document  # the build imports the checks
    from .synthesis import selected_claims  # which imports this module

    langs = {s.key: s.lang for s in inputs.sources}
    out = []
    for doc in inputs.project.documents:
        claims = untranslated(selected_claims(doc, inputs.sources), langs, doc.lang)
        if not claims:
            continue
        try:
            _, ctx = render_document(inputs, doc)
        except SynthdocError:
            continue
        for claim in claims:
            if claim.ref in ctx.untranslated:
                out.append(warning(claim.path, claim.line, 1, (
                    f"document '{doc.id}' ({doc.lang}) quotes claim '{claim.id}' from a source in "
                    f"{langs[claim.source]} without a translation, so it shows the claim's statement instead, "
                    f"without quotation marks; add translation: {{{base(doc.lang)}: \"…\"}} to the claim: "
                    "your own faithful translation of the quote, which the document marks as yours"),
                    "quote-untranslated"))
    return out
