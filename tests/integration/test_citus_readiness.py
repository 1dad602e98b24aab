"""The Citus path (docs/citus.md): every tenant table could be distributed by
``tenant_id`` as it is — its primary key and every foreign key between tenant tables lead
with ``tenant_id`` (so no row can point into another tenant and a join stays on one
shard), every unique constraint contains it, and the only other foreign keys point at
platform tables (Citus reference tables, e.g. ``casus_shares.shared_with_tenant`` →
``tenants``). Read from the migrated database, so a new table
of any later migration is checked too."""

from __future__ import annotations

import sqlalchemy as sa

from services.runtime import Runtime

#: Tables without tenant_id: reference tables in Citus (replicated to every node).
PLATFORM_TABLES = {
    "tenants",
    "policy_data",
    "policy_data_activations",
    "worker_heartbeats",
    "alembic_version",
    "job_receipts",
    "dead_letters",
    "scheduled_jobs",
}

CONSTRAINTS = sa.text(
    """
    SELECT c.conrelid::regclass::text AS tbl, c.conname, c.contype,
           array_agg(a.attname ORDER BY k.ord) AS cols,
           c.confrelid::regclass::text AS ref
    FROM pg_constraint c
    JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
    JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
    WHERE c.contype IN ('p', 'f', 'u')
    GROUP BY c.conrelid, c.conname, c.contype, c.confrelid
    """
)


def test_every_tenant_table_keys_lead_with_tenant_id(runtime: Runtime) -> None:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        tables = set(
            conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ).scalars()
        )
        with_tenant = set(
            conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
                )
            ).scalars()
        )
        constraints = conn.execute(CONSTRAINTS).all()
    engine.dispose()
    tenant_tables = with_tenant & tables
    assert tables - tenant_tables <= PLATFORM_TABLES, (
        "a new table without tenant_id must be named a platform table here",
        tables - tenant_tables - PLATFORM_TABLES,
    )
    problems = []
    primary = {c.tbl for c in constraints if c.contype == "p"}
    for table in tenant_tables:
        if table not in primary:
            problems.append(f"{table}: no primary key")
    for c in constraints:
        if c.tbl not in tenant_tables:
            continue
        to_tenant_table = c.contype == "f" and c.ref in tenant_tables
        if (c.contype == "p" or to_tenant_table) and c.cols[0] != "tenant_id":
            problems.append(
                f"{c.tbl}.{c.conname} ({c.contype}) {c.cols} does not lead with tenant_id"
            )
        if c.contype == "u" and "tenant_id" not in c.cols:
            problems.append(f"{c.tbl}.{c.conname} (unique) {c.cols} lacks tenant_id")
        if c.contype == "f" and c.ref not in tenant_tables and c.ref not in PLATFORM_TABLES:
            problems.append(f"{c.tbl}.{c.conname} points at {c.ref}")
    assert problems == [], "\n".join(problems)
