"""An entry's language as a CSL locale tag, from whatever a library wrote: BibLaTeX's ``langid``
(``indonesian``), a language name (``Bahasa Indonesia``, ``Indonesian``), or an ISO code (``ind``,
``id``, ``id-ID``).

citeproc reads an item's ``language`` as a BCP 47 tag and title-cases only English items; pandoc's
BibTeX reader sentence-cases the titles of every entry it takes for English. An entry whose language
is not known is therefore never taken for English here: its title is kept as typed.
"""

from __future__ import annotations

import re

# Each CSL locale's tag with the names and codes libraries write for its language (lowercase):
# BibLaTeX/babel names, English and native names, ISO 639-1, 639-2/B and 639-3 codes.
_LANGUAGES: dict[str, tuple[str, ...]] = {
    "id-ID": ("indonesian", "bahasa indonesia", "bahasa", "indonesia", "ind", "id", "in"),
    "ms-MY": ("malay", "bahasa melayu", "bahasa malaysia", "melayu", "msa", "may", "zsm", "ms"),
    "en-US": ("english", "american", "usenglish", "eng", "en", "inggris", "bahasa inggris"),
    "en-GB": ("british", "ukenglish", "en-gb", "en-uk"),
    "en-AU": ("australian",),
    "en-CA": ("canadian",),
    "en-NZ": ("newzealand",),
    "af-ZA": ("afrikaans", "afr", "af"),
    "ar": ("arabic", "arab", "bahasa arab", "ara", "ar"),
    "bg-BG": ("bulgarian", "bul", "bg"),
    "ca-AD": ("catalan", "cat", "ca"),
    "cs-CZ": ("czech", "ces", "cze", "cs"),
    "cy-GB": ("welsh", "cym", "wel", "cy"),
    "da-DK": ("danish", "dan", "da"),
    "de-DE": ("german", "ngerman", "deutsch", "jerman", "deu", "ger", "de"),
    "de-AT": ("austrian", "naustrian"),
    "de-CH": ("swissgerman", "nswissgerman"),
    "el-GR": ("greek", "ell", "gre", "el"),
    "es-ES": ("spanish", "español", "espanol", "spanyol", "spa", "es"),
    "et-EE": ("estonian", "est", "et"),
    "eu": ("basque", "eus", "baq", "eu"),
    "fa-IR": ("persian", "farsi", "fas", "per", "fa"),
    "fi-FI": ("finnish", "fin", "fi"),
    "fr-FR": ("french", "francais", "français", "prancis", "fra", "fre", "fr"),
    "fr-CA": ("canadien", "acadian"),
    "he-IL": ("hebrew", "heb", "he"),
    "hi-IN": ("hindi", "hin", "hi"),
    "hr-HR": ("croatian", "hrv", "hr"),
    "hu-HU": ("hungarian", "magyar", "hun", "hu"),
    "is-IS": ("icelandic", "isl", "ice", "is"),
    "it-IT": ("italian", "italiano", "ita", "it"),
    "ja-JP": ("japanese", "jepang", "jpn", "ja"),
    "km-KH": ("khmer", "khm", "km"),
    "ko-KR": ("korean", "korea", "kor", "ko"),
    "la": ("latin", "lat", "la"),
    "lt-LT": ("lithuanian", "lit", "lt"),
    "lv-LV": ("latvian", "lav", "lv"),
    "mn-MN": ("mongolian", "mon", "mn"),
    "nb-NO": ("norwegian", "norsk", "bokmal", "nob", "nor", "nb", "no"),
    "nn-NO": ("nynorsk", "nno", "nn"),
    "nl-NL": ("dutch", "belanda", "nederlands", "nld", "dut", "nl"),
    "pl-PL": ("polish", "pol", "pl"),
    "pt-PT": ("portuguese", "portuges", "portugis", "por", "pt"),
    "pt-BR": ("brazilian", "brazil", "pt-br"),
    "ro-RO": ("romanian", "ron", "rum", "ro"),
    "ru-RU": ("russian", "rusia", "rus", "ru"),
    "sk-SK": ("slovak", "slk", "slo", "sk"),
    "sl-SI": ("slovene", "slovenian", "slv", "sl"),
    "sr-RS": ("serbian", "srp", "sr"),
    "sv-SE": ("swedish", "swe", "sv"),
    "th-TH": ("thai", "tha", "th"),
    "tr-TR": ("turkish", "turki", "tur", "tr"),
    "uk-UA": ("ukrainian", "ukr", "uk"),
    "vi-VN": ("vietnamese", "vietnam", "vie", "vi"),
    "zh-CN": ("chinese", "mandarin", "simplified chinese", "tiongkok", "zho", "chi", "zh", "zh-hans"),
    "zh-TW": ("traditional chinese", "zh-hant"),
    "fil-PH": ("filipino", "tagalog", "fil", "tgl", "tl"),
}
NAMES: dict[str, str] = {name: tag for tag, names in _LANGUAGES.items() for name in (*names, tag.lower())}
_TAG = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?$")


def language_tag(value: object) -> str | None:
    """The CSL locale tag of a language as a library wrote it, or None when it is not known."""
    if not isinstance(value, str):
        return None
    name = " ".join(value.replace("{", "").replace("}", "").split()).lower()
    if not name:
        return None
    if name in NAMES:
        return NAMES[name]
    match = _TAG.match(name)
    if match is None:
        return None
    primary, script, region = match.groups()
    if primary not in NAMES:
        return None
    if region is None or script is not None:
        return NAMES[primary]
    return f"{NAMES[primary].split('-')[0]}-{region.upper()}"


def is_english(tag: str | None) -> bool:
    return tag is not None and tag.split("-")[0] == "en"


def langid_name(tag: str) -> str:
    """The BibLaTeX ``langid`` for a tag (``id-ID`` → ``indonesian``), for fix-it messages."""
    return _LANGUAGES.get(tag, (tag,))[0]
