"""From claims to a template's context: themes ▸ points ▸ claims, contrasts, actors, the matrix.

Everything here is already in the document's language and already Markdown: a template
only arranges it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..core.project import Document, Project
from ..core.schema import in_language, pick
from ..sources.claims import Claim, Source
from . import markdown, prose, tables, translations
from .citations import cite, cite_key, cite_narrative, cite_year, locator_text
from .phrases import phrases
from .thesis import BLOCK_QUOTE_WORDS


@dataclass(frozen=True)
class ClaimView:
    """One claim as a template sees it, in one language."""

    claim: Claim
    says: str
    short: str
    verbatim: str  # the quote as Markdown text, in the source's language
    where: str
    cite: str
    citet: str
    cite_year: str
    n: int = 0  # the claim's number in this document: provenance marks sentences with it
    translated: str = ""  # the author's translation of the quote into the document's language, as Markdown text
    foreign: bool = False  # the source's language is not the document's
    _words: dict[str, str] = field(default_factory=lambda: phrases("en"), compare=False, repr=False)
    # where to note that the template asked for a quote it can only have untranslated (check warns)
    _untranslated: set[str] | None = field(default=None, compare=False, repr=False)
    # the document's quote frames, made in the order the chapter tells its claims (build_context)
    _reported: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def clause(self) -> bool:
        """Whether the quote as shown is a whole clause that may follow "bahwa"/"that" (prose.is_clause);
        the claim's own statement shown in place of an untranslated quote is introduced after a colon."""
        if self.foreign and not self.translated:
            return False
        return prose.is_clause(markdown.unescape(self.translated or self.verbatim), self._words["lang"])

    @property
    def reported(self) -> str:
        """The quote in a sentence that names its author, with a frame chosen by the claim's kind and by
        whether the quote is a clause ("X menemukan bahwa “…”." / "Temuan X berbunyi: “…”."), marked with its
        provenance. Frames rotate through the document: none repeats while another is unused."""
        self._log()
        return self._reported.get(self.ref) or self._reported.get("", "")

    @property
    def introduced(self) -> str:
        """The words that introduce this claim's quote set as a block quotation ("Temuan X berbunyi:")."""
        self._log()
        return self._reported.get("block:" + self.ref, "")

    @property
    def quote(self) -> str:
        """The verbatim quote, in the source's language (``quoted`` is what a document shows)."""
        self._log()
        return self.verbatim

    @property
    def quoted(self) -> str:
        """The quote as the document shows it, without its final full stop: “verbatim” in the source's
        language; “translation” (my translation) in another; the claim's own statement without quotation
        marks where the claim gives no translation."""
        self._log()
        return self.shown()

    def shown(self) -> str:
        """``quoted``, without noting that a template asked for it."""
        w = self._words
        if self.foreign and not self.translated:
            return markdown.without_end(self.says)
        text = markdown.nested(markdown.without_end(self.translated or self.verbatim), w["quote_open"])
        mark = f" ({w['my_translation']})" if self.translated else ""
        return f"{w['quote_open']}{text}{w['quote_close']}{mark}"

    @property
    def long_quote(self) -> bool:
        """Whether the quote is long enough (40 words or more) to stand as a block quotation."""
        return not (self.foreign and not self.translated) and \
            len((self.translated or self.verbatim).split()) >= BLOCK_QUOTE_WORDS

    @property
    def quote_block(self) -> str:
        """The quote as a block quotation's text: no quotation marks, the translation marked."""
        self._log()
        if self.translated:
            return f"{self.translated} ({self._words['my_translation']})"
        return self.verbatim

    def _log(self) -> None:
        if self._untranslated is not None:
            self._untranslated.add(self.claim.ref)

    @property
    def label(self) -> str:
        """The claim's own short label in the document's language ("Fungsi IGO (Karns dan Mingst)"), or ""
        where it has none (``short`` then falls back to the statement)."""
        own = in_language(self.claim.short, self._words["lang"]) if self.claim.short else None
        return markdown.inline(own) if own else ""

    @property
    def ref(self) -> str:
        return self.claim.ref

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def source(self) -> str:
        return self.claim.source

    @property
    def kind(self) -> str:
        return self.claim.kind

    @property
    def sentence(self) -> str:
        """The claim's statement with its citation: ``Statement [@key, bag. 4.1].``, marked with its provenance."""
        return provenance(markdown.with_citation(self.says, self.cite), (self,))


