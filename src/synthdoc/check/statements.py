"""Statements true to their sources: the numbers, names and negations of every text a document prints as
resting on a source (a claim's ``says`` and ``short`` in each language, its ``translation:``, and each
point's statement) must stand in its evidence.

The evidence of a claim is its quote plus the passage its locator names in the source's text (the section,
chapter or page), so that context carried over from the same passage passes; a name may also stand anywhere
in the source's own text. A point's evidence is the evidence of the claims that back it. What the author
infers on purpose is declared on the claim (``infers: ["2021"]``) and shown to readers as the author's.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from ..core.diagnostics import Diagnostic, Severity, warning
from ..core.project import Point, Project
from ..core.schema import Localized
from ..core.warm import Memo
from ..sources.claims import Claim, Locator, Source
from ..sources.quotes import fold
from ..sources.texts import SourceText

CODES = ("statement-number", "statement-name", "statement-negation", "statement-polarity-unchecked")

# --- numbers ------------------------------------------------------------------------------------------------

# Digits not glued to a word (BP2MI, COVID-19 are names), with Indonesian or English separators, an ordinal or
# plural ending (3rd, 1990s), "ke-3", then a multiplier word and a percent sign or word.
_DIGITS = re.compile(
    r"(?:(?<=\bke-)|(?<=\bKe-)|(?<![\w.,])(?<![^\W\d_]-))(\d+(?:[.,]\d+)*)(?:st|nd|rd|th|s)?(?![^\W_])"
    r"(?:\s*(ratus|hundred|ribu|juta|miliar|milyar|triliun|thousand|million|billion|trillion)\b)?"
    r"(\s*(?:%|persen\b|per\s?cent\b|percent\b))?", re.IGNORECASE)
_SCALES = {"ratus": 100, "hundred": 100, "ribu": 1000, "thousand": 1000, "juta": 10**6, "million": 10**6,
           "miliar": 10**9, "milyar": 10**9, "billion": 10**9, "triliun": 10**12, "trillion": 10**12}
_SMALL = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000, "sejuta": 10**6,
    "semiliar": 10**9,
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100, "thousandth": 1000, "millionth": 10**6,
    "pertama": 1,
}
_ORDINALS |= {f"ke{word}": value for word, value in _SMALL.items() if value and word.isascii()
              and word in ("satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
                           "sepuluh", "sebelas", "seratus", "seribu")}
# Number words a statement uses as ordinary words: "one of", "salah satu", "the first", "kedua" (both).
_IDIOMS = {"one", "satu", "first", "pertama", "kesatu", "kedua", "second"}
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_ANY_DIGIT = re.compile(r"\d")
# Every word that may be (part of) a number: a text holding none of them and no digit holds no number.
_NUMBER_WORDS = frozenset(_SMALL) | frozenset(_ORDINALS) | frozenset(_SCALES) | {"puluh", "belas"} | {
    f"{a}-{b}" for a in _SMALL for b in _SMALL if _SMALL[a] in range(20, 100, 10) and 0 < _SMALL[b] < 10}


@dataclass(frozen=True)
class Number:
    shown: str  # as the text writes it
    values: frozenset[Decimal]
    percent: bool
    idiom: bool = False  # a number word that is also an ordinary word ("one of", "kedua" = both)


def numbers(text: str, parts: bool = False) -> list[Number]:
    """Every number a text holds: digits (Indonesian or English separators) and number words of both languages;
    with ``parts``, each word of a compound as well (evidence saying "dua puluh" also holds "dua")."""
    found: list[Number] = []
    if _NUMBER_WORDS.isdisjoint(_words(text)):
        if not _ANY_DIGIT.search(text):
            return found
    elif not _ANY_DIGIT.search(text):
        return list(_word_numbers(text)) + (_parts(text) if parts else [])
    for m in _DIGITS.finditer(text):
        values = _digit_values(m.group(1))
        if m.group(2):
            values = frozenset(v * _SCALES[m.group(2).lower()] for v in values)
        if values:
            found.append(Number(m.group(0).strip(), values, bool(m.group(3))))
    found += _word_numbers(text)
    return found + (_parts(text) if parts else [])


def _parts(text: str) -> list[Number]:
    return [Number(w, frozenset({Decimal(_SMALL[w.lower()])}), False) for w in _WORD.findall(text)
            if w.lower() in _SMALL]


def _digit_values(token: str) -> frozenset[Decimal]:
    """``10.000`` is ten thousand (Indonesian) or ten (English); ``1,5`` is one and a half or fifteen hundred:
    every reading a writer of either language may mean."""
    values = set()
    for thousands, decimal in ((",", "."), (".", ",")):
        head, _, tail = token.partition(decimal)
        if decimal in tail:
            continue
        groups = head.split(thousands)
        if len(groups) > 1 and (not groups[0] or any(len(g) != 3 for g in groups[1:])):
            continue
        try:
            values.add(Decimal("".join(groups) + (f".{tail}" if tail else "")).normalize())
        except InvalidOperation:
            continue
    return frozenset(values)


def _word_numbers(text: str) -> Iterator[Number]:
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    i = 0
    while i < len(words):
        low = words[i][0].lower()
        if low in _ORDINALS:
            yield Number(words[i][0], frozenset({Decimal(_ORDINALS[low])}), False, low in _IDIOMS)
            i += 1
            continue
        j, value = _cardinal(words, i)
        if j > i and low in _SCALES and text[:words[i][1]].rstrip()[-1:].isdigit():
            j = i  # "1,5 juta": the digits' multiplier, read with them
        if j == i:
            i += 1
            continue
        shown = text[words[i][1]:words[j - 1][2]]
        percent = (j < len(words) and words[j][0].lower() in ("persen", "percent")) or \
            (j + 1 < len(words) and f"{words[j][0]} {words[j + 1][0]}".lower() == "per cent")
        yield Number(shown, frozenset({Decimal(value)}), percent, j == i + 1 and low in _IDIOMS)
        i = j


def _cardinal(words: list[tuple[str, int, int]], i: int) -> tuple[int, int]:
    """The number words from ``words[i]`` on (``dua puluh tiga``, ``twenty-one``, ``three hundred``): where
    they end, and their value."""
    total = current = 0
    j = i
    seen = False
    while j < len(words):
        parts = words[j][0].lower().split("-")
        if not all(p in _SMALL or p in _SCALES or p in ("puluh", "belas") for p in parts):
            if seen and parts == ["and"] and j + 1 < len(words) and words[j + 1][0].lower() in _SMALL:
                j += 1
                continue
            break
        if not seen and parts[0] in ("puluh", "belas", "ratus"):
            break
        for part in parts:
            if part == "puluh":
                current = (current or 1) * 10
            elif part == "belas":
                current = (current or 1) + 10
            elif part in _SCALES and _SCALES[part] == 100:
                current = (current or 1) * 100
            elif part in _SCALES:
                total += (current or 1) * _SCALES[part]
                current = 0
            else:
                current += _SMALL[part]
        seen = True
        j += 1
    return j, total + current


def _value_set(items: Iterable[Number]) -> tuple[set[Decimal], set[Decimal]]:
    """All values, and those written as percentages."""
    values: set[Decimal] = set()
    percents: set[Decimal] = set()
    for n in items:
        values |= n.values
        if n.percent:
            percents |= n.values
    return values, percents


# --- names --------------------------------------------------------------------------------------------------

_NAME = re.compile(r"[^\W_][\w]*(?:[-'’][\w]+)*")
_ENDS_SENTENCE = re.compile(r"[.!?:;]|\n\s*\n")
# Words that join the parts of a name: International Organization *for* Migration, Badan *Pelindungan*.
_JOINERS = {"of", "for", "and", "the", "on", "in", "to", "against", "dan", "untuk", "bagi", "atas", "di", "ke",
            "dari", "pada", "tentang", "de", "la", "&"}
# Names said one way in Indonesian, another in English (each folded, as alternatives of one another).
_TRANSLATED = [
    {"asean", "perhimpunan bangsa-bangsa asia tenggara"}, {"southeast", "south-east", "tenggara"}, {"asia", "asian"},
    {"philippines", "philippine", "filipina", "filipino"}, {"vietnam", "viet nam"}, {"cambodia", "kamboja"},
    {"singapore", "singapura"}, {"japan", "jepang"}, {"china", "tiongkok", "cina", "chinese"},
    {"united nations", "perserikatan bangsa-bangsa", "pbb", "un"}, {"ngo", "lsm", "lembaga swadaya masyarakat"},
    {"pacific", "pasifik"}, {"sumatra", "sumatera"}, {"java", "jawa"}, {"east", "timur"}, {"west", "barat"},
    {"north", "utara"}, {"south", "selatan"}, {"netherlands", "dutch", "belanda"}, {"arabia", "arab"},
    {"middle east", "timur tengah"}, {"europe", "european", "eropa"}, {"america", "american", "amerika"},
    {"africa", "afrika"}, {"united states", "amerika serikat", "as", "us"}, {"laos", "lao"},
    {"myanmar", "burma"}, {"thailand", "thai"}, {"indonesia", "indonesian", "indonesians"},
    {"malaysia", "malaysian"}, {"australia", "australian"},
]
_ALTERNATIVES = {word: group for group in _TRANSLATED for word in group}


def _is_acronym(word: str) -> bool:
    return word[1:] != word[1:].lower() and sum(ch.isupper() for ch in word) >= 2


def _names(text: str) -> list[list[str]]:
    """The names a statement holds, as runs of words (``International Organization for Migration``):
    acronyms anywhere, capitalised words not at the start of a sentence."""
    rest = text[1:]
    if rest.lower() == rest:
        return []  # at most the first word is capitalised, and it starts the sentence
    plain = _plain(text)
    runs: list[list[str]] = []
    run: list[str] = []
    previous = 0  # where the word before ends
    for m in _NAME.finditer(plain):
        word = m.group(0)
        between = plain[previous:m.start()]
        initial = previous == 0 or _ENDS_SENTENCE.search(between) is not None
        previous = m.end()
        joined = between.strip() in ("", "-")
        if _is_acronym(word) or (word[0].isupper() and not initial):
            if run and not joined:
                runs.append(run)
                run = []
            run.append(word)
        elif run and word.lower() in _JOINERS and joined:
            run.append(word.lower())
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return [[w for w in r if w not in _JOINERS] or r for r in runs]


def _plain(text: str) -> str:
    return text.replace("*", " ").replace("_", " ")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", fold(text).replace("\u00ad", "")).lower()
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def _variants(word: str) -> set[str]:
    """A name as the evidence may write it: its possessive and plural dropped, a demonym's country."""
    low = _folded(word)
    forms = {low, re.sub(r"'s$", "", low)}
    for form in list(forms):
        if form.endswith("s") and (_is_acronym(word) or len(form) > 4):
            forms.add(form[:-1])  # NGOs, Persons
        for suffix, country in (("ese", ""), ("ian", "ia"), ("an", "a"), ("n", ""), ("i", "")):
            if form.endswith(suffix) and len(form) > len(suffix) + 3:
                forms.add(form[: -len(suffix)] + country)
    for form in list(forms):
        forms |= _ALTERNATIVES.get(form, set())
    return forms


