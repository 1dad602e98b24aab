"""The open actions and toezeggingen of every plan version as rows (issue 14, ``werk``).

The werkvoorraad's facts (``kandidaten._PLAN_FACTS``) read, per running casus of the
caller, the current plan version's ``content`` and unpacked its ``actions`` and
``commitments`` with ``jsonb_array_elements`` (two function scans per casus: ~10 ms of
backend time for 340 casussen). ``plan_version_facts`` holds exactly those rows: per plan
version, each open action (status ``open`` or ``loopt``) and each open toezegging, with its
place in the plan (``n``, 1-based) and the dates, owners and status as text, nothing else.

Filled by the trigger ``plan_version_facts_sync`` from the content of each inserted plan
version (a plan version is never changed by the application; an ``UPDATE`` of ``content``
rewrites its rows all the same) and backfilled here; removed with the version (foreign key,
``ON DELETE CASCADE``). Row-level security as ``plan_versions``: the tenant's own rows, and
read access for the tenants a casus is shared with. A non-array ``actions``/``commitments``
gives no rows (the lateral query raised on it).

(Numbered 0067 so that it does not clash with migrations of parallel work; it follows 0066.)

Revision ID: 0067
Revises: 0066
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.platform.db.rls import shared_read_statements, tenant_rls_statements

revision = "0067"
down_revision = "0066"
branch_labels = None
depends_on = None

#: The rows of one plan content: what _PLAN_FACTS's lateral subquery made of it, without
#: the caller's owner filter (applied when read).
FACTS_OF = """
CREATE FUNCTION plan_version_facts_of(content jsonb)
RETURNS TABLE (what text, n integer, subject text, owner_user text, owner_org text,
               status text, first_date text, second_date text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'actie', x.n::integer, x.a->>'id', x.a->>'owner_user_id',
        x.a->>'owner_organisation_id', COALESCE(x.a->>'status', 'open'),
        x.a->>'deadline', NULL
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(content->'actions') = 'array'
        THEN content->'actions' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(a, n)
    WHERE COALESCE(x.a->>'status', 'open') IN ('open', 'loopt')
    UNION ALL
    SELECT 'toezegging', y.n::integer, NULL, NULL, y.c->>'organisation_id',
        COALESCE(y.c->>'status', 'open'), y.c->>'made_on', y.c->>'check_due_on'
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(content->'commitments') = 'array'
        THEN content->'commitments' ELSE '[]'::jsonb END) WITH ORDINALITY AS y(c, n)
    WHERE COALESCE(y.c->>'status', 'open') = 'open'
$$
"""

SYNC = """
CREATE FUNCTION plan_version_facts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM plan_version_facts
        WHERE tenant_id = NEW.tenant_id AND casus_id = NEW.casus_id AND version = NEW.version;
    END IF;
    INSERT INTO plan_version_facts (tenant_id, casus_id, version, what, n, subject,
        owner_user, owner_org, status, first_date, second_date)
    SELECT NEW.tenant_id, NEW.casus_id, NEW.version, f.what, f.n, f.subject, f.owner_user,
        f.owner_org, f.status, f.first_date, f.second_date
    FROM plan_version_facts_of(NEW.content) AS f;
    RETURN NULL;
END $$
"""

BACKFILL = """
INSERT INTO plan_version_facts (tenant_id, casus_id, version, what, n, subject, owner_user,
    owner_org, status, first_date, second_date)
SELECT pv.tenant_id, pv.casus_id, pv.version, f.what, f.n, f.subject, f.owner_user,
    f.owner_org, f.status, f.first_date, f.second_date
FROM plan_versions pv CROSS JOIN LATERAL plan_version_facts_of(pv.content) AS f
"""


def upgrade() -> None:
    op.create_table(
        "plan_version_facts",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("owner_user", sa.Text(), nullable=True),
        sa.Column("owner_org", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("first_date", sa.Text(), nullable=True),
        sa.Column("second_date", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id", "version"],
            ["plan_versions.tenant_id", "plan_versions.casus_id", "plan_versions.version"],
            name=op.f("fk_plan_version_facts_tenant_id_casus_id_version_plan_versions"),
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_plan_version_facts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "casus_id", "version", "what", "n", name=op.f("pk_plan_version_facts")
        ),
    )
    op.execute(FACTS_OF)
    op.execute(SYNC)
    # Existing versions: the owner is bound by plan_versions' tenant policy (FORCE); lifted
    # for this transaction only, before the new table gets its policies.
    op.execute("ALTER TABLE plan_versions NO FORCE ROW LEVEL SECURITY")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE plan_versions FORCE ROW LEVEL SECURITY")
    for statement in tenant_rls_statements("plan_version_facts"):
        op.execute(statement)
    for statement in shared_read_statements("plan_version_facts", "casus_id"):
        op.execute(statement)
    op.execute(
        "CREATE TRIGGER plan_version_facts_sync AFTER INSERT OR UPDATE OF content "
        "ON plan_versions FOR EACH ROW EXECUTE FUNCTION plan_version_facts_sync()"
    )
    op.execute("ANALYZE plan_version_facts")


def downgrade() -> None:
    op.execute("DROP TRIGGER plan_version_facts_sync ON plan_versions")
    op.drop_table("plan_version_facts")
    op.execute("DROP FUNCTION plan_version_facts_sync()")
    op.execute("DROP FUNCTION plan_version_facts_of(jsonb)")
