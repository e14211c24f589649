"""The sources stage: what the sources say and where it stands.

Owns: claims files read into claims that remember file and line (claims), the sources' own texts —
Markdown, text and PDF with printed page numbers — and finding a quote in them (texts, quotes), the
importers that make claims from PDF highlights, Zotero 7 annotations and extraction sheets (importing,
pdf, zotero, sheet, claimsfile), the JSON Schemas editors use (editorschema) and ``synthdoc init``'s
starters (scaffold).

May import: core, bibliography.
"""
