"""Which references' citations can be changed by CSL disambiguation, and how they group.

citeproc disambiguates author-date citations in three ways: it adds initials or given names to
a name that shares its family name with another person's (for `primary-name*` and `all-names*`
rules, across the whole document), it adds names hidden behind "et al.", and it adds year
suffixes (2020a, 2020b) — the last two only among citations whose names and dates print
the same. Every one of these needs two names that share a family name (or, for references
without names, a title that stands in for them). So a reference none of whose rendered names
shares a word with another name can print only as it would without disambiguation, and
references that share no such word with each other are disambiguated independently.

This module finds those groups from the CSL items alone, conservatively: words, not whole
names, are compared, case-folded; dates are ignored; every reference without names is put
with every other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

DISAMBIGUATION_ATTRIBUTES = ("disambiguate-add-givenname", "disambiguate-add-names",
                             "disambiguate-add-year-suffix", "givenname-disambiguation-rule")

# Features that make a citation's text depend on other citations or on bibliography neighbours:
# with any of them a citation cannot be rendered apart from the rest of the document.
ORDER_DEPENDENT = {
    "position": re.compile(r'\bposition\s*=\s*"'),
    "et-al-subsequent-*": re.compile(r"et-al-subsequent-"),
    "citation-number": re.compile(r'"citation-number"'),
    "first-reference-note-number": re.compile(r"first-reference-note-number"),
    "near-note-distance": re.compile(r"near-note-distance"),
    "subsequent-author-substitute": re.compile(r"subsequent-author-substitute"),
    'names form="count"': re.compile(r'form\s*=\s*"count"'),
}

NAME_PARTS = ("family", "literal", "non-dropping-particle", "dropping-particle")
TITLE_FIELDS = ("title", "title-short", "container-title", "container-title-short", "collection-title")
NAMELESS = "\x00nameless"


@dataclass(frozen=True)
class StyleFacts:
    """What a CSL style's disambiguation needs, and why its citations cannot be rendered apart."""

    disambiguates: bool
    all_names: bool  # given names are disambiguated for every name, not only the first
    refusal: str | None  # why the citations cannot be rendered in groups; None when they can
    without_disambiguation: str  # the style's text with the citation's disambiguation switched off


def style_facts(csl_text: str) -> StyleFacts:
    style_tag = re.search(r"<style\b[^>]*>", csl_text)
    citation_tag = re.search(r"<citation\b[^>]*>", csl_text)
    if citation_tag is None or style_tag is None:
        return StyleFacts(False, False, "the style has no <citation> of its own (a dependent style)", csl_text)
    attributes = dict(re.findall(r'([\w-]+)\s*=\s*"([^"]*)"', citation_tag.group(0)))
    disambiguates = any(attributes.get(a) == "true" for a in DISAMBIGUATION_ATTRIBUTES[:3])
    rule = attributes.get("givenname-disambiguation-rule", "by-cite")
    all_names = attributes.get("disambiguate-add-givenname") == "true" and rule.startswith("all-names")
    if 'class="in-text"' not in style_tag.group(0):
        refusal = "a note style"
    else:
        refusal = next((f"the style uses {name}" for name, pattern in ORDER_DEPENDENT.items()
                        if pattern.search(csl_text)), None)
    plain_tag = citation_tag.group(0)
    for name in DISAMBIGUATION_ATTRIBUTES:
        plain_tag = re.sub(rf'\s{name}\s*=\s*"[^"]*"', "", plain_tag)
    without = csl_text[:citation_tag.start()] + plain_tag + csl_text[citation_tag.end():]
    return StyleFacts(disambiguates, all_names, refusal, without)


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", text.casefold()) if w}


def _name_lists(item: dict[str, Any]) -> Iterable[list[dict[str, Any]]]:
    for value in item.values():
        if isinstance(value, list) and value and all(isinstance(n, dict) for n in value):
            yield value


def name_words(item: dict[str, Any], all_names: bool) -> list[set[str]]:
    """The words of each name that disambiguation can act on: the first name of every name
    variable (or every name, for `all-names` rules); for a reference without names, its titles."""
    found = []
    for names in _name_lists(item):
        for name in names if all_names else names[:1]:
            parts = [name[k] for k in NAME_PARTS if isinstance(name.get(k), str)] or \
                    [name[k] for k in ("given",) if isinstance(name.get(k), str)]
            words = set().union(*(_words(p) for p in parts)) if parts else set()
            if words:
                found.append(words)
    if not found:
        titles = [item[k] for k in TITLE_FIELDS if isinstance(item.get(k), str)]
        found.append({NAMELESS, *set().union(*(_words(t) for t in titles))})
    return found


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


@dataclass(frozen=True)
class Grouping:
    at_risk: frozenset[str]  # references whose citations disambiguation may change
    groups: tuple[tuple[str, ...], ...]  # independent groups of at-risk references

    def group_of(self) -> dict[str, int]:
        return {key: n for n, group in enumerate(self.groups) for key in group}


