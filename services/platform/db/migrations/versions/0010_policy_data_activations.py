"""The policy data in force is explicit: an append-only activation log (issue 9, defect 8).

Before, the engine took the newest ``policy_data`` row by ``created_at``; a document applied
again (same content hash) was found and not inserted, so reverting never took effect. The
row with the highest ``seq`` now names the current revision. The newest row is carried
over, so a running platform keeps the data it had.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_data_activations",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "revision",
            sa.String(64),
            sa.ForeignKey("policy_data.revision", name="fk_policy_data_activations_revision"),
            nullable=False,
        ),
        sa.Column(
            "activated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text),
    )
    op.execute(
        "INSERT INTO policy_data_activations (revision, reason, actor) "
        "SELECT revision, 'migratie 0010: laatst aangemaakte revisie', NULL FROM policy_data "
        "ORDER BY created_at DESC LIMIT 1"
    )
    op.execute(
        "CREATE FUNCTION policy_data_activations_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'policy_data_activations is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER policy_data_activations_append_only "
        "BEFORE UPDATE OR DELETE OR TRUNCATE ON policy_data_activations "
        "FOR EACH STATEMENT EXECUTE FUNCTION policy_data_activations_append_only()"
    )


def downgrade() -> None:
    op.drop_table("policy_data_activations")
    op.execute("DROP FUNCTION policy_data_activations_append_only()")