@dataclass
class Haystack:
    """Where a name may stand: the folded texts, their words, and the acronyms their names spell."""

    texts: tuple[str, ...]

    @cached_property
    def folded(self) -> str:
        return "\n".join(_folded(t) for t in self.texts)

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(re.findall(r"[^\W_][\w]*(?:[-'][\w]+)*", self.folded)) | \
            frozenset(re.findall(r"[^\W_]+", self.folded))

    @cached_property
    def spelled(self) -> frozenset[str]:
        """Acronyms the texts spell out: the initials of each run of capitalised words (skipping joiners)."""
        found: set[str] = set()
        for text in self.texts:
            words = [w for w in _NAME.findall(_plain(text))]
            for i, word in enumerate(words):
                if not word[:1].isupper():
                    continue
                initials = ""
                for nxt in words[i:i + 12]:
                    if nxt.lower() in _JOINERS:
                        continue
                    if not nxt[:1].isupper():
                        break
                    initials += "".join(p[0] for p in nxt.split("-") if p)
                    found.add(initials.lower())
        return frozenset(found)

    @cached_property
    def spelled_plain(self) -> frozenset[str]:
        """Acronyms of three to six letters spelled by as many words in a row, in any case: Indonesian
        spells SDM as "sumber daya manusia"."""
        words = re.findall(r"[^\W\d_]+", self.folded)
        return frozenset("".join(w[0] for w in words[i:i + n]) for n in range(3, 7) for i in range(len(words) - n + 1))

    def has(self, word: str) -> bool:
        for form in _variants(word):
            if " " in form or ("-" in form and form not in self.words):
                if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", self.folded):
                    return True
            elif form in self.words:
                return True
        if not _is_acronym(word):
            return False
        letters = re.sub(r"[^a-z]", "", _folded(re.sub(r"s$", "", word)))
        return letters in self.spelled or (3 <= len(letters) <= 6 and letters in self.spelled_plain)


