"""Tenant settings from manifests, meeting types, user provenance, policy data revisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import tenant_rls_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("settings", pg.JSONB, nullable=False, server_default="{}"))
    op.add_column("tenants", sa.Column("status_reason", sa.Text))
    op.add_column("users", sa.Column("title", sa.Text))
    op.execute("CREATE TYPE user_source AS ENUM ('manifest', 'beheer')")
    op.add_column(
        "users",
        sa.Column(
            "source",
            pg.ENUM("manifest", "beheer", name="user_source", create_type=False),
            nullable=False,
            server_default="beheer",
        ),
    )
    op.add_column("users", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "meeting_types",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("frequency_weeks", sa.Integer),
        sa.Column("casus_type", sa.String(16), nullable=False, server_default="persoon"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    for statement in tenant_rls_statements("meeting_types"):
        op.execute(statement)
    # Platform table: every revision of the policy data the engines load.
    op.create_table(
        "policy_data",
        sa.Column("revision", sa.String(64), primary_key=True),
        sa.Column("document", pg.JSONB, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_table("policy_data")
    op.drop_table("meeting_types")
    op.drop_column("users", "version")
    op.drop_column("users", "source")
    op.execute("DROP TYPE user_source")
    op.drop_column("users", "title")
    op.drop_column("tenants", "status_reason")
    op.drop_column("tenants", "settings")
