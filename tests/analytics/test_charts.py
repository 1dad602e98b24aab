"""Number formatting on the dashboard (bug: noisy values near zero showed as "-0")."""

from __future__ import annotations

import pytest

from analytics.charts import fmt


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (-0.3, "count", "0"),
        (-0.004, "proportion", "0%"),
        (-0.04, "mean", "0,0"),
        (-3.0, "count", "-3"),
        (0.256, "proportion", "26%"),
        (1.25, "mean", "1,2"),
        (None, "count", "–"),
    ],
)
def test_fmt(value: float | None, kind: str, expected: str) -> None:
    assert fmt(value, kind) == expected
