"""Benchmark: one release for 342 gemeenten x all indicators from 1,000,000 synthetic facts.

Run: ``.venv/bin/python tests/benchmarks/bench_analytics.py [n_facts]``. Goal (issue 13):
<= 2 s of CPU for the release (deduplicate and derive, aggregate per key, OpenDP noise on the
per-key vectors, post-processing, cells, pooling). CPU time is ``time.process_time()`` (all
threads of this process); wall time is shown beside it.
"""

from __future__ import annotations

import sys
import time

from analytics import dp as adp
from analytics.contract import synthetic_geography
from analytics.indicators import prepare
from analytics.settings import AnalyticsSettings
from analytics.synthetic import fact_frame, generate

PERIOD = "2026"


def main(n: int = 1_000_000) -> None:
    geography = synthetic_geography(342, 25)
    settings = AnalyticsSettings()
    t0 = time.perf_counter()
    facts = fact_frame(generate(n, geography, PERIOD, seed=42, duplicate_fraction=0.01))
    print(f"synthetic facts: {facts.height:,} rows in {time.perf_counter() - t0:.2f} s (setup)")
    worst = 0.0
    for kind, rho in (
        ("jaar", settings.year_release_rho),
        ("kwartaal", settings.quarter_release_rho),
    ):
        plan = adp.plan_for(kind, rho)
        period = PERIOD if kind == "jaar" else f"{PERIOD}-Q3"
        for attempt in (1, 2, 3):
            c0, w0 = time.process_time(), time.perf_counter()
            prepared = prepare(facts, period).collect()
            c1 = time.process_time()
            direct = {
                b.breakdown: adp.measure_breakdown(prepared, b, geography) for b in plan.breakdowns
            }
            c2 = time.process_time()
            cells = adp.cells_from(adp.consistent_tables(direct, geography), plan.indicators)
            published = adp.pool_small_gemeenten(cells, geography)
            c3, w3 = time.process_time(), time.perf_counter()
            cpu = c3 - c0
            worst = max(worst, cpu)
            print(
                f"{kind} release #{attempt}: {len(published):,} cells, {len(plan.indicators)} "
                f"indicators, {prepared.height:,} persons | CPU: prepare {c1 - c0:.2f} s, "
                f"aggregate+noise {c2 - c1:.2f} s, post-processing+cells {c3 - c2:.2f} s -> "
                f"{cpu:.2f} s CPU ({w3 - w0:.2f} s wall)"
            )
    print(
        f"goal <= 2 s CPU per release: {'met' if worst <= 2 else 'NOT met'} (worst {worst:.2f} s)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