# --- negations ----------------------------------------------------------------------------------------------

NEGATORS = {"tidak", "belum", "bukan", "tanpa", "tak", "kurang", "kurangnya", "jangan", "tiada", "takkan", "tidaklah",
            "bukanlah", "belumlah", "not", "no", "never", "without", "cannot", "none", "nothing", "nobody",
            "neither", "nor", "nowhere", "fail", "fails", "failed", "failing"}
_PREFIXES = ("un", "in", "im", "il", "ir")  # English un-/in- forms; Indonesian non- makes terms (nonnegara)
_LACK = {"rendah", "rendahnya", "minim", "minimnya", "lemah", "lemahnya", "terbatas", "keterbatasan", "sedikit",
         "buruk", "low", "poor", "weak", "little", "few", "lack", "lacks", "lacking", "scarce", "limited",
         "shortage", "meagre", "meager", "insufficient", "kekurangan"}
_STOP = {"yang", "dan", "atau", "di", "ke", "dari", "untuk", "pada", "dengan", "secara", "hanya", "bisa", "dapat",
         "cukup", "sepenuhnya", "lagi", "akan", "juga", "masih", "ada", "itu", "ini", "the", "a", "an", "to", "be",
         "is", "are", "was", "were", "only", "yet", "fully", "been", "have", "has", "of", "in", "and", "or", "its",
         "their", "one", "any", "more", "longer", "enough", "shall", "will", "can", "may", "must", "boleh", "perlu",
         "harus", "terlalu", "very", "too", "so", "begitu", "sangat"}
