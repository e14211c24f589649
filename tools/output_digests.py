"""A digest of each built output, with what changes from one build to the next taken out (the times a
DOCX, XLSX or PDF records of its making), so that two builds of the same inputs can be compared:

    python tools/output_digests.py output/ > before.txt
    ... change the code ...
    synthdoc build --force && python tools/output_digests.py output/ | diff before.txt -

A DOCX or XLSX is compared part by part (the ZIP's own member dates and order are ignored).
"""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

# Dates and ids a writer stamps on a file: Office core properties, PDF info and XMP dates, a PDF's /ID.
_STAMPS = [
    re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>"),
    re.compile(rb"/(CreationDate|ModDate)\s*\([^)]*\)"),
    re.compile(rb"<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*</xmp:\1>"),
    re.compile(rb"<(xmpMM:DocumentID|xmpMM:InstanceID)>[^<]*</\1>"),
    re.compile(rb"/ID\s*\[\s*(<[0-9A-Fa-f]*>|\([^)]*\))\s*(<[0-9A-Fa-f]*>|\([^)]*\))\s*\]"),
]


def normalised(data: bytes) -> bytes:
    """``data`` with every stamp's letters and digits blanked, its length kept (a PDF's offsets stay right)."""
    for stamp in _STAMPS:
        data = stamp.sub(lambda m: re.sub(rb"[0-9A-Za-z+/=]", b"0", m.group(0)), data)
    return data


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                digest.update(name.encode() + b"\0" + normalised(archive.read(name)) + b"\0")
    else:
        digest.update(normalised(path.read_bytes()))
    return digest.hexdigest()[:16]


def main(folder: str) -> None:
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            print(f"{file_digest(path)}  {path.name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "output")
