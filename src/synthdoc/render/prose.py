"""Synthesised prose: how many sources agree, quote frames chosen by a claim's kind and by whether its
quote is a whole clause, connectors between the sources of a point.

A quote may follow "bahwa"/"that" only when it is a whole clause (a subject and then its predicate);
anything else — a noun phrase, a predicate without its subject, a clause opened by a preposition — is
introduced after a colon. The rule that decides is deliberately conservative: when in doubt, a quote is
a fragment, and a colon never makes a sentence ungrammatical.

Frames rotate: a :class:`Framer` gives each frame out at most as often as the least-used frame of the same
kind and clause-ness plus one, so no frame repeats while another of its kind is still unused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

WHO, QUOTE = "{who}", "{q}"

# Words that mark a predicate once a subject stands before them.
_PREDICATE = {
    "id": {"masih", "sudah", "telah", "belum", "tidak", "bukan", "adalah", "merupakan", "perlu", "harus", "dapat",
           "akan", "ada", "bisa", "berhasil", "menjadi", "mampu", "sedang", "seringkali", "sering", "selalu",
           "cenderung", "hanya", "juga", "ialah", "turut", "mulai", "semakin", "makin", "kian"},
    "en": {"is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "must", "should",
           "may", "might", "does", "do", "did", "remains", "remain", "remained", "needs", "need", "cannot"},
}
# A subject may hold nouns, names, numbers and these; a preposition, relative or comma before the predicate
# means the quote is not read as subject + predicate.
_SUBJECT_JOINERS = {"id": {"dan", "ini", "itu", "tersebut", "para", "setiap", "semua", "seluruh", "juga"},
                    "en": {"and", "the", "a", "an", "this", "these", "that", "those", "all", "each", "every"}}
_NOT_SUBJECT = {
    "id": {"yang", "di", "ke", "dari", "dalam", "pada", "untuk", "dengan", "oleh", "terhadap", "tentang", "bagi",
           "karena", "sehingga", "agar", "supaya", "jika", "apabila", "ketika", "hingga", "sampai", "sejak",
           "seperti", "sebagai", "antara", "melalui", "mengenai", "menurut", "terkait", "secara", "serta",
           "atau", "namun", "tetapi", "akan", "salah", "seiring", "selaku", "sulit", "mudah", "penting",
           "terdapat", "dimana", "bahwa", "ada", "yaitu", "yakni", "selain", "tanpa", "atas", "demi", "guna"},
    "en": {"that", "which", "who", "whom", "whose", "of", "in", "on", "at", "to", "for", "with", "by", "from",
           "about", "as", "because", "so", "if", "when", "while", "through", "into", "than", "or", "but",
           "such", "there", "it", "not", "very"},
}
_ID_VERB_PREFIX = re.compile(r"^(?:me|ber)[a-z]{3,}$|^di[a-z]{3,}kan$")
# A first word that may be a passive or stative verb (di-, ter-): the quote may have no subject.
_ID_OPENING_VERB = re.compile(r"^(?:di|ter)[a-z]{4,}$")
_WORD = re.compile(r"[\w’'-]+|[^\w\s]", re.UNICODE)
MAX_SUBJECT_WORDS = 8


def _language(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return base if base in _PREDICATE else "en"


def is_clause(text: str, lang: str) -> bool:
    """Whether ``text`` reads as a whole clause that may follow "bahwa"/"that": a subject of plain words
    (nouns, names, "dan"/"and"; no preposition, relative word or comma), then a predicate marker — in
    Indonesian also a verb with me-/ber- or di-…-kan. A quote that opens with its predicate, a preposition
    or a conjunction is a fragment."""
    lang = _language(lang)
    tokens = _WORD.findall(text.strip().strip("“”\"'‘’"))
    words = [t.lower() for t in tokens]
    if len([w for w in words if w[0].isalnum()]) < 3:
        return False
    first = words[0]
    if first in _PREDICATE[lang] or first in _NOT_SUBJECT[lang] or not first[0].isalnum():
        return False
    if lang == "id" and (_ID_VERB_PREFIX.match(first) or _ID_OPENING_VERB.match(first)):
        return False  # opens with its verb: no subject
    if lang == "en" and (first.endswith("ing") or first in ("and", "that", "those")):
        return False
    for i, word in enumerate(words[1:MAX_SUBJECT_WORDS + 1], 1):
        if word in _PREDICATE[lang] and word not in _SUBJECT_JOINERS[lang]:
            return True
        if lang == "id" and _ID_VERB_PREFIX.match(word) and i >= 1:
            return True
        if word in _NOT_SUBJECT[lang] or not word[0].isalnum():
            return False
    return False


# Frames by language, claim kind and whether the quote is a clause. {who} is the author's narrative
# citation, {q} the quote. Every frame makes one sentence (its final full stop is added).
FRAMES: dict[str, dict[str, dict[bool, tuple[str, ...]]]] = {
    "id": {
        "finding": {
            True: ("{who} menemukan bahwa {q}", "{who} menunjukkan bahwa {q}", "Menurut {who}, {q}",
                   "{who} menyimpulkan bahwa {q}", "{who} memperlihatkan bahwa {q}", "{who} mencatat bahwa {q}"),
            False: ("Temuan {who} berbunyi: {q}", "{who} merumuskan temuannya sebagai berikut: {q}",
                    "{who} menuliskannya demikian: {q}", "{who} mencatat temuan berikut: {q}"),
        },
        "theory": {
            True: ("{who} menjelaskan bahwa {q}", "{who} berargumen bahwa {q}", "Menurut kerangka yang digunakan "
                   "{who}, {q}"),
            False: ("{who} menggunakan kerangka berikut: {q}", "Landasan teori {who} dirumuskan demikian: {q}",
                    "Kerangka analisis {who} disebutkan sebagai berikut: {q}"),
        },
        "recommendation": {
            True: ("{who} merekomendasikan bahwa {q}", "{who} menegaskan bahwa {q}", "{who} berpendapat bahwa {q}"),
            False: ("{who} merekomendasikan: {q}", "Rekomendasi {who} berbunyi: {q}",
                    "Dalam sarannya, {who} menulis: {q}"),
        },
        "limitation": {
            True: ("{who} mengakui bahwa {q}", "{who} menyadari bahwa {q}"),
            False: ("{who} mengakui keterbatasan berikut: {q}", "Keterbatasan yang diakui {who} adalah: {q}"),
        },
        "context": {
            True: ("{who} menjelaskan bahwa {q}", "{who} menguraikan bahwa {q}"),
            False: ("{who} menguraikan: {q}", "Uraian {who} berbunyi: {q}"),
        },
    },
    "en": {
        "finding": {
            True: ("{who} found that {q}", "{who} shows that {q}", "According to {who}, {q}",
                   "{who} concludes that {q}", "{who} reports that {q}"),
            False: ("{who} states the finding as follows: {q}", "In the words of {who}: {q}",
                    "A finding of {who} reads: {q}", "{who} concludes: {q}"),
        },
        "theory": {
            True: ("{who} argues that {q}", "{who} explains that {q}"),
            False: ("{who} uses the following framework: {q}", "The framework of {who} is stated thus: {q}"),
        },
        "recommendation": {
            True: ("{who} recommends that {q}", "{who} stresses that {q}"),
            False: ("{who} recommends: {q}", "The recommendation of {who} reads: {q}"),
        },
        "limitation": {
            True: ("{who} acknowledges that {q}", "{who} concedes that {q}"),
            False: ("{who} acknowledges a limitation: {q}", "A limitation {who} names: {q}"),
        },
        "context": {
            True: ("{who} explains that {q}", "{who} notes that {q}"),
            False: ("{who} describes: {q}", "In the account of {who}: {q}"),
        },
    },
}

# Frames for a claim's own statement shown where its quote has no translation into the document's language:
# none of them says the words are the author's ("in the words of", "reads").
PARAPHRASE: dict[str, dict[str, tuple[str, ...]]] = {
    "id": {"finding": ("{who} menyimpulkan: {q}", "{who} melaporkan: {q}", "{who} mendapati: {q}"),
           "theory": ("{who} berargumen: {q}", "{who} menjelaskan: {q}"),
           "recommendation": ("{who} merekomendasikan: {q}", "{who} menyarankan: {q}"),
           "limitation": ("{who} mengakui: {q}", "{who} mencatat keterbatasan: {q}"),
           "context": ("{who} menjelaskan: {q}", "{who} menguraikan: {q}")},
    "en": {"finding": ("{who} reports: {q}", "{who} concludes: {q}", "{who} finds: {q}", "{who} observes: {q}"),
           "theory": ("{who} argues: {q}", "{who} explains: {q}"),
           "recommendation": ("{who} recommends: {q}", "{who} advises: {q}"),
           "limitation": ("{who} acknowledges: {q}", "{who} notes a limitation: {q}"),
           "context": ("{who} explains: {q}", "{who} notes: {q}")},
}

# Frames for a source's further claims in the same point, after a sentence that already named it ("X juga
# menemukan bahwa …"): by language, claim kind and whether the quote is a clause; PARAPHRASE's rule for a
# claim's own statement shown in place of an untranslated quote (a colon, never "in the words of").
ALSO: dict[str, dict[str, dict[bool, tuple[str, ...]]]] = {
    "id": {"finding": {True: ("{who} juga mendapati bahwa {q}", "{who} juga melaporkan bahwa {q}",
                              "Lebih lanjut, {who} mengungkapkan bahwa {q}"),
                       False: ("{who} juga melaporkan temuan ini: {q}", "Temuan lain dari {who}: {q}",
                               "{who} menambahkan temuan berikut: {q}")},
           "theory": {True: ("{who} juga mengemukakan bahwa {q}",),
                      False: ("{who} juga memakai kerangka berikut: {q}",)},
           "recommendation": {True: ("{who} juga menyarankan bahwa {q}", "{who} juga mengusulkan bahwa {q}"),
                              False: ("{who} juga menyarankan: {q}", "Saran lain dari {who}: {q}")},
           "limitation": {True: ("{who} menyadari pula bahwa {q}",),
                          False: ("{who} menyebut pula keterbatasan berikut: {q}",)},
           "context": {True: ("{who} juga memaparkan bahwa {q}",), False: ("{who} juga memaparkan: {q}",)}},
    "en": {"finding": {True: ("{who} also finds that {q}", "{who} further observes that {q}"),
                       False: ("{who} also notes: {q}", "Another finding of {who}: {q}")},
           "theory": {True: ("{who} also holds that {q}",),
                      False: ("{who} also draws on the following framework: {q}",)},
           "recommendation": {True: ("{who} also advises that {q}", "{who} further proposes that {q}"),
                              False: ("{who} also advises: {q}", "Another recommendation of {who}: {q}")},
           "limitation": {True: ("{who} also admits that {q}",), False: ("{who} also admits a limitation: {q}",)},
           "context": {True: ("{who} also points out that {q}",), False: ("{who} also describes: {q}",)}},
}
ALSO_PARAPHRASE: dict[str, dict[str, tuple[str, ...]]] = {
    "id": {"finding": ("{who} juga melaporkan: {q}", "{who} juga mendapati: {q}"),
           "theory": ("{who} juga berargumen: {q}",), "recommendation": ("{who} juga menyarankan: {q}",),
           "limitation": ("{who} juga mengakui: {q}",), "context": ("{who} juga menjelaskan: {q}",)},
    "en": {"finding": ("{who} also reports: {q}", "{who} also finds: {q}"), "theory": ("{who} also argues: {q}",),
           "recommendation": ("{who} also advises: {q}",), "limitation": ("{who} also acknowledges: {q}",),
           "context": ("{who} also notes: {q}",)},
}

# Connectors between the sources of a point: agreeing, qualifying (a limitation), disagreeing.
CONNECTORS: dict[str, dict[str, tuple[str, ...]]] = {
    "id": {"agree": ("Senada dengan itu,", "Sejalan dengan temuan tersebut,", "Demikian pula,"),
           "qualify": ("Namun,", "Meski demikian,"),
           "differ": ("Sebaliknya,", "Berbeda dengan itu,"),
           "reach": ("sampai pada kesimpulan berikut", "sepakat dalam hal berikut", "memiliki temuan yang sejalan",
                     "menunjukkan hal yang serupa")},
    "en": {"agree": ("Similarly,", "In line with this,", "Likewise,"),
           "qualify": ("However,", "Even so,"),
           "differ": ("In contrast,", "By contrast,"),
           "reach": ("reach the following conclusion", "agree on the following", "report similar findings")},
}

_NUMBERS = {"id": ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh"),
            "en": ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")}
_ALL = {"id": ("", "", "Kedua", "Ketiga", "Keempat", "Kelima", "Keenam", "Ketujuh", "Kedelapan", "Kesembilan",
               "Kesepuluh"),
        "en": ("", "", "Both", "All three", "All four", "All five", "All six", "All seven", "All eight", "All nine",
               "All ten")}


_ORDINALS = {"id": ("", "pertama", "kedua", "ketiga", "keempat", "kelima", "keenam", "ketujuh", "kedelapan",
                     "kesembilan", "kesepuluh"),
             "en": ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                    "tenth")}


def ordinal(n: int, lang: str) -> str:
    """``pertama``, ``kedua`` … / ``first``, ``second`` …; ``ke-11`` / ``11th`` from eleven on."""
    words = _ORDINALS[_language(lang)]
    if 0 < n < len(words):
        return words[n]
    return f"ke-{n}" if _language(lang) == "id" else f"{n}th"


def number_word(n: int, lang: str) -> str:
    """A small number as a word (``tiga``, ``three``); digits from eleven on."""
    words = _NUMBERS[_language(lang)]
    return words[n] if 0 <= n < len(words) else str(n)


def _how_many(n: int, total: int, lang: str) -> str:
    """"Tiga dari lima penelitian yang ditinjau", "Kelima penelitian yang ditinjau", "Hanya satu dari lima
    penelitian" / "Three of the five studies reviewed", "All five studies reviewed", "Only one of the five
    studies"."""
    words = _ALL[lang]
    if lang == "id":
        if n == total and 2 <= n < len(words):
            return f"{words[n]} penelitian yang ditinjau"
        if n == 1:
            return f"Hanya satu dari {number_word(total, lang)} penelitian"
        return f"{number_word(n, lang).capitalize()} dari {number_word(total, lang)} penelitian yang ditinjau"
    if n == total and 2 <= n < len(words):
        return f"{words[n]} studies reviewed"
    if n == 1:
        return f"Only one of the {number_word(total, lang)} studies"
    return f"{number_word(n, lang).capitalize()} of the {number_word(total, lang)} studies reviewed"