_TOKENS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@lru_cache(maxsize=8192)
def _tokens(text: str) -> list[str]:
    """The words of a text, in lower case (kept: a claim's quote is read for each of its statements; callers
    do not change the list)."""
    return _TOKENS.findall(text.lower().replace("’", "'"))


def negations(tokens: list[str], vocabulary: set[str]) -> Counter[str]:
    """The negations of a text: its negating words (``tidak``, ``not``, ``don't``, ``ketidakadilan``) and its
    un-/in-/non- forms of words that ``vocabulary`` holds without the prefix (``ineffective``: effective)."""
    found: Counter[str] = Counter()
    for token in tokens:
        if _is_negation(token, vocabulary):
            found[token] += 1
    return found


def _negated_stem(token: str, vocabulary: set[str]) -> str | None:
    if token[:2] not in _PREFIXES or len(token) < 6:
        return None
    for prefix in _PREFIXES:
        stem = token[len(prefix):]
        if token.startswith(prefix) and len(stem) >= 4 and stem in vocabulary:
            return stem
    return None


def _negated_words(tokens: list[str], vocabulary: set[str], reach: int, back: int = 0,
                   lack: bool = False) -> set[str]:
    """The words a negation bears on: up to ``reach`` words after a negating word (and ``back`` before it:
    Indonesian says "koordinasi masih kurang"), the stem of an un- form; with ``lack``, words of lack
    ("keterbatasan anggaran") count as negating."""
    out: set[str] = set()
    for i, token in enumerate(tokens):
        if token in NEGATORS or token.endswith("n't") or (lack and token in _LACK):
            out |= {t for t in tokens[max(0, i - back):i + 1 + reach] if t not in _STOP and t not in NEGATORS}
        elif (stem := _negated_stem(token, vocabulary)) is not None:
            out.add(stem)
    return out


# --- the check ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a statement may rest on: quotes and their passages (numbers, names, negations), whole source texts
    (names), the author's own translations (polarity across languages) and declared inferences."""

    quotes: tuple[tuple[str, str], ...]  # (text, language)
    passages: tuple[tuple[str, str], ...]  # (text, "section 4 of udhr1948.md")
    texts: tuple[str, ...] = ()
    infers: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # the source texts' names, for messages

    @cached_property
    def numbers(self) -> tuple[set[Decimal], set[Decimal]]:
        return _value_set(n for t, _ in self.quotes for n in numbers(t, parts=True))

    @cached_property
    def passage_numbers(self) -> tuple[set[Decimal], set[Decimal]]:
        return _value_set(n for t, _ in self.passages for n in numbers(t, parts=True))

    @cached_property
    def inferred_numbers(self) -> set[Decimal]:
        return _value_set(n for t in self.infers for n in numbers(t))[0]

    @cached_property
    def near(self) -> Haystack:
        return Haystack(tuple(t for t, _ in self.quotes) + tuple(t for t, _ in self.passages) + self.infers)

    @cached_property
    def far(self) -> Haystack:
        return Haystack(self.texts)

    def where(self) -> str:
        """``neither in the quote nor in section 4 of udhr1948.md``: the evidence, as a message names it."""
        quotes = "the quote" if len(self.quotes) == 1 or not self.passages else "the quotes of its claims"
        if not self.passages:
            return f"not in {quotes}"
        return f"neither in {quotes} nor in {', '.join(dict.fromkeys(where for _, where in self.passages))}"

    def where_named(self, shown: tuple[str, ...]) -> str:
        """Where a name was looked for: the quote, and the whole of each source's text."""
        quotes = "the quote" if len(self.quotes) == 1 else "the quotes of its claims"
        return f"neither in {quotes} nor anywhere in {', '.join(shown)}" if shown else f"not in {quotes}"


