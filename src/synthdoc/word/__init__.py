"""What only DOCX needs: claim bookmarks, reading a reviewer's comments back, redlines, Zotero fields."""