def support(n: int, total: int, lang: str) -> str:
    """How many of the reviewed sources a finding stated above rests on: "Dua dari lima penelitian yang
    ditinjau mendukung temuan ini." — "Kelima penelitian …" when all of five."""
    lang = _language(lang)
    who = _how_many(n, total, lang)
    if lang == "id":
        return f"{who} mendukung temuan ini."
    return f"{who} {'supports' if n == 1 else 'support'} this finding."


def agreement(n: int, total: int, lang: str, first: bool = True, verb: str = "") -> str:
    """How many of the reviewed sources reach a point: "Tiga dari lima penelitian yang ditinjau sampai pada
    kesimpulan yang sama." — "Kedua penelitian …" when all of two, "Kelima penelitian …" when all of five.
    A later point of a section opens with a transition ("Selain itu, …")."""
    lang = _language(lang)
    who = _how_many(n, total, lang)
    if lang == "id":
        verb = verb or CONNECTORS["id"]["reach"][0]
        if first:
            return f"{who} {verb}." if n > 1 else f"{who} menyatakan hal berikut."
        lead = who[0].lower() + who[1:]
        return f"Selain itu, {lead} {verb}." if n > 1 else f"Selain itu, {lead} menyatakan hal berikut."
    verb = verb or CONNECTORS["en"]["reach"][0]
    if first:
        return f"{who} {verb}." if n > 1 else f"{who} makes the following point."
    lead = who[0].lower() + who[1:]
    return f"Further, {lead} {verb}." if n > 1 else f"Further, {lead} makes another point."


