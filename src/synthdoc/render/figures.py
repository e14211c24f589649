"""Figures drawn from the project: the Kerangka Pemikiran (the themes of the review → the concepts of the
user's own research → its research problem), as SVG made here, with no dependency and no network.

A template writes a placeholder (``figure_markup``); after pandoc has read the document each placeholder
becomes what each format shows best (``place``): the SVG itself in the HTML, the SVG as a typst image in
the PDF (typst draws SVG as vectors), and in the DOCX a 300-ppi PNG that typst rasterises from the same
SVG (pandoc's DOCX writer embeds SVG without the PNG that Word before 2016 and LibreOffice need to show it).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import markdown
from .astwalk import find_in_lists, raw_block

FIGURE = "synthdoc-figure"
KERANGKA = "kerangka-pemikiran"
FONT = "TeX Gyre Termes, Times New Roman, Times, serif"
PNG_PPI = 300

# Layout, in SVG user units (1 unit = 1 pt when the figure is 16 cm wide at its natural size).
_WIDTH = 454.0  # 16 cm
_COLUMNS = (0.0, 168.0), (206.0, 124.0), (368.0, 86.0)  # x and width: themes, concepts, problem
_FONT_SIZE = 9.0
_HEAD_SIZE = 9.0
_LINE = 11.0
_PAD = 5.0
_GAP = 6.0
_CHAR = 0.47  # a Times character's mean width, in em


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    lines: tuple[str, ...]

    @property
    def h(self) -> float:
        return len(self.lines) * _LINE + 2 * _PAD

    @property
    def mid(self) -> float:
        return self.y + self.h / 2


def wrap(text: str, width: float, size: float = _FONT_SIZE) -> tuple[str, ...]:
    """``text`` broken into lines that fit ``width`` units at ``size`` (a word longer than a line stands
    alone on its line)."""
    most = max(4, int((width - 2 * _PAD) / (size * _CHAR)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def _stack(texts: Sequence[str], x: float, w: float, top: float, height: float) -> list[Box]:
    """Boxes for ``texts`` in one column, spread evenly over ``height`` from ``top``."""
    boxes = [Box(x, 0.0, w, wrap(t, w)) for t in texts]
    used = sum(b.h for b in boxes)
    space = max(_GAP, (height - used) / max(1, len(boxes))) if len(boxes) > 1 else 0.0
    y = top + max(0.0, (height - used - space * (len(boxes) - 1)) / 2)
    out = []
    for b in boxes:
        out.append(Box(b.x, y, b.w, b.lines))
        y += b.h + space
    return out


def kerangka_svg(problem: str, concepts: Sequence[tuple[str, Sequence[str]]], heads: Sequence[str]) -> str:
    """The Kerangka Pemikiran as SVG: the themes (left) that lead to each concept (middle), the concepts to
    the research problem (right). ``concepts``: (title, titles of its themes); ``heads``: the three column
    headings. Every text is escaped."""
    themes = list(dict.fromkeys(t for _, ts in concepts for t in ts))
    top = _HEAD_SIZE + 2 * _PAD
    theme_boxes = _stack(themes, *_COLUMNS[0], top, 0.0)
    height = max([b.y + b.h for b in theme_boxes] or [top + 40.0]) - top
    concept_boxes = _stack([c for c, _ in concepts], *_COLUMNS[1], top, height)
    height = max(height, max([b.y + b.h for b in concept_boxes] or [top]) - top)
    problem_box = _stack([problem], *_COLUMNS[2], top, height)[0]
    total = max(height, problem_box.y + problem_box.h - top) + top + _PAD
    at = {t: b for t, b in zip(themes, theme_boxes, strict=True)}

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH:g} {total:.1f}" '
             f'width="{_WIDTH:g}pt" height="{total:.1f}pt" role="img" font-family="{FONT}" '
             f'font-size="{_FONT_SIZE:g}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#000"/></marker></defs>']
    for (x, w), head in zip(_COLUMNS, heads, strict=True):
        parts.append(f'<text x="{x + w / 2:.1f}" y="{_HEAD_SIZE:g}" text-anchor="middle" font-weight="bold" '
                     f'font-size="{_HEAD_SIZE:g}">{html.escape(head)}</text>')
    for (_, theme_titles), cbox in zip(concepts, concept_boxes, strict=True):
        for t in theme_titles:
            tb = at[t]
            parts.append(_arrow(tb.x + tb.w, tb.mid, cbox.x, cbox.mid))
        parts.append(_arrow(cbox.x + cbox.w, cbox.mid, problem_box.x, problem_box.mid))
    for box, fill in [*((b, "#f2f2f2") for b in theme_boxes), *((b, "#ffffff") for b in concept_boxes),
                      (problem_box, "#e6e6e6")]:
        parts.append(_box(box, fill))
    parts.append("</svg>")
    return "\n".join(parts)


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#000" stroke-width="0.7" '
            'marker-end="url(#arrow)"/>')


def _box(box: Box, fill: str) -> str:
    out = [f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" fill="{fill}" '
           'stroke="#000" stroke-width="0.8"/>']
    for i, line in enumerate(box.lines):
        y = box.y + _PAD + (i + 1) * _LINE - 2.5
        out.append(f'<text x="{box.x + box.w / 2:.1f}" y="{y:.1f}" text-anchor="middle">{html.escape(line)}</text>')
    return "".join(out)


def figure_markup(name: str) -> str:
    """A placeholder for figure ``name`` in a document's Markdown (replaced by ``place``)."""
    return f'\n::: {{.{FIGURE} figure="{name}"}}\n:::\n'


