"""Command-line entry points (hooked into ``regietafel analytics ...`` by the lead)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import sqlalchemy as sa

from analytics.contract import DEMO_GEOGRAPHY, Geography
from analytics.ledger import DATASET, BudgetExhausted
from analytics.releases import NoFacts, publish_release
from analytics.settings import AnalyticsSettings


def release_command(
    period: str,
    engine: sa.Engine,
    *,
    geography: Geography = DEMO_GEOGRAPHY,
    settings: AnalyticsSettings | None = None,
    echo: Callable[[str], None] = print,
    dataset: str = DATASET,
) -> int:
    """``regietafel analytics release --period 2026-Q3`` (or ``--period 2026`` for the
    annual release): publish with progress lines.

    Returns a process exit code (0 published or already present, 2 budget refused,
    1 invalid request or no facts).
    """
    settings = settings or AnalyticsSettings.from_settings()
    started = time.perf_counter()
    echo(f"release {period}: start")
    try:
        release = publish_release(
            engine,
            period,
            geography=geography,
            budget=settings.budget,
            quarter_rho=settings.quarter_release_rho,
            year_rho=settings.year_release_rho,
            dataset=dataset,
            progress=lambda m: echo(f"  {m}"),
        )
    except BudgetExhausted as error:
        echo(f"release {period}: geweigerd, privacybudget op ({error})")
        return 2
    except NoFacts as error:
        echo(f"release {period}: niets te publiceren ({error})")
        return 1
    except ValueError as error:
        echo(f"release {period}: ongeldig verzoek: {error}")
        return 1
    state = "bestaande release" if release.reused else "nieuw gepubliceerd"
    echo(
        f"release {period} v{release.version}: {state}, {len(release.cells)} cellen, "
        f"ρ={release.rho:.3g}, {time.perf_counter() - started:.2f} s"
    )
    return 0


def seed_demo_facts(engine: sa.Engine, period: str, n: int = 400, seed: int = 2026) -> int:
    """Store synthetic facts for the demo gemeenten (tests); returns the number of records."""
    from analytics.contract import FactBatchV1
    from analytics.facts import store_batch
    from analytics.synthetic import generate, to_records

    records = to_records(generate(n, DEMO_GEOGRAPHY, period, seed=seed))
    total = 0
    for code in DEMO_GEOGRAPHY.codes:
        batch = FactBatchV1(
            gemeentecode=code, period=period, records=[r for r in records if r.gemeentecode == code]
        )
        total += store_batch(engine, batch)["records"]
    return total


def demo_release(
    engine: sa.Engine, period: str = "2026-Q3", *, echo: Callable[[str], None] = print
) -> int:
    """Synthetic facts for the demo gemeenten (if the period has none yet), then a
    published release (idempotent: a second run returns the stored release)."""
    from analytics.db.schema import fact_batches

    with engine.connect() as conn:
        present = conn.execute(
            sa.select(sa.func.count())
            .select_from(fact_batches)
            .where(fact_batches.c.period == period, fact_batches.c.dataset == DATASET)
        ).scalar_one()
    if not present:
        echo(f"demo: {seed_demo_facts(engine, period)} synthetische feitrecords voor {period}")
    return release_command(period, engine, echo=echo)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: regietafel analytics release --period 2026-Q3")
