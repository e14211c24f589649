"""What only DOCX needs: its page layout and the DOCX itself (layout), claim bookmarks, live Zotero fields,
each build's version of a document and redlines between versions, and a reviewer's comments and tracked
changes read back and traced to claims, themes and template lines (comments, review).

May import: core, bibliography, sources, render, check.
"""
