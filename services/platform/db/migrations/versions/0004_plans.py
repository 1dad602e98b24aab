"""Doorbreekglas review: the PGA-expert's verdict (terecht/onterecht) and explanation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("urgent_access", sa.Column("review_verdict", sa.String(16)))
    op.add_column("urgent_access", sa.Column("review_note", sa.Text))
    op.create_check_constraint(
        op.f("ck_urgent_access_review_verdict"),
        "urgent_access",
        "review_verdict IS NULL OR review_verdict IN ('terecht', 'onterecht')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_urgent_access_review_verdict"), "urgent_access", type_="check")
    op.drop_column("urgent_access", "review_note")
    op.drop_column("urgent_access", "review_verdict")
