"""Dutch formatting for people: ``1.234``, ``12,5``, ``42%``, ``27 november 2026``.

Plain functions (no locale database is needed, and the output never depends on the server's
locale settings)."""

from __future__ import annotations

import datetime as dt
from typing import Final

MONTHS: Final = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def number(value: float | None, decimals: int = 0) -> str:
    """Dutch number: thousands with a point, decimals with a comma; never ``-0``."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if text.startswith("-") and text.strip("-0,.") == "":
        text = text[1:]
    return text


def percentage(value: float | None, decimals: int = 0) -> str:
    return "–" if value is None else number(100 * value, decimals) + "%"


def fmt(value: float | None, kind: str, unit: str = "") -> str:
    """A cell value as people read it: percentages, means with one decimal, whole counts."""
    if value is None:
        return "–"
    if kind == "proportion":
        return percentage(value)
    if kind == "mean":
        return number(value, 1) + (f" {unit}" if unit else "")
    return number(value)


def date(value: str | dt.date | dt.datetime) -> str:
    """``2026-11-27`` (or a datetime) -> ``27 november 2026``."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period(value: str) -> str:
    """``2026-Q3`` -> ``3e kwartaal 2026``; ``2026`` -> ``jaar 2026``."""
    if len(value) == 4:
        return f"jaar {value}"
    return f"{value[-1]}e kwartaal {value[:4]}"


def csv_number(value: float | None, decimals: int = 4) -> str:
    """A number for Dutch Excel: comma decimals, no thousands separator, empty when None."""
    if value is None:
        return ""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",")