@dataclass(frozen=True)
class PointView:
    id: str
    says: str
    claims: tuple[ClaimView, ...]
    cite: str
    sources: tuple[str, ...]
    agreement: str = ""  # how many of the document's sources reach the point ("Tiga dari lima penelitian …")
    woven: str = ""  # each claim's quote in a sentence of its own, joined by connectors
    support: str = ""  # how many sources a finding stated above rests on ("Dua dari lima penelitian … mendukung …")
    woven_alone: str = ""  # ``woven`` without the recommendations addressed to actors, long quotes inline

    @property
    def evidence(self) -> str:
        """Each claim's quote (but those long enough for a block) in a sentence of its own that names its
        author, the sentences joined by connectors ("Senada dengan itu, …"; "Namun, …" before a limitation);
        a source's further claims follow its first ("X juga menemukan bahwa …")."""
        for view in self.claims:
            view._log()
        return self.woven

    @property
    def evidence_alone(self) -> str:
        """``evidence`` for a document that tells recommendations under the actors they address (a policy
        brief): the claims addressed to an actor are left out, and a long quote is told in its sentence."""
        for view in self.claims:
            if not view.claim.actors:
                view._log()
        return self.woven_alone

    @property
    def sentence(self) -> str:
        """The point's statement with all its citations in one cluster, marked with its claims."""
        return provenance(markdown.with_citation(self.says, self.cite), self.claims)

    @property
    def by_source(self) -> tuple[ClaimView, ...]:
        """One claim per source (its first), for sentences that name each author once."""
        seen: dict[str, ClaimView] = {}
        for view in self.claims:
            seen.setdefault(view.source, view)
        return tuple(seen.values())

    @property
    def blocks(self) -> tuple[ClaimView, ...]:
        """The claims whose quotes are long enough to stand as block quotations, each introduced by
        ``introduced`` (``evidence`` leaves them out)."""
        return tuple(v for v in self.claims if v.long_quote)


@dataclass(frozen=True)
class ContrastView:
    """A claim and the claims that say otherwise."""

    claim: ClaimView
    others: tuple[ClaimView, ...]
    woven: str = ""  # the other side, each in a sentence of its own ("Sebaliknya, X menemukan bahwa …")

    @property
    def told(self) -> str:
        """The claims that say otherwise, each in a sentence of its own that opens with a contrast."""
        for view in self.others:
            view._log()
        return self.woven


@dataclass(frozen=True)
class ThemeView:
    id: str
    title: str
    intro: str
    points: tuple[PointView, ...]
    contrasts: tuple[ContrastView, ...]
    loose: tuple[ClaimView, ...]
    claims: tuple[ClaimView, ...]

    @property
    def told(self) -> bool:
        """Whether the theme has prose of its own (its claims may all be told under other themes)."""
        return bool(self.points or self.contrasts or self.loose)


@dataclass(frozen=True)
class ActorView:
    id: str
    title: str
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class SourceView:
    key: str
    citet: str
    claims: tuple[ClaimView, ...]
    title: str = ""  # the work's title as the bibliography gives it, as Markdown text
    relevance: str = ""  # how the source bears on the user's own study (its claims file's relevance:)
    focus: str = ""  # study: what it examines
    method: str = ""  # study: its method
    similarity: str = ""  # study: persamaan with the user's own research
    difference: str = ""  # study: perbedaan from it
    discussed: tuple[str, ...] = ()  # the ids of the themes whose sections tell its other claims (not theories)
    named: tuple[tuple[str, str], ...] = ()  # its first two labelled findings: (label, the theme telling it)

    @property
    def theories(self) -> tuple[ClaimView, ...]:
        return tuple(c for c in self.claims if c.kind == "theory")

    @property
    def findings(self) -> tuple[ClaimView, ...]:
        return tuple(c for c in self.claims if c.kind == "finding")


