"""An adversarial corpus for the citation differential: bibliographies and Pandoc Markdown documents of
the kinds that break shortcuts around citeproc, and wording edits that leave the citations alone.

Bibliographies hold what policy and IR literature is made of: an organisation's several reports in
one year, works known only by their title, interviews and reviews, names with particles, diacritics
and non-Latin scripts, Indonesian single names, names citeproc reads from Zotero's Extra field, names
that print alike in an alphanumeric label (Smith/Smithson), and author lists of 3, 6 and 21+ names.
Documents cite them in every shape pandoc knows (prefixes, suffixes, locators, suppress-author,
author-in-text, several works in one citation, in footnotes, next to quotes and punctuation).

Used by ``tests/test_citations_identical.py`` (a fast subset) and ``bench/differential.py`` (the
full corpus). Every value is generated from a seed: a failure names its style and seed.
"""

from __future__ import annotations

import random
import re
from typing import Any

# name: what kind of style it is (for reading a failure)
STYLES = {
    "apa": "author-date",
    "harvard-cite-them-right": "author-date",
    "elsevier-harvard": "author-date",
    "springer-basic-author-date": "author-date",
    "american-political-science-association": "author-date",
    "chicago-author-date": "author-date",
    "modern-language-association": "author-page",
    "din-1505-2-alphanumeric": "alphanumeric",
    "ieee": "numeric",
    "american-medical-association": "numeric, superscript",
    "chicago-notes-bibliography": "note",
}

FAMILIES = ["Smith", "Smithson", "Santoso", "Nguyễn", "Nguyen", "Tran", "Müller", "Muller", "Çelik", "Ødegaard",
            "Okafor", "Lee", "Li", "Wijaya", "García Márquez", "O'Neil"]
GIVENS = ["John", "Jane", "Joko", "Ayu", "Anh", "Budi", "Mai Thi", "J. R.", "Jean-Luc", "Siti", "Đức"]
PARTICLES = [{"family": "Berg", "non-dropping-particle": "van der"},
             {"family": "Gaulle", "non-dropping-particle": "de", "given": "Charles"},
             {"family": "Humboldt", "dropping-particle": "von", "given": "Alexander"},
             {"family": "Rashid", "non-dropping-particle": "al-", "given": "Ahmad"},
             {"family": "Dijk", "non-dropping-particle": "van", "given": "Jan"},
             {"family": "Dijk", "given": "Jan"}]
NON_LATIN = [{"family": "中村", "given": "健"}, {"family": "Иванов", "given": "Иван"},
             {"family": "محمد", "given": "علي"}, {"family": "김", "given": "민수"}, {"family": "Ἀριστοτέλης"}]
SINGLE_NAMES = [{"given": "Sukarno"}, {"given": "Suharto"}, {"family": "Soekarno"}, {"literal": "Sukarno"}]
ORGS = ["International Organization for Migration", "World Bank", "ASEAN Secretariat", "Kementerian Luar Negeri",
        "United Nations Office on Drugs and Crime", "IOM", "Smith Institute"]
WORDS = ["trafficking", "migration", "protection", "victims", "border", "labour", "policy", "ASEAN", "Smith",
         "regional", "cooperation", "law", "perlindungan", "pekerja", "migran", "kebijakan", "Indonesia"]
TITLES = ["Annual report", "Laporan tahunan", "Migration outlook", "Country brief", "Policy note"]


def _person(rng: random.Random) -> dict[str, str]:
    roll = rng.random()
    if roll < 0.15:  # a name of one's own that an alphanumeric label cuts short like others ("Sula")
        return {"family": "Sula" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5)),
                "given": rng.choice(GIVENS)}
    roll = rng.random()
    if roll < 0.12:
        return dict(rng.choice(PARTICLES))
    if roll < 0.2:
        return dict(rng.choice(NON_LATIN))
    if roll < 0.24:
        return dict(rng.choice(SINGLE_NAMES))
    if roll < 0.26:
        return {"family": "", "given": rng.choice(GIVENS)}  # an empty family name
    return {"family": rng.choice(FAMILIES), "given": rng.choice(GIVENS)}


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))).capitalize()


