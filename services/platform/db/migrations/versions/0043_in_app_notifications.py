"""In-app notifications (meldingen, issue 12), the end of a household membership, and the
toelichting of a zelfredzaamheid assessment.

* ``user_notifications``: what Regietafel tells one user in the app (invited to a casus,
  appointed to its regie, a new aanmelding for triage, an action or toezegging due). Written
  in the same transaction as its cause; a reference and a link only, never person data.
  ``dedupe_key`` makes the periodic ones idempotent (one per user and key). Tenant table
  under row-level security; removed with its casus.
* ``household_members.ended_on`` / ``end_reason``: a household member left the household.
* ``assessments.explanation``: the free-text toelichting of a measurement (masked with the
  casus's text categories, services/casework/free_text.py).

Revision ID: 0043
Revises: 0041 (the lead relinks the chain at merge)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.platform.db.rls import tenant_rls_statements

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_notifications",
        sa.Column(
            "tenant_id",
            sa.String(16),
            sa.ForeignKey("tenants.code", name="fk_user_notifications_tenant_id_tenants"),
            nullable=False,
        ),
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("casus_id", pg.UUID(as_uuid=True)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("link", sa.String(200), nullable=False),
        sa.Column("dedupe_key", sa.String(160)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_user_notifications"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name="fk_user_notifications_tenant_id_casus_id_casussen",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "dedupe_key", name="uq_user_notifications_dedupe"
        ),
    )
    op.create_index(
        "ix_user_notifications_user",
        "user_notifications",
        ["tenant_id", "user_id", "created_at"],
    )
    for statement in tenant_rls_statements("user_notifications"):
        op.execute(statement)
    op.add_column("household_members", sa.Column("ended_on", sa.Date()))
    op.add_column("household_members", sa.Column("end_reason", sa.Text()))
    op.add_column("assessments", sa.Column("explanation", sa.Text()))


def downgrade() -> None:
    op.drop_column("assessments", "explanation")
    op.drop_column("household_members", "end_reason")
    op.drop_column("household_members", "ended_on")
    op.drop_index("ix_user_notifications_user", table_name="user_notifications")
    op.drop_table("user_notifications")