@dataclass(frozen=True)
class ConceptView:
    id: str
    title: str
    themes: tuple[str, ...]  # the titles of the themes that lead to it
    points: tuple[str, ...]  # the statements of the points that lead to it


@dataclass(frozen=True)
class ResearchView:
    """The user's own research: its problem and its concepts (the Kerangka Pemikiran)."""

    problem: str
    concepts: tuple[ConceptView, ...]


@dataclass(frozen=True)
class GapView:
    """What the evidence matrix leaves open: themes no source covers, themes one source covers, and the
    contrasts (where sources disagree)."""

    uncovered: tuple[str, ...]  # theme titles
    thin: tuple[str, ...]  # a sentence for each theme fewer than half of the sources cover
    disputed: tuple[ContrastView, ...]
    disputed_themes: tuple[str, ...] = ()  # the titles of the themes where sources disagree

    @property
    def any(self) -> bool:
        return bool(self.uncovered or self.thin or self.disputed)


@dataclass(frozen=True)
class MatrixRow:
    theme: ThemeView
    cells: tuple[tuple[ClaimView, ...], ...]


@dataclass(frozen=True)
class Context:
    """What a template receives."""

    document: Document
    lang: str
    title: str
    project_title: str
    words: Mapping[str, str]
    themes: tuple[ThemeView, ...]
    points: tuple[PointView, ...]
    actors: tuple[ActorView, ...]
    sources: tuple[SourceView, ...]
    claims: tuple[ClaimView, ...]
    contrasts: tuple[ContrastView, ...]
    matrix: tuple[MatrixRow, ...] = field(default=())
    # The claims grouped by the actors they address together: a recommendation for governments and IOM is
    # in one group, titled "Governments and IOM", not in each actor's (``actors``).
    addressed: tuple[ActorView, ...] = field(default=())
    research: ResearchView | None = None
    gaps: GapView | None = None
    # Claims from a source in another language whose quote the template asked for, with no translation
    # into the document's language: filled while the template is rendered (check warns about them).
    untranslated: set[str] = field(default_factory=set, compare=False, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "untranslated"}


def selected_claims(doc: Document, sources: tuple[Source, ...]) -> tuple[Claim, ...]:
    """The claims a document draws on, in source-file then claim order; drafts wait until they have themes."""
    sel = doc.select
    out = []
    for source in sources:
        if sel.sources and source.key not in sel.sources:
            continue
        for claim in source.claims:
            if claim.draft:
                continue
            if sel.kinds and claim.kind not in sel.kinds:
                continue
            if sel.themes and not set(claim.themes) & set(sel.themes):
                continue
            out.append(claim)
    return tuple(out)


def provenance(text: str, views: tuple[ClaimView, ...] | list[ClaimView]) -> str:
    """``text`` as a span that names the claims it rests on: ``[text]{.claim data-claims="3 4"}``.

    HTML shows each claim's quote and locator on hover or click; DOCX can carry them as comments.
    """
    ids = " ".join(str(v.n) for v in views)
    return f'[{text}]{{.claim data-claims="{ids}"}}' if ids else text


