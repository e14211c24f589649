"""Claim bookmarks: every synthesized sentence of a built DOCX carries, invisibly, the claims it rests on.

Each claim of a marked sentence (``[text]{.claim data-claims="3 4"}``) becomes a hidden Word bookmark
around the sentence, named ``_sd<digest of the claim's name>_<n>``. Word hides bookmarks whose names
begin with ``_``; LibreOffice keeps them when it saves a DOCX. ``synthdoc review`` reads them back to
trace a reviewer's comment to the claims its text sits on, whether or not ``provenance: comments`` is on.
The document's id travels as the custom property ``synthdoc-document``. The bibliography's entries carry
pandoc's own bookmarks (``ref-<key>``), which the citations link to: a remark on an entry, or on one citation
of a cluster, is traced by them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from ..render.astwalk import raw_inline
from ..render.synthesis import Context

PREFIX = "_sd"
# The author of what synthdoc itself writes into a DOCX: provenance comments, a redline's changes.
SYNTHDOC_AUTHOR = "synthdoc"
DOCUMENT_PROPERTY = "synthdoc-document"
# Far above the ids pandoc gives its own bookmarks and comments.
FIRST_ID = 700_000
# 80 bits of the claim's name: no two claims of a project share one (Word allows 40 characters).
_DIGITS = 20
ENTRY_PREFIX = "ref-"  # pandoc's: the bookmark around a bibliography entry, the anchor a citation links to
NAME = re.compile(rf"^{PREFIX}([0-9a-f]{{{_DIGITS}}})_[0-9]+$")


def claim_digest(ref: str) -> str:
    """The part of a bookmark name that stands for the claim ``ref`` (``source/claim-id``)."""
    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:_DIGITS]


def digest_of(name: str) -> str | None:
    """The claim digest a bookmark name carries, or None for any other bookmark."""
    match = NAME.match(name)
    return match.group(1) if match else None


def entry_of(name: str) -> str | None:
    """The bibliography key a bookmark or internal link names: pandoc writes each bibliography entry as a
    bookmark ``ref-<key>`` and links each citation to it (``w:hyperlink w:anchor="ref-<key>"``)."""
    return (name[len(ENTRY_PREFIX):] or None) if name.startswith(ENTRY_PREFIX) else None


def claim_names(ctx: Context) -> dict[str, str]:
    """The claims' names (``source/claim-id``) by the numbers a document's claim spans carry."""
    return {str(v.n): v.ref for v in ctx.claims}


def mark_claims(ast: dict[str, Any], refs: dict[str, str] | None, document: str) -> dict[str, Any]:
    """The AST with a hidden bookmark per claim around each marked sentence, and the document's id.
    ``refs`` names the claims by the numbers the spans carry; None: the spans carry the names."""
    counter = [0]

    def raw(xml: str) -> dict[str, Any]:
        return raw_inline("openxml", xml)

    def mark(span: dict[str, Any]) -> dict[str, Any]:
        starts, ends = [], []
        for n in dict.fromkeys(claim_numbers(span)):
            ref = n if refs is None else refs.get(n)
            if ref is None:
                continue
            counter[0] += 1
            ident = FIRST_ID + counter[0]
            name = f"{PREFIX}{claim_digest(ref)}_{counter[0]}"
            starts.append(raw(f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/>'))
            ends.insert(0, raw(f'<w:bookmarkEnd w:id="{ident}"/>'))
        return {**span, "c": [span["c"][0], [*starts, *span["c"][1], *ends]]}

    meta = {**ast.get("meta", {}), DOCUMENT_PROPERTY: {"t": "MetaString", "c": document}}
    return {**ast, "meta": meta, "blocks": rewrite_claim_spans(ast.get("blocks", []), mark)}


def claim_numbers(span: dict[str, Any]) -> list[str]:
    """What a claim span names its claims by (``data-claims="3 4"``)."""
    attrs = dict(span["c"][0][2])
    return attrs.get("data-claims", attrs.get("claims", "")).split()


def rewrite_claim_spans(node: Any, rewrite: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """``node`` (an AST or part of one) with each claim span replaced by ``rewrite(span)``, inner ones first."""
    if isinstance(node, list):
        return [rewrite_claim_spans(item, rewrite) for item in node]
    if not isinstance(node, dict):
        return node
    node = {k: rewrite_claim_spans(v, rewrite) for k, v in node.items()}
    if node.get("t") == "Span" and "claim" in node["c"][0][1]:
        return rewrite(node)
    return node
