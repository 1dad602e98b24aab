"""Dutch formatting for people (comma decimals, point thousands, dates in words; never "-0")
and charts that fit a phone."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.charts import error_bar_chart, trend_chart
from analytics.contract import DEMO_GEOGRAPHY
from analytics.formatting import csv_number, date, fmt, number, period
from analytics.indicators import indicator


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (-0.3, "count", "0"),
        (-0.004, "proportion", "0%"),
        (-0.04, "mean", "0,0"),
        (-3.0, "count", "-3"),
        (0.256, "proportion", "26%"),
        (1.25, "mean", "1,2"),
        (12345.6, "count", "12.346"),
        (None, "count", "–"),
    ],
)
def test_fmt(value: float | None, kind: str, expected: str) -> None:
    assert fmt(value, kind) == expected


def test_dutch_numbers_dates_and_periods() -> None:
    assert number(1234567.891, 2) == "1.234.567,89"
    assert date("2026-11-27T10:00:00+00:00") == "27 november 2026"
    assert date(dt.date(2027, 3, 1)) == "1 maart 2027"
    assert period("2026-Q3") == "3e kwartaal 2026" and period("2026") == "jaar 2026"
    assert csv_number(0.25) == "0,25" and csv_number(None) == "" and csv_number(-0.00001) == "0"


def _cell(code: str, value: float, flags: list[str], pooled: float | None = None) -> dict:  # type: ignore[type-arg]
    cell = {
        "key": {"gemeentecode": code},
        "value": value,
        "margin": 0.1,
        "lower": value - 0.1,
        "upper": value + 0.1,
        "flags": flags,
    }
    if pooled is not None:
        cell["pooled"] = {
            "value": pooled,
            "margin": 0.05,
            "lower": pooled - 0.05,
            "upper": pooled + 0.05,
            "flags": [],
        }
    return cell


def test_charts_scale_to_the_screen_and_show_flagged_cells_as_the_region() -> None:
    ind = indicator("inclusiegraad")
    svg = str(
        error_bar_chart(
            ind,
            [_cell("GM0345", 0.7, []), _cell("GM0352", 0.1, ["marge-te-groot"], pooled=0.66)],
            DEMO_GEOGRAPHY,
        )
    )
    assert 'viewBox="0 0' in svg and 'width="100%"' in svg
    assert "waarde van de regio" in svg and "66%" in svg
    trend = str(
        trend_chart(ind, [("2026-Q1", _cell("x", 0.5, [])), ("2026-Q2", _cell("x", 0.6, []))])
    )
    assert "<polyline" in trend and "2e kwartaal 2026" in trend