def view_claim(claim: Claim, lang: str, n: int = 0, source_lang: str = "",
               untranslated: set[str] | None = None, reported: dict[str, str] | None = None) -> ClaimView:
    says = markdown.inline(pick(claim.says, lang))
    foreign = translations.foreign(source_lang, lang)
    translated = in_language(claim.translation, lang) if foreign else None
    return ClaimView(
        claim=claim,
        says=says,
        short=markdown.inline(short) if (short := in_language(claim.short, lang)) else markdown.without_end(says),
        verbatim=markdown.literal(claim.quote),
        where=locator_text([claim.at], lang) if claim.at else "",
        cite=cite([claim], lang),
        citet=cite_narrative(claim, lang),
        cite_year=cite_year(claim, lang),
        n=n,
        translated=markdown.literal(translated) if translated else "",
        foreign=foreign,
        _words=phrases(lang),
        _untranslated=untranslated if foreign and not translated else None,
        _reported=reported if reported is not None else {},
    )


def build_context(project: Project, doc: Document, sources: tuple[Source, ...],
                  source_order: list[str] | None = None,
                  entry: Callable[[str], dict | None] | None = None) -> Context:
    """The template context of ``doc``: its selected claims arranged by theme, point, actor and source
    (``entry``: a source's bibliography entry as CSL JSON, for its title)."""
    lang = doc.lang
    claims = selected_claims(doc, sources)
    langs = {s.key: s.lang for s in sources}
    untranslated: set[str] = set()
    reported: dict[str, str] = {}
    views = {c.ref: view_claim(c, lang, n, langs.get(c.source, ""), untranslated, reported)
             for n, c in enumerate(claims, 1)}
    total = len({c.source for c in claims})
    ordered = tuple(views.values())

    by_point = _grouped(ordered, lambda v: (v.claim.point,))
    points: dict[str, PointView] = {}
    for point in project.points:
        members = by_point.get(point.id, ())
        if members:
            points[point.id] = PointView(
                id=point.id,
                says=markdown.inline(pick(point.says, lang)),
                claims=members,
                cite=cite([v.claim for v in members], lang),
                sources=tuple(dict.fromkeys(v.source for v in members)),
            )

    contrasts = _contrasts(ordered, views)
    in_contrast = {c.claim.ref for c in contrasts} | {o.ref for c in contrasts for o in c.others}

    framer = prose.Framer(lang)
    # Frames are given out in the order a chapter tells its claims: the theories (Landasan Teori), then
    # each theme's points and contrasts, then every other claim (for templates of a project's own).
    for view in ordered:
        if view.kind == "theory":
            reported[view.ref] = _report(framer, view)
    themed = {t.id: [p.id for p in project.points if p.theme == t.id and p.id in points] for t in project.themes}
    for theme in project.themes:
        for i, pid in enumerate(themed[theme.id]):
            points[pid] = _woven(points[pid], framer, reported, total, lang, first=i == 0)
        for j, con in enumerate(contrasts):
            if theme.id in con.claim.claim.themes and not con.woven:
                woven = " ".join(_report(framer, o, framer.connector("differ")) for o in con.others)
                contrasts = (*contrasts[:j], ContrastView(con.claim, con.others, woven), *contrasts[j + 1:])
    for view in ordered:
        if view.ref not in reported:
            reported[view.ref] = _report(framer, view)

    by_theme = _grouped(ordered, lambda v: v.claim.themes)
    point_theme = {p.id: p.theme for p in project.points}
    # A point is told under its own theme, when the document shows that theme, even if none of its claims
    # carries the theme; otherwise its claims are told on their own.
    told = {pid for pid in points if not doc.select.themes or point_theme.get(pid) in doc.select.themes}
    # A claim with several themes is told under the first of them, in the project's order (the matrix lists
    # it under each).
    rank = {t.id: i for i, t in enumerate(project.themes)}
    home = {v.ref: min(v.claim.themes, key=lambda t: rank.get(t, len(rank)), default="") for v in ordered}
    themes = []
    for theme in project.themes:
        members = by_theme.get(theme.id, ())
        theme_points = tuple(p for pid, p in points.items() if pid in told and point_theme.get(pid) == theme.id)
        if not members and not theme_points:
            continue
        theme_contrasts = tuple(c for c in contrasts if home[c.claim.ref] == theme.id)
        # A claim is told once: through its point, else through its contrast, else on its own.
        loose = tuple(v for v in members if v.claim.point not in told and v.ref not in in_contrast
                      and home[v.ref] == theme.id)
        themes.append(ThemeView(
            id=theme.id,
            title=markdown.inline(pick(theme.title, lang)),
            intro=markdown.inline(pick(theme.intro, lang)) if theme.intro else "",
            points=theme_points,
            contrasts=theme_contrasts,
            loose=loose,
            claims=members,
        ))

    # Where each claim is told: the theme section of its point, of its contrast, or its own.
    told_under: dict[str, str] = {}
    for t in themes:
        for p in t.points:
            for v in p.claims:
                told_under.setdefault(v.ref, t.id)
        for con in t.contrasts:
            for v in (con.claim, *con.others):
                told_under.setdefault(v.ref, t.id)
        for v in t.loose:
            told_under.setdefault(v.ref, t.id)
    shown = [t.id for t in themes]

    by_source = _grouped(ordered, lambda v: (v.source,))  # a source's claims, in the document's order

    def named(key: str) -> tuple[tuple[str, str], ...]:
        return tuple((v.label, told_under[v.ref]) for v in by_source.get(key, ())
                     if v.kind == "finding" and v.label and v.ref in told_under)[:2]

    def discussed(key: str) -> tuple[str, ...]:
        done = {label for label, _ in named(key)}
        ids = {told_under[v.ref] for v in by_source.get(key, ()) if v.kind != "theory" and v.ref in told_under
               and not (v.kind == "finding" and v.label in done)}
        return tuple(t for t in shown if t in ids)

    by_actor = _grouped(ordered, lambda v: v.claim.actors)
    actors = tuple(
        ActorView(a.id, markdown.inline(pick(a.title, lang)), by_actor.get(a.id, ()))
        for a in project.actors
    )
    addressed = _addressed(project, ordered, lang)
    keys = list(dict.fromkeys(v.source for v in ordered))
    if source_order:
        rank = {k: i for i, k in enumerate(source_order)}
        keys.sort(key=lambda k: rank.get(k, len(rank)))
    by_key = {s.key: s for s in sources}

    def studied(key: str, name: str) -> str:
        value = by_key[key].studied(name) if key in by_key else {}
        return markdown.inline(pick(value, lang)) if value else ""

    source_views = tuple(
        SourceView(k, cite_key(k), by_source[k], markdown.literal(entry_title(entry(k) if entry else None)),
                   studied_relevance(by_key.get(k), lang), studied(k, "focus"), studied(k, "method"),
                   studied(k, "similarity"), studied(k, "difference"), discussed(k), named(k))
        for k in keys)
    matrix = []
    for t in themes:
        if not t.claims:
            continue  # a theme told only through a point of claims filed under other themes
        cells = _grouped(t.claims, lambda v: (v.source,))
        matrix.append(MatrixRow(t, tuple(cells.get(k, ()) for k in keys)))
    return Context(
        document=doc,
        lang=lang,
        title=doc.title,
        project_title=pick(project.title, lang) if project.title else "",
        words=phrases(lang),
        themes=tuple(themes),
        points=tuple(points.values()),
        actors=tuple(a for a in actors if a.claims),
        addressed=addressed,
        sources=source_views,
        claims=ordered,
        contrasts=contrasts,
        matrix=tuple(matrix),
        research=_research(project, lang),
        gaps=_gaps(project, themes, keys, contrasts, lang) if doc.chapter or len(keys) > 1 else None,
        untranslated=untranslated,
    )


