"""Tenancy: tenants registry, organisations and users with row-level security; worker heartbeats.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import tenant_rls_statements

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", pg.ENUM("gemeente", "regio", name="tenant_kind"), nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column(
            "status",
            pg.ENUM("actief", "opgeschort", name="tenant_status"),
            nullable=False,
            server_default="actief",
        ),
        sa.Column("manifest", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("manifest_sha256", sa.String(64), nullable=False, server_default=""),
        *_timestamps(),
    )
    op.create_table(
        "organisations",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("domain", sa.String(64), nullable=False),
        sa.Column("receive_only", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        *_timestamps(),
    )
    op.create_table(
        "users",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("roles", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "organisation_id"],
            ["organisations.tenant_id", "organisations.id"],
            name="fk_users_organisation",
        ),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("worker_pid", sa.Integer, nullable=False),
        sa.Column(
            "handled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    for table in ("organisations", "users"):
        for statement in tenant_rls_statements(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    op.drop_table("users")
    op.drop_table("organisations")
    op.drop_table("tenants")
    op.execute("DROP TYPE tenant_status")
    op.execute("DROP TYPE tenant_kind")