def group_references(items: dict[str, dict[str, Any]], cited: Iterable[str], all_names: bool) -> Grouping:
    """Group the ``cited`` references into groups that disambiguation treats independently.

    A reference is at risk when a word of one of its names also occurs in another name, its own
    or another reference's; at-risk references that share such a word belong to one group.
    """
    cited = list(dict.fromkeys(cited))
    holders: dict[str, list[str]] = {}
    for key in cited:
        for words in name_words(items[key], all_names):
            for word in words:
                holders.setdefault(word, []).append(key)
    union = _Union()
    at_risk: set[str] = set()
    for keys in holders.values():
        if len(keys) > 1:  # two names (of one reference or two) share this word
            at_risk.update(keys)
            for other in keys[1:]:
                union.join(keys[0], other)
    groups: dict[str, list[str]] = {}
    for key in cited:
        if key in at_risk:
            groups.setdefault(union.find(key), []).append(key)
    return Grouping(frozenset(at_risk), tuple(tuple(g) for g in groups.values()))


@dataclass(frozen=True)
class Batch:
    """One citeproc run of the fast path.

    It renders the citations ``renders`` whole. So that each of its groups is disambiguated
    exactly as in the whole document, it also takes, alone, every other distinct use of a
    reference of its groups — the reference with its own locator, affixes and mode (citeproc
    renders each reference of a citation on its own, and disambiguation compares only names and
    dates). ``pieces`` is the run in document order: (citation, None) for a whole citation,
    (citation, i) for its i-th reference alone. It renders the bibliography entries of ``entries``.
    """

    groups: frozenset[int]
    pieces: tuple[tuple[int, int | None], ...]
    renders: frozenset[int]
    entries: frozenset[str]
    references: int  # how many references the run takes
    renderings: int  # how many references it renders, counting repeats


Use = tuple[str, str]  # a reference's key, and what else its rendering depends on (locator, affixes, mode)


def plan_batches(grouping: Grouping, citations: Sequence[Sequence[Use]], size: int) -> list[Batch]:
    """Batches for the distinct ``citations`` (each a list of uses, in document order).

    Groups are packed into *home* batches of about ``size`` references, which render the
    citations of their own groups and their bibliography entries. A citation of references from
    groups in different home batches is rendered in a *context* batch holding all of those groups
    (context batches are filled up to ``size`` references too).
    """
    group_of = grouping.group_of()
    touched = [frozenset(group_of[k] for k, _ in uses if k in group_of) for uses in citations]
    sizes = [len(g) for g in grouping.groups]
    homes = [frozenset(home) for home in pack(sizes, size)]
    home_of = {g: n for n, home in enumerate(homes) for g in home}
    sets: list[set[int]] = [set(h) for h in homes]
    renders: list[set[int]] = [set() for _ in homes]
    for n, groups in enumerate(touched):
        if not groups:
            continue
        owners = {home_of[g] for g in groups}
        if len(owners) == 1:
            renders[owners.pop()].add(n)
            continue
        fits = [b for b in range(len(homes), len(sets))
                if groups <= sets[b] or sum(sizes[g] for g in sets[b] | groups) <= size]
        if fits:
            target = min(fits, key=lambda b: len(groups - sets[b]))
        else:
            sets.append(set())
            renders.append(set())
            target = len(sets) - 1
        sets[target] |= groups
        renders[target].add(n)
    plan = []
    for b, groups in enumerate(sets):
        pieces: list[tuple[int, int | None]] = []
        seen: set[Use] = set()
        keys: set[str] = set()
        renderings = 0
        for n, t in enumerate(touched):
            if n in renders[b]:
                pieces.append((n, None))
                seen.update(citations[n])
                keys.update(k for k, _ in citations[n])
                renderings += len(citations[n])
            elif t & groups:
                for i, use in enumerate(citations[n]):
                    if group_of.get(use[0]) in groups and use not in seen:
                        seen.add(use)
                        pieces.append((n, i))
                        keys.add(use[0])
                        renderings += 1
        entries = frozenset(k for g in groups for k in grouping.groups[g]) if b < len(homes) else frozenset()
        plan.append(Batch(frozenset(groups), tuple(pieces), frozenset(renders[b]), entries, len(keys), renderings))
    return plan


def pack(sizes: Sequence[int], size: int) -> list[list[int]]:
    """Indexes of ``sizes`` packed into bins of about ``size`` (an item larger than that alone)."""
    bins: list[list[int]] = []
    totals: list[int] = []
    for n in sorted(range(len(sizes)), key=lambda n: sizes[n], reverse=True):
        target = min(range(len(bins)), key=lambda b: totals[b], default=None)
        if target is not None and totals[target] + sizes[n] <= size:
            bins[target].append(n)
            totals[target] += sizes[n]
        else:
            bins.append([n])
            totals.append(sizes[n])
    return bins
