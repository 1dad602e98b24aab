"""Release periods: a quarter (``2026-Q3``) or a calendar year (``2026``).

Facts are delivered per quarter. A quarterly release measures one quarter; an annual release
measures the union of the year's four quarters (one row per person). The privacy unit is a
person-year, so every release is accounted against the year it falls in.
"""

from __future__ import annotations

import re
from typing import Final

from analytics.contract import parse_period

YEAR_PATTERN: Final = re.compile(r"^(20\d\d)$")
RELEASE_PERIOD_PATTERN: Final = r"^20\d\d(-Q[1-4])?$"


def is_year(period: str) -> bool:
    return YEAR_PATTERN.fullmatch(period) is not None


def check_release_period(period: str) -> str:
    """``period`` if it is a quarter or a year; ValueError otherwise."""
    if not is_year(period):
        parse_period(period)
    return period


def year_of(period: str) -> str:
    """The calendar year a release period falls in (the privacy unit's year)."""
    check_release_period(period)
    return period[:4]


def quarters_of(period: str) -> tuple[str, ...]:
    """The fact periods (quarters) a release period covers."""
    check_release_period(period)
    if is_year(period):
        return tuple(f"{period}-Q{q}" for q in range(1, 5))
    return (period,)


def months_of(period: str) -> tuple[str, ...]:
    """``YYYY-MM`` of every month in the release period."""
    months: list[str] = []
    for quarter in quarters_of(period):
        year, q = parse_period(quarter)
        months.extend(f"{year}-{m:02d}" for m in range(3 * (q - 1) + 1, 3 * q + 1))
    return tuple(months)


def kind_of(period: str) -> str:
    """``jaar`` or ``kwartaal``."""
    return "jaar" if is_year(check_release_period(period)) else "kwartaal"