def _year(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.08:
        return {"date-parts": [[rng.choice([2020, 2021]), rng.randint(1, 12), rng.randint(1, 28)]]}
    return {"date-parts": [[rng.choice([2019, 2020, 2020, 2020, 2021])]]}


def bibliography(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """``n`` CSL JSON items (ids ``r0000``…), each of one adversarial kind."""
    people = [_person(rng) for _ in range(max(3, n // 3))]  # each person has about three works
    items: list[dict[str, Any]] = []
    for i in range(n):
        item: dict[str, Any] = {"id": f"r{i:04d}", "type": "book", "title": _title(rng), "publisher": "Penerbit"}
        roll = rng.random()
        if roll < 0.16:  # an organisation's several reports in one year
            item.update(type="report", author=[{"literal": rng.choice(ORGS)}], title=rng.choice(TITLES),
                        publisher=rng.choice(ORGS))
        elif roll < 0.24:  # known by its title only (a web page, a bill, a standard)
            item.update(type=rng.choice(["webpage", "bill", "standard", "report"]),
                        title=rng.choice([*TITLES, _title(rng)]))
            if rng.random() < 0.5:
                item["publisher"] = rng.choice(ORGS)
            if rng.random() < 0.3:
                item["authority"] = rng.choice(ORGS)
        elif roll < 0.29:  # an interview
            item.update(type="interview", author=[rng.choice(people)], interviewer=[rng.choice(people)])
            if rng.random() < 0.5:
                del item["title"]
        elif roll < 0.34:  # a review, sometimes with only the reviewed author named
            item.update(type=rng.choice(["review-book", "review", "article-newspaper"]),
                        **{"reviewed-author": [rng.choice(people)], "reviewed-title": _title(rng),
                           "container-title": "Kompas"})
            if rng.random() < 0.6:
                item["author"] = [rng.choice(people)]
        elif roll < 0.38:  # names only in Zotero's Extra field
            who = rng.choice(people)
            item["note"] = f"author: {who.get('family', '')} || {who.get('given', '')}"
        elif roll < 0.44:  # long author lists
            item["author"] = [rng.choice(people) for _ in range(rng.choice([3, 6, 21, 23]))]
        elif roll < 0.5:
            item["editor"] = [rng.choice(people)]
            item["type"] = "book"
        else:
            item["author"] = [rng.choice(people) for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))]
            item["type"] = rng.choice(["book", "article-journal", "chapter", "thesis", "report"])
            if item["type"] == "article-journal":
                item["container-title"] = rng.choice(["Jurnal Hubungan Internasional", "Global Policy"])
            if item["type"] == "chapter":
                item["container-title"] = _title(rng)
        if rng.random() > 0.07:
            item["issued"] = _year(rng)
        if rng.random() < 0.2:
            item["language"] = rng.choice(["id-ID", "en-US"])
        items.append(item)
    return items


LOCATORS = ["p. {n}", "pp. {n}-{m}", "chap. {n}", "sec. {n}.{m}", "hlm. {n}", "para. {n}", "{n}"]


def _locator(rng: random.Random) -> str:
    return rng.choice(LOCATORS).format(n=rng.randint(1, 300), m=rng.randint(1, 9))


def cite(rng: random.Random, keys: list[str]) -> str:
    """One Pandoc Markdown citation of ``keys``' works, in any of pandoc's shapes."""
    a, b, c = (rng.choice(keys) for _ in range(3))
    roll = rng.random()
    if roll < 0.25:
        return f"[@{a}]"
    if roll < 0.4:
        return f"[@{a}, {_locator(rng)}]"
    if roll < 0.5:
        return f"[@{a}; @{b}]"
    if roll < 0.55:
        return f"[@{a}, {_locator(rng)}; @{b}; @{c}, {_locator(rng)}]"
    if roll < 0.65:
        return f"@{a}"
    if roll < 0.7:
        return f"@{a} [{_locator(rng)}]"
    if roll < 0.78:
        return f"[-@{a}]" if rng.random() < 0.5 else f"[-@{a}, {_locator(rng)}]"
    if roll < 0.84:
        return f"[see @{a}, {_locator(rng)}; also @{b}]"
    if roll < 0.88:
        return f"[*cf.* @{a}, and the works cited there]"
    if roll < 0.92:
        return f"[@{a}, {_locator(rng)} ed.]"  # a suffix ending in a period
    if roll < 0.96:
        return f"[lihat @{a}; dan @{b}]"
    return f"[@{a}; @{a}, {_locator(rng)}]"


def _sentence(rng: random.Random, keys: list[str], notes: bool = True) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))).capitalize()
    roll = rng.random()
    if roll < 0.45:
        return f"{words} {cite(rng, keys)}."
    if roll < 0.55:
        return f"{cite(rng, keys)} {words}."
    if roll < 0.65:
        return f'"{words}" {cite(rng, keys)}.'
    if roll < 0.72:
        return f'"{words}," {cite(rng, keys)} {rng.choice(WORDS)}.'
    if roll < 0.8:
        if not notes:
            return f"{words}, {rng.choice(['see', 'lihat'])} {cite(rng, keys)}."
        return f"{words}.^[{rng.choice(['See', 'Lihat'])} {cite(rng, keys)}.]"
    if roll < 0.86:
        return f"{words} {cite(rng, keys)}; {rng.choice(WORDS)} {cite(rng, keys)}."
    if roll < 0.9:
        return f"{words}{cite(rng, keys)}."  # no space before the citation
    return f"{words}."


