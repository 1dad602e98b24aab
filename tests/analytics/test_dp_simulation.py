"""Simulation: synthetic facts of known truth, many releases; 95% margins must cover the
truth in 93-97% of cells. Measurements are resolved once and reused across releases."""

from __future__ import annotations

import polars as pl
import pytest

from analytics import dp as adp
from analytics.geography import synthetic_geography
from analytics.indicators import prepare
from analytics.synthetic import generate

RELEASES = 30


def _key(cell: adp.Cell) -> tuple[object, ...]:
    return (cell.indicator, cell.level, tuple(sorted(cell.key.items())))


@pytest.fixture(scope="module")
def world() -> tuple[object, pl.LazyFrame, dict[tuple[object, ...], float | None]]:
    geography = synthetic_geography(20, 4)
    facts = generate(8000, geography, seed=11, duplicate_fraction=0.02)
    prepared = prepare(facts, "2026-Q3").collect().lazy()
    breakdowns = [b.breakdown for b in adp.DEFAULT_PLAN.breakdowns]
    truth = {
        _key(c): c.value for c in adp.cells_from(adp.exact_tables(prepared, geography, breakdowns))
    }
    return geography, prepared, truth


def test_margins_cover_truth(
    world: tuple[object, pl.LazyFrame, dict[tuple[object, ...], float | None]],
) -> None:
    geography, prepared, truth = world
    covered: dict[str, list[int]] = {}
    for _ in range(RELEASES):
        cells = adp.cells_from(adp.noisy_tables(adp.DEFAULT_PLAN, geography, prepared))  # type: ignore[arg-type]
        for cell in cells:
            true_value = truth[_key(cell)]
            if cell.value is None or true_value is None or cell.margin is None:
                continue
            if cell.denominator is None:  # count: OpenDP's accuracy is P[|err| >= margin] <= 5%
                ok = abs(cell.value - true_value) < cell.margin
            else:
                assert cell.lower is not None and cell.upper is not None
                ok = cell.lower - 1e-12 <= true_value <= cell.upper + 1e-12
            kind = "count" if cell.denominator is None else "ratio"
            for bucket in ("all", kind, f"{kind}-{'flagged' if cell.flags else 'reliable'}"):
                covered.setdefault(bucket, []).append(int(ok))
    rates = {k: sum(v) / len(v) for k, v in covered.items()}
    print({k: (round(r, 4), len(covered[k])) for k, r in rates.items()})
    assert len(covered["all"]) > 20_000
    assert 0.93 <= rates["all"] <= 0.97
    assert 0.93 <= rates["ratio-reliable"] <= 0.97
    assert 0.93 <= rates["count"] <= 0.975


def test_deduplication_bounds_contribution() -> None:
    geography = synthetic_geography(5, 2)
    facts = generate(500, geography, seed=2, duplicate_fraction=0.1)
    assert facts.height == 550
    prepared = prepare(facts, "2026-Q3").collect()
    assert prepared.height == 500


def test_measurement_privacy_loss_matches_plan() -> None:
    geography = synthetic_geography(5, 2)
    for bplan in adp.DEFAULT_PLAN.breakdowns:
        built = adp.built_query(bplan, geography)
        assert built.rho_checked == pytest.approx(bplan.rho, rel=1e-9)
    assert adp.DEFAULT_PLAN.rho == pytest.approx(adp.DEFAULT_RELEASE_RHO)
