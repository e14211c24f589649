"""Run by the system's Python (which has LibreOffice's ``uno``): a supervisor's tracked changes made in LibreOffice
itself. Open a DOCX in LibreOffice headless, type and delete with Edit ▸ Track Changes ▸ Record on, as a reviewer
does, and save it as DOCX through LibreOffice's own export (Word 2007–365).

    /usr/bin/python3 tests/lo_review.py PROFILE_DIR IN.docx OUT.docx EDITS.json

EDITS.json is a list, applied in order, of
    {"insert": TEXT, "author": NAME, "before": TEXT}  a tracked insertion just before BEFORE
    {"delete": TEXT, "author": NAME}                  a tracked deletion of TEXT
each with, optionally, "after": TEXT: the first occurrence that follows the first occurrence of TEXT.
(LibreOffice 7.4 stops when a document loaded this way holds comments or gets one, and when it loads a DOCX
as pandoc writes it: give it a DOCX LibreOffice wrote itself, and add comments in its flat ODT.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lo_office import libreoffice, prop


def set_user(ctx: object, name: str) -> None:
    """The name LibreOffice records as the author of tracked changes (Tools ▸ Options ▸ User Data)."""
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    given, _, family = name.partition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def find(doc: object, text: str, after: str | None) -> object:
    def search(what: str) -> object:
        descriptor = doc.createSearchDescriptor()
        descriptor.SearchString = what
        descriptor.SearchCaseSensitive = True
        return descriptor

    found = doc.findFirst(search(after or text))
    if found is not None and after:
        found = doc.findNext(found.getStart(), search(text))
    if found is None:
        raise SystemExit(f"not in the document: {text!r}" + (f" after {after!r}" if after else ""))
    return found


def edit(ctx: object, doc: object, edits: list[dict]) -> None:
    for step in edits:
        set_user(ctx, step["author"])
        doc.setPropertyValue("RecordChanges", True)
        if "insert" in step:
            where = find(doc, step["before"], step.get("after"))
            cursor = where.getText().createTextCursorByRange(where.getStart())
            cursor.getText().insertString(cursor, step["insert"], False)
        else:
            where = find(doc, step["delete"], step.get("after"))
            where.setString("")
        doc.setPropertyValue("RecordChanges", False)


def main(profile: str, source: str, target: str, edits_file: str) -> None:
    edits = json.loads(Path(edits_file).read_text(encoding="utf-8"))
    with libreoffice(profile) as ctx:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        try:
            edit(ctx, doc, edits)
            doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
        finally:
            doc.close(True)

if __name__ == "__main__":
    main(*sys.argv[1:])