def _addressed(project: Project, ordered: tuple[ClaimView, ...], lang: str) -> tuple[ActorView, ...]:
    """The claims grouped by the set of actors each addresses, in the project's actor order (a group after the
    single actor it begins with, the larger after the smaller), each group titled with all its actors."""
    rank = {a.id: i for i, a in enumerate(project.actors)}
    titles = {a.id: markdown.inline(pick(a.title, lang)) for a in project.actors}
    groups = _grouped(ordered, lambda v: ("+".join(sorted({a for a in v.claim.actors if a in rank},
                                                           key=rank.__getitem__)),))
    groups.pop("", None)
    and_ = phrases(lang)["and"]

    def title(key: str) -> str:
        names = [titles[a] for a in key.split("+")]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {and_} {names[-1]}"

    def order(key: str | None) -> tuple[int, ...]:
        return tuple(rank[a] for a in (key or "").split("+"))

    return tuple(ActorView(key, title(key), groups[key]) for key in sorted(groups, key=order) if key)


def studied_relevance(source: Source | None, lang: str) -> str:
    return markdown.inline(pick(source.relevance, lang)) if source is not None and source.relevance else ""


def _research(project: Project, lang: str) -> ResearchView | None:
    """The user's own research as the template shows it: the problem, each concept with the titles of the
    themes and the statements of the points that lead to it."""
    research = project.research
    if research is None:
        return None
    titles = {t.id: markdown.inline(pick(t.title, lang)) for t in project.themes}
    says = {p.id: markdown.inline(pick(p.says, lang)) for p in project.points}
    return ResearchView(
        markdown.inline(pick(research.problem, lang)),
        tuple(ConceptView(c.id, markdown.inline(pick(c.title, lang)), tuple(titles[t] for t in c.themes),
                          tuple(says[p] for p in c.points)) for c in research.concepts))