def coverage(title: str, n: int, total: int, lang: str) -> str:
    """A sentence saying that few of the sources cover a theme (the theme's title kept as written)."""
    if _language(lang) == "id":
        return f"Tema “{title}” hanya dibahas oleh {number_word(n, lang)} dari {number_word(total, lang)} penelitian."
    studies = "study" if n == 1 else "studies"
    return f"Only {number_word(n, lang)} of the {number_word(total, lang)} {studies} address “{title}”."


@dataclass
class Framer:
    """Hands out quote frames and connectors in rotation across one document."""

    lang: str
    used: dict[str, int] = field(default_factory=dict)
    last: str = ""

    def frame(self, kind: str, clause: bool, paraphrase: bool = False) -> str:
        """A frame for a quote of ``kind``; with ``paraphrase``, for the claim's own statement (no quote)."""
        if paraphrase:
            table = PARAPHRASE[_language(self.lang)]
            return self._least_used(table.get(kind, table["finding"]))
        frames = FRAMES[_language(self.lang)]
        options = frames.get(kind, frames["finding"])[clause]
        return self._least_used(options)

    def also(self, kind: str, clause: bool, paraphrase: bool = False) -> str:
        """A frame for a further claim of a source the previous sentence named ("X juga menemukan bahwa …")."""
        if paraphrase:
            table = ALSO_PARAPHRASE[_language(self.lang)]
            return self._least_used(table.get(kind, table["finding"]))
        frames = ALSO[_language(self.lang)]
        return self._least_used(frames.get(kind, frames["finding"])[clause])

    def connector(self, relation: str) -> str:
        return self._least_used(CONNECTORS[_language(self.lang)][relation])

    def _least_used(self, options: tuple[str, ...]) -> str:
        ranked = sorted(options, key=lambda o: (self.used.get(o, 0), o == self.last, options.index(o)))
        choice = ranked[0]
        self.used[choice] = self.used.get(choice, 0) + 1
        self.last = choice
        return choice


def fill(frame: str, who: str, quote: str, connector: str = "") -> str:
    """A frame made a sentence (without its final full stop): ``connector`` first, the frame's own first
    word then in lower case (never the author's name: a frame opening with {who} keeps it)."""
    text = frame.replace(WHO, who).replace(QUOTE, quote)
    if not connector:
        return text
    if not frame.startswith(WHO):
        text = text[0].lower() + text[1:]
    return f"{connector} {text}"


def frame_heads(lang: str) -> Mapping[str, str]:
    """Each frame's fixed words (the frame without {who} and {q}), for counting how often a document uses them."""
    out: dict[str, str] = {}
    for kinds in FRAMES[_language(lang)].values():
        for frames in kinds.values():
            for frame in frames:
                out[frame] = frame.replace(WHO, "").replace(QUOTE, "").strip(" ,:")
    return out
