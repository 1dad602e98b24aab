"""The home page's count from indexes (issue 14).

The count of casussen (``/overzicht``, ADR 0026) takes the first 501 casussen each relation
opens, newest first, and groups them by their decision projection. Two indexes make that
cheaper:

* ``ix_casussen_tenant_created`` carries ``kind`` and ``state`` (``INCLUDE``): a relation's
  page, and the count's groups, come from the index alone, without a visit to each row.
  Same key as before, so it serves the lists as the index it replaces did.
* ``ix_casus_roles_coordinator``: the active uitvoeringscoördinatoren, per casus. Whether a
  casus has one is part of every casus's group; with this (small) index that is one cheap
  probe instead of a walk over all the casus's roles.

(Numbered 0057 so that it does not clash with migrations of parallel work; it follows
0056, the audit chains.)

Revision ID: 0057
Revises: 0056
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0057"
down_revision = "0056"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_casussen_tenant_created", table_name="casussen")
    op.create_index(
        "ix_casussen_tenant_created",
        "casussen",
        ["tenant_id", "created_at", "id"],
        postgresql_include=["kind", "state"],
    )
    op.create_index(
        "ix_casus_roles_coordinator",
        "casus_roles",
        ["tenant_id", "casus_id"],
        postgresql_where=sa.text("role = 'uitvoeringscoordinator' AND ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_casus_roles_coordinator", table_name="casus_roles")
    op.drop_index("ix_casussen_tenant_created", table_name="casussen")
    op.create_index("ix_casussen_tenant_created", "casussen", ["tenant_id", "created_at", "id"])
