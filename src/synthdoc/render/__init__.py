"""The render stage: from claims to a document's pages.

Owns: the template's context — themes, points, claims, contrasts, the matrix (synthesis), with its prose
(agreement sentences, quote frames: prose) and figures (figures) — the sandboxed templates (templating) and
a document's Markdown made with them (document); writing Markdown and reading
pandoc's AST (markdown, astwalk, sections, tables); citations and their rendering by citeproc (citations,
citeproc, styles, preview); the pages of a thesis and the PDF's typography (thesis, typst_layout); the
HTML preview in parts (htmlparts), provenance and the spreadsheet, and the built-in phrases.

May import: core, bibliography, sources.
"""
