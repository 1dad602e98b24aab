"""Analytics schema: facts, budget accounts, append-only ledger, immutable releases.

Revision ID: a0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from analytics.db.schema import APPEND_ONLY_TABLES, metadata

revision = "a0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    metadata.create_all(bind)
    op.execute(
        sa.text(
            """
            CREATE OR REPLACE FUNCTION analytics_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            """
        )
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION analytics_append_only()"
            )
        )
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION analytics_append_only()"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind)
    op.execute(sa.text("DROP FUNCTION IF EXISTS analytics_append_only()"))