@dataclass(frozen=True)
class Statement:
    """A text printed as resting on a source, where it stands."""

    text: str
    lang: str  # base language ("id", "en"), "" when unknown
    what: str  # "claim 'x' says (en)", "point 'y' (id)"
    path: str
    line: int
    col: int


def check_statements(project: Project, sources: tuple[Source, ...], texts: dict[str, SourceText]) -> list[Diagnostic]:
    """Every statement of every claim and point against its evidence."""
    diags: list[Diagnostic] = []
    checked: dict[str, tuple[Claim, Source]] = {}
    for source in sources:
        text = texts.get(source.key)
        for claim in source.claims:
            if claim.draft:
                continue  # documents leave it out
            checked[claim.ref] = (claim, source)
            if not _quiet(claim, source.lang):
                diags += _check_claim(claim, source, claim_evidence(claim, source, text), text)
    by_point: dict[str, list[tuple[Claim, Source]]] = {}
    for claim, source in checked.values():
        if claim.point:
            by_point.setdefault(claim.point, []).append((claim, source))
    for point in project.points:
        backers = by_point.get(point.id, [])
        if backers:
            diags += _check_point(project, point, [claim_evidence(c, s, texts.get(s.key)) for c, s in backers],
                                  [_base(s.lang) for _, s in backers])
    return diags


def _quiet(claim: Claim, lang: str) -> bool:
    """Whether a glance shows that no statement of a claim holds a number, a name or a negation, nor its quote a
    negation, and none is in another language than the quote (most claims: they are read no further)."""
    statements = [*claim.says.values(), *claim.short.values(), *claim.translation.values()]
    if any(rest != rest.lower() for text in statements if (rest := text[1:])):
        return False
    qlang = _base(lang)
    if qlang and any(key != "*" and _base(key) != qlang for key in (*claim.says, *claim.short)):
        return False
    said = _words("\n".join(statements), keep=False)
    quoted = _words(claim.quote)
    return not (said.numeric or said.negating or quoted.negating
                or any(stem in said or stem in quoted for stem in (*said.stems, *quoted.stems)))


def check_text(text: str, lang: str, evidence: Evidence) -> list[Diagnostic]:
    """One statement in ``lang`` against ``evidence`` whose first quote is in the same language (the bench and
    the property tests ask this of statements that stand in no file)."""
    statement = Statement(text, _base(lang), "statement", "-", 1, 1)
    return _numbers_and_names(statement, evidence) + _polarity(statement, [(evidence.quotes[0][0], "the quote")],
                                                               evidence.infers)


@lru_cache(maxsize=256)
def _base(lang: str) -> str:
    return lang.split("-")[0].lower()


def _check_claim(claim: Claim, source: Source, ev: Evidence, text: SourceText | None) -> list[Diagnostic]:
    """A claim's statements (kept, for the process's next build, by its text's bytes and everything of the
    claim the check reads; made each time for a text not read from a file)."""
    if text is not None and not text.digest:
        return _claim_problems(claim, source, ev)
    key = (text.digest if text else "", text.shown if text else "", source.lang, claim.ref, claim.path, claim.line,
           claim.quote, claim.at, tuple(sorted(claim.says.items())), tuple(sorted(claim.short.items())),
           tuple(sorted(claim.translation.items())), claim.infers, tuple(sorted(claim.spots.items())))
    return list(_CLAIM_CHECKS.get(key, lambda: tuple(_claim_problems(claim, source, ev))))


_CLAIM_CHECKS = Memo()


def _claim_problems(claim: Claim, source: Source, ev: Evidence) -> list[Diagnostic]:
    qlang = _base(source.lang)
    diags: list[Diagnostic] = []
    unchecked = []
    context = tuple(t for t, _ in ev.passages)
    quoted = _words(claim.quote)
    stems = quoted.stems
    negating = quoted.negating or any(stem in quoted for stem in stems)
    for field, values in (("says", claim.says), ("short", claim.short), ("translation", claim.translation)):
        for lang, value in values.items():
            said = _words(value)
            if not (negating or said.numeric or said.capitals or said.negating
                    or (field != "translation" and qlang and lang != "*" and _base(lang) != qlang)
                    or (stems and not said.isdisjoint(stems))
                    or (said.stems and any(stem in said or stem in quoted for stem in said.stems))):
                continue  # no number, name or negation on either side: nothing to check
            line, col = claim.spots.get(f"{field}.{lang}", (claim.line, 1))
            slang = qlang if lang == "*" else _base(lang)
            label = f"claim '{claim.id}' {field}" + ("" if lang == "*" else f" ({lang})")
            statement = Statement(value, slang, label, claim.path, line, col)
            if field == "translation":  # against the quote (and other translations), not against itself
                diags += _numbers_and_names(statement, replace(ev, quotes=tuple(q for q in ev.quotes if q[0] != value)))
                continue  # the translation is what statements in its language are compared with
            diags += _numbers_and_names(statement, ev)
            if not qlang or not slang or slang == qlang:
                diags += _polarity(statement, [(claim.quote, "the quote")], ev.infers, context=context)
            elif (translated := _in(claim.translation, slang)) is not None:
                diags += _polarity(statement, [(translated, f"the translation ({slang})")], ev.infers)
            elif field == "says" and _in(claim.says, qlang) is None:
                unchecked.append(statement)
    if unchecked:
        first = unchecked[0]
        diags.append(Diagnostic(first.path, first.line, first.col, Severity.NOTE, f"{first.what}: the negations of "
                                f"this statement were not checked: the quote is in '{qlang}' and the claim has "
                                f"neither says ({qlang}) nor translation ({first.lang}) to compare it with; add "
                                f"translation: {{{first.lang}: ...}}", "statement-polarity-unchecked"))
    return diags


