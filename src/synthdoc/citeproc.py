"""Citations and the bibliography rendered by pandoc's citeproc — with a fast path for large
bibliographies whose output is identical to one full run.

citeproc's author-date disambiguation grows faster than linearly with the number of references
(APA, 1,000 references: seconds become tens of seconds). Most of what it compares cannot
collide: see ``collisions``. The fast path therefore runs pandoc

- once over the whole document with the style's disambiguation switched off (the *skeleton*:
  every citation, the bibliography in order, pandoc's own placement of both), and
- once per batch of at-risk reference groups, over just the distinct citations of those
  references, with the style as it is,

at the same time, and then puts each at-risk citation's text and bibliography entry from its
batch into the skeleton. It refuses — and the plain single run is made instead — whenever it
cannot show the result is the same: a style whose citations depend on their position or number,
metadata that adds citations, a citation of an unknown key, or a spliced citation whose shape
would have made pandoc treat the punctuation after it differently.

Each batch's result can be kept by the content it was made from (``cache``): the next build takes
unchanged batches from there, so a one-claim edit renders again only the skeleton.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pandoc
from .astwalk import cite_ids, cites, find, has_cite, stringify
from .cache import JsonCache, content_key
from .collisions import Batch, Grouping, group_references, plan_batches, style_facts
from .diagnostics import SynthdocError

# Below this many cited references the plain run takes about a second; the fast path is not worth it.
FAST_MIN_REFERENCES = 150
# References per batch: few enough that disambiguation stays cheap, enough that pandoc's own start
# (about 0.1 s) does not dominate.
BATCH_REFERENCES = 300
# The fast path is refused when its runs would cost more than this share of one full run (the cost
# of disambiguation being about the square of the references a run takes).
MAX_COST = 0.5
# Metadata that adds citations or moves punctuation around them: the fast path does not apply.
CITING_METADATA = ("nocite", "references", "notes-after-punctuation")

AST = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    ast: AST
    fast: bool
    note: str | None  # for the build's log: how the fast path went, when it was tried


def read_cited(markdown: str, *, items: Sequence[dict[str, Any]], bibliography: Path, csl: Path,
               metadata: dict[str, str], what: str, cache: JsonCache | None = None, reuse: bool = True) -> Rendered:
    """Pandoc Markdown to an AST with its citations and bibliography rendered. A bibliography too
    small for the fast path is read and rendered in one pandoc run; a larger one is read first and
    then given to ``render_citations``."""
    small = len(items) < FAST_MIN_REFERENCES
    ast = pandoc.read_markdown(markdown, bibliography=bibliography, csl=csl, metadata=metadata, what=what,
                               citeproc=small)
    if small:
        return Rendered(ast, False, None)
    return render_citations(ast, items=items, csl=csl, what=what, cache=cache, reuse=reuse)


def render_citations(ast: AST, *, items: Sequence[dict[str, Any]], csl: Path, what: str,
                     cache: JsonCache | None = None, reuse: bool = True,
                     min_references: int | None = None, batch_references: int | None = None,
                     max_cost: float | None = None) -> Rendered:
    """``ast`` (read without citeproc; its metadata names the bibliography and the style) with its
    citations and bibliography rendered, exactly as one ``pandoc --citeproc`` run renders them.

    With a ``cache``, the fast path keeps each batch's result by the batch's content (citations,
    references, style, metadata, pandoc), takes the unchanged ones from it when ``reuse`` is set,
    and afterwards removes what it no longer used."""
    attempt = _FastPath(ast, items, csl, what,
                        FAST_MIN_REFERENCES if min_references is None else min_references,
                        BATCH_REFERENCES if batch_references is None else batch_references,
                        MAX_COST if max_cost is None else max_cost, cache, reuse)
    refusal = attempt.refusal()
    if refusal is not None:
        note = f"citations: one full citeproc run ({refusal})" if attempt.considered else None
        return Rendered(_citeproc(ast, what), False, note)
    result = attempt.run()
    if isinstance(result, dict):
        return Rendered(result, True, f"citations: {attempt.summary}")
    return Rendered(_citeproc(ast, what), False, f"citations: one full citeproc run ({result})")


def _citeproc(ast: AST, what: str) -> AST:
    out = pandoc.run(["-f", "json", "-t", "json", "--citeproc"], json.dumps(ast).encode("utf-8"), what=what)
    return json.loads(out)


def _meta_string(value: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": value}


class _FastPath:
    def __init__(self, ast: AST, items: Sequence[dict[str, Any]], csl: Path, what: str,
                 min_references: int, batch_references: int, max_cost: float,
                 cache: JsonCache | None, reuse: bool) -> None:
        self.ast, self.csl, self.what = ast, csl, what
        self.max_cost = max_cost
        self.considered = False  # large enough to try
        self.items = items
        self.min_references, self.batch_references = min_references, batch_references
        self.summary = ""
        self.cache, self.reuse = cache, reuse

    def refusal(self) -> str | None:
        """Why the fast path cannot be used, or None."""
        meta = self.ast.get("meta", {})
        if any(key in meta for key in CITING_METADATA):
            return "metadata adds citations"
        if has_cite(meta):
            return "citations in metadata"
        if "csl" not in meta or "bibliography" not in meta:
            return "the metadata names no style or bibliography"
        self.facts = style_facts(self.csl.read_text(encoding="utf-8"))
        if not self.facts.disambiguates:
            return "the style does not disambiguate"
        if self.facts.refusal:
            return self.facts.refusal
        self.cites = list(cites(self.ast.get("blocks", [])))
        if any(has_cite(c["c"]) for c in self.cites):
            return "a citation inside a citation"
        if any("|" in stringify([c["citationPrefix"], c["citationSuffix"]]) for cite in self.cites
               for c in cite["c"][0]):
            return "a citation with a prefix or suffix for the whole citation ('|')"
        self.keys = [cite_ids(c) for c in self.cites]
        by_id: dict[str, dict[str, Any]] = {}
        for item in self.items:
            key = str(item.get("id"))
            if key in by_id:
                return f"the bibliography has '{key}' twice"
            if "other-ids" in item:
                return "the bibliography uses other-ids"
            by_id[key] = item
        self.by_id = by_id
        cited_in_order = [k for keys in self.keys for k in keys]
        cited = set(cited_in_order)
        if cited - by_id.keys():
            return "a citation of a key the bibliography lacks"
        self.cited = len(cited)
        if len(cited) < self.min_references:
            return f"{len(cited)} references, below {self.min_references}"
        self.considered = True
        self.grouping: Grouping = group_references(by_id, cited_in_order, self.facts.all_names)
        self.cite_keys = [_cite_key(cite) for cite in self.cites]
        self.distinct: dict[str, dict[str, Any]] = {}
        for key, cite in zip(self.cite_keys, self.cites, strict=True):
            self.distinct.setdefault(key, cite)
        uses = [[(c["citationId"], _use_key(c)) for c in cite["c"][0]] for cite in self.distinct.values()]
        self.plan: list[Batch] = plan_batches(self.grouping, uses, self.batch_references)
        # citeproc's disambiguation costs about (references rendered) × (references in the run),
        # and starting pandoc about as much as 16,000 of those.
        cost = sum(16_000 + b.renderings * b.references for b in self.plan)
        full = sum(len(keys) for keys in self.keys) * len(cited)
        if cost > self.max_cost * full:
            return "citations that gather references from most groups"
        return None

    def run(self) -> AST | str:
        """The rendered AST, or why the result could not be shown to be the same."""
        distinct = list(self.distinct.values())
        made_by = (pandoc.pandoc_identity(), self.csl.read_bytes())  # what every batch's result depends on
        meta = {k: v for k, v in self.ast.get("meta", {}).items() if k not in ("csl", "bibliography")}
        with tempfile.TemporaryDirectory(prefix="synthdoc-citeproc-") as tmp:
            plain_style = Path(tmp) / "style-without-disambiguation.csl"
            plain_style.write_text(self.facts.without_disambiguation, encoding="utf-8")
            results: dict[int, AST] = {}  # by batch number
            keys: list[str] = []
            todo: dict[int, tuple[str, AST, Path]] = {}
            for n, batch in enumerate(self.plan):
                chosen = [distinct[c] if i is None else _alone(distinct[c], i) for c, i in batch.pieces]
                ids = {k for c in chosen for k in cite_ids(c)}
                items = [i for i in self.items if str(i.get("id")) in ids]
                blocks = [{"t": "Para", "c": [c]} for c in chosen]
                key = content_key(*made_by, json.dumps([meta, blocks, items]))
                keys.append(key)
                kept = self.cache.load(key) if self.cache and self.reuse else None
                if isinstance(kept, dict):
                    results[n] = kept
                    continue
                bib = Path(tmp) / f"batch-{n}.json"
                bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
                todo[n] = (key, {**self.ast, "blocks": blocks}, bib)
            reused = len(results)
            with ThreadPoolExecutor(max(1, min(1 + len(todo), os.cpu_count() or 1))) as pool:
                skeleton_run = pool.submit(self._run_with, self.ast, plain_style, None)
                batch_runs = {n: pool.submit(self._batch, *job) for n, job in todo.items()}
                skeleton = skeleton_run.result()
                results.update((n, run.result()) for n, run in batch_runs.items())
        if self.cache:
            self.cache.keep_only(set(keys))
        self.summary = (f"{self.cited} cited references, {len(self.grouping.at_risk)} open to disambiguation, "
                        f"{len(self.grouping.groups)} group(s), {len(self.plan)} batch(es)"
                        + (f", {reused} unchanged since the last build" if reused else ""))
        return self._splice(skeleton, [results[n] for n in range(len(self.plan))])

    def _batch(self, key: str, doc: AST, bibliography: Path) -> AST:
        result = self._run_with(doc, self.csl, bibliography)
        if self.cache:
            with contextlib.suppress(SynthdocError):  # the cache is a shortcut only
                self.cache.store(key, result)
        return result

    def _run_with(self, doc: AST, style: Path, bibliography: Path | None) -> AST:
        meta = dict(doc.get("meta", {}))
        meta["csl"] = _meta_string(str(style))
        if bibliography is not None:
            meta["bibliography"] = _meta_string(str(bibliography))
        return _citeproc({**doc, "meta": meta}, self.what)

    def _splice(self, skeleton: AST, results: list[AST]) -> AST | str:
        keys = list(self.distinct)
        rendered: dict[str, list[dict[str, Any]]] = {}
        entries: dict[str, dict[str, Any]] = {}
        for batch, result in zip(self.plan, results, strict=True):
            done = list(cites(result.get("blocks", [])))
            if len(done) != len(batch.pieces):
                return "a batch came back with a different number of citations"
            for (n, i), cite in zip(batch.pieces, done, strict=True):
                if i is None:
                    rendered[keys[n]] = cite["c"][1]
            for entry in _bibliography_entries(result):
                if entry["c"][0][0].removeprefix("ref-") in batch.entries:
                    entries[entry["c"][0][0]] = entry
        skeleton_cites = list(cites(skeleton.get("blocks", [])))
        if [cite_ids(c) for c in skeleton_cites] != self.keys:
            return "the citations came back in a different order"
        at_risk = self.grouping.at_risk
        for key, cite, ids in zip(self.cite_keys, skeleton_cites, self.keys, strict=True):
            if at_risk.isdisjoint(ids):
                continue
            text = rendered[key]
            if _punctuation_shape(text) != _punctuation_shape(cite["c"][1]):
                return "a disambiguated citation changes how pandoc moves the punctuation after it"
            cite["c"][1] = copy.deepcopy(text)
        replaced = 0
        for entry_list in _bibliography_lists(skeleton):
            for i, entry in enumerate(entry_list):
                ident = entry["c"][0][0]
                if ident in entries:
                    entry_list[i] = entries[ident]
                    replaced += 1
        if replaced != len(entries) or len(entries) != len(at_risk):
            return "the bibliography entries did not all come back"
        skeleton["meta"]["csl"] = self.ast["meta"]["csl"]
        return skeleton


def _alone(cite: dict[str, Any], i: int) -> dict[str, Any]:
    """The citation's ``i``-th reference as a citation of its own."""
    return {"t": "Cite", "c": [[cite["c"][0][i]], cite["c"][1]]}


