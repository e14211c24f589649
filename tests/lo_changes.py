"""Run by the system's Python (which has LibreOffice's ``uno``): open DOCX files in LibreOffice headless, accept
or reject all their tracked changes as a reader would (Edit ▸ Track Changes ▸ Accept All / Reject All), and
print what is left of each, block by block, as a JSON list: ``["p", text]`` for a paragraph, ``["table",
[[cell text, …], …]]`` for a table.

    /usr/bin/python3 tests/lo_changes.py PROFILE_DIR FILE.docx:accept|reject|none …

(LibreOffice 7.4 stops when it loads a DOCX holding comments this way: give it files without.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lo_office import libreoffice, prop


def blocks(doc: object) -> list[list[object]]:
    out: list[list[object]] = []
    enum = doc.getText().createEnumeration()
    while enum.hasMoreElements():
        element = enum.nextElement()
        if element.supportsService("com.sun.star.text.TextTable"):
            rows = []
            for r in range(element.getRows().getCount()):
                row = []
                for c in range(element.getColumns().getCount()):
                    cell = element.getCellByPosition(c, r)
                    row.append(" ".join(cell.getString().split()))
                rows.append(row)
            out.append(["table", rows])
        else:
            out.append(["p", " ".join(element.getString().split())])
    return out


def main(profile: str, *jobs: str) -> None:
    with libreoffice(profile) as ctx:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        results = []
        for job in jobs:
            path, mode = job.rsplit(":", 1)
            doc = desktop.loadComponentFromURL(Path(path).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
            if mode != "none":
                command = ".uno:AcceptAllTrackedChanges" if mode == "accept" else ".uno:RejectAllTrackedChanges"
                dispatcher.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())
            results.append({"blocks": blocks(doc),
                            "changes_left": doc.getRedlines().createEnumeration().hasMoreElements()})
            doc.close(True)
        print(json.dumps(results, ensure_ascii=False))

if __name__ == "__main__":
    main(*sys.argv[1:])