def _in(text: Localized, lang: str) -> str | None:
    for key, value in text.items():
        if _base(key) == lang:
            return value
    return None


def _check_point(project: Project, point: Point, evidence: list[Evidence], langs: list[str]) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    merged = Evidence(tuple(q for ev in evidence for q in ev.quotes),
                      tuple(dict.fromkeys(p for ev in evidence for p in ev.passages)),
                      tuple(dict.fromkeys(t for ev in evidence for t in ev.texts)),
                      tuple(dict.fromkeys(t for ev in evidence for t in ev.infers)) + point.infers,
                      tuple(dict.fromkeys(t for ev in evidence for t in ev.shown)))
    for lang, value in point.says.items():
        line, col = point.spots.get(f"says.{lang}", (point.line, 1))
        slang = _base(lang)
        statement = Statement(value, slang, f"point '{point.id}'" + ("" if lang == "*" else f" ({lang})"),
                              str(project.config_path), line, col)
        diags += _numbers_and_names(statement, merged)
        same = [(q, "the quotes of its claims") for q, ql in merged.quotes if ql == slang or lang == "*" or not ql]
        if same:
            context = tuple(t for ev, ql in zip(evidence, langs, strict=True) if ql == slang or lang == "*" or not ql
                            for t, _ in ev.passages)
            diags += _polarity(statement, same, merged.infers, point=True, context=context)
    return diags


def claim_evidence(claim: Claim, source: Source, text: SourceText | None) -> Evidence:
    """A claim's quote (and the author's translations of it), the passage its locator names, its source's text."""
    quotes = ((claim.quote, _base(source.lang)),
              *((value, _base(lang)) for lang, value in claim.translation.items()))
    passage = _passage(claim.at, text) if text is not None and claim.at is not None else None
    return Evidence(quotes, (passage,) if passage else (), (text.text,) if text is not None else (), claim.infers,
                    (text.shown,) if text is not None else ())


def _passage(at: Locator, text: SourceText) -> tuple[str, str] | None:
    """The passage of ``text`` that a locator names (read once per text and locator: its claims share it)."""
    return _PASSAGES.get((text.shown, text.digest, text.labels, at), lambda: passage_of(at, text)) if text.digest \
        else passage_of(at, text)


_PASSAGES = Memo()


def passage_of(at: Locator, text: SourceText) -> tuple[str, str] | None:
    """The passage of ``text`` that a locator names, and how a message names it; None when the text gives no
    such passage (a paragraph, a section that is not a heading of it)."""
    if at.kind == "page" and text.pages:
        ends = [part.strip() for part in re.split(r"[-–]", at.value, maxsplit=1)]
        indices = [text.page_of(end) for end in ends]
        if None in indices:
            return None
        first, last = indices[0], indices[-1]
        assert first is not None and last is not None
        starts = (*text.page_starts, len(text.text) + 1)
        return text.text[starts[first - 1]:starts[max(first, last)] - 1], f"page {at.value} of {text.shown}"
    headings = text.sections if at.kind == "section" else text.chapters if at.kind == "chapter" else {}
    if at.value not in headings:
        return None
    start = headings[at.value]
    later = [line for number, line in headings.items() if line > start
             and not (at.kind == "section" and number.startswith(at.value + "."))]
    lines = text.text.split("\n")
    return "\n".join(lines[start - 1:min(later, default=len(lines) + 1) - 1]), f"{at.kind} {at.value} of {text.shown}"


