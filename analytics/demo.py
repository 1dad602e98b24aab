"""A clearly labelled synthetic national dataset for ``make run``: 342 made-up gemeenten
("Gemeente 1" ...) in 25 regions, 50-100 persons per gemeente per year, published as four
quarterly releases and one annual release under its own dataset (``synthetisch-landelijk``),
with its own budget accounts. It shows what the product does for the whole country; the
dashboard marks it as fictitious everywhere."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Final

import polars as pl
import sqlalchemy as sa

from analytics.cli import release_command
from analytics.contract import CONTRACT_VERSION, FACT_COLUMNS, Geography, synthetic_geography
from analytics.db.schema import fact_batches
from analytics.periods import quarters_of
from analytics.settings import AnalyticsSettings
from analytics.synthetic import fact_frame, generate

SYNTHETIC_DATASET: Final = "synthetisch-landelijk"


def national_geography() -> Geography:
    return synthetic_geography(342, 25)


def store_frame(engine: sa.Engine, frame: pl.DataFrame, dataset: str) -> int:
    """Bulk-store flat fact rows (COPY) with one batch row per (gemeente, quarter)."""
    columns = ["dataset", *FACT_COLUMNS]
    rows = fact_frame(frame).with_columns(pl.lit(dataset).alias("dataset")).select(columns)
    batches = (
        rows.group_by("gemeentecode", "period")
        .agg(pl.len().alias("record_count"), pl.col("pseudonym").sort().str.join("").alias("_p"))
        .to_dicts()
    )
    buffer = io.BytesIO()
    rows.write_csv(buffer)
    with engine.begin() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(
                f"COPY facts ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                copy.write(buffer.getvalue())
        finally:
            cursor.close()
        conn.execute(
            fact_batches.insert(),
            [
                {
                    "dataset": dataset,
                    "gemeentecode": b["gemeentecode"],
                    "period": b["period"],
                    "contract_version": CONTRACT_VERSION,
                    "record_count": b["record_count"],
                    "sha256": hashlib.sha256(b["_p"].encode()).hexdigest(),
                }
                for b in batches
            ],
        )
    return rows.height


def national_demo(
    engine: sa.Engine,
    year: str,
    *,
    settings: AnalyticsSettings | None = None,
    echo: Callable[[str], None] = print,
    seed: int = 342,
) -> int:
    """Synthetic national facts for ``year`` (once), then its four quarterly releases and the
    annual release (idempotent). Returns 0, or the first non-zero release exit code."""
    geography = national_geography()
    with engine.connect() as conn:
        present = conn.execute(
            sa.select(sa.func.count())
            .select_from(fact_batches)
            .where(
                fact_batches.c.dataset == SYNTHETIC_DATASET,
                fact_batches.c.period.in_(list(quarters_of(year))),
            )
        ).scalar_one()
    if not present:
        frame = generate(0, geography, year, seed=seed, per_gemeente=(50, 100))
        stored = store_frame(engine, frame, SYNTHETIC_DATASET)
        echo(f"synthetische landelijke demo {year}: {stored} feitrecords (fictief)")
    for period in (*quarters_of(year), year):
        code = release_command(
            period,
            engine,
            geography=geography,
            settings=settings,
            echo=echo,
            dataset=SYNTHETIC_DATASET,
        )
        if code:
            return code
    return 0