def _gaps(project: Project, themes: list[ThemeView], keys: list[str], contrasts: tuple[ContrastView, ...],
          lang: str) -> GapView:
    """The evidence matrix read for what it leaves open: the project's themes no selected source covers,
    those fewer than half of the sources cover, and the contrasts."""
    covered = {t.id: t for t in themes}
    uncovered = tuple(markdown.inline(pick(t.title, lang)) for t in project.themes if t.id not in covered
                      or not covered[t.id].claims)
    thin = []
    for theme in themes:
        count = len(dict.fromkeys(v.source for v in theme.claims))
        if count > 0 and count * 2 < len(keys):
            thin.append(prose.coverage(theme.title, count, len(keys), lang))
    titles = {t.id: t.title for t in themes}
    disputed = tuple(dict.fromkeys(titles[t] for c in contrasts for t in c.claim.claim.themes[:1] if t in titles))
    return GapView(uncovered, tuple(thin), contrasts, disputed)


def _report(framer: prose.Framer, view: ClaimView, connector: str = "") -> str:
    """The claim's quote in a sentence that names its author, its frame from ``framer``, with provenance."""
    frame = framer.frame(view.kind, view.clause, paraphrase=view.foreign and not view.translated)
    return provenance(prose.fill(frame, view.citet, view.shown(), connector) + ".", (view,))


def _woven(point: PointView, framer: prose.Framer, reported: dict[str, str], total: int, lang: str,
           first: bool) -> PointView:
    """The point with its agreement sentence and its claims' quotes woven together, a source's further claims
    after its first; quotes long enough for a block get an introduction of their own (``introduced``). The
    variant without the claims addressed to actors is woven with a rotation of its own (a document shows one
    of the two)."""
    woven = _weave(point.claims, framer, reported, blocks=True)
    alone = _weave(tuple(v for v in point.claims if not v.claim.actors), prose.Framer(lang), None, blocks=False)
    # A source whose claims here are recommendations to actors is still named: they are told with the
    # recommendations, and the reader is sent there.
    addressed = dict.fromkeys(v.source for v in point.claims if v.claim.actors)
    pointers = " ".join(phrases(lang)["see_recommendations"].replace("{who}", cite_key(key)) for key in addressed)
    alone = f"{alone} {pointers}".strip()
    agreement = prose.agreement(len(point.sources), total, lang, first, framer.connector("reach")) \
        if total > 1 else ""
    support = prose.support(len(point.sources), total, lang) if total > 1 else ""
    return PointView(point.id, point.says, point.claims, point.cite, point.sources, agreement, woven, support, alone)


