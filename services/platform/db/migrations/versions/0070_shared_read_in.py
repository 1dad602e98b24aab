"""The ``shared_read`` policies of the casus tables as ``IN`` instead of ``EXISTS``.

Each casus table (``casussen`` and the tables with a ``casus_id``) has the permissive SELECT
policy ``shared_read``: a row of a casus shared with the current tenant is readable by it
(``rls.shared_read_statements``). It was a correlated ``EXISTS`` over ``casus_shares``. What a
reader may see is unchanged: the policy now says that the row's ``(tenant_id, casus)`` is
among the ``(tenant_id, casus_id)`` of the shares with the current tenant, an uncorrelated
``IN``. For a row both forms agree (a ``NULL`` casus gives ``NULL`` instead of false, and a
policy's ``NULL`` hides the row as false does); the subquery reads ``casus_shares`` under its
own policies as before.

Why (issue 14, ADR 0028 amendment ``overzicht3``): PostgreSQL plans a correlated ``EXISTS``
that could be hashed twice (a probe per row and a hashed alternative, chosen at the end) and,
when it costs a scan of the table, counts the *probe* per row: ~1.2 cost units per row, 20
times what the scan costs without it (a scan of the tenant's 100,000 casussen: 127,901
instead of 6,405). So every plan that scans many rows of a casus table was costed as if it
probed ``casus_shares`` for each of them, and nested loops of index look-ups won where a
merge of two ordered scans was 60 times cheaper (the home page's count: 1,514 buffers for
the participation page instead of 25). An uncorrelated ``IN`` is planned once, as a hashed
subplan, and costed as a hash probe. Own-tenant rows never reach it (the ``OR`` with
``tenant_isolation`` is true first), so the hash is built only when a row of another tenant
is tested, once per statement and table reference.

``persons`` and ``restrictions`` (their ``shared_read`` joins the shares with the casussen or
items) are not changed. ``rls.shared_read_statements`` still writes the ``EXISTS`` form for
the migrations that use it (they run before this one); a new casus table should take
:data:`SHARED_READ_IN`'s form.

Revision ID: 0070
Revises: 0069
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0070"
down_revision = "0069"
branch_labels = None
depends_on = None

#: The casus tables with a ``shared_read`` policy, and the column naming their casus.
TABLES: tuple[tuple[str, str], ...] = (
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

#: The policy's condition (``{table}``, ``{casus}``).
SHARED_READ_IN = (
    "(tenant_id, {casus}) IN (SELECT s.tenant_id, s.casus_id FROM casus_shares s"
    " WHERE s.shared_with_tenant = current_setting('pga.tenant_id', true))"
)

#: The condition before (``rls.shared_read_statements``).
SHARED_READ_EXISTS = (
    "EXISTS (SELECT 1 FROM casus_shares s"
    ' WHERE s.tenant_id = "{table}".tenant_id AND s.casus_id = "{table}".{casus}'
    " AND s.shared_with_tenant = current_setting('pga.tenant_id', true))"
)


def _alter(condition: str) -> None:
    for table, casus in TABLES:
        op.execute(
            f'ALTER POLICY shared_read ON "{table}" USING '
            f"({condition.format(table=table, casus=casus)})"
        )


def upgrade() -> None:
    _alter(SHARED_READ_IN)


def downgrade() -> None:
    _alter(SHARED_READ_EXISTS)
