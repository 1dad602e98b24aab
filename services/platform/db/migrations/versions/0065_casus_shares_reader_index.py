"""An index of the shares by the reading tenant (issue 14).

``casus_shares`` had only its primary key ``(tenant_id, casus_id, shared_with_tenant)``: fit
for "is this casus shared with me" (the ``shared_read`` policies of the casus tables), not for
"which casussen are shared with me", which every casussen list, count, werkvoorraad and search
of a reader in another tenant asks (the shared part of the need-to-know pre-filter), and the
``shared_read`` policies of ``persons`` and ``restrictions`` (a person's casus is found from
the shares). PostgreSQL read every share of every tenant for it, and filtered them (RLS
included) row by row. ``(shared_with_tenant, tenant_id, casus_id)`` gives a reader's shares
alone, as an index-only scan. Figures: ADR 0028, ``shares`` amendment.

(Numbered 0065 so that it does not clash with migrations of parallel work; it follows 0060.)

Revision ID: 0065
Revises: 0060
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0065"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_casus_shares_reader", "casus_shares", ["shared_with_tenant", "tenant_id", "casus_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_casus_shares_reader", table_name="casus_shares")
