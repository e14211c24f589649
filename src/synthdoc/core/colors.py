"""Highlight colours: Zotero's palette by name, ``#rrggbb``, and the theme a colour stands for."""

from __future__ import annotations

import re

# Zotero 7's highlight colours, which most readers' yellow, red, green … come close to.
NAMED = {
    "yellow": "#ffd400", "red": "#ff6666", "green": "#5fb236", "blue": "#2ea8e5",
    "purple": "#a28ae5", "magenta": "#e56eee", "orange": "#f19837", "gray": "#aaaaaa", "grey": "#aaaaaa",
}
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
# How far (in RGB) a reader's colour may be from a configured one and still count as it.
NEAR = 110.0


def parse_color(value: str) -> str | None:
    """``#rrggbb`` for a colour name or hex value; None when it is neither."""
    value = value.strip().lower()
    if value in NAMED:
        return NAMED[value]
    m = _HEX.fullmatch(value)
    return f"#{m.group(1).lower()}" if m else None


def from_rgb(components: list[float]) -> str | None:
    """``#rrggbb`` of a PDF colour array (/C: gray, RGB or CMYK, components from 0 to 1)."""
    try:
        values = [min(max(float(c), 0.0), 1.0) for c in components]
    except (TypeError, ValueError):
        return None
    if len(values) == 1:
        values = values * 3
    elif len(values) == 4:
        c, m, y, k = values
        values = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    if len(values) != 3:
        return None
    return "#" + "".join(f"{round(v * 255):02x}" for v in values)


def theme_of(color: str | None, mapping: tuple[tuple[str, str], ...]) -> str | None:
    """The theme of the configured colour nearest to ``color``, if one is near enough."""
    if not color or not mapping:
        return None
    rgb = _rgb(color)
    best = min(mapping, key=lambda item: _distance(rgb, _rgb(item[0])))
    return best[1] if _distance(rgb, _rgb(best[0])) <= NEAR else None


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
