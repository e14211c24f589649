"""synthdoc on Windows: no POSIX-only module anywhere on the way from ``synthdoc init`` to a built project.

Windows has no ``fcntl``, ``pwd``, ``grp``, ``termios`` or ``resource``. The commands run here in a Python
where importing any of them fails as it does on Windows, so a module that needs one (as build.py's lock
once did with fcntl) fails this test on Linux too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

BLOCKED = ("fcntl", "pwd", "grp", "termios", "resource")

# Runs before synthdoc is imported: importing a blocked module raises ModuleNotFoundError, as on Windows
# (the standard library's own optional imports, such as shutil's of pwd, then take their Windows path).
BLOCKER = textwrap.dedent(f"""
    import sys

    BLOCKED = {BLOCKED!r}

    class NotOnWindows:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (not on Windows)", name=name)
            return None

    sys.meta_path.insert(0, NotOnWindows())
    for name in BLOCKED:
        sys.modules.pop(name, None)
""")

RUN = BLOCKER + textwrap.dedent("""
    import json, os
    from synthdoc.entry import main

    sys.argv = ["synthdoc", *json.loads(os.environ["SYNTHDOC_ARGS"])]
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    else:
        code = 0
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    print("LOADED " + json.dumps(loaded), file=sys.stderr)
    sys.exit(code)
""")


def synthdoc(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNTHDOC_ARGS": json.dumps(args), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", RUN], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def loaded(done: subprocess.CompletedProcess[str]) -> list[str]:
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED "))


def test_the_blocker_blocks(tmp_path):
    """The blocker itself: a module that imports fcntl fails under it."""
    done = subprocess.run([sys.executable, "-c", BLOCKER + "import fcntl"], capture_output=True, text=True)
    assert done.returncode == 1 and "No module named 'fcntl' (not on Windows)" in done.stderr


def test_init_build_check_without_posix_modules(tmp_path):
    done = synthdoc(["init", "review"], tmp_path)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "review"
    done = synthdoc(["build"], project)
    assert done.returncode == 0, done.stderr
    assert loaded(done) == []
    for fmt in ("docx", "pdf", "html"):
        assert (project / "output" / f"review.{fmt}").stat().st_size > 1000
    assert f"in output{os.sep} " in done.stderr  # paths shown with the platform's separator
    checked = synthdoc(["check"], project)
    assert checked.returncode == 0, checked.stderr
    assert loaded(checked) == []


def test_source_has_no_posix_only_import():
    """No module of synthdoc names a POSIX-only module, even in a branch this machine does not take."""
    import re

    import synthdoc

    src = Path(synthdoc.__file__).resolve().parent
    assert (src / "build" / "pipeline.py").is_file()
    pattern = re.compile(rf"^\s*(?:import|from)\s+({'|'.join(BLOCKED)})\b", re.M)
    found = [f"{p.relative_to(src)}: {m.group(0).strip()}" for p in src.rglob("*.py")
             for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert found == []