def _use_key(citation: dict[str, Any]) -> str:
    return json.dumps([citation["citationPrefix"], citation["citationSuffix"], citation["citationMode"]],
                      sort_keys=True)


def _cite_key(cite: dict[str, Any]) -> str:
    """What a citation's rendering depends on in an in-text style without positions: its items,
    their prefixes, suffixes (locators) and modes — not where it stands or its note number."""
    return json.dumps([[c["citationId"], _use_key(c)] for c in cite["c"][0]])


def _punctuation_shape(content: list[dict[str, Any]]) -> tuple[bool, bool, bool]:
    """What pandoc's citeproc looks at when it moves punctuation next to a citation."""
    single_note = len(content) == 1 and content[0].get("t") in ("Note", "Superscript")
    starts_superscript = bool(content) and content[0].get("t") == "Superscript"
    return stringify(content).endswith("."), single_note, starts_superscript


def _bibliography_lists(ast: AST) -> list[list[dict[str, Any]]]:
    """The lists of entries (``Div#ref-…``) inside the bibliography ``Div#refs``."""
    refs = find(ast.get("blocks", []), lambda n: n.get("t") == "Div" and _is_refs(n["c"][0][0]))
    return [div["c"][1] for div in refs]


def _is_refs(ident: str) -> bool:
    return ident == "refs" or ident.endswith("__refs")


def _bibliography_entries(ast: AST) -> list[dict[str, Any]]:
    return [e for entries in _bibliography_lists(ast) for e in entries
            if e.get("t") == "Div" and e["c"][0][0].startswith("ref-")]
