"""The full simulation with known truth (issue 13): 342 gemeenten, 50-100 persons each per
year, the default annual plan, many releases. The bounded version runs in ``make test``
(tests/analytics/test_dp_simulation.py); this prints the figures for docs/benchmarks.md.

Run: ``.venv/bin/python tests/benchmarks/bench_analytics_simulation.py [releases]``.
"""

from __future__ import annotations

import sys
import time

from analytics.settings import AnalyticsSettings
from analytics.simulation import simulate


def main(releases: int = 100) -> None:
    started = time.perf_counter()
    result = simulate(releases, rho=AnalyticsSettings().year_release_rho)
    report = result.report()
    print(
        f"{releases} annual releases, {report['cells']:,} cells, "
        f"{time.perf_counter() - started:.1f} s"
    )
    print("coverage of the 95% margins (share, cells):")
    for bucket, (share, count) in sorted(report["coverage"].items()):
        print(f"  {bucket:<24} {100 * share:6.2f} %  ({count:,})")
    print("mean bias of proportions (percentage points, cells):")
    for bucket, (pp, count) in sorted(report["bias_pp"].items()):
        print(f"  {bucket:<24} {pp:+6.3f} pp ({count:,})")
    print(
        f"headline gemeente cells: {report['headline_gemeente_cells']:,}; useful (margin < value, "
        f"or shown as the regional value): {100 * report['headline_useful']:.2f} %; own value: "
        f"{100 * report['headline_own_value']:.2f} %; regional value: "
        f"{100 * report['headline_regional_value']:.2f} %"
    )
    print(
        f"negative counts: {report['negative_counts']}; largest |sum of gemeenten - region|: "
        f"{report['max_region_inconsistency']:.2e}"
    )
    ok = (
        all(0.93 <= result.coverage(k) <= 0.97 for k in ("count", "proportion", "mean"))
        and abs(result.mean_bias("proportion")) <= 0.01
        and abs(result.mean_bias("proportion<20%")) <= 0.01
        and result.headline_share("eigen", "regio") >= 0.9
    )
    print(
        "goals (coverage 93-97 % per type, |bias| <= 1 pp, >= 90 % useful): "
        + ("met" if ok else "NOT met")
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