def document(rng: random.Random, keys: list[str], paragraphs: int, notes: bool = True) -> list[str]:
    """The document's blocks (join with blank lines): headings, paragraphs, a list and a table; footnotes unless
    ``notes`` is off."""
    blocks = [f"# {rng.choice(['Pendahuluan', 'Introduction'])}"]
    for p in range(paragraphs):
        if p and rng.random() < 0.08:
            blocks.append(f"## {_title(rng)}")
        if rng.random() < 0.05:
            blocks.append("\n".join(f"- {_sentence(rng, keys, notes)}" for _ in range(rng.randint(1, 3))))
            continue
        if rng.random() < 0.03:
            rows = "\n".join(f"| {cite(rng, keys)} | x |" for _ in range(2))
            blocks.append(f"| Sumber | Temuan |\n|---|---|\n{rows}")
            continue
        blocks.append(" ".join(_sentence(rng, keys, notes) for _ in range(rng.randint(1, 4))))
    return blocks


EDITS = ["reworded", "Reworded wording,", "sebagaimana dicatat", '"quoted"', "(ringkas)"]


def edit_wording(rng: random.Random, blocks: list[str]) -> list[str]:
    """The document with one paragraph's wording changed and its citations left as they are: a word
    added or removed, at the start, the end or next to a citation (where pandoc moves punctuation)."""
    candidates = [i for i, b in enumerate(blocks) if not b.startswith(("#", "|", "-"))]
    i = rng.choice(candidates)
    text = blocks[i]
    roll = rng.random()
    if roll < 0.4:
        text = f"{rng.choice(EDITS)} {text}"
    elif roll < 0.6:
        text = f"{text} {rng.choice(EDITS).capitalize()}."
    elif roll < 0.8 and "]." in text:
        at = text.index("].")
        text = text[:at + 1] + rng.choice([".", ",", "", " and so on"]) + text[at + 2:]
    else:  # a word of the prose before the first citation, footnote or quotation mark
        head = re.split(r'[\[@^"]', text, maxsplit=1)[0]
        words = head.split(" ")
        if len(words) > 1:
            words[rng.randrange(len(words) - 1)] = rng.choice(EDITS)
        text = " ".join(words) + text[len(head):]
    return [*blocks[:i], text, *blocks[i + 1:]]


def case(style: str, seed: int, references: int,
         notes: bool = True) -> tuple[list[dict[str, Any]], list[str], list[str], str]:
    """A bibliography, a document citing it (with footnotes unless ``notes`` is off), the same document after a
    wording edit, and its language."""
    rng = random.Random(f"{style}:{seed}:{references}")
    items = bibliography(rng, references)
    keys = [item["id"] for item in items]
    blocks = document(rng, keys, max(4, references // 2), notes)
    edited = edit_wording(rng, blocks)
    return items, blocks, edited, rng.choice(["id-ID", "en-US"])
