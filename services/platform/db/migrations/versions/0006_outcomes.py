"""Outcome measurements (uitkomsten) of a person casus: work, school, housing, debts, benefit
and new police registrations, at intake, at closure and 12 months after.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import shared_read_statements, tenant_rls_statements

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_measurements",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("moment", sa.String(16), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("flags", pg.JSONB(), nullable=False, server_default="{}"),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_outcome_measurements"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name="fk_outcome_measurements_tenant_id_casus_id_casussen",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_outcome_measurements_casus", "outcome_measurements", ["tenant_id", "casus_id"]
    )
    for statement in tenant_rls_statements("outcome_measurements"):
        op.execute(statement)
    for statement in shared_read_statements("outcome_measurements", "casus_id"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("outcome_measurements")
