"""The content of group approach steps 3-7 (issue 12): integraal beeld, the anonymised
voorlegging and the driehoek's advice, the nulmeting per spoor, the voortgang of the
uitvoering and the evaluation, kept with the group casus (``casussen.group_steps``).

Revision ID: 0041
Revises: 0020
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0041"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "casussen",
        sa.Column(
            "group_steps",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("casussen", "group_steps")
