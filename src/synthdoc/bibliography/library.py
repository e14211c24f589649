"""The bibliography: any format pandoc reads, as CSL JSON items, converted once per content hash."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import pandoc
from ..cache import JsonCache, content_key
from ..files import read_input

# BibLaTeX's langid names, which pandoc copies into CSL's `language` as they are. citeproc
# reads `language` as a BCP 47 tag: "indonesian" would count as English, and a title would be
# title-cased in an English document. Name them by their tags instead.
LANGID_TAGS = {
    "indonesian": "id-ID", "bahasa": "id-ID", "malay": "ms-MY", "english": "en-US", "american": "en-US",
    "british": "en-GB", "australian": "en-AU", "vietnamese": "vi-VN", "thai": "th-TH", "french": "fr-FR",
    "german": "de-DE", "dutch": "nl-NL", "spanish": "es-ES", "portuguese": "pt-PT", "italian": "it-IT",
    "japanese": "ja-JP", "chinese": "zh-CN", "korean": "ko-KR", "arabic": "ar", "russian": "ru-RU",
    "filipino": "fil-PH", "tagalog": "fil-PH", "turkish": "tr-TR",
}


@dataclass(frozen=True)
class Bibliography:
    path: Path
    shown: str
    items: tuple[dict[str, Any], ...]
    csl_json: Path
    digest: str

    def keys(self) -> list[str]:
        return [str(item.get("id")) for item in self.items]

    def get(self, key: str) -> dict[str, Any] | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, dict[str, Any]]:
        """Each key's entry (the first, if a key is there twice)."""
        index: dict[str, dict[str, Any]] = {}
        for item in self.items:
            index.setdefault(item.get("id"), item)
        return index


def load_bibliography(path: Path, shown: str, cache_dir: Path) -> Bibliography:
    """Read ``path`` through pandoc, or from the cache when its content was converted before."""
    raw = read_input(path, shown, "a bibliography file", missing="bibliography file not found")
    cache = JsonCache(cache_dir, "bibliography-")
    digest = content_key(raw, path.suffix, pandoc.pandoc_identity())
    items = cache.load(digest)
    if not isinstance(items, list):
        items = [_normalize(item) for item in pandoc.bibliography_to_csl(path, shown)]
        cache.store(digest, items)  # pandoc reads the converted bibliography from this file
    return Bibliography(path, shown, tuple(items), cache.path(digest), digest)


def _normalize(item: dict[str, Any]) -> dict[str, Any]:
    language = item.get("language")
    if isinstance(language, str) and language.lower() in LANGID_TAGS:
        item = {**item, "language": LANGID_TAGS[language.lower()]}
    return item
