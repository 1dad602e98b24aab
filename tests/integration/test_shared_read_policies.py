"""Migration 0070 (ADR 0028, amendment ``overzicht3``): the ``shared_read`` policies of the
casus tables as an uncorrelated ``IN`` over the shares instead of a correlated ``EXISTS``;
every tenant reads exactly the rows it read before, and the migration goes down and up."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from migrations import migrate
from people import REGIO_UTRECHT, VEENENDAAL, ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.platform.db.models import CasusShare
from services.platform.db.provision import DatabaseUrls
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]

#: The casus tables whose ``shared_read`` policy 0070 changes, with their casus column.
TABLES = (
    ("casussen", "id"),
    ("casus_participants", "casus_id"),
    ("casus_roles", "casus_id"),
    ("casus_events", "casus_id"),
    ("assessments", "casus_id"),
    ("plan_versions", "casus_id"),
    ("plan_version_facts", "casus_id"),
    ("information_items", "casus_id"),
    ("outcome_measurements", "casus_id"),
    ("documents", "casus_id"),
)


def _policies(admin: sa.Engine) -> dict[str, str]:
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, pg_get_expr(p.polqual, p.polrelid) FROM pg_policy p"
                " JOIN pg_class c ON c.oid = p.polrelid WHERE p.polname = 'shared_read'"
            )
        ).all()
    return {str(name): str(qual) for name, qual in rows}


@pytest.fixture(scope="module")
def admin(db_urls: DatabaseUrls) -> sa.Engine:
    """A superuser on the casework database (row-level security does not apply)."""
    assert db_urls.admin is not None
    return sa.create_engine(db_urls.admin.set(database=db_urls.owner.database))


@pytest.fixture(scope="module")
def shared(app: Litestar, runtime: Runtime, token_for: Headers) -> list[str]:
    """Two casussen of Zeist (with their participants, roles, events, person), the first
    shared with the region."""
    with TestClient(app) as client:
        ids = [aanmelden(client, token_for(ZEIST, ZEIST_WIJKAGENT), f"Deling{n}") for n in range(2)]
    with tenant_transaction(runtime.sessions, ZEIST) as session:
        session.add(
            CasusShare(
                tenant_id=ZEIST,
                casus_id=uuid.UUID(ids[0]),
                shared_with_tenant=REGIO_UTRECHT,
                reason="Opschaling (test).",
                created_by=ZEIST_PGA_EXPERT,
            )
        )
    return ids


def test_the_shared_read_policies_are_an_uncorrelated_in(admin: sa.Engine) -> None:
    """Fails before 0070: each was ``EXISTS (... s.casus_id = <table>.<casus> ...)``."""
    policies = _policies(admin)
    for table, casus in TABLES:
        qual = policies[table]
        assert "EXISTS" not in qual, (table, qual)
        assert f"(((tenant_id)::text, {casus}) IN ( SELECT s.tenant_id," in qual, (table, qual)


def test_every_tenant_reads_the_rows_it_read_with_the_exists_policy(
    admin: sa.Engine, runtime: Runtime, shared: list[str]
) -> None:
    """As the app role with the tenant set, every casus table gives exactly the rows of the
    old policies (own tenant, or an ``EXISTS`` share with the reader), read as the superuser;
    for the receiving region, the owning gemeente and a tenant without shares."""
    tenants = (REGIO_UTRECHT, ZEIST, VEENENDAAL)
    for tenant in tenants:
        for table, casus in TABLES:
            with tenant_transaction(runtime.sessions, tenant) as session:
                seen = set(session.scalars(sa.text(f"SELECT ctid::text FROM {table}")))
            with admin.connect() as conn:
                before = set(
                    conn.scalars(
                        sa.text(
                            f"SELECT ctid::text FROM {table} t WHERE t.tenant_id = :tenant"
                            " OR EXISTS (SELECT 1 FROM casus_shares s"
                            f" WHERE s.tenant_id = t.tenant_id AND s.casus_id = t.{casus}"
                            " AND s.shared_with_tenant = :tenant)"
                        ),
                        {"tenant": tenant},
                    )
                )
            assert seen == before, (tenant, table)
    # Not vacuous: the region reads the shared casus and its participants, not the other.
    with tenant_transaction(runtime.sessions, REGIO_UTRECHT) as session:
        ids = {
            str(i)
            for i in session.scalars(
                sa.text("SELECT id FROM casussen WHERE tenant_id = :z"), {"z": ZEIST}
            )
        }
        participants = session.scalar(
            sa.text("SELECT count(*) FROM casus_participants WHERE casus_id = :c"),
            {"c": uuid.UUID(shared[0])},
        )
    assert shared[0] in ids and shared[1] not in ids
    assert participants


def test_the_migration_goes_down_and_up(admin: sa.Engine, runtime: Runtime) -> None:
    owner = runtime.urls.owner
    try:
        migrate(owner, "0069", down=True)
        policies = _policies(admin)
        for table, casus in TABLES:
            assert "EXISTS" in policies[table], table
            assert f"s.casus_id = {table}.{casus}" in policies[table], table
        migrate(owner, "0070")
    finally:
        migrate(owner, "head")
    assert all("EXISTS" not in _policies(admin)[table] for table, _ in TABLES)
