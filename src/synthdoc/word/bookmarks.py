"""Claim bookmarks: every synthesized sentence of a built DOCX carries, invisibly, the claims it rests on.

Each claim of a marked sentence (``[text]{.claim data-claims="3 4"}``) becomes a hidden Word bookmark
around the sentence, named ``_sd<digest of the claim's name>_<n>``. Word hides bookmarks whose names
begin with ``_``; LibreOffice keeps them when it saves a DOCX. ``synthdoc review`` reads them back to
trace a reviewer's comment to the claims its text sits on, whether or not ``provenance: comments`` is on.
The document's id travels as the custom property ``synthdoc-document``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..synthesis import Context

PREFIX = "_sd"
# The author of what synthdoc itself writes into a DOCX: provenance comments, a redline's changes.
SYNTHDOC_AUTHOR = "synthdoc"
DOCUMENT_PROPERTY = "synthdoc-document"
# Far above the ids pandoc gives its own bookmarks and comments.
FIRST_ID = 700_000
# 80 bits of the claim's name: no two claims of a project share one (Word allows 40 characters).
_DIGITS = 20
NAME = re.compile(rf"^{PREFIX}([0-9a-f]{{{_DIGITS}}})_[0-9]+$")


def claim_digest(ref: str) -> str:
    """The part of a bookmark name that stands for the claim ``ref`` (``source/claim-id``)."""
    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:_DIGITS]


def digest_of(name: str) -> str | None:
    """The claim digest a bookmark name carries, or None for any other bookmark."""
    match = NAME.match(name)
    return match.group(1) if match else None


def mark_claims(ast: dict[str, Any], ctx: Context, document: str) -> dict[str, Any]:
    """The AST with a hidden bookmark per claim around each marked sentence, and the document's id."""
    refs = {str(v.n): v.ref for v in ctx.claims}
    counter = [0]

    def raw(xml: str) -> dict[str, Any]:
        return {"t": "RawInline", "c": ["openxml", xml]}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {k: walk(v) for k, v in node.items()}
        if node.get("t") == "Span" and "claim" in node["c"][0][1]:
            attrs = dict(node["c"][0][2])
            numbers = attrs.get("data-claims", attrs.get("claims", "")).split()
            starts, ends = [], []
            for n in dict.fromkeys(numbers):
                if n not in refs:
                    continue
                counter[0] += 1
                ident = FIRST_ID + counter[0]
                name = f"{PREFIX}{claim_digest(refs[n])}_{counter[0]}"
                starts.append(raw(f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/>'))
                ends.insert(0, raw(f'<w:bookmarkEnd w:id="{ident}"/>'))
            node["c"] = [node["c"][0], [*starts, *node["c"][1], *ends]]
        return node

    meta = {**ast.get("meta", {}), DOCUMENT_PROPERTY: {"t": "MetaString", "c": document}}
    return {**ast, "meta": meta, "blocks": walk(ast.get("blocks", []))}
