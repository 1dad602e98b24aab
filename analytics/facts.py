"""Storing ingested fact batches and loading them for a release.

A quarter's facts are frozen as exported once a release has used them (migration a0003):
a later delivery for that quarter is not stored (``frozen`` in the result), so a past quarter
is never re-measured with today's state and never gives a new version and a new charge."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa

from analytics.contract import FACT_COLUMNS, FactBatchV1
from analytics.db.schema import REAL_DATASET, fact_batches, facts, frozen_periods


def batch_digest(batch: FactBatchV1) -> str:
    payload = json.dumps(
        [r.model_dump(mode="json") for r in sorted(batch.records, key=lambda r: r.pseudonym)],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def is_frozen(conn: sa.Connection, period: str, dataset: str = REAL_DATASET) -> bool:
    return (
        conn.execute(
            sa.select(frozen_periods.c.period).where(
                frozen_periods.c.dataset == dataset, frozen_periods.c.period == period
            )
        ).first()
        is not None
    )


def store_batch(
    engine: sa.Engine, batch: FactBatchV1, dataset: str = REAL_DATASET
) -> dict[str, Any]:
    """Replace the facts of (dataset, gemeentecode, period) by this batch, atomically.

    Idempotent: delivering the same batch again leaves exactly the same rows. A frozen
    period keeps its facts: nothing is stored and the result says ``frozen``.
    """
    digest = batch_digest(batch)
    rows = [{**r.to_row(), "dataset": dataset} for r in batch.records]
    with engine.begin() as conn:
        # Serialise deliveries for the same key.
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
            {"k": f"facts:{dataset}:{batch.gemeentecode}:{batch.period}"},
        )
        previous = conn.execute(
            sa.select(fact_batches.c.sha256).where(
                fact_batches.c.dataset == dataset,
                fact_batches.c.gemeentecode == batch.gemeentecode,
                fact_batches.c.period == batch.period,
            )
        ).scalar()
        replaced = previous is not None
        frozen = is_frozen(conn, batch.period, dataset)
        if previous != digest and not frozen:
            conn.execute(
                facts.delete().where(
                    facts.c.dataset == dataset,
                    facts.c.gemeentecode == batch.gemeentecode,
                    facts.c.period == batch.period,
                )
            )
            if rows:
                conn.execute(facts.insert(), rows)
            conn.execute(
                sa.dialects.postgresql.insert(fact_batches)
                .values(
                    dataset=dataset,
                    gemeentecode=batch.gemeentecode,
                    period=batch.period,
                    contract_version=batch.contract_version,
                    record_count=len(rows),
                    sha256=digest,
                )
                .on_conflict_do_update(
                    index_elements=["dataset", "gemeentecode", "period"],
                    set_={
                        "record_count": len(rows),
                        "sha256": digest,
                        "contract_version": batch.contract_version,
                        "received_at": sa.func.now(),
                    },
                )
            )
    return {
        "gemeentecode": batch.gemeentecode,
        "period": batch.period,
        "records": len(rows),
        "replaced": replaced and not frozen,
        "unchanged": previous == digest or frozen,
        "frozen": frozen,
        "sha256": digest,
    }


def data_fingerprint(
    conn: sa.Connection, quarters: Sequence[str], dataset: str = REAL_DATASET
) -> str:
    """Digest of all batches of the quarters: a release is reused only for identical data."""
    rows = conn.execute(
        sa.select(fact_batches.c.period, fact_batches.c.gemeentecode, fact_batches.c.sha256)
        .where(fact_batches.c.dataset == dataset, fact_batches.c.period.in_(list(quarters)))
        .order_by(fact_batches.c.period, fact_batches.c.gemeentecode)
    ).all()
    return hashlib.sha256(json.dumps([list(r) for r in rows]).encode()).hexdigest()


def load_facts(
    conn: sa.Connection, quarters: str | Sequence[str], dataset: str = REAL_DATASET
) -> pl.DataFrame:
    """All fact rows of the quarters as a polars frame, streamed with COPY (fast for 1M
    rows). Runs inside the caller's transaction (same snapshot)."""
    wanted = [quarters] if isinstance(quarters, str) else list(quarters)
    columns = list(FACT_COLUMNS)
    select = sa.select(*(facts.c[c] for c in columns)).where(
        facts.c.dataset == dataset, facts.c.period.in_(wanted)
    )
    compiled = select.compile(conn, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    buffer = io.BytesIO()
    try:
        with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv, HEADER true)") as copy:
            for chunk in copy:
                buffer.write(chunk)
    finally:
        cursor.close()
    buffer.seek(0)
    frame = pl.read_csv(buffer, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(
        *(
            (pl.col(c) == "t").alias(c)  # NULL stays NULL (unknown), not False
            if k == "bool"
            else pl.col(c).cast(pl.Int64)
            for c, k in FACT_COLUMNS.items()
            if k != "str"
        )
    )
