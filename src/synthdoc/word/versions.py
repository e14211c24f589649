"""Every build's version of each document, kept by its content, and named snapshots of them.

A build keeps the document's pandoc AST (citations and bibliography rendered) under
``.synthdoc/versions/<document>/<digest>.json`` and appends it to the document's history when it
differs from the last one. ``synthdoc snapshot NAME`` names the current version of every document
(``.synthdoc/snapshots/NAME.json``); ``synthdoc redline`` compares a document with one of them.
Claim spans are stored with the claims' names (``source/claim-id``), not the build's claim numbers,
so that two versions compare by what they say.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.diagnostics import SynthdocError
from ..core.files import atomic_write, read_record, remove_leftovers
from .bookmarks import claim_numbers

VERSIONS = "versions"
SNAPSHOTS = "snapshots"
# Versions kept besides those a snapshot names: enough to compare with the last few builds.
KEEP = 10
SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Snapshot:
    name: str
    time: str
    documents: dict[str, str]  # document id -> version digest


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_claim_names(ast: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """``ast`` (a record just read, changed in place) with each claim span's numbers (``data-claims="3 4"``)
    replaced by the claims' names."""
    todo: list[Any] = [ast]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            if node.get("t") == "Span" and "claim" in node["c"][0][1]:
                attrs = node["c"][0][2]
                names = " ".join(refs.get(n, n) for n in claim_numbers(node))
                attrs[:] = [a for a in attrs if a[0] not in ("data-claims", "claims")] + [["data-claims", names]]
            todo.extend(v for v in node.values() if isinstance(v, list | dict))
    return ast


@dataclass(frozen=True)
class Version:
    """A document's version as one build made it: the files that record it, put in place with the build's
    outputs (never before, so a build that fails or is killed records nothing it did not build)."""

    document: str
    digest: str
    files: tuple[tuple[Path, bytes], ...]  # the version's record (when new) and the history naming it


def version(work: Path, document: str, ast: dict[str, Any], claims: dict[str, str]) -> Version:
    """``ast`` as the document's newest version, with the names of the claims its claim spans number
    (``claims``: number → ``source/claim-id``); nothing is written here (:func:`kept` after it is)."""
    blocks = json.dumps(ast.get("blocks", []), ensure_ascii=False).encode("utf-8")
    names = json.dumps(claims, ensure_ascii=False, sort_keys=True).encode("utf-8")
    # Named by the text alone (one serialization, also what is stored): the same document built for
    # other formats (other layout metadata) is the same version.
    digest = hashlib.sha256(blocks + b"\0" + names).hexdigest()
    head = {k: v for k, v in ast.items() if k != "blocks"}
    data = (json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8") + b', "claims": ' + names
            + b', "blocks": ' + blocks + b"}")
    folder = work / VERSIONS / document
    path = folder / f"{digest}.json"
    files = [] if path.exists() else [(path, data)]
    history = _history(work, document)
    if not history or history[-1]["digest"] != digest:
        history.append({"digest": digest, "time": now()})
        files.append((folder / "history.json", json.dumps(history, indent=1).encode("utf-8")))
    return Version(document, digest, tuple(files))


def kept(work: Path, made: Version) -> None:
    """After ``made`` was put in place: the versions no longer wanted removed."""
    _prune(work, made.document, _history(work, made.document))


def _history(work: Path, document: str) -> list[dict[str, str]]:
    record = read_record(work / VERSIONS / document / "history.json")
    if not isinstance(record, list):
        return []
    return [h for h in record if isinstance(h, dict) and isinstance(h.get("digest"), str)]


def _prune(work: Path, document: str, history: list[dict[str, str]]) -> None:
    wanted = {h["digest"] for h in history[-KEEP:]}
    wanted |= {s.documents.get(document) for s in snapshots(work)}
    for path in (work / VERSIONS / document).glob("*.json"):
        if path.name != "history.json" and path.stem not in wanted:
            path.unlink(missing_ok=True)


def load(work: Path, document: str, digest: str) -> dict[str, Any] | None:
    """A kept version, its claim spans naming their claims (``data-claims="source/claim-id …"``)."""
    record = read_record(work / VERSIONS / document / f"{digest}.json")
    if not isinstance(record, dict) or not isinstance(record.get("claims", {}), dict):
        return None
    return with_claim_names({k: v for k, v in record.items() if k != "claims"}, record.get("claims", {}))


def current(work: Path, document: str) -> tuple[str, str] | None:
    """The digest and time of the document's newest version, or None if it was never built."""
    history = _history(work, document)
    return (history[-1]["digest"], history[-1].get("time", "")) if history else None


def previous(work: Path, document: str) -> tuple[str, str] | None:
    """The version built before the newest one (that is still kept), or None."""
    history = _history(work, document)
    for entry in reversed(history[:-1]):
        if (work / VERSIONS / document / f"{entry['digest']}.json").exists():
            return entry["digest"], entry.get("time", "")
    return None


def snapshot(work: Path, name: str, documents: list[str], config: str) -> Snapshot:
    """Name the newest version of each of ``documents`` that has been built (at least one must have)."""
    if not SNAPSHOT_NAME.fullmatch(name):
        raise SynthdocError.single(config, f"snapshot name '{name}' must be a plain name (letters, digits, "
                                   "'.', '_', '-'), e.g. dikirim-ke-pembimbing", "snapshot-name")
    built = {doc: found[0] for doc in documents if (found := current(work, doc)) is not None}
    if not built:
        raise SynthdocError.single(config, "no document has been built yet; run synthdoc build first, then take "
                                   "the snapshot", "snapshot-unbuilt")
    taken = Snapshot(name, now(), built)
    remove_leftovers([work / SNAPSHOTS])  # of a snapshot killed before its rename (the caller holds the lock)
    atomic_write(work / SNAPSHOTS / f"{name}.json",
                 json.dumps({"name": name, "time": taken.time, "documents": built}, indent=1).encode("utf-8"))
    return taken


def leftover_folders(work: Path) -> list[Path]:
    """The folders where a killed build or snapshot can leave temporary files: the snapshots', each document's
    versions'."""
    versions = work / VERSIONS
    return [work / SNAPSHOTS, *(sorted(p for p in versions.iterdir() if p.is_dir()) if versions.is_dir() else [])]


def snapshots(work: Path) -> list[Snapshot]:
    """The snapshots taken, oldest first."""
    out = []
    for path in (work / SNAPSHOTS).glob("*.json"):
        record = read_record(path)
        if isinstance(record, dict) and isinstance(record.get("documents"), dict):
            out.append(Snapshot(path.stem, str(record.get("time", "")),
                                {str(k): str(v) for k, v in record["documents"].items()}))
    return sorted(out, key=lambda s: (s.time, s.name))


def find_snapshot(work: Path, name: str, config: str) -> Snapshot:
    for taken in snapshots(work):
        if taken.name == name:
            return taken
    known = ", ".join(s.name for s in snapshots(work)) or "none yet (synthdoc snapshot NAME takes one)"
    raise SynthdocError.single(config, f"no snapshot '{name}'; snapshots: {known}", "snapshot-missing")
