"""Simulation with known truth: how good are the published figures?

Synthetic facts for 342 gemeenten in 25 regions, 50-100 persons per gemeente per year; the
truth is the exact aggregation of the same facts. Many releases with the default plan are
drawn and compared with the truth. Used by the bounded test
(``tests/analytics/test_dp_simulation.py``) and by the full run in ``make bench``
(``tests/benchmarks/bench_analytics_simulation.py``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from analytics import dp as adp
from analytics.contract import Geography, synthetic_geography
from analytics.indicators import INDICATORS, prepare
from analytics.periods import kind_of
from analytics.synthetic import generate

_KIND = {i.id: i.kind for i in INDICATORS}
_HEADLINE = {i.id for i in INDICATORS if i.headline}


def _key(cell: adp.Cell) -> tuple[Any, ...]:
    return (cell.indicator, cell.level, tuple(sorted(cell.key.items())))


@dataclass
class SimulationResult:
    releases: int
    cells: int = 0
    covered: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    bias: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    headline: list[str] = field(default_factory=list)  # "eigen", "regio", "onbruikbaar"
    negative_counts: int = 0
    inconsistency: float = 0.0

    def coverage(self, bucket: str) -> float:
        values = self.covered[bucket]
        return sum(values) / len(values)

    def mean_bias(self, bucket: str) -> float:
        values = self.bias[bucket]
        return sum(values) / len(values)

    def headline_share(self, *outcomes: str) -> float:
        return sum(1 for h in self.headline if h in outcomes) / len(self.headline)

    def report(self) -> dict[str, Any]:
        return {
            "releases": self.releases,
            "cells": self.cells,
            "coverage": {k: (round(self.coverage(k), 4), len(v)) for k, v in self.covered.items()},
            "bias_pp": {
                k: (round(100 * self.mean_bias(k), 3), len(v)) for k, v in self.bias.items()
            },
            "headline_gemeente_cells": len(self.headline),
            "headline_useful": round(self.headline_share("eigen", "regio"), 4),
            "headline_own_value": round(self.headline_share("eigen"), 4),
            "headline_regional_value": round(self.headline_share("regio"), 4),
            "negative_counts": self.negative_counts,
            "max_region_inconsistency": self.inconsistency,
        }


def national_world(
    seed: int = 13, period: str = "2026"
) -> tuple[Geography, Any, dict[tuple[Any, ...], adp.Cell]]:
    geography = synthetic_geography(342, 25)
    facts = generate(0, geography, period, seed=seed, per_gemeente=(50, 100))
    prepared = prepare(facts, period).collect()
    return geography, prepared, {}


def simulate(
    releases: int, *, seed: int = 13, period: str = "2026", rho: float = 0.9
) -> SimulationResult:
    """Draw ``releases`` releases of the default plan for ``period`` and score them."""
    geography, prepared, _ = national_world(seed, period)
    plan = adp.plan_for(kind_of(period), rho)
    truth = {_key(c): c for c in adp.release_cells(prepared, geography, plan, noise=False)}
    result = SimulationResult(releases)
    for _ in range(releases):
        cells = adp.release_cells(prepared, geography, plan)
        result.cells += len(cells)
        published = adp.pool_small_gemeenten(cells, geography)
        regional: dict[tuple[str, str], float] = defaultdict(float)
        gemeente_sums: dict[tuple[str, str], float] = defaultdict(float)
        for cell, item in zip(cells, published, strict=True):
            true = truth[_key(cell)].value
            kind = _KIND[cell.indicator]
            if kind == "count":
                result.negative_counts += int(cell.value is not None and cell.value < 0)
                if cell.level == "regio":
                    regional[(cell.indicator, cell.key["region"])] = cell.value or 0.0
                if cell.level == "gemeente":
                    region = geography.region_of(cell.key["gemeentecode"])
                    gemeente_sums[(cell.indicator, region)] += cell.value or 0.0
            if cell.level == "gemeente" and cell.indicator in _HEADLINE:
                own = (
                    not cell.flags
                    and cell.value is not None
                    and cell.margin is not None
                    and cell.margin < abs(cell.value)
                )
                result.headline.append(
                    "eigen" if own else ("regio" if "pooled" in item else "onbruikbaar")
                )
            if true is None or cell.value is None or cell.lower is None or cell.upper is None:
                continue
            ok = int(cell.lower - 1e-9 <= true <= cell.upper + 1e-9)
            flagged = "gevlagd" if cell.flags else "betrouwbaar"
            for bucket in ("alle", kind, f"{kind}-{flagged}"):
                result.covered[bucket].append(ok)
            if kind == "proportion":
                result.bias["proportion"].append(cell.value - true)
                if true < 0.2:
                    result.bias["proportion<20%"].append(cell.value - true)
                if cell.level == "gemeente":
                    result.bias["proportion-gemeente"].append(cell.value - true)
        for key, total in gemeente_sums.items():
            result.inconsistency = max(result.inconsistency, abs(total - regional[key]))
    return result
