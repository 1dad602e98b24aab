"""Persons of a shared casus are readable by the receiving tenant; consent records a power
imbalance (consent given under one is not a valid basis).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.platform.db.rls import TENANT_SETTING

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE POLICY shared_read ON persons FOR SELECT USING (EXISTS ("
        "SELECT 1 FROM casus_shares s JOIN casussen c "
        "ON c.tenant_id = s.tenant_id AND c.id = s.casus_id "
        "WHERE s.tenant_id = persons.tenant_id AND c.subject_person_id = persons.id "
        f"AND s.shared_with_tenant = current_setting('{TENANT_SETTING}', true)))"
    )
    op.add_column(
        "consents",
        sa.Column("power_imbalance", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("consents", "power_imbalance")
    op.execute("DROP POLICY shared_read ON persons")
