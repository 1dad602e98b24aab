"""Inline SVG charts (no external assets): gemeenten side by side with 95% error bars.

Gemeenten are ordered by name, never by value: these figures are "niet om af te rekenen".
Unreliable cells are drawn hollow and grey, with their region's pooled figure beside them.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from analytics.geography import Geography
from analytics.indicators.catalogue import Indicator


def _no_negative_zero(text: str) -> str:
    """Noisy values round to "-0" now and then; people read that as a sign error."""
    return text[1:] if text.startswith("-") and text.strip("-0,.%") == "" else text


def fmt(value: float | None, kind: str, unit: str = "") -> str:
    if value is None:
        return "–"
    if kind == "proportion":
        return _no_negative_zero(f"{100 * value:.0f}%")
    if kind == "mean":
        return _no_negative_zero(f"{value:.1f}".replace(".", ",")) + (f" {unit}" if unit else "")
    return _no_negative_zero(f"{value:.0f}")


def error_bar_chart(ind: Indicator, cells: list[dict[str, Any]], geography: Geography) -> Markup:
    rows = sorted(cells, key=lambda c: geography.name_of(c["key"]["gemeentecode"]))
    if not rows:
        return Markup("")
    if ind.kind == "proportion":
        lo, hi = 0.0, 1.0
    else:
        values = [v for c in rows for v in (c["lower"], c["upper"], c["value"]) if v is not None]
        lo, hi = min([0.0, *values]), max([1.0, *values])
    label_w, plot_w, row_h, pad = 190, 420, 22, 10
    height = pad * 2 + row_h * len(rows) + 20

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo or 1.0) * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + plot_w + 90}" '
        f'height="{height}" aria-label="{escape(ind.title)} per gemeente met 95%-marges">',
        f"<title>{escape(ind.title)} per gemeente (alfabetisch; niet om af te rekenen)</title>",
    ]
    axis_y = pad + row_h * len(rows) + 4
    parts.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" stroke="#555"/>'
    )
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        value = lo + frac * (hi - lo)
        xv = x(value)
        parts.append(f'<line x1="{xv:.1f}" y1="{pad}" x2="{xv:.1f}" y2="{axis_y}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{xv:.1f}" y="{axis_y + 14}" font-size="11" text-anchor="middle">'
            f"{escape(fmt(value, ind.kind, ''))}</text>"
        )
    for i, cell in enumerate(rows):
        y = pad + row_h * i + row_h / 2
        name = geography.name_of(cell["key"]["gemeentecode"])
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        if cell["value"] is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 4:.1f}" font-size="11" fill="#777">'
                "geen schatting</text>"
            )
            continue
        reliable = not cell["flags"]
        colour = "#1f4e79" if reliable else "#999"
        if cell["lower"] is not None and cell["upper"] is not None:
            parts.append(
                f'<line x1="{x(cell["lower"]):.1f}" y1="{y:.1f}" x2="{x(cell["upper"]):.1f}" '
                f'y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
            )
        fill = colour if reliable else "white"
        parts.append(
            f'<circle cx="{x(cell["value"]):.1f}" cy="{y:.1f}" r="4" fill="{fill}" '
            f'stroke="{colour}"><title>{escape(name)}: '
            f"{escape(fmt(cell['value'], ind.kind, ind.unit))} "
            f"± {escape(fmt(cell['margin'], ind.kind if ind.kind != 'count' else 'count'))}"
            f"{' (onbetrouwbaar)' if not reliable else ''}</title></circle>"
        )
        if not reliable:
            parts.append(
                f'<text x="{label_w + plot_w + 6}" y="{y + 4:.1f}" font-size="10" '
                'fill="#777">onzeker</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped
