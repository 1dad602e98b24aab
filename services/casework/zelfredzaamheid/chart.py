"""A small line chart per domain (score 1-5 over time) as plain SVG geometry.

No chart library and no JavaScript: the template draws the lines, points and labels that
this module computes. Every chart has a text alternative (``beschrijving``) and the page
also shows the same scores as a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from services.casework.domain.text import format_date_nl

WIDTH: Final = 320
HEIGHT: Final = 150
LEFT: Final = 30
RIGHT: Final = 12
TOP: Final = 10
BOTTOM: Final = 30
SCORE_MIN: Final = 1
SCORE_MAX: Final = 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    label: str


@dataclass(frozen=True)
class Chart:
    domain: str
    label: str
    points: list[Point]
    masked: bool
    description: str
    first_date: str
    last_date: str

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def y_of(score: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + (SCORE_MAX - score) / (SCORE_MAX - SCORE_MIN) * plot


def _x_of(day: dt.date, first: dt.date, last: dt.date) -> float:
    plot = WIDTH - LEFT - RIGHT
    if last == first:
        return LEFT + plot / 2
    return LEFT + (day - first).days / (last - first).days * plot


def gridlines() -> list[dict[str, float]]:
    """One horizontal line per score, with its label."""
    return [{"score": s, "y": y_of(s)} for s in range(SCORE_MIN, SCORE_MAX + 1)]


def charts(
    domains: Sequence[Mapping[str, str]],
    measurements: Sequence[Mapping[str, Any]],
    masked: Sequence[str],
) -> list[Chart]:
    """A chart per domain from the history's measurements (date order)."""
    dates = [dt.date.fromisoformat(str(m["datum"])) for m in measurements]
    first, last = (min(dates), max(dates)) if dates else (dt.date.min, dt.date.min)
    result = []
    for d in domains:
        code, label = d["domein"], d["label"]
        points = []
        for m, day in zip(measurements, dates, strict=True):
            score = m["scores"].get(code)
            if score is None:
                continue
            when = f"{m['moment_label']} {format_date_nl(day)}"
            points.append(Point(_x_of(day, first, last), y_of(score), int(score), when))
        hidden = code in masked
        if hidden:
            text = f"{label}: afgeschermd bij deze doelbinding."
        elif not points:
            text = f"{label}: nog geen scores."
        else:
            text = f"{label}: " + "; ".join(f"{p.label}: {p.score}" for p in points) + "."
        result.append(
            Chart(
                code,
                label,
                [] if hidden else points,
                hidden,
                text,
                format_date_nl(first) if dates else "",
                format_date_nl(last) if dates else "",
            )
        )
    return result
