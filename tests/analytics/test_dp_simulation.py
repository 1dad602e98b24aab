"""Simulation with known truth (issue 13, "useful figures"): 342 gemeenten, 50-100 persons
each per year, the default annual plan. Bounded here (a few releases); the full run with
many releases is ``make bench`` (tests/benchmarks/bench_analytics_simulation.py)."""

from __future__ import annotations

import pytest

from analytics import dp as adp
from analytics.contract import synthetic_geography
from analytics.indicators import prepare
from analytics.settings import AnalyticsSettings
from analytics.simulation import SimulationResult, simulate
from analytics.synthetic import generate

RELEASES = 6


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    outcome = simulate(RELEASES, rho=AnalyticsSettings().year_release_rho)
    print(outcome.report())
    return outcome


def test_margins_cover_the_truth_per_indicator_type(result: SimulationResult) -> None:
    for kind in ("count", "proportion", "mean"):
        assert 0.93 <= result.coverage(kind) <= 0.97, (kind, result.report())
    assert 0.93 <= result.coverage("alle") <= 0.97


def test_proportions_are_unbiased(result: SimulationResult) -> None:
    assert abs(result.mean_bias("proportion")) <= 0.01
    assert abs(result.mean_bias("proportion<20%")) <= 0.01


def test_headline_gemeente_cells_are_useful(result: SimulationResult) -> None:
    """>= 90% of the headline gemeente cells have a margin smaller than the value, or are
    shown as their regional value; most are shown as their own value."""
    assert result.headline_share("eigen", "regio") >= 0.9
    assert result.headline_share("eigen") >= 0.5


def test_counts_are_non_negative_and_gemeenten_add_up_to_their_region(
    result: SimulationResult,
) -> None:
    assert result.negative_counts == 0
    assert result.inconsistency < 1e-6


def test_deduplication_bounds_contribution() -> None:
    geography = synthetic_geography(5, 2)
    facts = generate(500, geography, "2026-Q3", seed=2, duplicate_fraction=0.1)
    assert facts.height == 550
    assert prepare(facts, "2026-Q3").collect().height == 500


def test_the_plans_privacy_loss_is_opendps_own() -> None:
    settings = AnalyticsSettings()
    for kind, rho in (
        ("kwartaal", settings.quarter_release_rho),
        ("jaar", settings.year_release_rho),
    ):
        plan = adp.plan_for(kind, rho)
        assert sum(adp.checked_rho(b) for b in plan.breakdowns) == pytest.approx(rho, rel=1e-9)
    assert 4 * settings.quarter_release_rho + settings.year_release_rho <= (
        settings.year_rho - settings.research_rho
    )


def test_one_person_moves_each_vector_by_at_most_its_bound() -> None:
    """The stability argument behind the vector mechanism, on the real prepare/aggregate:
    removing all rows of one person (in any gemeente, any quarter) changes every per-key
    vector by at most the measure's sensitivity in L2."""
    import numpy as np
    import polars as pl

    geography = synthetic_geography(12, 3)
    facts = generate(600, geography, "2026", seed=5, duplicate_fraction=0.2)
    plan = adp.plan_for("jaar", 0.9)
    full = prepare(facts, "2026").collect()
    people = facts["pseudonym"].unique().sort().to_list()
    for pseudonym in people[:: max(1, len(people) // 40)]:
        without = prepare(facts.filter(pl.col("pseudonym") != pseudonym), "2026").collect()
        for bplan in plan.breakdowns:
            a = adp.measure_breakdown(full, bplan, geography, noise=False)
            b = adp.measure_breakdown(without, bplan, geography, noise=False)
            for m in bplan.measures:
                distance = float(np.linalg.norm(a.values[m] - b.values[m]))
                assert distance <= adp.MEASURES[m].sensitivity + 1e-9, (pseudonym, m)
