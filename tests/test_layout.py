"""The package's folders are its pipeline stages, and imports point down the pipeline only.

Every ``import`` of every module is read, those written inside functions and under ``TYPE_CHECKING``
too, and each import of a synthdoc module is checked against the order of the stages. A module may
import its own stage and the stages below it, never one above; and no set of modules imports itself
round, not even within one stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import synthdoc

PACKAGE = Path(synthdoc.__file__).resolve().parent
# Bottom to top: each stage may import those before it.
STAGES = ["core", "bibliography", "sources", "render", "check", "word", "build"]
TOP_MODULES_ALLOWED = 6


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """The synthdoc modules ``name`` imports, each with the line of its import."""
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name in known]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            out += [(s, node.lineno) for s in subs]
            if target in known and len(subs) < len(node.names):
                out.append((target, node.lineno))
    return [(t, line) for t, line in out if t != name]


def rank(module: str) -> int:
    """A module's place in the pipeline: its stage's index; the top (cli, entry) above every stage; the
    package itself (which holds only the version) below them all."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    if parts[1] in STAGES:
        return STAGES.index(parts[1])
    return len(STAGES)


def upward_imports(root: Path = PACKAGE) -> list[str]:
    known = modules(root)
    problems = []
    for name, path in sorted(known.items()):
        for target, line in imports(name, path, known):
            if rank(target) > rank(name):
                problems.append(f"{path.relative_to(root.parent)}:{line}: {name} imports {target}, a later stage")
    return problems


def import_loops(root: Path = PACKAGE) -> list[list[str]]:
    known = modules(root)
    edges = {name: {t for t, _ in imports(name, path, known)} for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    loops = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return loops


def test_imports_point_down_the_pipeline():
    assert upward_imports() == []


def test_no_import_loops():
    assert import_loops() == []


def test_the_top_holds_few_modules_and_every_stage_is_a_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(top) <= TOP_MODULES_ALLOWED, top
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"{stage}/__init__.py says what it owns and what it may import"


@pytest.fixture
def copy_of_package(tmp_path: Path) -> Path:
    root = tmp_path / "synthdoc"
    for path in PACKAGE.rglob("*.py"):
        target = root / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def test_an_import_up_the_pipeline_is_found_even_inside_a_function(copy_of_package: Path):
    checks = copy_of_package / "check" / "checks.py"
    checks.write_text(checks.read_text(encoding="utf-8")
                      + "\n\ndef _late():\n    from ..build.pipeline import build  # noqa\n", encoding="utf-8")
    found = upward_imports(copy_of_package)
    assert len(found) == 1
    assert "check/checks.py" in found[0].replace("\\", "/") and "synthdoc.build.pipeline" in found[0]
    assert import_loops(copy_of_package)  # the build imports the checks: a loop too


def test_a_loop_within_one_stage_is_found(copy_of_package: Path):
    markdown = copy_of_package / "render" / "markdown.py"
    markdown.write_text(markdown.read_text(encoding="utf-8")
                        + "\n\nif False:\n    from .synthesis import Context  # noqa\n", encoding="utf-8")
    assert upward_imports(copy_of_package) == []
    assert any("synthdoc.render.markdown" in loop for loop in import_loops(copy_of_package))
