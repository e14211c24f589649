"""Citation markup in Pandoc Markdown, with locator labels in the document's own language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import lru_cache

from ..sources.claims import Claim, Locator, key_problem
from ..sources.quotes import without_controls
from .styles import locale_path

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
# Pandoc's bare key: punctuation inside only (a final '.' or ':' would end the citation); else @{key}.
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_:.#$%&+?<>~/-]*[A-Za-z0-9_])?$")
# A pandoc citation key in a document's text: @key or @{key}, not escaped (\@) and not inside a word
# (an e-mail address).
CITATION_KEY = re.compile(r"(?<![\w\\])@(?:\{([^{}]+)\}|(\w(?:[\w:.#$%&\-+?<>~/]*\w)?))")
_FALLBACK_LABELS = {"page": "p.", "section": "sec.", "chapter": "chap.", "paragraph": "para."}


@lru_cache(maxsize=64)
def locator_label(kind: str, lang: str, plural: bool = False) -> str:
    """The locale's short term for a locator kind: ``section`` → ``bag.`` (id), ``sec.`` (en).

    Pandoc reads locator labels in the document's language, so citation markup must use them.
    """
    path = locale_path(lang)
    if path is not None:
        root = ET.parse(path).getroot()
        for term in root.iter(f"{_CSL_NS}term"):
            if term.get("name") == kind and term.get("form") == "short":
                forms = {child.tag.removeprefix(_CSL_NS): (child.text or "") for child in term}
                text = forms.get("multiple" if plural else "single") if forms else term.text
                if text:
                    return text.strip()
    return _FALLBACK_LABELS.get(kind, kind)


# A locator is data: every mark that could start Markdown inside a citation is escaped.
_LOCATOR_MARKUP = re.compile(r"([\\`*_{}\[\]<>#+|@$~^&=!\"';:])")


def cited_keys(markdown: str) -> list[str]:
    """The keys a Pandoc Markdown text cites, in first-cited order (its own ``[@key]`` as well as claims')."""
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in CITATION_KEY.finditer(markdown)))


def cite_key(key: str) -> str:
    if key_problem(key):
        raise ValueError(key_problem(key))
    return f"@{key}" if _PLAIN_KEY.match(key) else "@{" + key + "}"


def _escape(value: str) -> str:
    return _LOCATOR_MARKUP.sub(r"\\\1", " ".join(without_controls(value).split()))


def locator_text(locators: Iterable[Locator], lang: str) -> str:
    """``bag. 4.1, 4.2``: one label for one kind of locator, values in first-seen order."""
    locs = list(dict.fromkeys(locators))
    if not locs:
        return ""
    kind = locs[0].kind
    values = [_escape(loc.value) for loc in locs if loc.kind == kind]
    return f"{locator_label(kind, lang, plural=len(values) > 1)} {', '.join(values)}"


def _items(claims: Iterable[Claim], lang: str) -> list[str]:
    """One cluster item per source and locator kind, in first-seen order."""
    grouped: dict[tuple[str, str], list[Locator]] = {}
    for claim in claims:
        slot = grouped.setdefault((claim.source, claim.at.kind if claim.at else ""), [])
        if claim.at:
            slot.append(claim.at)
    items = []
    for (source, _), locs in grouped.items():
        where = locator_text(locs, lang)
        items.append(f"{cite_key(source)}, {where}" if where else cite_key(source))
    return items


def cite(claims: Iterable[Claim], lang: str) -> str:
    """One parenthetical cluster for all ``claims``: ``[@a, bag. 4.1; @b, bag. 5.1]``.

    The style orders the items; several claims from one source share one item.
    """
    items = _items(claims, lang)
    return f"[{'; '.join(items)}]" if items else ""


def cite_narrative(claim: Claim, lang: str) -> str:
    """An in-text citation naming the author: ``@a [bag. 4.1]`` → Amalia (2025, Bagian 4.1)."""
    where = locator_text([claim.at], lang) if claim.at else ""
    return f"{cite_key(claim.source)} [{where}]" if where else cite_key(claim.source)


def cite_year(claim: Claim, lang: str) -> str:
    """A citation without the author (``[-@a, bag. 4.1]``), for where the author is named already."""
    where = locator_text([claim.at], lang) if claim.at else ""
    return f"[-{cite_key(claim.source)}, {where}]" if where else f"[-{cite_key(claim.source)}]"
