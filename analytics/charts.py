"""Inline SVG charts (no external assets, no JavaScript) that fit a phone: they scale to the
screen width (``viewBox``, ``width="100%"``) and keep labels inside the picture.

Gemeenten are ordered by name, never by value: these figures are "niet om af te rekenen".
An unreliable gemeente cell is drawn as its region's value (hollow, grey) and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from analytics.contract import Geography
from analytics.formatting import fmt, period
from analytics.indicators.catalogue import Indicator

__all__ = ["error_bar_chart", "fmt", "trend_chart"]


def _range(ind: Indicator, values: Sequence[float]) -> tuple[float, float]:
    if ind.kind == "proportion":
        return 0.0, 1.0
    lo, hi = min([0.0, *values]), max([1.0, *values])
    return lo, hi * 1.05


def shown(cell: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """What a reader sees for a cell: its own value, or (flagged) its region's value."""
    pooled = cell.get("pooled")
    if cell["flags"] and pooled is not None:
        return pooled, True
    return cell, False


def error_bar_chart(ind: Indicator, cells: list[dict[str, Any]], geography: Geography) -> Markup:
    rows = sorted(cells, key=lambda c: geography.name_of(c["key"]["gemeentecode"]))
    if not rows:
        return Markup("")
    values = [
        v
        for c in rows
        for v in (shown(c)[0].get("lower"), shown(c)[0].get("upper"), shown(c)[0].get("value"))
        if v is not None
    ]
    lo, hi = _range(ind, values)
    label_w, plot_w, row_h, pad, right = 130, 230, 22, 10, 60
    width = label_w + plot_w + right
    height = pad * 2 + row_h * len(rows) + 20

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo or 1.0) * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width * 1.6:.0f}px" '
        f'aria-label="{escape(ind.title)} per gemeente met 95%-marges">',
        f"<title>{escape(ind.title)} per gemeente (alfabetisch; niet om af te rekenen)</title>",
    ]
    axis_y = pad + row_h * len(rows) + 4
    parts.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" stroke="#555"/>'
    )
    for frac in (0.0, 0.5, 1.0):
        value = lo + frac * (hi - lo)
        xv = x(value)
        parts.append(f'<line x1="{xv:.1f}" y1="{pad}" x2="{xv:.1f}" y2="{axis_y}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{xv:.1f}" y="{axis_y + 14}" font-size="11" text-anchor="middle">'
            f"{escape(fmt(value, ind.kind))}</text>"
        )
    for i, cell in enumerate(rows):
        y = pad + row_h * i + row_h / 2
        name = geography.name_of(cell["key"]["gemeentecode"])
        short = name if len(name) <= 18 else name[:17] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
        )
        figure, regional = shown(cell)
        if figure.get("value") is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 4:.1f}" font-size="11" fill="#777">'
                "geen schatting</text>"
            )
            continue
        colour = "#999" if regional else "#1f4e79"
        if figure.get("lower") is not None and figure.get("upper") is not None:
            parts.append(
                f'<line x1="{x(figure["lower"]):.1f}" y1="{y:.1f}" x2="{x(figure["upper"]):.1f}" '
                f'y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
            )
        label = (
            f"{name}: {fmt(figure['value'], ind.kind, ind.unit)} ± "
            f"{fmt(figure['margin'], ind.kind if ind.kind != 'count' else 'count')}"
            + (" (waarde van de regio: de gemeente zelf is te onzeker)" if regional else "")
        )
        parts.append(
            f'<circle cx="{x(figure["value"]):.1f}" cy="{y:.1f}" r="4" '
            f'fill="{"white" if regional else colour}" stroke="{colour}">'
            f"<title>{escape(label)}</title></circle>"
        )
        if regional:
            parts.append(
                f'<text x="{label_w + plot_w + 6}" y="{y + 4:.1f}" font-size="10" '
                'fill="#777">regio</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped


def trend_chart(ind: Indicator, points: list[tuple[str, dict[str, Any]]]) -> Markup:
    """One line over periods (value with its 95% band), e.g. the national figure per quarter."""
    points = [(p, c) for p, c in points if c.get("value") is not None]
    if len(points) < 2:
        return Markup("")
    values = [v for _, c in points for v in (c["lower"], c["upper"], c["value"]) if v is not None]
    lo, hi = _range(ind, values)
    width, height, left, bottom, top = 360, 170, 46, 34, 10
    plot_w, plot_h = width - left - 12, height - bottom - top

    def x(i: int) -> float:
        return left + plot_w * i / (len(points) - 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, lo), hi) - lo) / (hi - lo or 1.0))

    band = " ".join(f"{x(i):.1f},{y(c['upper']):.1f}" for i, (_, c) in enumerate(points))
    band += " " + " ".join(
        f"{x(i):.1f},{y(c['lower']):.1f}" for i, (_, c) in reversed(list(enumerate(points)))
    )
    line = " ".join(f"{x(i):.1f},{y(c['value']):.1f}" for i, (_, c) in enumerate(points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width * 1.5:.0f}px" '
        f'aria-label="{escape(ind.title)} door de tijd">',
        f"<title>{escape(ind.title)}: verloop over de perioden, met 95%-marge</title>",
        f'<polygon points="{band}" fill="#c9d9ea" stroke="none"/>',
        f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#555"/>',
    ]
    for value in (lo, hi):
        parts.append(
            f'<text x="{left - 4}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{escape(fmt(value, ind.kind))}</text>"
        )
    for i, (label, cell) in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(cell["value"]):.1f}" r="3" fill="#1f4e79">'
            f"<title>{escape(period(label))}: {escape(fmt(cell['value'], ind.kind, ind.unit))}"
            "</title></circle>"
        )
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 12}" font-size="10" text-anchor="middle">'
            f"{escape(label.replace('-', ' '))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped
