"""Indexes for the casussen list's filters (issue 14).

With 100,000 casussen in one gemeente three filters of the list read the whole tenant:

- ``soort`` (persoon/groep): the window walked ix_casussen_tenant_created and dropped every
  casus of the other kind (a tenant's few groups: 19,000 buffers, 45-80 ms).
  ``(tenant_id, kind, created_at, id)`` gives a kind's casussen newest (or oldest) first.
- ``van``/``tot`` (aanmelddatum): nothing indexed ``aanmeld_date``, so a range that holds few
  casussen was found by reading them all. ``(tenant_id, aanmeld_date, created_at, id)``
  finds a range's casussen (one day's in created_at order).
- The regie relation (the ``regisseur`` filter, the regie and uitvoeringscoördinator
  branches of the need-to-know pre-filter): ix_casus_roles_user_active held only
  ``(tenant_id, user_id)``, so "does this user hold this role on this casus" read every
  active role of the user (a casusregisseur holds 58,000; PostgreSQL chose to scan the whole
  table for the coordinator branch). It is rebuilt as ``(tenant_id, user_id, role,
  casus_id)``, still on the active roles only; it serves everything the old one did.

(Numbered 0060 so that it does not clash with migrations of parallel work; it follows 0057.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060"
down_revision = "0057"
branch_labels = None
depends_on = None

ACTIVE = "ended_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_casussen_tenant_kind_created", "casussen", ["tenant_id", "kind", "created_at", "id"]
    )
    op.create_index(
        "ix_casussen_tenant_aanmeld", "casussen", ["tenant_id", "aanmeld_date", "created_at", "id"]
    )
    op.drop_index("ix_casus_roles_user_active", table_name="casus_roles")
    op.create_index(
        "ix_casus_roles_user_active",
        "casus_roles",
        ["tenant_id", "user_id", "role", "casus_id"],
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("ix_casus_roles_user_active", table_name="casus_roles")
    op.create_index(
        "ix_casus_roles_user_active",
        "casus_roles",
        ["tenant_id", "user_id"],
        postgresql_where=sa.text(ACTIVE),
    )
    op.drop_index("ix_casussen_tenant_aanmeld", table_name="casussen")
    op.drop_index("ix_casussen_tenant_kind_created", table_name="casussen")
