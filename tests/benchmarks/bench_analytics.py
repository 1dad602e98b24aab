"""Benchmark: one release for 342 gemeenten x all indicators from 1,000,000 synthetic facts.

Run: ``.venv/bin/python tests/benchmarks/bench_analytics.py [n_facts]``. Goal: <= 10 s for
the release (prepare + DP measurement + cells + pooling), measurements built once.
"""

from __future__ import annotations

import sys
import time

from analytics import dp as adp
from analytics.geography import synthetic_geography
from analytics.indicators import INDICATORS, prepare
from analytics.synthetic import fact_frame, generate

PERIOD = "2026-Q3"


def main(n: int = 1_000_000) -> None:
    geography = synthetic_geography(342, 25)
    t0 = time.perf_counter()
    facts = fact_frame(generate(n, geography, PERIOD, seed=42, duplicate_fraction=0.01))
    t1 = time.perf_counter()
    print(f"synthetic facts: {facts.height:,} rows in {t1 - t0:.2f} s (setup, not timed below)")

    t0 = time.perf_counter()
    for bplan in adp.DEFAULT_PLAN.breakdowns:
        adp.built_query(bplan, geography)
    t_build = time.perf_counter() - t0
    print(f"build measurements (once per process): {t_build:.2f} s")

    for attempt in (1, 2):
        t0 = time.perf_counter()
        prepared = prepare(facts, PERIOD).collect()
        t_prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        tables = adp.noisy_tables(adp.DEFAULT_PLAN, geography, prepared.lazy())
        t_noise = time.perf_counter() - t0
        t0 = time.perf_counter()
        cells = adp.cells_from(tables)
        published = adp.pool_small_gemeenten(cells, geography)
        t_cells = time.perf_counter() - t0
        total = t_prep + t_noise + t_cells
        print(
            f"release #{attempt}: {len(published):,} cells ({len(INDICATORS)} indicators, "
            f"{len(geography.codes)} gemeenten, {prepared.height:,} persons): "
            f"prepare {t_prep:.2f} s, DP measurement {t_noise:.2f} s, cells {t_cells:.2f} s "
            f"-> total {total:.2f} s"
        )
    print(f"goal <= 10 s: {'met' if total <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