def _numbers_and_names(statement: Statement, ev: Evidence) -> list[Diagnostic]:
    diags = []
    reported: set[str] = set()
    for n in numbers(statement.text):
        if n.idiom or n.shown in reported or n.values & ev.inferred_numbers:
            continue
        values, percents = ev.numbers
        if _stands(n, values, percents):
            continue
        values, percents = ev.passage_numbers
        if _stands(n, values, percents):
            continue
        reported.add(n.shown)
        diags.append(warning(statement.path, statement.line, statement.col, f"{statement.what}: '{n.shown}' stands "
                             f"{ev.where()}{_holding(ev)}; correct it, or if it is your own inference "
                             f"add infers: [\"{n.shown}\"] to the {_owner(statement)}", "statement-number"))
    for run in _names(statement.text):
        if _run_stands(run, ev):
            continue
        for word in run:
            if word in _JOINERS or word in reported or ev.near.has(word) or ev.far.has(word):
                continue
            reported.add(word)
            diags.append(warning(statement.path, statement.line, statement.col, f"{statement.what}: '{word}' is "
                                 f"named {ev.where_named(ev.shown)}; correct it, or if you name it on your own "
                                 f"authority add infers: [\"{word}\"] to the {_owner(statement)}", "statement-name"))
    return diags


def _owner(statement: Statement) -> str:
    return "point" if statement.what.startswith("point") else "claim"


def _stands(n: Number, values: set[Decimal], percents: set[Decimal]) -> bool:
    return bool(n.values & (percents if n.percent else values))


def _holding(ev: Evidence) -> str:
    shown = list(dict.fromkeys(n.shown for t, _ in ev.quotes for n in numbers(t) if not n.idiom))[:6]
    one = len(ev.quotes) == 1
    if shown:
        return f" ({'the quote' if one else 'their quotes'} hold{'s' * one} {', '.join(shown)})"
    return f" ({'the quote holds' if one else 'their quotes hold'} no number)"


def _run_stands(run: list[str], ev: Evidence) -> bool:
    """A name stands when each of its words does, or the source spells it as the acronym of its initials."""
    words = [w for w in run if w not in _JOINERS]
    if all(ev.near.has(w) or ev.far.has(w) for w in words):
        return True
    if len(words) > 1:
        acronym = "".join(w[0] for w in words).lower()
        if acronym in ev.near.words or acronym in ev.far.words:
            return True
        phrase = _folded(" ".join(run))
        return phrase in ev.near.folded or phrase in ev.far.folded
    return False


def _polarity(statement: Statement, compared: list[tuple[str, str]], infers: tuple[str, ...],
              point: bool = False, context: tuple[str, ...] = ()) -> list[Diagnostic]:
    """A statement adds a negation its evidence does not hold, or drops one of a word it shares with it.
    A negation of a word the quote does not say passes when the passage (``context``, in the statement's
    language) says that word under a negation too."""
    if not _may_negate(statement.text, tuple(text for text, _ in compared)):
        return []  # nothing negated on either side
    said = _tokens(statement.text)
    evidence = [(_tokens(text), where) for text, where in compared]
    vocabulary = set(said).union(*(set(tokens) for tokens, _ in evidence))
    allowed = sum(negations(_tokens(t), set()).total() for t in infers)
    mine = negations(said, vocabulary)
    theirs = Counter[str]()
    for tokens, _ in evidence:
        theirs += negations(tokens, vocabulary)
    shared = set().union(*(set(tokens) - _negated_words(tokens, vocabulary, 6) for tokens, _ in evidence))
    relevant = sum(_bears_on(tokens, i, vocabulary) in (None, *said) for tokens, _ in evidence
                   for i, token in enumerate(tokens) if _is_negation(token, vocabulary))
    if mine.total() > relevant + allowed:
        # the extra negation bears on a word the evidence says without one
        bears = sorted(w for w in _negated_words(said, vocabulary, 2) & shared if len(w) >= 3)
        if not bears and context and not theirs:
            around = _negated_words([t for text in context for t in _tokens(text)], vocabulary, 4)
            bears = [w for i, t in enumerate(said) if _is_negation(t, vocabulary)
                     and (w := _bears_on(said, i, vocabulary)) is not None and w not in around and len(w) >= 3]
            compared = [(text, f"{where} nor its passage") for text, where in compared]
        if bears:
            extra = [w for w in mine if mine[w] > theirs[w]] or list(mine)
            holds = f"holds {theirs.total()} ({', '.join(theirs)})" if theirs else "holds none"
            return [warning(statement.path, statement.line, statement.col, f"{statement.what}: '{extra[0]}' "
                            f"negates '{bears[0]}', which {compared[0][1]} says without a negation (it {holds}); "
                            f"correct it, or if it is your own inference add infers: [\"{extra[0]}\"] to the "
                            f"{_owner(statement)}", "statement-negation")]
    free = set(said) - _negated_words(said, vocabulary, 6, back=4, lack=True)
    # "rendahnya kualitas" says what "kurangnya kualitas" says: a word of lack stands for a negation
    weakened = mine.total() + sum(t in _LACK for t in said)
    if point:  # a synthesis says less than all its quotes: a word they all say only under a negation
        joined = [t for tokens, _ in evidence for t in tokens]
        candidates = [(joined, compared[0][1])] if evidence else []
    else:
        candidates = [(tokens, where) for tokens, where in evidence
                      if negations(tokens, vocabulary).total() > weakened]
    for tokens, where in candidates:
        dropped = sorted(w for w in _always_negated(tokens, vocabulary) & free if len(w) >= 4)
        if dropped:
            negator = _negation_before(tokens, dropped[0], vocabulary)
            return [warning(statement.path, statement.line, statement.col, f"{statement.what}: '{dropped[0]}' is "
                            f"negated in {where} ('{negator}'), not in the statement: it drops the negation",
                            "statement-negation")]
    return []


