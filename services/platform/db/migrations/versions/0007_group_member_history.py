"""Group members get a history: who put them on the namenlijst and when, and when (and why)
they were taken off it — removed members stay on record instead of being deleted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "group_members",
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.add_column("group_members", sa.Column("added_by", sa.String(64)))
    op.add_column("group_members", sa.Column("ended_at", sa.DateTime(timezone=True)))
    op.add_column("group_members", sa.Column("end_reason", sa.Text))


def downgrade() -> None:
    for column in ("end_reason", "ended_at", "added_by", "added_at"):
        op.drop_column("group_members", column)
