"""LibreOffice headless driven through UNO, for the scripts the system's Python runs (tests/lo_*.py): start
``soffice`` with a private profile, connect over a pipe, and stop it afterwards."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def libreoffice(profile: str) -> Iterator[object]:
    """The component context of a LibreOffice started headless with its own profile in ``profile``."""
    pipe = f"synthdoc-{uuid.uuid4().hex}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless",
                               "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(600):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not answer")
        yield ctx
        ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
