"""Small Dutch text helpers shared by the casework domain modules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

MONTHS_NL: Final = (
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


def format_date_nl(value: date) -> str:
    """``date(2025, 3, 4)`` -> ``"4 maart 2025"``."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def join_nl(items: Sequence[str], last: str = "of") -> str:
    """Join as Dutch prose: ``["a", "b", "c"]`` -> ``"a, b of c"``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def is_blank(value: str | None) -> bool:
    """True for None, the empty string and whitespace only."""
    return value is None or not value.strip()
