"""Stale claims: quotes that held against a source's text until the text changed.

Each check records, per claim, the hash of its quote and of its source's text when the quote
was last found. When a quote is no longer found and the text has changed since, the claim is
stale: the source moved under it, rather than the claim being mistyped.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path

from ..core.cache import digest
from ..core.diagnostics import Diagnostic, SynthdocError
from ..core.files import atomic_write, read_record
from ..render.document import Inputs

RECORD = Path("state") / "quotes.json"


def _digest(text: str) -> str:
    return digest(text.encode("utf-8"))


def _load(path: Path) -> dict[str, dict[str, str]]:
    data = read_record(path)
    return data if isinstance(data, dict) else {}


def mark_stale(inputs: Inputs, diags: list[Diagnostic], work_dir: Path) -> list[Diagnostic]:
    """Turn quote-not-found errors of claims whose source text changed into quote-stale; update the record."""
    path = work_dir / RECORD
    record = _load(path)
    failing = {(d.path, d.line) for d in diags if d.code == "quote-not-found"}
    stale: dict[tuple[str, int], str] = {}
    updated = dict(record)
    for source in inputs.sources:
        text = inputs.texts.get(source.key)
        if text is None:
            continue
        text_hash = _digest(text.text)
        for claim in source.claims:
            quote_hash = _digest(claim.quote)
            before = record.get(claim.ref)
            if (claim.path, claim.line) in failing:
                if isinstance(before, dict) and before.get("quote") == quote_hash and before.get("text") != text_hash:
                    stale[(claim.path, claim.line)] = text.shown
            else:
                updated[claim.ref] = {"quote": quote_hash, "text": text_hash}
    if updated != record:
        # The record is a convenience: an unwritable .synthdoc/ never fails a check.
        with contextlib.suppress(SynthdocError):
            atomic_write(path, json.dumps(updated, indent=1, sort_keys=True).encode("utf-8"))
    out = []
    for d in diags:
        shown = stale.get((d.path, d.line)) if d.code == "quote-not-found" else None
        if shown:
            d = replace(d, code="quote-stale", message=d.message.replace(
                "quote not found in", f"stale: the quote held until {shown} changed; it is no longer found in", 1))
        out.append(d)
    return out
