"""The render stage: claims to a document's Markdown, and that Markdown to pandoc's AST with citations rendered."""