def _is_figure(node: dict[str, Any]) -> bool:
    return node.get("t") == "Div" and FIGURE in node["c"][0][1]


def svgs(research: Any, words: Mapping[str, str]) -> dict[str, str]:
    """The figures a project can draw, by name: the Kerangka Pemikiran when ``research`` (a ResearchView)
    has concepts that themes lead to."""
    if research is None or not any(c.themes for c in research.concepts):
        return {}
    concepts = [(c.title, c.themes) for c in research.concepts]
    heads = (words["fig_themes"], words["fig_concepts"], words["fig_problem"])
    return {KERANGKA: kerangka_svg(markdown.unescape(research.problem),
                                   [(markdown.unescape(t), [markdown.unescape(x) for x in ts]) for t, ts in concepts],
                                   heads)}


def place(ast: dict[str, Any], svgs: dict[str, str], fmt: str) -> dict[str, Any]:
    """The AST with each figure placeholder replaced by its figure as ``fmt`` shows it (a copy: the
    formats are made side by side from one AST); a placeholder whose figure the project cannot draw is
    removed."""
    if next(find_in_lists(ast.get("blocks", []), _is_figure), None) is None:
        return ast
    ast = json.loads(json.dumps(ast))
    for holder, index in reversed(list(find_in_lists(ast.get("blocks", []), _is_figure))):
        name = dict(holder[index]["c"][0][2]).get("figure", "")
        svg = svgs.get(name)
        if svg is None:
            del holder[index]
        elif fmt == "html":
            holder[index] = raw_block("html", f'<div class="figure" style="text-align: center; margin: 1em 0">'
                                              f'{svg}</div>')
        elif fmt == "typst":
            holder[index] = raw_block("typst", f"#align(center)[#image(bytes({_typst_string(svg)}), "
                                               'format: "svg", width: 100%)]')
        else:
            # pandoc runs sandboxed and reads no file it is not given: the PNG travels in the AST as a data URI
            uri = "data:image/png;base64," + base64.b64encode(svg_png(svg)).decode("ascii")
            image = {"t": "Image", "c": [["", [], [["width", "100%"]]], [], [uri, ""]]}
            holder[index] = {"t": "Div", "c": [["", [], [["custom-style", "Captioned Figure"]]],
                                               [{"t": "Para", "c": [image]}]]}
    return ast


def svg_png(svg: str, ppi: int = PNG_PPI) -> bytes:
    """The SVG as a PNG at ``ppi``, drawn by typst with synthdoc's own fonts."""
    import typst

    from .typst_layout import font_paths

    source = ('#set page(width: auto, height: auto, margin: 0pt)\n'
              f'#image(bytes({_typst_string(svg)}), format: "svg")\n')
    return typst.compile(source.encode("utf-8"), format="png", ppi=ppi,
                         font_paths=[str(p) for p in font_paths()])


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
