"""The words the built-in templates put around claims, in each language they speak."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PHRASES: dict[str, dict[str, str]] = {
    "id": {
        "notes_that": "mencatat bahwa",
        "writes_that": "menulis bahwa",
        "finds_that": "menemukan bahwa",
        "recommends": "menyarankan",
        "in_contrast": "Sebaliknya,",
        "and_also": "sementara",
        "meanwhile": "Adapun",
        "not_uniform": "Temuan tentang hal ini tidak seragam.",
        "further": "Selain itu,",
        "key_findings": "Temuan utama",
        "recommendations": "Rekomendasi",
        "for_actor": "Untuk",
        "evidence_base": "Dasar bukti",
        "theme": "Tema",
        "source": "Sumber",
        "claims": "Klaim",
        "matrix_intro": "Setiap sel memuat klaim yang diambil dari sumber pada kolomnya, dengan ringkasan "
                        "dan letaknya di dalam sumber.",
        "claims_from": "klaim dari",
        "sources": "sumber",
        "contrasts": "Perbedaan temuan",
        "references": "Daftar Pustaka",
        "bibliography": "Daftar Pustaka",
        "quote_open": "“",
        "quote_close": "”",
        "summary": "Ringkasan",
        "writes": "menulis",
        "my_translation": "terjemahan penulis",
        "researcher_year": "Peneliti (tahun)",
        "work_title": "Judul",
        "theory_approach": "Teori/pendekatan",
        "main_findings": "Temuan utama",
        "relevance": "Relevansi dengan penelitian ini",
        "previous_intro": "Tabel berikut merangkum penelitian terdahulu yang menjadi rujukan: peneliti dan tahun, "
                          "judul, teori atau pendekatan yang digunakan, dan temuan utamanya.",
    },
    "en": {
        "notes_that": "notes that",
        "writes_that": "writes that",
        "finds_that": "finds that",
        "recommends": "recommends",
        "in_contrast": "In contrast,",
        "and_also": "while",
        "meanwhile": "As for",
        "not_uniform": "The findings on this point differ.",
        "further": "Further,",
        "key_findings": "Key findings",
        "recommendations": "Recommendations",
        "for_actor": "For",
        "evidence_base": "Evidence base",
        "theme": "Theme",
        "source": "Source",
        "claims": "Claims",
        "matrix_intro": "Each cell lists the claims drawn from the source of its column, with a short "
                        "statement and where it stands in the source.",
        "claims_from": "claims from",
        "sources": "sources",
        "contrasts": "Diverging findings",
        "references": "References",
        "bibliography": "Bibliography",
        "quote_open": "“",
        "quote_close": "”",
        "summary": "Summary",
        "writes": "writes",
        "my_translation": "my translation",
        "researcher_year": "Researcher (year)",
        "work_title": "Title",
        "theory_approach": "Theory/approach",
        "main_findings": "Main findings",
        "relevance": "Relevance to this study",
        "previous_intro": "The table summarizes the previous research drawn on: researcher and year, title, the "
                          "theory or approach used, and the main findings.",
    },
}


def phrases(lang: str) -> Mapping[str, str]:
    """The phrase book for ``lang`` (``id-ID`` → ``id``); English where a language has none. Read only: a
    template cannot change the words of the documents rendered after it (``synthdoc watch`` renders many)."""
    return MappingProxyType(PHRASES.get(lang.split("-")[0].lower(), PHRASES["en"]))
