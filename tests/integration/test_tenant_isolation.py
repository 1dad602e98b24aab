"""Generic tenant isolation: every table with a ``tenant_id`` column, found in the catalog.

Tables added by later migrations are covered without editing this test. Rows are inserted
for two tenants by the superuser (foreign-key triggers off, so any table can be filled
generically); the checks then run as the service role, which has no BYPASSRLS.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from services.casework.domain.local_time import local_today
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls

TENANTS = ("GM9901", "GM9902")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    udt_name: str
    nullable: bool
    has_default: bool
    max_length: int | None


def tenant_tables(conn: sa.Connection) -> list[str]:
    return list(
        conn.execute(
            sa.text(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' "
                "AND t.table_type = 'BASE TABLE' ORDER BY 1"
            )
        ).scalars()
    )


def columns_of(conn: sa.Connection, table: str) -> list[Column]:
    rows = conn.execute(
        sa.text(
            "SELECT column_name, data_type, udt_name, is_nullable = 'YES', "
            "column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS', "
            "character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = :t ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [Column(*row) for row in rows]


def primary_key_of(conn: sa.Connection, table: str) -> list[str]:
    return list(
        conn.execute(
            sa.text(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary"
            ),
            {"t": f'public."{table}"'},
        ).scalars()
    )


def sample_value(conn: sa.Connection, column: Column, seed: int) -> Any:
    kind = column.data_type
    if kind in ("text", "character varying", "character"):
        value = f"v{seed}-{uuid.uuid4().hex[:8]}"
        return value[: column.max_length] if column.max_length else value
    if kind in ("integer", "bigint", "smallint", "numeric", "double precision", "real"):
        return seed
    if kind == "boolean":
        return False
    if kind == "uuid":
        return uuid.uuid4()
    if kind.startswith("timestamp"):
        return dt.datetime.now(dt.UTC)
    if kind == "date":
        return local_today()
    if kind in ("json", "jsonb"):
        return "{}"
    if kind == "ARRAY":
        return "{}"
    if kind == "bytea":
        return b"x"
    if kind == "USER-DEFINED":
        return conn.execute(
            sa.text(
                "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
                "WHERE t.typname = :n ORDER BY e.enumsortorder LIMIT 1"
            ),
            {"n": column.udt_name},
        ).scalar_one()
    raise AssertionError(f"isolation test cannot fill column {column.name} of type {kind}")


def sample_row(conn: sa.Connection, table: str, tenant: str, seed: int) -> dict[str, Any]:
    pk = set(primary_key_of(conn, table))
    row: dict[str, Any] = {}
    for column in columns_of(conn, table):
        if column.name == "tenant_id":
            row["tenant_id"] = tenant
        elif (column.name in pk and not column.has_default) or (
            not column.nullable and not column.has_default
        ):
            row[column.name] = sample_value(conn, column, seed)
    return row


def insert(conn: sa.Connection, table: str, row: dict[str, Any]) -> None:
    names = ", ".join(f'"{k}"' for k in row)
    values = ", ".join(f":{k}" for k in row)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES ({values})'), row)


@pytest.fixture(scope="module")
def seeded(db_urls: DatabaseUrls, settings: Settings) -> Iterator[list[str]]:
    """Two tenants with one row each in every tenant table; returns the table names."""
    admin: URL = db_urls.admin.set(database=settings.database_name)
    engine = sa.create_engine(admin)
    with engine.begin() as conn:
        for code in TENANTS:
            conn.execute(
                sa.text(
                    "INSERT INTO tenants (code, name, kind, region) "
                    "VALUES (:c, :n, 'gemeente', 'test') ON CONFLICT DO NOTHING"
                ),
                {"c": code, "n": f"Testgemeente {code}"},
            )
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        tables = tenant_tables(conn)
        for table in tables:
            for seed, code in enumerate(TENANTS, start=1):
                insert(conn, table, sample_row(conn, table, code, seed))
    yield tables
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            conn.execute(
                sa.text(f'DELETE FROM "{table}" WHERE tenant_id = ANY(:t)'), {"t": list(TENANTS)}
            )
        conn.execute(sa.text("DELETE FROM tenants WHERE code = ANY(:t)"), {"t": list(TENANTS)})
    engine.dispose()


@pytest.fixture(scope="module")
def app_engine(db_urls: DatabaseUrls) -> Iterator[sa.Engine]:
    engine = sa.create_engine(db_urls.app)
    yield engine
    engine.dispose()


def set_tenant(conn: sa.Connection, tenant: str) -> None:
    conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": tenant})


def test_catalog_finds_tenant_tables(seeded: list[str]) -> None:
    assert {"organisations", "users"} <= set(seeded)


def test_service_role_cannot_bypass_rls(app_engine: sa.Engine) -> None:
    with app_engine.connect() as conn:
        bypass, superuser = conn.execute(
            sa.text("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert (bypass, superuser) == (False, False)


def test_every_tenant_table_forces_rls(db_urls: DatabaseUrls, seeded: list[str]) -> None:
    engine = sa.create_engine(db_urls.owner)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(:t) AND relnamespace = 'public'::regnamespace"
            ),
            {"t": seeded},
        ).all()
    engine.dispose()
    assert {r[0] for r in rows} == set(seeded)
    assert all(r[1] and r[2] for r in rows), rows


def test_each_tenant_sees_only_its_own_rows(app_engine: sa.Engine, seeded: list[str]) -> None:
    for table in seeded:
        for tenant in TENANTS:
            with app_engine.begin() as conn:
                set_tenant(conn, tenant)
                seen = (
                    conn.execute(
                        sa.text(f'SELECT tenant_id FROM "{table}" WHERE tenant_id = ANY(:t)'),
                        {"t": list(TENANTS)},
                    )
                    .scalars()
                    .all()
                )
            assert seen == [tenant], f"{table} as {tenant}: {seen}"


def test_no_tenant_set_means_no_rows(app_engine: sa.Engine, seeded: list[str]) -> None:
    for table in seeded:
        with app_engine.begin() as conn:
            count = conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        assert count == 0, table


def test_tenant_setting_does_not_leak_across_transactions(
    app_engine: sa.Engine, seeded: list[str]
) -> None:
    with app_engine.connect() as conn:
        with conn.begin():
            set_tenant(conn, TENANTS[0])
        with conn.begin():
            count = conn.execute(sa.text(f'SELECT count(*) FROM "{seeded[0]}"')).scalar_one()
    assert count == 0


def test_insert_into_another_tenant_is_refused(app_engine: sa.Engine, seeded: list[str]) -> None:
    for table in seeded:
        with app_engine.connect() as conn:
            trans = conn.begin()
            set_tenant(conn, TENANTS[0])
            row = sample_row(conn, table, TENANTS[1], seed=7)
            # Tables the runtime role may not add to at all (the audit checkpoints, recorded
            # only through the owner's function) refuse every insert, stricter still.
            with pytest.raises(
                sa.exc.ProgrammingError, match=r"row-level security|permission denied"
            ):
                insert(conn, table, row)
            trans.rollback()


def test_update_into_another_tenant_is_refused(app_engine: sa.Engine, seeded: list[str]) -> None:
    for table in seeded:
        with app_engine.connect() as conn:
            trans = conn.begin()
            set_tenant(conn, TENANTS[0])
            # Append-only tables (the audit log) refuse every update, which is stricter still.
            with pytest.raises(
                sa.exc.ProgrammingError,
                match=r"row-level security|append-only",
            ):
                conn.execute(
                    sa.text(f'UPDATE "{table}" SET tenant_id = :b WHERE tenant_id = :a'),
                    {"a": TENANTS[0], "b": TENANTS[1]},
                )
            trans.rollback()


def append_only_tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE '%append_only%'"
                )
            ).scalars()
        )


def test_other_tenants_rows_cannot_be_updated_or_deleted(
    app_engine: sa.Engine, seeded: list[str]
) -> None:
    append_only = append_only_tables(app_engine)
    assert "audit_log" in append_only
    for table in seeded:
        if table in append_only:
            continue  # covered by test_append_only_tables_refuse_updates_and_deletes
        with app_engine.connect() as conn:
            trans = conn.begin()
            set_tenant(conn, TENANTS[0])
            updated = conn.execute(
                sa.text(f'UPDATE "{table}" SET tenant_id = tenant_id WHERE tenant_id = :b'),
                {"b": TENANTS[1]},
            ).rowcount
            deleted = conn.execute(
                sa.text(f'DELETE FROM "{table}" WHERE tenant_id = :b'), {"b": TENANTS[1]}
            ).rowcount
            trans.rollback()
        assert (updated, deleted) == (0, 0), table


def test_append_only_tables_refuse_updates_and_deletes(
    app_engine: sa.Engine, seeded: list[str]
) -> None:
    for table in append_only_tables(app_engine) & set(seeded):
        for statement in (
            f'UPDATE "{table}" SET tenant_id = tenant_id',
            f'DELETE FROM "{table}"',
        ):
            with app_engine.connect() as conn:
                trans = conn.begin()
                set_tenant(conn, TENANTS[0])
                with pytest.raises(sa.exc.ProgrammingError, match="append-only"):
                    conn.execute(sa.text(statement))
                trans.rollback()
