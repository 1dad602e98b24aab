"""The declarative indicator catalogue (see :mod:`analytics.indicators.catalogue`)."""

from analytics.indicators.catalogue import (
    BREAKDOWNS,
    CATALOGUE_VERSION,
    INDICATORS,
    MEASURES,
    Breakdown,
    Indicator,
    Measure,
    indicator,
    indicators_for,
    prepare,
)

__all__ = [
    "BREAKDOWNS",
    "CATALOGUE_VERSION",
    "INDICATORS",
    "MEASURES",
    "Breakdown",
    "Indicator",
    "Measure",
    "indicator",
    "indicators_for",
    "prepare",
]
