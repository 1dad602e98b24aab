"""The casussen of a phase, newest first, from an index (issue 14).

The list sorted by fase (``?sortering=fase``) took one window per phase in (created_at, id)
order; with only ``(tenant_id, state)`` indexed PostgreSQL sorted every visible casus of the
tenant for it (a second with 100,000 casussen). ``(tenant_id, state, created_at, id)`` gives
each phase's window straight from the index, and serves everything the old ``(tenant_id,
state)`` index did (the werkvoorraad's running casussen), which it replaces.

(Numbered 0048 so that it did not clash with migrations of parallel work; it follows 0044.)
"""

from __future__ import annotations

from alembic import op

revision = "0048"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_casussen_tenant_state_created", "casussen", ["tenant_id", "state", "created_at", "id"]
    )
    op.drop_index("ix_casussen_tenant_state", table_name="casussen")


def downgrade() -> None:
    op.create_index("ix_casussen_tenant_state", "casussen", ["tenant_id", "state"])
    op.drop_index("ix_casussen_tenant_state_created", table_name="casussen")
