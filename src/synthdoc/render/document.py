"""A document's Markdown: the project's inputs loaded once, the values its template receives, and the
Markdown the template makes of them (rendered once per build: check renders it, the build reuses it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bibliography import Bibliography
from ..core.diagnostics import Diagnostic, SynthdocError
from ..core.project import Document, Project
from ..sources.claims import Source
from ..sources.texts import SourceText
from .synthesis import Context, build_context, matrix_table
from .templating import render


@dataclass(frozen=True)
class Inputs:
    """Everything a project's checks and build read, loaded once."""

    project: Project
    sources: tuple[Source, ...]
    bibliography: Bibliography
    texts: dict[str, SourceText]
    diagnostics: tuple[Diagnostic, ...]
    inferred: frozenset[str] = frozenset()  # claims whose page was taken from where their quote stands
    # Each document's Markdown and context, rendered once by check and reused by the build.
    rendered: dict[Document, tuple[str, Context] | SynthdocError] = field(default_factory=dict, init=False,
                                                                         compare=False, repr=False)



def render_markdown(inputs: Inputs, doc: Document) -> str:
    """The document as Pandoc Markdown with citations, before citeproc."""
    return render_document(inputs, doc)[0]


def render_document(inputs: Inputs, doc: Document) -> tuple[str, Context]:
    """The document's Markdown and the context it was rendered from (rendered once: check renders it). A
    template that fails, or runs out of time, fails once: asked again, the same error."""
    kept = inputs.rendered.get(doc)
    if kept is None:
        try:
            values, ctx = template_values(inputs, doc)
            kept = render(doc.template, values, inputs.project.templates), ctx
        except SynthdocError as exc:
            kept = exc
        inputs.rendered[doc] = kept
    if isinstance(kept, SynthdocError):
        raise kept
    return kept


def template_values(inputs: Inputs, doc: Document) -> tuple[dict[str, object], Context]:
    """What the document's template receives, and the context it is made of."""
    ctx = build_context(inputs.project, doc, inputs.sources, source_order=inputs.bibliography.keys(),
                        entry=inputs.bibliography.get)
    return ctx.as_dict() | {"matrix_table": lambda **kw: matrix_table(ctx, **kw)}, ctx