def _may_negate(text: str, compared: tuple[str, ...]) -> bool:
    """Whether a statement or its evidence holds anything that negates: a negating word, or an un-/in- form
    of a word one of them holds (most statements and quotes hold none, and are read no further)."""
    words = [_words(text), *(_words(t) for t in compared)]
    if any(w.negating for w in words):
        return True
    return any(stem in w for prefixed in words for stem in prefixed.stems for w in words)


class _Words(frozenset[str]):
    """A text's set of words, with what a glance at it tells: whether it may hold a number (a digit or a
    number word), a name (a capital after its first letter), a negating word, and the stems of its
    un-/in- forms (negations if the other text holds the stem)."""

    numeric: bool
    capitals: bool
    negating: bool
    stems: tuple[str, ...]


def _words(text: str, keep: bool = True) -> _Words:
    """A glance at a text (kept for the texts read again: a quote for each of its statements)."""
    return _kept_words(text) if keep else _glance(text)


@lru_cache(maxsize=8192)
def _kept_words(text: str) -> _Words:
    return _glance(text)


def _glance(text: str) -> _Words:
    lowered = text.lower().translate(_SPACED)
    words = _Words(lowered.split())
    rest = text[1:]
    words.numeric = _ANY_DIGIT.search(text) is not None or not _NUMBER_WORDS.isdisjoint(words)
    words.capitals = rest != rest.lower()
    words.negating = not NEGATORS.isdisjoint(words) or "n't" in lowered or "ketidak" in lowered \
        or "ketakber" in lowered
    words.stems = tuple(w[2:] for w in words if len(w) >= 6 and w[:2] in _PREFIXES)
    return words


# Punctuation read as space by a glance (a word's hyphen and apostrophe kept), the curly apostrophe as straight.
_SPACED = str.maketrans({**{ch: " " for ch in '!"#$%&()*+,./:;<=>?@[\\]^_`{|}~“”‘«»…—–'}, "’": "'"})


def _is_negation(token: str, vocabulary: set[str]) -> bool:
    return token in NEGATORS or token.endswith("n't") or token.startswith(("ketidak", "ketakber")) \
        or _negated_stem(token, vocabulary) is not None


def _bears_on(tokens: list[str], i: int, vocabulary: set[str]) -> str | None:
    """The word the negation ``tokens[i]`` bears on: the first after it that is not a small word, or the stem
    of an un- form; None when there is none (it then counts wherever it stands)."""
    if (stem := _negated_stem(tokens[i], vocabulary)) is not None:
        return stem
    return next((t for t in tokens[i + 1:i + 5] if t not in _STOP and t not in NEGATORS), None)


def _always_negated(tokens: list[str], vocabulary: set[str]) -> set[str]:
    """The words a text says only under a negation (the first word after it that is not a small word such as
    "yet" or "sepenuhnya", or the stem of an un- form)."""
    negated: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        if token in NEGATORS or token.endswith("n't"):
            negated.update(next(({t} for t in tokens[i + 1:i + 5] if t not in _STOP and t not in NEGATORS), set()))
        elif (stem := _negated_stem(token, vocabulary)) is not None:
            negated[stem] += 1
    said = Counter(tokens)
    return {w for w, n in negated.items() if said[w] <= n}


def _negation_before(tokens: list[str], word: str, vocabulary: set[str]) -> str:
    for i, token in enumerate(tokens):
        if token == word:
            before = [t for t in tokens[max(0, i - 3):i] if t in NEGATORS or t.endswith("n't")]
            if before:
                return " ".join(tokens[tokens.index(before[-1], max(0, i - 3)):i + 1])
        if _negated_stem(token, vocabulary) == word:
            return token
    return word
