"""The translation check: a warning where a document would quote a source in another language
without the author's translation of the quote (render/translations.py says how such quotes are shown)."""

from __future__ import annotations

from ..core.diagnostics import Diagnostic, SynthdocError, warning
from ..render.document import Inputs, render_document
from ..render.synthesis import selected_claims
from ..render.translations import base, untranslated


def check_translations(inputs: Inputs) -> list[Diagnostic]:
    """A warning at each claim a document quotes from a source in another language without a translation.

    Only documents with such claims are looked at; their templates are rendered (once: the build reuses
    the result) to see which quotes they ask for. A document that cannot be rendered is reported by the
    template check."""
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
                    f"claim '{claim.id}' quotes its source in {langs[claim.source]}, and there is no translation "
                    f"for document '{doc.id}' ({doc.lang}): the claim's statement is shown instead, without "
                    f"quotation marks; add translation: {{{base(doc.lang)}: \"…\"}} to the claim: your own "
                    "faithful translation of the quote, which the document marks as yours"),
                    "quote-untranslated", doc.id,
                    many=(f"claims quote their source in {langs[claim.source]}, and there is no translation for "
                          f"document '{doc.id}' ({doc.lang}): their statements are shown instead, without "
                          f"quotation marks; add translation: {{{base(doc.lang)}: \"…\"}} to a claim to quote it "
                          "(--format json lists them)")))
    return out
