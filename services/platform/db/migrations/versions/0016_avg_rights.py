"""AVG rights (issue 11): corrections with history (art. 16), restrictions (art. 18) and
the record of every bewaartermijn sweep (docs/avg.md, ADR 0019).

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import tenant_rls_statements

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("corrections", "restrictions", "retention_runs")


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True)


def _id() -> sa.Column[object]:
    return sa.Column("id", pg.UUID(as_uuid=True), primary_key=True)


def _now(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "corrections",
        _tenant(),
        _id(),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("person_id", pg.UUID(as_uuid=True)),
        sa.Column("casus_id", pg.UUID(as_uuid=True)),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", pg.JSONB, nullable=False),
        sa.Column("new_value", pg.JSONB, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("corrected_by", sa.String(64), nullable=False),
        _now("corrected_at"),
    )
    op.create_index(
        "ix_corrections_target", "corrections", ["tenant_id", "target_type", "target_id"]
    )
    op.create_index("ix_corrections_person", "corrections", ["tenant_id", "person_id"])
    op.create_table(
        "restrictions",
        _tenant(),
        _id(),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("person_id", pg.UUID(as_uuid=True)),
        sa.Column("casus_id", pg.UUID(as_uuid=True)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("restricted_by", sa.String(64), nullable=False),
        _now("restricted_at"),
        sa.Column("lifted_by", sa.String(64)),
        sa.Column("lifted_at", sa.DateTime(timezone=True)),
        sa.Column("lift_reason", sa.Text),
    )
    op.create_index(
        "ix_restrictions_target", "restrictions", ["tenant_id", "target_type", "target_id"]
    )
    op.create_table(
        "retention_runs",
        _tenant(),
        _id(),
        _now("ran_at"),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("casussen", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("counts", pg.JSONB, nullable=False),
        sa.Column("kept_persons", sa.Integer, nullable=False),
    )
    for table in TABLES:
        for statement in tenant_rls_statements(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
