"""Role changes need four eyes: proposals a second tenantbeheerder approves (issue 9,
defect 10).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import tenant_rls_statements

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = pg.ENUM("voorgesteld", "goedgekeurd", "afgewezen", name="role_change_status")
    status.create(op.get_bind())
    op.create_table(
        "role_change_requests",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("roles_added", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("organisation_id", sa.String(64)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "status",
            pg.ENUM(name="role_change_status", create_type=False),
            nullable=False,
            server_default="voorgesteld",
        ),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column(
            "proposed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name="fk_role_change_requests_user",
        ),
        # Decided by someone else than the proposer: the database holds the line too.
        sa.CheckConstraint(
            "decided_by IS NULL OR status = 'afgewezen' OR decided_by <> proposed_by",
            name="ck_role_change_requests_four_eyes",
        ),
    )
    op.create_index(
        "uq_role_change_requests_open",
        "role_change_requests",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'voorgesteld'"),
    )
    for statement in tenant_rls_statements("role_change_requests"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("role_change_requests")
    op.execute("DROP TYPE role_change_status")