def _weave(views: tuple[ClaimView, ...], framer: prose.Framer, reported: dict[str, str] | None,
           blocks: bool) -> str:
    """Each claim's quote in a sentence that names its author: a source's first claim with a frame of the
    rotation and a connector between sources, its further claims right after it ("X juga …"). With
    ``blocks``, a quote long enough for a block quotation gets only its introduction (in ``reported``)."""
    sentences: list[str] = []
    order = list(dict.fromkeys(v.source for v in views))
    for i, source in enumerate(order):
        for j, view in enumerate(v for v in views if v.source == source):
            paraphrase = view.foreign and not view.translated
            if blocks and view.long_quote:
                frame = framer.frame(view.kind, False) if j == 0 else framer.also(view.kind, False)
                if reported is not None:
                    reported["block:" + view.ref] = provenance(prose.fill(frame, view.citet, "").rstrip(), (view,))
                continue
            if j == 0:
                relation = "qualify" if view.kind == "limitation" else "agree"
                connector = framer.connector(relation) if sentences or (i and relation == "qualify") else ""
                sentence = _report(framer, view, connector)
            else:
                frame = framer.also(view.kind, view.clause, paraphrase=paraphrase)
                sentence = provenance(prose.fill(frame, view.citet, view.shown()) + ".", (view,))
            if reported is not None:
                reported[view.ref] = sentence
            sentences.append(sentence)
    return " ".join(sentences)


def _contrasts(ordered: tuple[ClaimView, ...], views: dict[str, ClaimView]) -> tuple[ContrastView, ...]:
    """Each claim with the selected claims that say otherwise; the other side of a contrast already told
    (B contrasting A after A contrasted B) is not told again."""
    out: list[ContrastView] = []
    told: set[str] = set()
    for view in ordered:
        others = tuple(views[r] for r in view.claim.contrasts if r in views)
        if not others or (view.ref in told and all(o.ref in told for o in others)):
            continue
        out.append(ContrastView(view, others))
        told |= {view.ref, *(o.ref for o in others)}
    return tuple(out)


_MARKUP = re.compile(r"<[^>]*>")


def entry_title(item: dict | None) -> str:
    """A CSL JSON entry's title as plain text (pandoc writes emphasis and case protection as tags)."""
    title = item.get("title") if item else None
    return html.unescape(_MARKUP.sub("", title)) if isinstance(title, str) else ""


def _grouped(views: Iterable[ClaimView], keys: Callable[[ClaimView], Iterable[str | None]]
             ) -> dict[str | None, tuple[ClaimView, ...]]:
    """The views under each of their keys, in their own order: one pass, not one per key."""
    groups: dict[str | None, list[ClaimView]] = {}
    for view in views:
        for key in dict.fromkeys(keys(view)):
            groups.setdefault(key, []).append(view)
    return {key: tuple(members) for key, members in groups.items()}


def matrix_table(ctx: Context, across: int = 5) -> str:
    """The evidence matrix: themes down, sources across, each cell one paragraph per claim with its
    citation. With more than ``across`` sources they do not fit side by side: each theme then has a
    row per source (theme, source, claims)."""
    def claims(cell: tuple[ClaimView, ...]) -> list[str]:
        return [f"{provenance(v.short, (v,))} {v.cite_year}" for v in cell]

    theme = ctx.words["theme"]
    if len(ctx.sources) <= across:
        header = [theme, *(s.citet for s in ctx.sources)]
        rows = [[[f"**{row.theme.title}**"], *(claims(cell) for cell in row.cells)] for row in ctx.matrix]
    else:
        header = [theme, ctx.words["source"], ctx.words["claims"]]
        rows = []
        for row in ctx.matrix:
            first = True
            for source, cell in zip(ctx.sources, row.cells, strict=True):
                if cell:
                    rows.append([[f"**{row.theme.title}**"] if first else [], [source.citet], claims(cell)])
                    first = False
    return tables.table_markup(header, rows)

