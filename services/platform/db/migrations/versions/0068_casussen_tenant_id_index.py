"""The casussen by tenant and id, with kind and state (issue 14, ``overzicht2``).

The home page's count (``zichtbaar._count_groups_sql``) takes the first casussen of each
relation in the order of their id; for the participation relation PostgreSQL walks the
organisation's participations (``ix_casus_participants_organisation``, in casus id order)
and looks each casus up here for its kind and state without reading the table, or merges
the two in id order. Before, in the list's order (``created_at``), it probed the
participations once per casus of the tenant, newest first (~1,000 probes, 3,000 buffers
for 501 casussen). Figures: ADR 0028, amendment ``overzicht2``.

(Numbered 0068: the number of the unmerged ``casus_participants.casus_created_at``
migration of session 23, which main never had.)

Revision ID: 0068
Revises: 0067
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0068"
down_revision = "0067"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_casussen_tenant_id_kind_state",
        "casussen",
        ["tenant_id", "id"],
        postgresql_include=["kind", "state"],
    )


def downgrade() -> None:
    op.drop_index("ix_casussen_tenant_id_kind_state", table_name="casussen")
